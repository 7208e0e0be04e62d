//! Tests of the personhood pallet, with real Groth16 proofs.

use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, BoundedVec},
	frame_system::{self, RawOrigin},
	sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave},
	sp_runtime::DispatchError,
};
use teo_primitives::{traits::PersonhoodInspect, AccountId};
use teo_zk::{groth16, Fr};

fn signed(who: &AccountId) -> RuntimeOrigin {
	RawOrigin::Signed(who.clone()).into()
}

fn root() -> RuntimeOrigin {
	RawOrigin::Root.into()
}

fn name(text: &[u8]) -> BoundedVec<u8, ConstU32<16>> {
	text.to_vec().try_into().unwrap()
}

fn root_of(tree: &teo_zk::lean_imt::LeanImt) -> FieldBytes {
	groth16::fr_to_be_bytes(&tree.root().unwrap())
}

/// A value at or above the BN254 scalar field modulus.
const NOT_IN_FIELD: FieldBytes = [0xff; 32];

use polkadot_sdk::frame_support::traits::ConstU32;

mod groups {
	use super::*;

	#[test]
	fn genesis_builds_the_tree_of_its_members() {
		ExtBuilder::default().build_and_execute(|| {
			let info = Groups::<Test>::get(CITIZENS).unwrap();
			assert_eq!(
				(info.registrar.clone(), info.size, info.name.to_vec()),
				(registrar(), 6, b"citizens".to_vec())
			);
			let expected =
				teo_zk::lean_imt::LeanImt::from_leaves((0..6).map(|n| identity(n).commitment));
			assert_eq!(Personhood::current_root(CITIZENS), Some(root_of(&expected)));
			assert_eq!(MemberIndex::<Test>::get(CITIZENS, commitment(3)), Some(3));
			assert_eq!(NextGroupId::<Test>::get(), 1);
			assert!(VerifyingKeys::<Test>::contains_key(DEPTH));
			assert_eq!(
				CurrentPeriod::<Test>::get(),
				PeriodInfo { index: 0, start: 0, length: PERIOD }
			);
		});
	}

	#[test]
	fn only_governance_creates_groups_and_their_number_is_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Personhood::create_group(signed(&account(Alice)), account(Bob), name(b"x")),
				DispatchError::BadOrigin
			);
			assert_ok!(Personhood::create_group(root(), account(Bob), name(b"town")));
			System::assert_last_event(
				Event::GroupCreated { group: 1, registrar: account(Bob) }.into(),
			);
			assert_ok!(Personhood::create_group(root(), account(Bob), name(b"guild")));
			assert_noop!(
				Personhood::create_group(root(), account(Bob), name(b"one more")),
				Error::<Test>::TooManyGroups
			);
			assert_eq!(Personhood::current_root(1), None);
		});
	}

	#[test]
	fn governance_appoints_registrars() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Personhood::set_registrar(signed(&registrar()), CITIZENS, account(Bob)),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Personhood::set_registrar(root(), 9, account(Bob)),
				Error::<Test>::UnknownGroup
			);
			assert_ok!(Personhood::set_registrar(root(), CITIZENS, account(Bob)));
			System::assert_last_event(
				Event::RegistrarChanged { group: CITIZENS, registrar: account(Bob) }.into(),
			);
			assert_noop!(
				Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)),
				Error::<Test>::NotRegistrar
			);
			assert_ok!(Personhood::add_member(signed(&account(Bob)), CITIZENS, commitment(6)));
		});
	}
}

mod members {
	use super::*;

	#[test]
	fn adding_members_follows_zk_kits_tree() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
			let mut expected =
				teo_zk::lean_imt::LeanImt::from_leaves((0..7).map(|n| identity(n).commitment));
			System::assert_last_event(
				Event::MembersAdded {
					group: CITIZENS,
					first_index: 6,
					commitments: vec![commitment(6)],
					root: root_of(&expected),
				}
				.into(),
			);
			let batch: BoundedVec<_, _> =
				(7..10).map(commitment).collect::<Vec<_>>().try_into().unwrap();
			assert_ok!(Personhood::add_members(signed(&registrar()), CITIZENS, batch.clone()));
			for n in 7..10 {
				expected.insert(identity(n).commitment);
			}
			System::assert_last_event(
				Event::MembersAdded {
					group: CITIZENS,
					first_index: 7,
					commitments: batch.into_inner(),
					root: root_of(&expected),
				}
				.into(),
			);
			assert_eq!(tree_of(CITIZENS), expected);
		});
	}

	#[test]
	fn bad_additions_are_refused_and_change_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			let add = |who: &AccountId, group, c| Personhood::add_member(signed(who), group, c);
			assert_noop!(add(&registrar(), 5, commitment(6)), Error::<Test>::UnknownGroup);
			assert_noop!(
				add(&account(Alice), CITIZENS, commitment(6)),
				Error::<Test>::NotRegistrar
			);
			assert_noop!(add(&registrar(), CITIZENS, NOT_IN_FIELD), Error::<Test>::NotInField);
			assert_noop!(add(&registrar(), CITIZENS, [0; 32]), Error::<Test>::ZeroCommitment);
			assert_noop!(add(&registrar(), CITIZENS, commitment(2)), Error::<Test>::AlreadyMember);
			let batch = |items: Vec<Commitment>| -> BoundedVec<_, _> { items.try_into().unwrap() };
			assert_noop!(
				Personhood::add_members(signed(&registrar()), CITIZENS, batch(vec![])),
				Error::<Test>::EmptyBatch
			);
			assert_noop!(
				Personhood::add_members(
					signed(&registrar()),
					CITIZENS,
					batch(vec![commitment(7), commitment(8), commitment(7)])
				),
				Error::<Test>::AlreadyMember
			);
			// Fill the group to MaxMembers, then one more is refused.
			for chunk in (6..MAX_MEMBERS as usize).collect::<Vec<_>>().chunks(4) {
				let items = chunk.iter().map(|n| commitment(*n)).collect();
				assert_ok!(Personhood::add_members(signed(&registrar()), CITIZENS, batch(items)));
			}
			assert_noop!(
				add(&registrar(), CITIZENS, commitment(MAX_MEMBERS as usize)),
				Error::<Test>::GroupFull
			);
		});
	}

	#[test]
	fn removing_a_member_zeroes_its_leaf_given_the_right_siblings() {
		ExtBuilder::default().build_and_execute(|| {
			let mut tree = tree_of(CITIZENS);
			let siblings: Siblings = tree
				.proof(2)
				.unwrap()
				.siblings
				.iter()
				.map(groth16::fr_to_be_bytes)
				.collect::<Vec<_>>()
				.try_into()
				.unwrap();
			let mut wrong = siblings.clone();
			wrong[0] = commitment(9);
			let remove = |who: &AccountId, c, s: &Siblings| {
				Personhood::remove_member(signed(who), CITIZENS, c, s.clone())
			};
			assert_noop!(
				remove(&account(Alice), commitment(2), &siblings),
				Error::<Test>::NotRegistrar
			);
			assert_noop!(remove(&registrar(), commitment(9), &siblings), Error::<Test>::NotMember);
			assert_noop!(remove(&registrar(), commitment(2), &wrong), Error::<Test>::WrongSiblings);
			let mut short = siblings.clone();
			short.pop();
			assert_noop!(remove(&registrar(), commitment(2), &short), Error::<Test>::WrongSiblings);

			assert_ok!(remove(&registrar(), commitment(2), &siblings));
			tree.update(2, Fr::from(0u64));
			System::assert_last_event(
				Event::MemberRemoved {
					group: CITIZENS,
					index: 2,
					commitment: commitment(2),
					root: root_of(&tree),
				}
				.into(),
			);
			assert_eq!(Leaves::<Test>::get(CITIZENS, 2), Some([0; 32]));
			assert_eq!(MemberIndex::<Test>::get(CITIZENS, commitment(2)), None);
			// Appending after a removal still follows the tree.
			assert_ok!(Personhood::add_member(signed(&registrar()), CITIZENS, commitment(6)));
			tree.insert(identity(6).commitment);
			assert_eq!(Personhood::current_root(CITIZENS), Some(root_of(&tree)));
		});
	}
}

mod verification {
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
			assert_ok!(Personhood::verify(
				signed(&alice),
				CITIZENS,
				root,
				nullifier,
				proof.clone()
			));
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
			assert_noop!(
				verify(CITIZENS, NOT_IN_FIELD, nullifier, &proof),
				Error::<Test>::NotInField
			);
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
			assert_noop!(
				verify(CITIZENS, root, nullifier, &proof),
				Error::<Test>::AgentCannotVerify
			);
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
				Error::<Test>::NoVerificationPeriod
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
}

mod periods {
	use super::*;

	#[test]
	fn verification_lapses_with_the_period_and_old_records_are_cleaned() {
		ExtBuilder::default().build_and_execute(|| {
			let (alice, bob) = (account(Alice), account(Bob));
			let (root, nullifier, proof) = prove(1, &alice, CITIZENS);
			assert_ok!(Personhood::verify(signed(&alice), CITIZENS, root, nullifier, proof));
			let (root, nullifier, proof) = prove(2, &bob, CITIZENS);
			assert_ok!(Personhood::verify(signed(&bob), CITIZENS, root, nullifier, proof));
			assert_eq!(Personhood::verified_count(CITIZENS), 2);

			run_to_block(PERIOD - 1);
			assert!(Personhood::is_verified(&alice, CITIZENS));
			run_to_block(PERIOD);
			System::assert_has_event(
				Event::PeriodStarted { index: 1, start: PERIOD, length: PERIOD }.into(),
			);
			assert!(!Personhood::is_verified(&alice, CITIZENS));
			assert!(!Personhood::is_human(&alice));
			assert_eq!(Personhood::verified_count(CITIZENS), 0);
			// The hooks of that block cleaned the finished period (8 items per block at most).
			run_to_block(PERIOD + 1);
			assert_eq!(Verified::<Test>::iter().count(), 0);
			assert_eq!(Nullifiers::<Test>::iter().count(), 0);
			assert_eq!(VerifiedCount::<Test>::iter().count(), 0);
			assert_eq!(OldestUncleanedPeriod::<Test>::get(), 1);

			// A new period, a new scope: Alice re-verifies with a new nullifier.
			let (root, new_nullifier, proof) = prove(1, &alice, CITIZENS);
			assert_ne!(new_nullifier, nullifier);
			assert_ok!(Personhood::verify(signed(&alice), CITIZENS, root, new_nullifier, proof));
			assert_eq!(Personhood::verified_until(&alice, CITIZENS), Some(2 * PERIOD - 1));
		});
	}

	#[test]
	fn a_new_period_length_applies_from_the_next_period() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Personhood::set_verification_period(signed(&account(Alice)), 10),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Personhood::set_verification_period(root(), 0),
				Error::<Test>::InvalidPeriodLength
			);
			assert_ok!(Personhood::set_verification_period(root(), 10));
			System::assert_last_event(Event::PeriodLengthScheduled { length: 10 }.into());
			assert_eq!(CurrentPeriod::<Test>::get().length, PERIOD);
			run_to_block(PERIOD);
			assert_eq!(
				CurrentPeriod::<Test>::get(),
				PeriodInfo { index: 1, start: PERIOD, length: 10 }
			);
			run_to_block(PERIOD + 10);
			assert_eq!(CurrentPeriod::<Test>::get().index, 2);
		});
	}
}

mod keys {
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
				"../../../primitives/zk/fixtures/semaphore-v4-verification-keys.json"
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
			assert_ok!(Personhood::set_verifying_key(
				root(),
				DEPTH,
				key_bytes(other_proving_key())
			));
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
			assert_ok!(Personhood::remove_verifying_key(root(), DEPTH));
			System::assert_last_event(Event::VerifyingKeyRemoved { depth: DEPTH }.into());
			assert_noop!(
				Personhood::verify(signed(&bob), CITIZENS, r, n, p),
				Error::<Test>::NoVerifyingKey
			);
		});
	}

	#[test]
	fn the_benchmark_fixture_verifies() {
		use crate::benchmark_fixture as fixture;
		ExtBuilder::default().build_and_execute(|| {
			frame_system::BlockHash::<Test>::insert(
				0,
				<Test as frame_system::Config>::Hash::from(fixture::GENESIS_HASH),
			);
			assert_ok!(Personhood::set_verifying_key(
				root(),
				fixture::DEPTH,
				fixture::VERIFYING_KEY.to_vec().try_into().unwrap()
			));
			assert_ok!(Personhood::create_group(root(), registrar(), name(b"bench")));
			let members: BoundedVec<_, _> = fixture::MEMBERS[..4].to_vec().try_into().unwrap();
			assert_ok!(Personhood::add_members(signed(&registrar()), 1, members));
			let members: BoundedVec<_, _> = fixture::MEMBERS[4..].to_vec().try_into().unwrap();
			assert_ok!(Personhood::add_members(signed(&registrar()), 1, members));
			assert_eq!(Personhood::current_root(1), Some(fixture::ROOT));
			let who = AccountId::from(fixture::CALLER);
			assert_ok!(Personhood::verify(
				signed(&who),
				1,
				fixture::ROOT,
				fixture::NULLIFIER,
				fixture::proof()
			));
		});
	}
}

/// Writes `src/benchmark_fixture.rs`: `cargo test -p pallet-personhood -- --ignored
/// regenerate_benchmark_fixture`.
#[test]
#[ignore]
fn regenerate_benchmark_fixture() {
	use teo_zk::{dev, identity::Identity, lean_imt::LeanImt, prover, semaphore};
	let depth = dev::DEV_KEY_DEPTH;
	let key = prover::dev_setup(depth as usize).unwrap();
	let members: Vec<Identity> =
		dev::DEV_IDENTITY_KEYS.iter().map(|k| Identity::from_private_key(k.as_bytes())).collect();
	let tree = LeanImt::from_leaves(members.iter().map(|m| m.commitment));
	let caller = Alice.to_account_id();
	let genesis = [0x42u8; 32];
	// Group 1 (created by the benchmark after the genesis group), period 0.
	let scope = semaphore::hash_to_field(&semaphore::personhood_scope(&genesis, 1, 0));
	let message = semaphore::hash_to_field(caller.as_ref());
	let membership = tree.proof(0).unwrap();
	let mut rng =
		<rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::from_seed([3; 32]);
	let (proof, inputs) =
		prover::prove(&key, depth as usize, &members[0], &membership, message, scope, &mut rng)
			.unwrap();
	let points = groth16::ProofBytes::from_proof(&proof);
	let bytes = |b: &[u8]| b.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", ");
	let semaphore_keys: serde_json::Value = serde_json::from_str(include_str!(
		"../../../primitives/zk/fixtures/semaphore-v4-verification-keys.json"
	))
	.unwrap();
	let other = groth16::encode_verifying_key(
		&teo_zk::snarkjs::semaphore_verifying_key(&semaphore_keys, depth as usize).unwrap(),
	);
	let mut out = String::from(
		"//! A real membership proof for the benchmarks (which cannot prove in the runtime): made\n\
		 //! with the insecure dev key by the ignored test `regenerate_benchmark_fixture`, checked by\n\
		 //! `the_benchmark_fixture_verifies`.\n\n\
		 use crate::{Commitment, FieldBytes, MembershipProof};\n\n",
	);
	out += &format!("/// The circuit depth.\npub const DEPTH: u8 = {depth};\n");
	out += &format!(
		"/// The dev verifying key.\npub const VERIFYING_KEY: &[u8] = &[{}];\n",
		bytes(&groth16::encode_verifying_key(&key.vk))
	);
	out += &format!(
		"/// Semaphore's published key for the same depth: valid, but not for this proof.\npub const OTHER_VERIFYING_KEY: &[u8] = &[{}];\n",
		bytes(&other)
	);
	out +=
		"/// The group's members (the dev identities).\npub const MEMBERS: [Commitment; 6] = [\n";
	for m in &members {
		out += &format!("\t[{}],\n", bytes(&groth16::fr_to_be_bytes(&m.commitment)));
	}
	out += "];\n";
	out += &format!(
		"/// The genesis hash the scope uses.\npub const GENESIS_HASH: [u8; 32] = [{}];\n",
		bytes(&genesis)
	);
	out += &format!(
		"/// The account the proof is for (//Alice).\npub const CALLER: [u8; 32] = [{}];\n",
		bytes(caller.as_ref())
	);
	out += &format!(
		"/// The tree's root.\npub const ROOT: FieldBytes = [{}];\n",
		bytes(&groth16::fr_to_be_bytes(&inputs.root))
	);
	out += &format!(
		"/// The nullifier for group 1, period 0.\npub const NULLIFIER: FieldBytes = [{}];\n",
		bytes(&groth16::fr_to_be_bytes(&inputs.nullifier))
	);
	out += &format!(
		"/// The proof.\npub fn proof() -> MembershipProof {{\n\tMembershipProof {{\n\t\tdepth: DEPTH,\n\t\ta: [{}],\n\t\tb: [{}],\n\t\tc: [{}],\n\t}}\n}}\n",
		bytes(&points.a),
		bytes(&points.b),
		bytes(&points.c)
	);
	std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/benchmark_fixture.rs"), out).unwrap();
}
