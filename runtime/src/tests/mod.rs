//! Tests of the runtime as a whole: its metadata, token and genesis presets.

use super::*;
use crate::genesis_config_presets::{
	get_preset, preset_names, DEV_PRESET, LOCAL_PRESET, PRODUCTION_PRESET,
};
use polkadot_sdk::{
	sp_io::TestExternalities, sp_keyring::Sr25519Keyring, sp_runtime::BuildStorage,
};
use serde_json::Value;

fn preset(name: &str) -> Value {
	let bytes = get_preset(&name.into()).expect("every listed preset exists");
	serde_json::from_slice(&bytes).expect("a preset is valid JSON")
}

/// The full genesis config of a preset: the runtime's defaults with the preset's patch on top,
/// exactly as the node's chain-spec builder merges them.
fn genesis_config(name: &str) -> RuntimeGenesisConfig {
	crate::genesis_config_presets::preset_config(&name.into()).expect("every listed preset exists")
}

#[test]
fn metadata_is_served_in_v14_v15_and_v16() {
	let versions = Runtime::metadata_versions();
	for version in [14, 15, 16] {
		assert!(versions.contains(&version), "metadata V{version} missing from {versions:?}");
		assert!(Runtime::metadata_at_version(version).is_some());
	}
}

#[test]
fn runtime_ss58_prefix_is_the_token_prefix() {
	assert_eq!(<Runtime as frame_system::Config>::SS58Prefix::get(), token::SS58_PREFIX);
	assert_eq!(token::SYMBOL, "TEO");
	assert_eq!(token::DECIMALS, 12);
}

#[test]
fn every_preset_builds_a_genesis_state() {
	assert_eq!(preset_names().len(), 3);
	for name in preset_names() {
		let storage = genesis_config(&name).build_storage().expect("genesis builds");
		// The state is usable: the runtime version and block number read back.
		TestExternalities::new(storage).execute_with(|| {
			assert_eq!(System::block_number(), 0);
		});
	}
	assert!(get_preset(&"no-such-preset".into()).is_none());
}

#[test]
fn dev_preset_has_alice_as_authority_and_sudo() {
	let config = genesis_config(DEV_PRESET);
	let alice = Sr25519Keyring::Alice.to_account_id();
	assert_eq!(config.session.keys.len(), 1);
	assert_eq!(config.session.keys[0].0, alice);
	assert_eq!(config.session.keys[0].2.aura, Sr25519Keyring::Alice.public().into());
	assert_eq!(config.sudo.key, Some(alice));
	// The session pallet hands Aura and GRANDPA their authorities.
	assert!(config.aura.authorities.is_empty() && config.grandpa.authorities.is_empty());
	polkadot_sdk::sp_io::TestExternalities::new(config.build_storage().unwrap()).execute_with(
		|| {
			assert_eq!(
				polkadot_sdk::pallet_aura::Authorities::<Runtime>::get().into_inner(),
				vec![Sr25519Keyring::Alice.public().into()]
			);
			assert_eq!(
				polkadot_sdk::pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
				1
			);
			assert_eq!(
				pallet_validator_set::Validators::<Runtime>::get().into_inner(),
				vec![Sr25519Keyring::Alice.to_account_id()]
			);
		},
	);
}

#[test]
fn local_preset_has_three_authorities() {
	let config = genesis_config(LOCAL_PRESET);
	let validators = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
	let accounts: Vec<_> = validators.iter().map(|k| k.to_account_id()).collect();
	assert_eq!(config.session.keys.iter().map(|(a, _, _)| a.clone()).collect::<Vec<_>>(), accounts);
	polkadot_sdk::sp_io::TestExternalities::new(config.build_storage().unwrap()).execute_with(
		|| {
			let aura: Vec<_> = validators.iter().map(|k| k.public().into()).collect();
			assert_eq!(polkadot_sdk::pallet_aura::Authorities::<Runtime>::get().into_inner(), aura);
			let grandpa = polkadot_sdk::pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
			assert_eq!(grandpa.len(), 3);
			assert!(grandpa.iter().all(|(_, weight)| *weight == 1));
			assert_eq!(pallet_validator_set::Validators::<Runtime>::get().into_inner(), accounts);
		},
	);
}

#[test]
fn production_preset_carries_no_development_key() {
	let config = genesis_config(PRODUCTION_PRESET);
	assert!(config.sudo.key.is_none(), "production must not have a sudo key");
	assert!(config.session.keys.is_empty());
	assert!(config.aura.authorities.is_empty());
	assert!(config.grandpa.authorities.is_empty());
	assert!(config.balances.balances.is_empty());

	// No dev account appears anywhere in the serialized preset.
	let text = serde_json::to_string(&preset(PRODUCTION_PRESET)).unwrap();
	for key in Sr25519Keyring::iter() {
		assert!(!text.contains(&key.to_account_id().to_string()));
	}
}

mod personhood_and_budgets {
	use super::*;
	use core::sync::atomic::{AtomicU8, Ordering};
	use pallet_personhood::{CurrentPeriod, MembershipProof, ProofPoints};
	use polkadot_sdk::{frame_support::assert_ok, frame_system::RawOrigin};
	use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
	use teo_primitives::traits::PersonhoodInspect;
	use teo_zk::{dev, groth16, identity::Identity, lean_imt::LeanImt, prover, semaphore};

	#[test]
	fn dev_and_local_chains_have_the_dev_citizens_and_the_protocols_test_numbers() {
		for name in [DEV_PRESET, LOCAL_PRESET] {
			let config = genesis_config(name);
			let groups = &config.personhood.groups;
			assert_eq!(groups.len(), 1);
			assert_eq!(groups[0].name, b"citizens".to_vec());
			assert_eq!(groups[0].members, dev::DEV_IDENTITY_COMMITMENTS.to_vec());
			assert_eq!(groups[0].registrar, Sr25519Keyring::Alice.to_account_id());
			assert_eq!(
				config.personhood.verifying_keys,
				vec![(20, dev::DEV_VERIFYING_KEY.to_vec())]
			);
			assert_eq!(config.personhood.verification_period, 2_000);
			let budget = config.action_budget.parameters.expect("parameters at genesis");
			assert_eq!(
				(budget.epoch_length, budget.max_admissions_per_epoch, budget.penalty_epochs),
				(10, 5, 5)
			);
			assert_eq!(
				(budget.base_allowance, budget.per_delegator_allowance, budget.max_allowance),
				(1_000, 100, 100_000)
			);
			assert_eq!(budget.costs.pull_request, 100);
			let gate = config.commit_gate.parameters.expect("gate parameters at genesis");
			assert_eq!(
				(gate.timelock, gate.constitutional_timelock, gate.veto_threshold),
				(10, 15, 1)
			);
			assert_eq!(
				config.constitution.constitution,
				teo_primitives::constitution::Constitution::Development
			);
		}
	}

	#[test]
	fn production_has_no_group_and_no_key_and_the_real_numbers() {
		let config = genesis_config(PRODUCTION_PRESET);
		assert!(config.personhood.groups.is_empty());
		assert!(config.personhood.verifying_keys.is_empty());
		assert_eq!(config.personhood.verification_period, 432_000);
		let budget = config.action_budget.parameters.expect("parameters at genesis");
		assert_eq!(
			(budget.epoch_length, budget.max_admissions_per_epoch, budget.penalty_epochs),
			(600, 2, 168)
		);
		let gate = config.commit_gate.parameters.expect("gate parameters at genesis");
		assert_eq!(
			(gate.timelock, gate.constitutional_timelock, gate.veto_threshold),
			(100_800, 201_600, 1),
			"seven days to veto a decision, fourteen to veto a change of the rules"
		);
		assert_eq!(
			config.constitution.constitution,
			teo_primitives::constitution::Constitution::Production
		);
	}

	/// Each preset's parameters lie within the constitution it chooses: its genesis builds (every
	/// pallet checks at genesis) and every pallet's `try_state` holds.
	#[test]
	fn every_preset_lies_within_its_constitution() {
		for name in [DEV_PRESET, LOCAL_PRESET, PRODUCTION_PRESET] {
			let storage = genesis_config(name).build_storage().expect("genesis builds");
			TestExternalities::new(storage).execute_with(|| {
				let bounds = pallet_constitution::Pallet::<Runtime>::constitution().bounds();
				let gate = pallet_commit_gate::Parameters::<Runtime>::get().unwrap();
				assert!(bounds.timelock.contains(&gate.timelock), "{name}");
				assert_ok!(CommitGate::do_try_state());
				assert_ok!(ActionBudget::do_try_state());
				assert_ok!(Personhood::do_try_state());
			});
		}
	}

	/// Attacks on the proposal policy: another group proposes the citizens' powers, a proposal
	/// breaks the constitution, a batch skips its failures. Each is refused at submission; a
	/// change of the rules waits the constitutional timelock.
	#[test]
	fn the_policy_refuses_the_wrong_group_the_unconstitutional_and_half_batches() {
		use pallet_commit_gate::{Error, GateParameters, Proposals};
		let key = prover::dev_setup(dev::DEV_KEY_DEPTH as usize).unwrap();
		dev_chain().execute_with(|| {
			let agent = alice_verified_with_agent_dave(&key);
			let submit = |group: u32, call: RuntimeCall| {
				CommitGate::submit(
					RawOrigin::Signed(agent.clone()).into(),
					group,
					Box::new(call),
					vec![],
				)
			};
			let parameters = pallet_commit_gate::Parameters::<Runtime>::get().unwrap();
			let set_gate = |parameters: GateParameters| {
				RuntimeCall::CommitGate(pallet_commit_gate::Call::set_parameters { parameters })
			};
			assert_eq!(
				submit(1, set_gate(parameters)),
				Err(Error::<Runtime>::WrongGroup.into()),
				"the protocol's powers belong to the citizens"
			);
			let one_block = GateParameters { timelock: 1, ..parameters };
			assert_eq!(
				submit(0, set_gate(one_block)),
				Err(Error::<Runtime>::Unconstitutional.into())
			);
			let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![1] });
			let half = RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::force_batch {
				calls: vec![remark],
			});
			assert_eq!(submit(0, half), Err(Error::<Runtime>::ForbiddenCall.into()));
			assert_ok!(submit(0, set_gate(parameters)));
			let unlock_at = Proposals::<Runtime>::get(0).unwrap().unlock_at;
			assert_eq!(
				unlock_at,
				1 + 15,
				"a change of the rules waits the constitutional timelock"
			);
			// A registrar decides who belongs to its group (who becomes a citizen; who spends a
			// group's purse and vetoes its proposals): a change of the rules, for any group, and
			// the citizens' to make.
			let registrar = |group| {
				RuntimeCall::Personhood(pallet_personhood::Call::set_registrar {
					group,
					registrar: Sr25519Keyring::Bob.to_account_id(),
				})
			};
			assert_ok!(submit(0, registrar(0)));
			assert_eq!(Proposals::<Runtime>::get(1).unwrap().unlock_at, 1 + 15);
			use pallet_commit_gate::{ProposalClass, ProposalPolicy, Refusal};
			type Policy = crate::configs::proposal_policy::Policy;
			assert_eq!(Policy::classify(0, &registrar(1)), Ok(ProposalClass::Constitutional));
			assert_eq!(Policy::classify(1, &registrar(1)), Err(Refusal::WrongGroup));
		});
	}

	/// The dev chain's genesis, at block 1 with a genesis hash.
	fn dev_chain() -> TestExternalities {
		let storage = genesis_config(DEV_PRESET).build_storage().expect("genesis builds");
		let mut ext = TestExternalities::new(storage);
		ext.execute_with(|| {
			frame_system::BlockHash::<Runtime>::insert(0, Hash::repeat_byte(0x42));
			System::set_block_number(1);
		});
		ext
	}

	/// Alice proves personhood in the citizens' group and registers Dave as her agent; returns
	/// Dave's account.
	fn alice_verified_with_agent_dave(key: &prover::ProvingKey) -> AccountId {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let agent = Sr25519Keyring::Dave.to_account_id();
		let (root, nullifier, proof) = prove(key, "//Alice", &alice);
		assert_ok!(Personhood::verify(
			RawOrigin::Signed(alice.clone()).into(),
			0,
			root,
			nullifier,
			proof
		));
		assert_ok!(ActionBudget::register_agent(RawOrigin::Signed(alice).into(), agent.clone()));
		agent
	}

	/// A real proof, with the dev proving key, that the dev identity `seed` vouches for `who`.
	fn prove(
		key: &prover::ProvingKey,
		seed: &str,
		who: &AccountId,
	) -> ([u8; 32], [u8; 32], MembershipProof) {
		prove_signal(key, seed, who.as_ref(), &Personhood::current_scope(0))
	}

	/// The prover's randomness: another seed for every proof, so that two proofs of one
	/// statement differ, as two citizens' tools' would.
	static NEXT_SEED: AtomicU8 = AtomicU8::new(5);

	/// A real proof, with the dev proving key, that the dev identity `seed`, a citizen, says
	/// `message` in `scope` (both before the hash to the field).
	fn prove_signal(
		key: &prover::ProvingKey,
		seed: &str,
		message: &[u8; 32],
		scope: &[u8; 32],
	) -> ([u8; 32], [u8; 32], MembershipProof) {
		let leaves = (0..6u32).map(|i| {
			let leaf = pallet_personhood::Leaves::<Runtime>::get(0, i).unwrap();
			groth16::fr_from_be_bytes(&leaf).unwrap()
		});
		let tree = LeanImt::from_leaves(leaves);
		let identity = Identity::from_private_key(seed.as_bytes());
		let membership = tree.proof(tree.index_of(&identity.commitment).unwrap()).unwrap();
		let scope = semaphore::hash_to_field(scope);
		let message = semaphore::hash_to_field(message);
		let (proof, inputs) = prover::prove(
			key,
			dev::DEV_KEY_DEPTH as usize,
			&identity,
			&membership,
			message,
			scope,
			&mut ChaCha20Rng::from_seed([NEXT_SEED.fetch_add(1, Ordering::Relaxed); 32]),
		)
		.unwrap();
		(
			groth16::fr_to_be_bytes(&inputs.root),
			groth16::fr_to_be_bytes(&inputs.nullifier),
			MembershipProof::from_points(
				dev::DEV_KEY_DEPTH,
				groth16::ProofBytes::from_proof(&proof),
			),
		)
	}

	/// The anonymous veto end to end in the real runtime, with real proofs: the pool checks it
	/// as a bare extrinsic, block building applies it, the tally counts the nullifier, and no
	/// event names the vetoer. A proof for another proposal, the wrong message, a stale root and
	/// a reused nullifier are refused in the pool, each with its own error.
	#[test]
	fn a_citizen_vetoes_anonymously_and_the_chain_names_nobody() {
		use pallet_commit_gate::{
			AnonymousVeto, Error as GateError, Event as GateEvent, Proposals,
		};
		use polkadot_sdk::sp_runtime::{
			transaction_validity::{
				InvalidTransaction, TransactionSource, TransactionValidityError,
			},
			DispatchError, ModuleError,
		};
		use teo_zk::semaphore::{veto_scope, VETO_MESSAGE};

		let key = prover::dev_setup(dev::DEV_KEY_DEPTH as usize).unwrap();
		dev_chain().execute_with(|| {
			let agent = alice_verified_with_agent_dave(&key);
			// Two vetoes kill; Bob verifies too, so the citizens have two verified members.
			pallet_commit_gate::Parameters::<Runtime>::mutate(|p| {
				p.as_mut().expect("the dev chain's gate is configured").veto_threshold = 2
			});
			let bob = Sr25519Keyring::Bob.to_account_id();
			let (root, nullifier, proof) = prove(&key, "//Bob", &bob);
			assert_ok!(Personhood::verify(
				RawOrigin::Signed(bob).into(),
				0,
				root,
				nullifier,
				proof
			));
			let remark = |n: u8| {
				Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![n] }))
			};
			for n in 0..2 {
				assert_ok!(CommitGate::submit(
					RawOrigin::Signed(agent.clone()).into(),
					0,
					remark(n),
					b"a remark".to_vec()
				));
			}
			let genesis = System::block_hash(0);
			let scope_of = |id: u32| {
				let call_hash = Proposals::<Runtime>::get(id).unwrap().call_hash;
				veto_scope(genesis.as_fixed_bytes(), id, call_hash.as_fixed_bytes())
			};
			let veto_by = |seed: &str, message: &[u8; 32], scope: &[u8; 32]| {
				let (root, nullifier, proof) = prove_signal(&key, seed, message, scope);
				AnonymousVeto { root, nullifier, proof }
			};
			let bare = |id: u32, veto: AnonymousVeto| {
				UncheckedExtrinsic::new_bare_legacy(RuntimeCall::CommitGate(
					pallet_commit_gate::Call::veto_anonymously { id, veto },
				))
			};
			let validate = |extrinsic| {
				Executive::validate_transaction(TransactionSource::External, extrinsic, genesis)
			};
			let refused = |error: GateError<Runtime>| match DispatchError::from(error) {
				DispatchError::Module(ModuleError { error, .. }) => {
					Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(error[0])))
				},
				other => panic!("not a module error: {other:?}"),
			};

			let charlie_on_0 = veto_by("//Charlie", &VETO_MESSAGE, &scope_of(0));
			assert_eq!(
				validate(bare(1, charlie_on_0.clone())).map(|_| ()),
				refused(GateError::InvalidVetoProof),
				"a proof for proposal 0 does not count against proposal 1"
			);
			let not_a_veto = veto_by("//Charlie", &[0x11; 32], &scope_of(0));
			assert_eq!(
				validate(bare(0, not_a_veto)).map(|_| ()),
				refused(GateError::InvalidVetoProof)
			);
			// Charlie's real personhood proof (another message, another scope) as a veto.
			let charlie = Sr25519Keyring::Charlie.to_account_id();
			let (root, nullifier, proof) = prove(&key, "//Charlie", &charlie);
			assert_eq!(
				validate(bare(0, AnonymousVeto { root, nullifier, proof })).map(|_| ()),
				refused(GateError::InvalidVetoProof)
			);
			let mut not_a_root = charlie_on_0.clone();
			not_a_root.root = [0x01; 32];
			assert_eq!(validate(bare(0, not_a_root)).map(|_| ()), refused(GateError::UnknownRoot));

			// The same veto as a general (version 5) transaction, which @polkadot/api cannot
			// decode: refused in the pool, and in a block (a block author's own insertion).
			let general = || {
				UncheckedExtrinsic::new_transaction(
					RuntimeCall::CommitGate(pallet_commit_gate::Call::veto_anonymously {
						id: 0,
						veto: charlie_on_0.clone(),
					}),
					tx_extension(0, polkadot_sdk::sp_runtime::generic::Era::Immortal, 0),
				)
			};
			let call_refused = Err(TransactionValidityError::Invalid(InvalidTransaction::Call));
			assert_eq!(validate(general()).map(|_| ()), call_refused);
			assert_eq!(Executive::apply_extrinsic(general()).map(|_| ()), call_refused);

			let valid = validate(bare(0, charlie_on_0.clone())).expect("Charlie's veto is valid");
			assert_eq!(valid.priority, pallet_commit_gate::VETO_PRIORITY);
			assert_ok!(Executive::apply_extrinsic(bare(0, charlie_on_0.clone())).unwrap());
			assert_eq!(Proposals::<Runtime>::get(0).unwrap().nullifiers.len(), 1);
			// Validation starts a block of its own, which clears the events: keep them.
			let mut events: Vec<RuntimeEvent> =
				System::events().into_iter().map(|r| r.event).collect();
			// Charlie again, with a fresh proof (other bytes, the same nullifier).
			let again = veto_by("//Charlie", &VETO_MESSAGE, &scope_of(0));
			assert_ne!(again.proof, charlie_on_0.proof);
			assert_eq!(again.nullifier, charlie_on_0.nullifier);
			assert_eq!(
				validate(bare(0, again)).map(|_| ()),
				refused(GateError::NullifierAlreadyUsed)
			);
			// Ferdie kills it; the vetoers' accounts appear in no event.
			let ferdie = veto_by("//Ferdie", &VETO_MESSAGE, &scope_of(0));
			assert_ok!(Executive::apply_extrinsic(bare(0, ferdie)).unwrap());
			assert!(!Proposals::<Runtime>::contains_key(0));
			events.extend(System::events().into_iter().map(|r| r.event));
			assert!(events.iter().any(|e| matches!(
				e,
				RuntimeEvent::CommitGate(GateEvent::VetoedAnonymously { id: 0, tally: 1, .. })
			)));
			assert!(events
				.iter()
				.any(|e| matches!(e, RuntimeEvent::CommitGate(GateEvent::Killed { id: 0, .. }))));
			let encoded = codec::Encode::encode(&events);
			for seed in [Sr25519Keyring::Charlie, Sr25519Keyring::Ferdie] {
				let account = seed.to_account_id();
				let bytes: &[u8] = account.as_ref();
				assert!(
					!encoded.windows(32).any(|window| window == bytes),
					"an event names {seed:?}"
				);
			}
		});
	}

	#[test]
	fn a_dev_citizen_proves_personhood_sponsors_an_agent_and_the_agent_cannot_pose_as_human() {
		let key = prover::dev_setup(dev::DEV_KEY_DEPTH as usize).unwrap();
		dev_chain().execute_with(|| {
			let alice = Sr25519Keyring::Alice.to_account_id();
			let agent = Sr25519Keyring::Dave.to_account_id();
			assert_eq!(CurrentPeriod::<Runtime>::get().length, 2_000);

			let (root, nullifier, proof) = prove(&key, "//Alice", &alice);
			assert_ok!(Personhood::verify(
				RawOrigin::Signed(alice.clone()).into(),
				0,
				root,
				nullifier,
				proof
			));
			assert!(Personhood::is_verified(&alice, 0));

			// Alice, a verified citizen, sponsors an agent.
			assert_ok!(ActionBudget::register_agent(
				RawOrigin::Signed(alice.clone()).into(),
				agent.clone()
			));
			let budget = ActionBudget::agent_budget(&agent).expect("a registered agent");
			assert_eq!(budget.allowance, 1_000);

			// The agent holds a member's secret (//Dave's), yet cannot become a human.
			let (root, nullifier, proof) = prove(&key, "//Dave", &agent);
			assert_eq!(
				Personhood::verify(
					RawOrigin::Signed(agent.clone()).into(),
					0,
					root,
					nullifier,
					proof
				)
				.map_err(|e| e.error),
				Err(pallet_personhood::Error::<Runtime>::AgentCannotVerify.into())
			);
		});
	}

	#[test]
	fn a_committed_proposal_of_the_citizens_spends_the_treasury() {
		use polkadot_sdk::{frame_support::traits::Hooks, pallet_balances, pallet_treasury};
		let key = prover::dev_setup(dev::DEV_KEY_DEPTH as usize).unwrap();
		dev_chain().execute_with(|| {
			let alice = Sr25519Keyring::Alice.to_account_id();
			let agent = Sr25519Keyring::Dave.to_account_id();
			let beneficiary = Sr25519Keyring::Ferdie.to_account_id();
			let (root, nullifier, proof) = prove(&key, "//Alice", &alice);
			assert_ok!(Personhood::verify(
				RawOrigin::Signed(alice.clone()).into(),
				0,
				root,
				nullifier,
				proof
			));
			assert_ok!(ActionBudget::register_agent(
				RawOrigin::Signed(alice.clone()).into(),
				agent.clone()
			));

			// The filter refuses a transfer, even inside a batch.
			let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: beneficiary.clone().into(),
				value: 1,
			});
			let batch = RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
				calls: vec![transfer],
			});
			assert_eq!(
				CommitGate::submit(
					RawOrigin::Signed(agent.clone()).into(),
					0,
					Box::new(batch),
					vec![]
				),
				Err(pallet_commit_gate::Error::<Runtime>::ForbiddenCall.into())
			);

			let amount = 1_000 * token::UNIT;
			let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
				asset_kind: Box::new(()),
				amount,
				beneficiary: Box::new(beneficiary.clone()),
				valid_from: None,
			});
			assert_ok!(CommitGate::submit(
				RawOrigin::Signed(agent.clone()).into(),
				0,
				Box::new(spend),
				b"Pay Ferdie for the new benches".to_vec()
			));
			let unlock_at = pallet_commit_gate::Proposals::<Runtime>::get(0).unwrap().unlock_at;
			assert_eq!(unlock_at, 1 + 10, "the dev timelock is ten blocks");
			for n in 2..=unlock_at {
				System::set_block_number(n);
				CommitGate::on_initialize(n);
			}
			assert_eq!(pallet_commit_gate::CommitCount::<Runtime>::get(), 1);
			assert!(pallet_treasury::Spends::<Runtime>::get(0).is_some(), "the spend is approved");

			let before = Balances::free_balance(&beneficiary);
			assert_ok!(Treasury::payout(RawOrigin::Signed(beneficiary.clone()).into(), 0));
			assert_eq!(Balances::free_balance(&beneficiary), before + amount);
		});
	}

	/// A runtime upgrade goes through the gate: the citizens authorize the code's hash with a
	/// constitutional proposal, and only that code can then be applied, by anyone. `set_code`
	/// itself stays forbidden.
	#[test]
	fn the_citizens_authorize_a_runtime_upgrade_with_the_constitutional_timelock() {
		use pallet_commit_gate::{ProposalClass, ProposalPolicy, Refusal};
		use polkadot_sdk::frame_support::traits::Hooks;
		type Policy = crate::configs::proposal_policy::Policy;
		let key = prover::dev_setup(dev::DEV_KEY_DEPTH as usize).unwrap();
		dev_chain().execute_with(|| {
			let agent = alice_verified_with_agent_dave(&key);

			let new_code = b"the next runtime".to_vec();
			let code_hash = polkadot_sdk::sp_io::hashing::blake2_256(&new_code).into();
			let authorize =
				RuntimeCall::Constitution(pallet_constitution::Call::authorize_upgrade {
					code_hash,
				});
			let set_code = RuntimeCall::System(frame_system::Call::set_code { code: new_code });
			assert_eq!(Policy::classify(0, &authorize), Ok(ProposalClass::Constitutional));
			assert_eq!(Policy::classify(1, &authorize), Err(Refusal::WrongGroup));
			assert_eq!(Policy::classify(0, &set_code), Err(Refusal::Forbidden));
			assert_eq!(
				Constitution::authorize_upgrade(RawOrigin::Signed(agent.clone()).into(), code_hash),
				Err(polkadot_sdk::sp_runtime::DispatchError::BadOrigin)
			);

			assert_ok!(CommitGate::submit(
				RawOrigin::Signed(agent).into(),
				0,
				Box::new(authorize),
				b"Upgrade to the next runtime".to_vec()
			));
			let unlock_at = pallet_commit_gate::Proposals::<Runtime>::get(0).unwrap().unlock_at;
			assert_eq!(unlock_at, 1 + 15, "the dev constitutional timelock is fifteen blocks");
			for n in 2..=unlock_at {
				System::set_block_number(n);
				CommitGate::on_initialize(n);
			}
			assert_eq!(System::authorized_upgrade().map(|a| *a.code_hash()), Some(code_hash));
			// Only the authorized code may be applied (by anyone); applying real code, which reads its
			// runtime version, is the zombienet upgrade's part.
			let anyone = RawOrigin::Signed(Sr25519Keyring::Ferdie.to_account_id());
			assert_eq!(
				System::apply_authorized_upgrade(anyone.into(), b"other code".to_vec())
					.map_err(|e| e.error),
				Err(frame_system::Error::<Runtime>::Unauthorized.into())
			);
			assert_eq!(System::authorized_upgrade().map(|a| *a.code_hash()), Some(code_hash));
		});
	}
	/// The validators change only through the gate: an agent cannot call the validator set
	/// itself, another group cannot propose it, and a committed proposal of the citizens adds a
	/// validator whose operator registered its keys; the session pallet makes it an Aura and
	/// GRANDPA authority from the session after the next one.
	#[test]
	fn the_citizens_add_a_validator_through_the_gate() {
		use codec::Encode;
		use pallet_commit_gate::{ProposalClass, ProposalPolicy, Refusal};
		use polkadot_sdk::{
			frame_support::traits::Hooks, sp_core::proof_of_possession::ProofOfPossessionGenerator,
			sp_keyring::Ed25519Keyring,
		};
		type Policy = crate::configs::proposal_policy::Policy;
		let key = prover::dev_setup(dev::DEV_KEY_DEPTH as usize).unwrap();
		dev_chain().execute_with(|| {
			let agent = alice_verified_with_agent_dave(&key);

			// Ferdie's operator registers the keys of its node, proving it holds them.
			let ferdie = Sr25519Keyring::Ferdie.to_account_id();
			let keys = crate::SessionKeys {
				aura: Sr25519Keyring::Ferdie.public().into(),
				grandpa: Ed25519Keyring::Ferdie.public().into(),
			};
			let owner = ferdie.encode();
			let ownership = (
				Sr25519Keyring::Ferdie.pair().generate_proof_of_possession(&owner),
				Ed25519Keyring::Ferdie.pair().generate_proof_of_possession(&owner),
			)
				.encode();
			assert!(
				crate::Session::set_keys(
					RawOrigin::Signed(agent.clone()).into(),
					keys.clone(),
					ownership.clone()
				)
				.is_err(),
				"keys proven for Ferdie are refused for anyone else"
			);
			assert_ok!(crate::Session::set_keys(
				RawOrigin::Signed(ferdie.clone()).into(),
				keys,
				ownership
			));

			let add = RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator {
				who: ferdie.clone(),
			});
			assert_eq!(Policy::classify(0, &add), Ok(ProposalClass::Constitutional));
			assert_eq!(Policy::classify(1, &add), Err(Refusal::WrongGroup));
			assert_eq!(
				crate::ValidatorSet::add_validator(
					RawOrigin::Signed(agent.clone()).into(),
					ferdie.clone()
				),
				Err(polkadot_sdk::sp_runtime::DispatchError::BadOrigin)
			);

			assert_ok!(CommitGate::submit(
				RawOrigin::Signed(agent).into(),
				0,
				Box::new(add),
				b"Ferdie validates".to_vec()
			));
			let unlock_at = pallet_commit_gate::Proposals::<Runtime>::get(0).unwrap().unlock_at;
			let session_length =
				teo_primitives::constitution::Constitution::Development.session_length();
			let aura_has_ferdie = || {
				polkadot_sdk::pallet_aura::Authorities::<Runtime>::get()
					.contains(&Sr25519Keyring::Ferdie.public().into())
			};
			let mut joined_at = None;
			for n in 2..=unlock_at + 3 * session_length {
				System::set_block_number(n);
				CommitGate::on_initialize(n);
				crate::Session::on_initialize(n);
				if joined_at.is_none() && aura_has_ferdie() {
					joined_at = Some(n);
				}
			}
			assert!(pallet_validator_set::Validators::<Runtime>::get().contains(&ferdie));
			// Committed in the session ending at the next multiple of the length; it joins at the
			// start of the session after.
			let committed_session_end = unlock_at.next_multiple_of(session_length);
			assert_eq!(joined_at, Some(committed_session_end + session_length));
			let scheduled = polkadot_sdk::pallet_grandpa::PendingChange::<Runtime>::get()
				.map(|change| change.next_authorities.len());
			let voters =
				polkadot_sdk::pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len();
			assert!(scheduled == Some(2) || voters == 2, "GRANDPA gets Ferdie's vote too");
		});
	}
}

/// A validator cannot drop its session keys and leave without a proposal: the session pallet's
/// `purge_keys` is filtered for signed origins, directly and inside every kind of batch and
/// derivative call, and the validator-set pallet's own refuses a member of the set.
#[test]
fn a_validator_cannot_purge_its_keys_by_any_path() {
	use polkadot_sdk::{pallet_session, pallet_utility, sp_runtime::traits::Dispatchable};
	let storage = genesis_config(DEV_PRESET).build_storage().expect("genesis builds");
	TestExternalities::new(storage).execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let purge = || RuntimeCall::Session(pallet_session::Call::purge_keys {});
		let paths = [
			purge(),
			RuntimeCall::Utility(pallet_utility::Call::batch { calls: vec![purge()] }),
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![purge()] }),
			RuntimeCall::Utility(pallet_utility::Call::force_batch { calls: vec![purge()] }),
			RuntimeCall::Utility(pallet_utility::Call::as_derivative {
				index: 0,
				call: Box::new(purge()),
			}),
		];
		for call in paths {
			// The outer call may succeed (a batch reports its inner failure in an event); the
			// keys stay either way.
			let _ = call.clone().dispatch(RuntimeOrigin::signed(alice.clone()));
			assert!(
				pallet_session::NextKeys::<Runtime>::contains_key(&alice),
				"{call:?} purged a validator's keys"
			);
		}
		assert!(crate::ValidatorSet::purge_keys(RuntimeOrigin::signed(alice.clone())).is_err());
		assert!(pallet_session::NextKeys::<Runtime>::contains_key(&alice));
	});
}

/// A transaction signed the way `teo-client` signs (the extensions from [`tx_extension`], the
/// implicit values from [`tx_extension_implicit`]) is valid, and a signature over the wrong
/// implicit values is not: the constructor and the runtime agree on every value and its order.
#[test]
fn a_transaction_signed_with_the_runtimes_extension_constructor_is_valid() {
	use codec::Encode;
	use polkadot_sdk::sp_runtime::{
		generic::Era,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
		MultiSignature,
	};
	let storage = genesis_config(DEV_PRESET).build_storage().expect("genesis builds");
	TestExternalities::new(storage).execute_with(|| {
		let genesis = System::block_hash(0);
		let alice = Sr25519Keyring::Alice;
		let call = RuntimeCall::System(frame_system::Call::remark {
			remark: b"signed as clients sign".to_vec(),
		});
		let signed = |spec_version: u32| {
			let extension = tx_extension(0, Era::Immortal, 0);
			let implicit =
				tx_extension_implicit(spec_version, VERSION.transaction_version, genesis, genesis);
			let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
			let signature = MultiSignature::from(payload.using_encoded(|bytes| alice.sign(bytes)));
			UncheckedExtrinsic::new_signed(
				call.clone(),
				alice.to_account_id().into(),
				signature,
				extension,
			)
		};
		let validate = |extrinsic| {
			Executive::validate_transaction(TransactionSource::External, extrinsic, genesis)
		};
		assert!(validate(signed(VERSION.spec_version)).is_ok());
		assert_eq!(
			validate(signed(VERSION.spec_version + 1)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
		);
	});
}

mod property;
