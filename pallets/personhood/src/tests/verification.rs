//! Verification: real proofs, one account per person and period, every refusal.

use super::*;

#[test]
fn a_member_verifies_an_account_until_the_period_ends() {
	ExtBuilder::default().build_and_execute(|| {
		let alice = account(Alice);
		let (root, nullifier, proof) = prove(1, &alice, CITIZENS);
		assert!(!Personhood::is_verified(&alice, CITIZENS));
		assert_ok!(Personhood::verify(signed(&alice), CITIZENS, root, nullifier, proof));
		System::assert_last_event(
			Event::Verified {
				group: CITIZENS,
				who: alice.clone(),
				period: 0,
				nullifier,
				until: PERIOD - 1,
			}
			.into(),
		);
		assert_eq!(Personhood::verified_until(&alice, CITIZENS), Some(PERIOD - 1));
		assert!(Personhood::is_human(&alice));
		assert!(!Personhood::is_human(&account(Bob)));
		assert_eq!(Personhood::verified_count(CITIZENS), 1);
		assert_eq!(Nullifiers::<Test>::get((0, CITIZENS, nullifier)), Some(alice));
	});
}

#[test]
fn one_person_binds_one_account_per_period() {
	ExtBuilder::default().build_and_execute(|| {
		let (alice, bob) = (account(Alice), account(Bob));
		let (root, nullifier, proof) = prove(1, &alice, CITIZENS);
		assert_ok!(Personhood::verify(signed(&alice), CITIZENS, root, nullifier, proof.clone()));
		// The same person for a second account: the same nullifier.
		let (root, second_nullifier, proof_for_bob) = prove(1, &bob, CITIZENS);
		assert_eq!(second_nullifier, nullifier);
		assert_noop!(
			Personhood::verify(signed(&bob), CITIZENS, root, nullifier, proof_for_bob),
			Error::<Test>::NullifierAlreadyUsed
		);
		// The same account again, even as another person.
		let (root, other, proof) = prove(2, &alice, CITIZENS);
		assert_noop!(
			Personhood::verify(signed(&alice), CITIZENS, root, other, proof),
			Error::<Test>::AlreadyVerified
		);
	});
}

#[test]
fn a_proof_made_for_another_account_does_not_verify() {
	ExtBuilder::default().build_and_execute(|| {
		// Charlie copies the proof Bob made for himself.
		let (root, nullifier, proof) = prove(2, &account(Bob), CITIZENS);
		assert_noop!(
			Personhood::verify(signed(&account(Charlie)), CITIZENS, root, nullifier, proof),
			Error::<Test>::InvalidProof
		);
	});
}

#[test]
fn a_forged_nullifier_does_not_verify() {
	ExtBuilder::default().build_and_execute(|| {
		let bob = account(Bob);
		let (root, _, proof) = prove(2, &bob, CITIZENS);
		let forged = groth16::fr_to_be_bytes(&Fr::from(12345u64));
		assert_noop!(
			Personhood::verify(signed(&bob), CITIZENS, root, forged, proof),
			Error::<Test>::InvalidProof
		);
	});
}

#[test]
fn unknown_expired_and_malformed_inputs_have_their_own_errors() {
	ExtBuilder::default().build_and_execute(|| {
		let bob = account(Bob);
		let (root, nullifier, proof) = prove(2, &bob, CITIZENS);
		let verify = |group, root, nullifier, proof: &MembershipProof| {
			Personhood::verify(signed(&bob), group, root, nullifier, proof.clone())
		};
		assert_noop!(verify(7, root, nullifier, &proof), Error::<Test>::UnknownGroup);
		assert_noop!(
			verify(CITIZENS, commitment(1), nullifier, &proof),
			Error::<Test>::UnknownRoot
		);
		assert_noop!(verify(CITIZENS, [0; 32], nullifier, &proof), Error::<Test>::UnknownRoot);
		assert_noop!(verify(CITIZENS, NOT_IN_FIELD, nullifier, &proof), Error::<Test>::NotInField);
		assert_noop!(verify(CITIZENS, root, NOT_IN_FIELD, &proof), Error::<Test>::NotInField);
		let mut bad = proof.clone();
		bad.a[0] ^= 1;
		assert_noop!(verify(CITIZENS, root, nullifier, &bad), Error::<Test>::MalformedProof);
		let mut bad = proof.clone();
		bad.b = [0xff; 128];
		assert_noop!(verify(CITIZENS, root, nullifier, &bad), Error::<Test>::MalformedProof);
		let mut bad = proof.clone();
		bad.depth = DEPTH + 1;
		assert_noop!(verify(CITIZENS, root, nullifier, &bad), Error::<Test>::NoVerifyingKey);

		TableAgents::add(&bob);
		assert_noop!(verify(CITIZENS, root, nullifier, &proof), Error::<Test>::AgentCannotVerify);
	});
}

#[test]
fn a_replaced_root_stays_valid_for_a_while() {
	ExtBuilder::default().build_and_execute(|| {
		let (bob, dave) = (account(Bob), account(Dave));
		let (old_root, nullifier, proof) = prove(2, &bob, CITIZENS);
		let (_, dave_nullifier, dave_proof) = prove(3, &dave, CITIZENS);
		run_to_block(3);
		assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
		run_to_block(3 + ROOT_VALIDITY - 1);
		assert_ok!(Personhood::verify(signed(&bob), CITIZENS, old_root, nullifier, proof));
		run_to_block(3 + ROOT_VALIDITY);
		assert_noop!(
			Personhood::verify(signed(&dave), CITIZENS, old_root, dave_nullifier, dave_proof),
			Error::<Test>::ExpiredRoot
		);
		// A proof against the current root works.
		let (root, nullifier, proof) = prove(3, &dave, CITIZENS);
		assert_ok!(Personhood::verify(signed(&dave), CITIZENS, root, nullifier, proof));
	});
}

#[test]
fn the_root_history_is_bounded_and_keeps_one_root_per_block() {
	ExtBuilder::default().build_and_execute(|| {
		let first = Personhood::current_root(CITIZENS).unwrap();
		// Two changes in one block leave one record.
		assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
		assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(7)));
		assert_eq!(Roots::<Test>::get(CITIZENS).len(), 2);
		for (block, n) in (2..).zip(8..8 + MAX_ROOTS as usize) {
			run_to_block(block);
			assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(n)));
		}
		let roots = Roots::<Test>::get(CITIZENS);
		assert_eq!(roots.len(), MAX_ROOTS as usize);
		assert!(roots.iter().all(|r| r.root != first));
	});
}

#[test]
fn a_chain_without_a_period_verifies_no_one() {
	ExtBuilder::default().period(0).build_and_execute(|| {
		let bob = account(Bob);
		let (root, nullifier, proof) = prove(2, &bob, CITIZENS);
		assert_noop!(
			Personhood::verify(signed(&bob), CITIZENS, root, nullifier, proof),
			Error::<Test>::NotConfigured
		);
		assert_ok!(Personhood::set_verification_period(root_origin(), 50));
		assert_eq!(CurrentPeriod::<Test>::get(), PeriodInfo { index: 0, start: 1, length: 50 });
		let (root, nullifier, proof) = prove(2, &bob, CITIZENS);
		assert_ok!(Personhood::verify(signed(&bob), CITIZENS, root, nullifier, proof));
		assert_eq!(Personhood::verified_until(&bob, CITIZENS), Some(50));
	});
}

fn root_origin() -> RuntimeOrigin {
	root()
}

/// What other pallets accept from personhood (the commit gate's anonymous veto): a real proof
/// holds only for its own message, scope, nullifier and group, from a recent root, and checking
/// it writes nothing.
#[test]
fn an_anonymous_signal_holds_only_for_what_it_says_where_it_says_it() {
	use teo_primitives::personhood::{Signal, SignalRefusal};
	ExtBuilder::default().build_and_execute(|| {
		let (alice, bob) = (account(Alice), account(Bob));
		let (root, nullifier, proof) = prove(1, &alice, CITIZENS);
		let scope = Personhood::current_scope(CITIZENS);
		let message: [u8; 32] = *AsRef::<[u8; 32]>::as_ref(&alice);
		let check =
			|group, root: &FieldBytes, nullifier: &FieldBytes, message: &[u8; 32], scope| {
				let signal = Signal { root, nullifier, message, scope, proof: &proof };
				Personhood::check_signal(group, &signal)
			};
		let state = polkadot_sdk::sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1);
		assert_eq!(check(CITIZENS, &root, &nullifier, &message, &scope), Ok(()));
		assert_eq!(
			polkadot_sdk::sp_io::storage::root(polkadot_sdk::sp_runtime::StateVersion::V1),
			state,
			"a check writes nothing"
		);
		// Checking is not spending: the same signal holds again (the caller counts nullifiers).
		assert_eq!(check(CITIZENS, &root, &nullifier, &message, &scope), Ok(()));

		let bob_message: [u8; 32] = *AsRef::<[u8; 32]>::as_ref(&bob);
		let invalid = Err(SignalRefusal::InvalidProof);
		assert_eq!(check(CITIZENS, &root, &nullifier, &bob_message, &scope), invalid);
		assert_eq!(check(CITIZENS, &root, &nullifier, &message, &[7; 32]), invalid);
		assert_eq!(check(CITIZENS, &root, &[1; 32], &message, &scope), invalid);
		assert_eq!(
			check(99, &root, &nullifier, &message, &scope),
			Err(SignalRefusal::UnknownGroup)
		);
		assert_eq!(
			check(CITIZENS, &[1; 32], &nullifier, &message, &scope),
			Err(SignalRefusal::UnknownRoot)
		);
		assert_eq!(
			check(CITIZENS, &[0xff; 32], &nullifier, &message, &scope),
			Err(SignalRefusal::NotInField)
		);
		run_to_block(3);
		assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
		run_to_block(3 + ROOT_VALIDITY);
		assert_eq!(
			check(CITIZENS, &root, &nullifier, &message, &scope),
			Err(SignalRefusal::ExpiredRoot)
		);
	});
}

/// Attack: a registrar removes someone in every block, so that every proof in flight (a veto,
/// a verification) is against a replaced root and refused. A replaced root keeps its grace
/// after a removal as after an addition, and the member count follows the removal at once.
#[test]
fn a_proof_in_flight_survives_a_removal_until_its_root_expires() {
	use teo_primitives::personhood::{Signal, SignalRefusal};
	ExtBuilder::default().build_and_execute(|| {
		let bob = account(Bob);
		let (old_root, nullifier, proof) = prove(2, &bob, CITIZENS);
		let scope = Personhood::current_scope(CITIZENS);
		let message: [u8; 32] = *AsRef::<[u8; 32]>::as_ref(&bob);
		let signal = Signal {
			root: &old_root,
			nullifier: &nullifier,
			message: &message,
			scope: &scope,
			proof: &proof,
		};
		let members = MemberCount::<Test>::get(CITIZENS);
		run_to_block(3);
		let tree = tree_of(CITIZENS);
		let index = tree.index_of(&identity(1).commitment).expect("a member");
		let siblings = siblings_at(&tree, index);
		assert_ok!(Personhood::remove_member(
			signed(&registrar()),
			CITIZENS,
			commitment(1),
			siblings
		));
		assert_eq!(MemberCount::<Test>::get(CITIZENS), members - 1);
		assert_eq!(Personhood::member_count(CITIZENS), members - 1);
		run_to_block(4);
		assert_eq!(Personhood::check_signal(CITIZENS, &signal), Ok(()));
		run_to_block(3 + ROOT_VALIDITY);
		assert_eq!(Personhood::check_signal(CITIZENS, &signal), Err(SignalRefusal::ExpiredRoot));
		assert_noop!(
			Personhood::verify(signed(&bob), CITIZENS, old_root, nullifier, proof.clone()),
			Error::<Test>::ExpiredRoot
		);
	});
}

/// A harness's genesis: thousands of verified citizens without thousands of proofs. They count
/// as any verified human of the first period, and lapse with it.
#[test]
fn accounts_verified_at_genesis_are_verified_humans_of_the_first_period() {
	let (alice, bob) = (account(Alice), account(Bob));
	let genesis = vec![(CITIZENS, alice.clone()), (CITIZENS, bob.clone())];
	ExtBuilder::default().verified(genesis).build_and_execute(|| {
		let last_block = CurrentPeriod::<Test>::get().last_block();
		assert_eq!(Personhood::verified_until(&alice, CITIZENS), Some(last_block));
		assert!(Personhood::is_human(&bob));
		assert_eq!(Personhood::verified_count(CITIZENS), 2);
		let nullifier = Verified::<Test>::get((0, CITIZENS, &alice)).unwrap();
		assert_eq!(Nullifiers::<Test>::get((0, CITIZENS, nullifier)), Some(alice.clone()));
		assert_ne!(nullifier, Verified::<Test>::get((0, CITIZENS, &bob)).unwrap());
		// Verified already: a proof adds nothing.
		let (root, nullifier, proof) = prove(1, &alice, CITIZENS);
		assert_noop!(
			Personhood::verify(signed(&alice), CITIZENS, root, nullifier, proof),
			Error::<Test>::AlreadyVerified
		);
		run_to_block(PERIOD);
		assert!(!Personhood::is_human(&alice));
	});
}

#[test]
#[should_panic(expected = "development chains only")]
fn accounts_verified_at_genesis_are_refused_where_keys_must_be_secure() {
	TestConstitution::allow_insecure_keys(false);
	let _ = ExtBuilder::default().verified(vec![(CITIZENS, account(Alice))]).build();
}

#[test]
#[should_panic(expected = "must name a genesis group")]
fn an_account_verified_at_genesis_names_a_genesis_group() {
	let _ = ExtBuilder::default().verified(vec![(CITIZENS + 1, account(Alice))]).build();
}
