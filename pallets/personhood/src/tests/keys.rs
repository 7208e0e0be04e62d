//! Verifying keys: validation, Semaphore's published keys, rotation and removal.

use super::*;

#[test]
fn keys_are_validated_when_set() {
	ExtBuilder::default().build_and_execute(|| {
		let good = key_bytes(proving_key());
		assert_noop!(
			Personhood::set_verifying_key(signed(&account(Alice)), DEPTH, good.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Personhood::set_verifying_key(root(), 0, good.clone()),
			Error::<Test>::InvalidDepth
		);
		assert_noop!(
			Personhood::set_verifying_key(root(), 33, good.clone()),
			Error::<Test>::InvalidDepth
		);
		let mut bad = good.clone();
		bad[10] ^= 1;
		assert_noop!(
			Personhood::set_verifying_key(root(), DEPTH, bad),
			Error::<Test>::MalformedVerifyingKey
		);
		let short: VerifyingKeyBytes = good[..700].to_vec().try_into().unwrap();
		assert_noop!(
			Personhood::set_verifying_key(root(), DEPTH, short),
			Error::<Test>::MalformedVerifyingKey
		);
		assert_ok!(Personhood::set_verifying_key(root(), 20, good));
		System::assert_last_event(
			Event::VerifyingKeySet { depth: 20, previous_valid_until: None }.into(),
		);
	});
}

#[test]
fn semaphores_published_keys_load() {
	ExtBuilder::default().build_and_execute(|| {
		let file: serde_json::Value = serde_json::from_str(include_str!(
			"../../../../primitives/zk/fixtures/semaphore-v4-verification-keys.json"
		))
		.unwrap();
		for depth in 1..=32u8 {
			let key = teo_zk::snarkjs::semaphore_verifying_key(&file, depth as usize).unwrap();
			let bytes = groth16::encode_verifying_key(&key).try_into().unwrap();
			assert_ok!(Personhood::set_verifying_key(root(), depth, bytes));
			let prepared = PreparedKeys::<Test>::get(depth).unwrap();
			assert!(prepared.len() <= PREPARED_KEY_BYTES as usize);
		}
	});
}

#[test]
fn a_replaced_key_is_accepted_during_its_grace_period_only() {
	ExtBuilder::default().build_and_execute(|| {
		let (alice, bob, charlie) = (account(Alice), account(Bob), account(Charlie));
		let old_alice = prove(1, &alice, CITIZENS);
		let old_bob = prove(2, &bob, CITIZENS);
		assert_ok!(Personhood::set_verifying_key(root(), DEPTH, key_bytes(other_proving_key())));
		System::assert_last_event(
			Event::VerifyingKeySet { depth: DEPTH, previous_valid_until: Some(1 + KEY_GRACE) }
				.into(),
		);
		// Proofs for the new key verify at once.
		let (r, n, p) = prove_with(other_proving_key(), 3, &charlie, CITIZENS);
		assert_ok!(Personhood::verify(signed(&charlie), CITIZENS, r, n, p));
		run_to_block(1 + KEY_GRACE);
		let (r, n, p) = old_alice;
		assert_ok!(Personhood::verify(signed(&alice), CITIZENS, r, n, p));
		run_to_block(2 + KEY_GRACE);
		let (r, n, p) = old_bob;
		assert_noop!(
			Personhood::verify(signed(&bob), CITIZENS, r, n, p),
			Error::<Test>::InvalidProof
		);
	});
}

#[test]
fn a_removed_key_verifies_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		let bob = account(Bob);
		let (r, n, p) = prove(2, &bob, CITIZENS);
		assert_noop!(
			Personhood::remove_verifying_key(root(), DEPTH + 1),
			Error::<Test>::NoVerifyingKey
		);
		// Attack: one committed proposal removes the last key, and nobody can ever prove
		// personhood again (nor veto the proposal that would restore it).
		assert_noop!(
			Personhood::remove_verifying_key(root(), DEPTH),
			Error::<Test>::LastVerifyingKey
		);
		assert_ok!(Personhood::set_verifying_key(root(), DEPTH + 1, key_bytes(proving_key())));
		assert_ok!(Personhood::remove_verifying_key(root(), DEPTH));
		System::assert_last_event(Event::VerifyingKeyRemoved { depth: DEPTH }.into());
		assert_noop!(
			Personhood::verify(signed(&bob), CITIZENS, r, n, p),
			Error::<Test>::NoVerifyingKey
		);
	});
}

/// Attack: a proposal (or a careless operator's genesis) installs the dev setup's key on a
/// production chain; its randomness is public, so anyone could then prove membership of any
/// group and forge unlimited "humans". The constitution refuses it, at any depth.
#[test]
fn the_dev_key_is_refused_where_the_constitution_forbids_insecure_keys() {
	ExtBuilder::default().build_and_execute(|| {
		// The mock's genesis is a dev chain's: it carries the dev key, as a chain born before the
		// rule would. Replacing it there drops it at once, with no grace period.
		TestConstitution::allow_insecure_keys(false);
		assert_ok!(Personhood::set_verifying_key(root(), DEPTH, key_bytes(other_proving_key())));
		assert!(RetiredKeys::<Test>::get(DEPTH).is_none(), "no grace for an insecure key");
		let dev_20: VerifyingKeyBytes = teo_zk::dev::DEV_VERIFYING_KEY.to_vec().try_into().unwrap();
		for (depth, key) in [(DEPTH, key_bytes(proving_key())), (20, dev_20)] {
			assert_noop!(
				Personhood::set_verifying_key(root(), depth, key),
				Error::<Test>::InsecureVerifyingKey
			);
		}
		// A key of another setup (a ceremony's) is taken.
		assert_ok!(Personhood::set_verifying_key(root(), 20, key_bytes(other_proving_key())));
	});
}

#[test]
#[should_panic(expected = "InsecureVerifyingKey")]
fn a_genesis_with_the_dev_key_is_refused_where_the_constitution_forbids_insecure_keys() {
	TestConstitution::allow_insecure_keys(false);
	ExtBuilder::default().build_and_execute(|| {});
}
