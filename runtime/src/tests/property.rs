//! A property test of TEO's pallets together, in the real runtime: random sequences of every call
//! of personhood, the action budget and the commit gate, from random origins (citizens, agents,
//! strangers, root, and nobody for anonymous vetoes), across epochs and verification periods, with real Groth16 proofs. Groups
//! other than the citizens' grow to `MAX_TOWN_SIZE` members and then lose members instead, so
//! that a long run's state, and its pace, stay level.
//!
//! After every action:
//! - a call that fails changes nothing: the state root is what it was;
//! - a call the transaction pool refuses (`CheckPullRequest`, `CheckFraudReport`, the gate's
//!   `ValidateUnsigned` for anonymous vetoes) fails in the block too, with the same error.
//!
//! After every block: every pallet's `try_state` holds (the constitution's bounds, the queue, the
//! deposits, the registry, the trees). Nothing may panic.
//!
//! The short run is part of `cargo test`. The long run, and another seed:
//! `TEO_PROPERTY_ACTIONS=1000000 TEO_PROPERTY_SEED=7 cargo test --release -p teo-runtime
//! property -- --nocapture` (docs/COMMIT-GATE.md has the figures of the last long run).

use std::collections::BTreeMap;

use pallet_action_budget::{BudgetParameters, CheckFraudReport, SignedMeshHeader};
use pallet_commit_gate::{AnonymousVeto, CheckPullRequest, GateParameters};
use pallet_personhood::{MembershipProof, ProofPoints};
use polkadot_sdk::{
	frame_support::{dispatch::GetDispatchInfo, traits::Hooks, weights::Weight},
	sp_core::{sr25519, Pair},
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{
		traits::{DispatchTransaction, Dispatchable},
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
		BuildStorage, DispatchError, MultiSignature, Perbill, StateVersion,
	},
};
use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};
use teo_primitives::{
	mesh::{MeshHeader, MessageKind},
	traits::PersonhoodInspect,
	GroupId, H256,
};
use teo_zk::semaphore::{veto_scope, VETO_MESSAGE};
use teo_zk::{dev, groth16, identity::Identity, lean_imt::LeanImt, prover, semaphore};

use super::*;

/// Actions in the short run (`cargo test --release`, as the README's test command runs it; a
/// debug build runs a tenth); `TEO_PROPERTY_ACTIONS` overrides it.
const SHORT_RUN: u64 = if cfg!(debug_assertions) { 300 } else { 3_000 };
/// Actions between two commits of the test chain's changes to its backend. Without them every
/// state root would hash every change since genesis, and a long run would slow down as it goes.
const CHUNK: u64 = 1_000;
/// A long run reports its pace and the size of its state at most 20 times, and at most every
/// `PROGRESS_AT_LEAST` actions: a pace that falls shows which storage grows.
const PROGRESS_AT_LEAST: u64 = 10_000;
/// The size at which groups other than group 0 stop growing: an added member then becomes a
/// removal (trees never shrink; removed members leave zero leaves).
const MAX_TOWN_SIZE: u32 = 64;
/// A verification period of the test chain: short, so that the runs cross several.
const PERIOD: BlockNumber = 200;
/// The depth of the circuit the citizens prove with: a key of its own on the test chain (beside
/// the dev key of depth 20), so that proving takes milliseconds, not a fifth of a second. Group 0
/// stays within its 32 leaves.
const DEPTH: u8 = 5;

/// Who may act.
struct Actors {
	/// The dev citizens (Alice to Ferdie): members of group 0 with known identities.
	citizens: Vec<(AccountId, &'static str)>,
	/// Agent accounts, with keys to sign mesh headers.
	agents: Vec<(AccountId, sr25519::Pair)>,
	/// Funded accounts with no role.
	strangers: Vec<AccountId>,
}

impl Actors {
	fn new() -> Self {
		let seeds = ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];
		let citizens =
			Sr25519Keyring::well_known().take(6).map(|k| k.to_account_id()).zip(seeds).collect();
		let agents = (0..6)
			.map(|i| {
				let pair = sr25519::Pair::from_string(&format!("//property-agent-{i}"), None)
					.expect("a valid derivation");
				(AccountId::from(pair.public()), pair)
			})
			.collect();
		let strangers = (0..2)
			.map(|i| {
				let pair = sr25519::Pair::from_string(&format!("//stranger-{i}"), None).unwrap();
				AccountId::from(pair.public())
			})
			.collect();
		Self { citizens, agents, strangers }
	}

	fn everyone(&self) -> Vec<AccountId> {
		self.citizens
			.iter()
			.map(|(a, _)| a.clone())
			.chain(self.agents.iter().map(|(a, _)| a.clone()))
			.chain(self.strangers.iter().cloned())
			.collect()
	}
}

/// A seeded source of choices.
struct Dice(ChaCha20Rng);

impl Dice {
	fn below(&mut self, n: u64) -> u64 {
		self.0.next_u64() % n.max(1)
	}

	fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}

	fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
		&items[self.below(items.len() as u64) as usize]
	}
}

/// The test chain: the dev preset with short periods and funded agents and strangers.
fn chain(actors: &Actors, key: &prover::ProvingKey) -> TestExternalities {
	let mut config = genesis_config(crate::genesis_config_presets::DEV_PRESET);
	config.personhood.verification_period = PERIOD;
	config.personhood.verifying_keys.push((DEPTH, groth16::encode_verifying_key(&key.vk)));
	for who in actors.agents.iter().map(|(a, _)| a).chain(&actors.strangers) {
		config.balances.balances.push((who.clone(), 1_000_000 * token::UNIT));
	}
	// The groups' purses, for the proposals that spend them.
	for group in 0..3 {
		config.balances.balances.push((CommitGate::purse(group), 100 * token::UNIT));
	}
	let mut ext = TestExternalities::new(config.build_storage().expect("genesis builds"));
	ext.execute_with(|| {
		frame_system::BlockHash::<Runtime>::insert(0, Hash::repeat_byte(0x42));
		System::set_block_number(1);
	});
	ext
}

/// Moves to the next block, running the TEO pallets' hooks as the executive would.
fn next_block() {
	let n = System::block_number() + 1;
	System::set_block_number(n);
	System::reset_events();
	Personhood::on_initialize(n);
	CommitGate::on_initialize(n);
	Personhood::on_idle(n, Weight::from_parts(u64::MAX / 4, u64::MAX / 4));
}

/// The number of storage keys of each TEO pallet.
fn keys_per_pallet() -> Vec<(&'static str, usize)> {
	use polkadot_sdk::{frame_support::traits::PalletInfoAccess, sp_io::hashing::twox_128};
	[
		(Personhood::name(), "personhood"),
		(ActionBudget::name(), "budget"),
		(CommitGate::name(), "gate"),
		(System::name(), "system"),
	]
	.into_iter()
	.map(|(name, short)| {
		let prefix = twox_128(name.as_bytes());
		let mut count = 0;
		let mut key = prefix.to_vec();
		while let Some(next) = polkadot_sdk::sp_io::storage::next_key(&key) {
			if !next.starts_with(&prefix) {
				break;
			}
			count += 1;
			key = next;
		}
		(short, count)
	})
	.collect()
}

/// Every pallet's invariants.
fn check_invariants(step: u64) {
	for (pallet, result) in [
		("personhood", Personhood::do_try_state()),
		("action budget", ActionBudget::do_try_state()),
		("commit gate", CommitGate::do_try_state()),
	] {
		if let Err(error) = result {
			panic!("step {step}: the {pallet}'s invariants broke: {error:?}");
		}
	}
}

/// Proofs already made, by identity, message, root and scope: a long run asks for the same
/// proof again and again within a period, and proving dominates its time. A cached proof is as
/// real as a fresh one (a replay, which the pallets must refuse as they refuse any).
type ProofCache =
	BTreeMap<(String, [u8; 32], [u8; 32], [u8; 32]), ([u8; 32], [u8; 32], MembershipProof)>;

std::thread_local! {
	static PROOFS: core::cell::RefCell<ProofCache> = Default::default();
}

/// A real membership proof that the dev identity `seed` vouches for `who` in group 0 now.
fn prove(key: &prover::ProvingKey, seed: &str, who: &AccountId, dice: &mut Dice) -> RuntimeCall {
	let (root, nullifier, proof) =
		cached_signal(key, seed, who.as_ref(), &Personhood::current_scope(0), dice);
	RuntimeCall::Personhood(pallet_personhood::Call::verify { group: 0, root, nullifier, proof })
}

/// [`prove_signal`], from the cache when the same statement was proven against the same root.
fn cached_signal(
	key: &prover::ProvingKey,
	seed: &str,
	message: &[u8; 32],
	scope: &[u8; 32],
	dice: &mut Dice,
) -> ([u8; 32], [u8; 32], MembershipProof) {
	let root = pallet_personhood::Groups::<Runtime>::get(0)
		.and_then(|group| group.side_nodes.last().copied())
		.unwrap_or_default();
	let cache_key = (seed.to_owned(), *message, root, *scope);
	if let Some(signal) = PROOFS.with(|proofs| proofs.borrow().get(&cache_key).cloned()) {
		return signal;
	}
	let signal = prove_signal(key, seed, message, scope, dice);
	PROOFS.with(|proofs| {
		let mut proofs = proofs.borrow_mut();
		// Bounded: a new period or root makes the old proofs useless anyway.
		if proofs.len() >= 4_096 {
			proofs.clear();
		}
		proofs.insert(cache_key, signal.clone());
	});
	signal
}

/// An anonymous veto of `proposal` (issued or not) by the dev citizen `seed`, a member of
/// group 0, with a real proof: mostly for the proposal's own scope, sometimes for the next id's
/// (a proof for another proposal, which the chain must refuse). The same citizen's vetoes of one
/// proposal share a nullifier, whatever the proof's bytes.
fn anonymous_veto(
	key: &prover::ProvingKey,
	seed: &str,
	proposal: u32,
	dice: &mut Dice,
) -> RuntimeCall {
	let genesis = System::block_hash(0);
	let call_hash = pallet_commit_gate::Proposals::<Runtime>::get(proposal)
		.map(|p| p.call_hash)
		.unwrap_or_default();
	let scope_id = if dice.chance(10) { proposal.wrapping_add(1) } else { proposal };
	let scope = veto_scope(genesis.as_fixed_bytes(), scope_id, call_hash.as_fixed_bytes());
	let (root, nullifier, proof) = cached_signal(key, seed, &VETO_MESSAGE, &scope, dice);
	RuntimeCall::CommitGate(pallet_commit_gate::Call::veto_anonymously {
		id: proposal,
		veto: AnonymousVeto { root, nullifier, proof },
	})
}

/// A real proof that the dev citizen `seed`, a member of group 0 now, says `message` in `scope`
/// (both before the hash to the field).
fn prove_signal(
	key: &prover::ProvingKey,
	seed: &str,
	message: &[u8; 32],
	scope: &[u8; 32],
	dice: &mut Dice,
) -> ([u8; 32], [u8; 32], MembershipProof) {
	let size = pallet_personhood::Groups::<Runtime>::get(0).map_or(0, |g| g.size);
	let leaves = (0..size).map(|i| {
		let leaf = pallet_personhood::Leaves::<Runtime>::get(0, i).unwrap();
		groth16::fr_from_be_bytes(&leaf).unwrap()
	});
	let tree = LeanImt::from_leaves(leaves);
	let identity = Identity::from_private_key(seed.as_bytes());
	let index = tree.index_of(&identity.commitment).expect("a dev citizen is a member");
	let membership = tree.proof(index).unwrap();
	let scope = semaphore::hash_to_field(scope);
	let message = semaphore::hash_to_field(message);
	let mut seed_bytes = [0u8; 32];
	dice.0.fill_bytes(&mut seed_bytes);
	let (proof, inputs) = prover::prove(
		key,
		DEPTH as usize,
		&identity,
		&membership,
		message,
		scope,
		&mut ChaCha20Rng::from_seed(seed_bytes),
	)
	.unwrap();
	(
		groth16::fr_to_be_bytes(&inputs.root),
		groth16::fr_to_be_bytes(&inputs.nullifier),
		MembershipProof::from_points(DEPTH, groth16::ProofBytes::from_proof(&proof)),
	)
}

/// A mesh header of `agent`, signed with `pair`.
fn header(
	agent: &AccountId,
	pair: &sr25519::Pair,
	epoch: u32,
	seq: u64,
	spent_before: u64,
	cost: u64,
) -> SignedMeshHeader {
	let header = MeshHeader {
		agent: agent.clone(),
		group: 0,
		kind: MessageKind::Draft,
		epoch,
		seq,
		spent_before,
		cost,
		body_len: 10,
		body_hash: H256::repeat_byte(seq as u8),
		anchor_number: 1,
		anchor_hash: H256::repeat_byte(7),
		commit_root: H256::zero(),
	};
	let signature =
		MultiSignature::from(pair.sign(&header.signing_payload(&System::block_hash(0))));
	SignedMeshHeader { header, signature }
}

/// Gate parameters around the current ones: mostly valid, sometimes across the constitution.
fn gate_parameters(dice: &mut Dice) -> GateParameters {
	let current = pallet_commit_gate::Parameters::<Runtime>::get().unwrap();
	let timelock = *dice.pick(&[1, 5, 8, 10, 12, 20, 100_000]);
	GateParameters {
		timelock,
		constitutional_timelock: timelock + *dice.pick(&[0, 3, 10]),
		veto_threshold: *dice.pick(&[0, 1, 1, 2, 17]),
		proposal_deposit: *dice.pick(&[0, token::UNIT, current.proposal_deposit]),
	}
}

/// Budget parameters around the current ones: mostly valid, sometimes not.
fn budget_parameters(dice: &mut Dice) -> BudgetParameters {
	let epoch = ActionBudget::current_epoch().unwrap();
	let mut p = ActionBudget::parameters_for(epoch).unwrap();
	match dice.below(8) {
		0 => p.epoch_length = *dice.pick(&[0, 1, 5, 10, 20]),
		1 => p.max_admissions_per_epoch = *dice.pick(&[0, 1, 3, 5, 65]),
		2 => {
			p.person_admission_share =
				*dice.pick(&[Perbill::zero(), Perbill::from_percent(40), Perbill::one()])
		},
		3 => p.costs.pull_request = *dice.pick(&[0, 100, 400, 50_000]),
		4 => {
			p.fraud_slash =
				*dice.pick(&[Perbill::zero(), Perbill::from_percent(30), Perbill::one()])
		},
		5 => p.penalty_epochs = *dice.pick(&[0, 1, 5]),
		6 => p.base_allowance = *dice.pick(&[100, 1_000, 200_000]),
		_ => p.unbonding_epochs = *dice.pick(&[1, 2, 3]),
	}
	p
}

/// A call for a proposal to carry: what agents would propose, and what they should not.
fn proposal_call(dice: &mut Dice, actors: &Actors) -> RuntimeCall {
	let remark = || RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] });
	match dice.below(11) {
		0 | 1 | 2 => remark(),
		9 => RuntimeCall::CommitGate(pallet_commit_gate::Call::spend_from_purse {
			beneficiary: dice.pick(&actors.strangers).clone(),
			amount: *dice.pick(&[token::UNIT, 1_000 * token::UNIT]),
		}),
		10 => RuntimeCall::CommitGate(pallet_commit_gate::Call::set_group_settings {
			settings: dice.chance(80).then(|| pallet_commit_gate::GroupSettings {
				veto_threshold: *dice.pick(&[0, 1, 2, 17]),
			}),
		}),
		3 => RuntimeCall::CommitGate(pallet_commit_gate::Call::set_parameters {
			parameters: gate_parameters(dice),
		}),
		4 => RuntimeCall::ActionBudget(pallet_action_budget::Call::set_parameters {
			parameters: budget_parameters(dice),
		}),
		5 => RuntimeCall::Treasury(polkadot_sdk::pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: token::UNIT,
			beneficiary: Box::new(dice.pick(&actors.strangers).clone()),
			valid_from: None,
		}),
		6 => RuntimeCall::Balances(polkadot_sdk::pallet_balances::Call::transfer_allow_death {
			dest: dice.pick(&actors.strangers).clone().into(),
			value: 1,
		}),
		7 => RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
			calls: vec![remark(), proposal_call(dice, actors)],
		}),
		_ => RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch {
			calls: vec![remark()],
		}),
	}
}

/// One random action: the call and who makes it (`None`: root).
fn action(
	dice: &mut Dice,
	actors: &Actors,
	key: &prover::ProvingKey,
) -> (&'static str, Option<AccountId>, RuntimeCall) {
	use pallet_action_budget::Call as Budget;
	use pallet_commit_gate::Call as Gate;
	use pallet_personhood::Call as Persons;

	let everyone = actors.everyone();
	let anyone = dice.pick(&everyone).clone();
	let (agent, agent_key) = dice.pick(&actors.agents).clone();
	let (citizen, seed) = dice.pick(&actors.citizens).clone();
	// Mostly a pending proposal; sometimes any id, issued or not.
	let pending: Vec<u32> =
		pallet_commit_gate::Queue::<Runtime>::get().iter().map(|(_, id)| *id).collect();
	let proposal = match pending.is_empty() || dice.chance(20) {
		true => {
			let next_id = pallet_commit_gate::NextProposalId::<Runtime>::get();
			dice.below(u64::from(next_id) + 2) as u32
		},
		false => *dice.pick(&pending),
	};
	let epoch = ActionBudget::current_epoch().unwrap_or_default();
	let group = *dice.pick(&[0, 0, 0, 1, 2]) as GroupId;

	match dice.below(22) {
		0 | 1 if !Personhood::is_verified(&citizen, 0) => {
			("verify", Some(citizen.clone()), prove(key, seed, &citizen, dice))
		},
		0 | 1 => {
			let mut garbage = [0u8; 32];
			dice.0.fill_bytes(&mut garbage);
			let call = RuntimeCall::Personhood(Persons::verify {
				group,
				root: garbage,
				nullifier: garbage,
				proof: MembershipProof { depth: 20, a: [1; 64], b: [2; 128], c: [3; 64] },
			});
			("verify (forged)", Some(anyone), call)
		},
		2 | 3 => (
			"register_agent",
			Some(citizen),
			RuntimeCall::ActionBudget(Budget::register_agent { agent }),
		),
		4 => (
			"deregister_agent",
			Some(if dice.chance(70) { citizen } else { anyone }),
			RuntimeCall::ActionBudget(Budget::deregister_agent { agent }),
		),
		5 => (
			"release_deposit",
			Some(anyone),
			RuntimeCall::ActionBudget(Budget::release_deposit { agent }),
		),
		6 | 7 => (
			"delegate",
			Some(if dice.chance(80) { citizen } else { anyone }),
			RuntimeCall::ActionBudget(Budget::delegate { agent }),
		),
		8 => ("undelegate", Some(anyone), RuntimeCall::ActionBudget(Budget::undelegate {})),
		9 => (
			"prune_delegation",
			Some(anyone),
			RuntimeCall::ActionBudget(Budget::prune_delegation { delegator: citizen }),
		),
		10 => {
			let at = epoch.saturating_sub(dice.below(3) as u32);
			let first = header(
				&agent,
				&agent_key,
				at,
				dice.below(3),
				dice.below(2_000),
				1 + dice.below(400),
			);
			let second = header(
				&agent,
				&agent_key,
				at,
				dice.below(3),
				dice.below(2_000),
				1 + dice.below(400),
			);
			(
				"report_equivocation",
				Some(anyone),
				RuntimeCall::ActionBudget(Budget::report_equivocation { first, second }),
			)
		},
		11 => {
			let at = epoch.saturating_sub(dice.below(2) as u32);
			let over =
				header(&agent, &agent_key, at, 0, dice.below(200_000), 1 + dice.below(5_000));
			(
				"report_overspend",
				Some(anyone),
				RuntimeCall::ActionBudget(Budget::report_overspend { header: over }),
			)
		},
		12 => {
			let who = if dice.chance(80) { None } else { Some(anyone) };
			(
				"budget.set_parameters",
				who,
				RuntimeCall::ActionBudget(Budget::set_parameters {
					parameters: budget_parameters(dice),
				}),
			)
		},
		13..=15 => {
			let who = if dice.chance(85) { agent } else { anyone };
			let call = Box::new(proposal_call(dice, actors));
			let summary = if dice.chance(95) { b"why".to_vec() } else { vec![0xff, 0xfe] };
			("submit", Some(who), RuntimeCall::CommitGate(Gate::submit { group, call, summary }))
		},
		16 if dice.chance(50) => (
			"veto",
			Some(if dice.chance(80) { citizen } else { anyone }),
			RuntimeCall::CommitGate(Gate::veto { id: proposal }),
		),
		// A bare extrinsic: the caller is nobody (`run` dispatches it with no origin).
		16 => ("veto_anonymously", None, anonymous_veto(key, seed, proposal, dice)),
		17 => {
			// Mostly the proposer, who may withdraw; sometimes anyone, who may not.
			let proposer =
				pallet_commit_gate::Proposals::<Runtime>::get(proposal).map(|p| p.proposer);
			let who = match proposer {
				Some(proposer) if dice.chance(70) => proposer,
				_ => anyone,
			};
			("withdraw", Some(who), RuntimeCall::CommitGate(Gate::withdraw { id: proposal }))
		},
		18 => ("enact", Some(anyone), RuntimeCall::CommitGate(Gate::enact { id: proposal })),
		19 => {
			let who = if dice.chance(80) { None } else { Some(anyone.clone()) };
			if dice.chance(80) {
				let parameters = gate_parameters(dice);
				(
					"gate.set_parameters",
					who,
					RuntimeCall::CommitGate(Gate::set_parameters { parameters }),
				)
			} else {
				// Only a group's committed proposal may spend its purse: never root, never anyone.
				let call = Gate::spend_from_purse { beneficiary: anyone, amount: token::UNIT };
				("spend_from_purse (direct)", who, RuntimeCall::CommitGate(call))
			}
		},
		20 => {
			let registrar = Sr25519Keyring::Alice.to_account_id();
			let who = if dice.chance(70) { registrar } else { anyone };
			// Group 0 stays within the test key's tree depth; the others within a size that
			// keeps every block's tree check cheap (`try_state` rebuilds each tree), so that
			// a long run keeps its pace. A full group loses a member instead.
			let size =
				|group| pallet_personhood::Groups::<Runtime>::get(group).map_or(0, |g| g.size);
			let group = if group == 0 && size(0) >= 30 { 1 } else { group };
			if size(group) >= MAX_TOWN_SIZE {
				return ("remove_member", Some(who), remove_member(dice, group));
			}
			let mut commitments = Vec::new();
			for _ in 0..1 + dice.below(3) {
				let mut commitment = [0u8; 32];
				dice.0.fill_bytes(&mut commitment[1..]);
				commitments.push(commitment);
			}
			let call = match (commitments.len(), dice.chance(50)) {
				(1, _) | (_, true) => {
					("add_member", Persons::add_member { group, commitment: commitments[0] })
				},
				_ => (
					"add_members",
					Persons::add_members { group, commitments: commitments.try_into().unwrap() },
				),
			};
			(call.0, Some(who), RuntimeCall::Personhood(call.1))
		},
		21 if dice.chance(50) => {
			// Not from group 0: its members are the citizens the run verifies.
			let registrar = Sr25519Keyring::Alice.to_account_id();
			let who = if dice.chance(80) { registrar } else { anyone };
			let group = if group == 0 { 1 } else { group };
			("remove_member", Some(who), remove_member(dice, group))
		},
		_ => {
			let who = if dice.chance(80) { None } else { Some(anyone.clone()) };
			let call = match dice.below(4) {
				0 => Persons::set_verification_period {
					length: *dice.pick(&[0, 1, 99, 100, PERIOD, 300]),
				},
				// Never the test key: the run would lose its citizens. Removing the dev key
				// works once; the test key is then the last one and cannot go.
				1 => Persons::remove_verifying_key { depth: *dice.pick(&[dev::DEV_KEY_DEPTH, 4]) },
				2 => Persons::create_group {
					registrar: Sr25519Keyring::Alice.to_account_id(),
					name: b"town".to_vec().try_into().unwrap(),
				},
				_ => Persons::set_registrar { group, registrar: anyone },
			};
			("personhood governance", who, RuntimeCall::Personhood(call))
		},
	}
}

/// `remove_member` of a random leaf of `group` (a member, a removed one, or none), with the
/// siblings of its Merkle proof, or sometimes siblings that are wrong.
fn remove_member(dice: &mut Dice, group: GroupId) -> RuntimeCall {
	use pallet_personhood::Call as Persons;
	let size = pallet_personhood::Groups::<Runtime>::get(group).map_or(0, |g| g.size);
	let leaves: Vec<[u8; 32]> =
		(0..size).filter_map(|i| pallet_personhood::Leaves::<Runtime>::get(group, i)).collect();
	if leaves.is_empty() {
		let call =
			Persons::remove_member { group, commitment: [1; 32], siblings: Default::default() };
		return RuntimeCall::Personhood(call);
	}
	let index = dice.below(leaves.len() as u64) as usize;
	let tree =
		LeanImt::from_leaves(leaves.iter().map(|leaf| groth16::fr_from_be_bytes(leaf).unwrap()));
	let mut siblings: Vec<[u8; 32]> =
		tree.proof(index).unwrap().siblings.iter().map(groth16::fr_to_be_bytes).collect();
	if dice.chance(10) && !siblings.is_empty() {
		siblings[0][31] ^= 1;
	}
	let call = Persons::remove_member {
		group,
		commitment: leaves[index],
		siblings: siblings.try_into().unwrap(),
	};
	RuntimeCall::Personhood(call)
}

/// What the transaction pool says of `call` from `who`, for the calls it checks.
fn pool_refusal(who: &AccountId, call: &RuntimeCall) -> Option<u8> {
	let info = call.get_dispatch_info();
	let origin = RuntimeOrigin::signed(who.clone());
	let refused = |result: Result<_, TransactionValidityError>| match result {
		Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(index))) => Some(index),
		Err(other) => panic!("the pool refused with {other:?}"),
		Ok(_) => None,
	};
	match call {
		RuntimeCall::CommitGate(_) => refused(
			CheckPullRequest::<Runtime>::new()
				.validate_only(origin, call, &info, 0, TransactionSource::External, 0)
				.map(|_| ()),
		),
		RuntimeCall::ActionBudget(_) => refused(
			CheckFraudReport::<Runtime>::new()
				.validate_only(origin, call, &info, 0, TransactionSource::External, 0)
				.map(|_| ()),
		),
		_ => None,
	}
}

/// Whether `call` travels as a bare extrinsic, with no origin.
fn is_bare(call: &RuntimeCall) -> bool {
	matches!(call, RuntimeCall::CommitGate(pallet_commit_gate::Call::veto_anonymously { .. }))
}

/// The gate's error index with which the pool refuses the bare extrinsic `call`
/// (`ValidateUnsigned`, deprecated for `#[pallet::authorize]`), if it does.
#[allow(deprecated)]
fn bare_pool_refusal(call: &RuntimeCall) -> Option<u8> {
	use polkadot_sdk::sp_runtime::traits::ValidateUnsigned;
	let RuntimeCall::CommitGate(call) = call else { return None };
	match CommitGate::validate_unsigned(TransactionSource::External, call) {
		Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(index))) => Some(index),
		Err(other) => panic!("the pool refused with {other:?}"),
		Ok(_) => None,
	}
}

/// The run: `actions` random actions from `seed`; returns the outcomes per call.
/// Checks that a failed call changed nothing around every `root_every`-th action (1: each).
fn run(seed: u64, actions: u64, root_every: u64) -> BTreeMap<&'static str, (u64, u64)> {
	let root_every = root_every.max(1);
	let actors = Actors::new();
	let key = prover::dev_setup(DEPTH as usize).unwrap();
	let mut dice = Dice(ChaCha20Rng::seed_from_u64(seed));
	let mut outcomes: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
	let mut ext = chain(&actors, &key);
	let mut done = 0;
	let progress_every = (actions / 20).max(PROGRESS_AT_LEAST);
	let started = std::time::Instant::now();
	let mut last_report = (0, std::time::Duration::ZERO);
	while done < actions {
		let chunk = done..(done + CHUNK).min(actions);
		done = chunk.end;
		ext.execute_with(|| {
			for step in chunk {
				if dice.chance(30) {
					for _ in 0..1 + dice.below(4) {
						next_block();
					}
					check_invariants(step);
				}
				let (name, who, call) = action(&mut dice, &actors, &key);
				let bare = is_bare(&call);
				let refused_by_pool = match &who {
					_ if bare => bare_pool_refusal(&call),
					Some(who) => pool_refusal(who, &call),
					None => None,
				};
				let root_before = (step % root_every == 0)
					.then(|| polkadot_sdk::sp_io::storage::root(StateVersion::V1));
				let origin = match &who {
					_ if bare => RuntimeOrigin::none(),
					Some(who) => RuntimeOrigin::signed(who.clone()),
					None => RuntimeOrigin::root(),
				};
				let result = call.clone().dispatch(origin);
				let entry = outcomes.entry(name).or_default();
				match result {
					Ok(_) => {
						entry.0 += 1;
						assert!(
						refused_by_pool.is_none(),
						"step {step}: the pool refused {name} (error {refused_by_pool:?}) but it succeeded"
					);
					},
					Err(error) => {
						entry.1 += 1;
						if let Some(root_before) = &root_before {
							assert_eq!(
								&polkadot_sdk::sp_io::storage::root(StateVersion::V1),
								root_before,
								"step {step}: a failed {name} ({:?}) changed the state",
								error.error
							);
						}
						if let (Some(index), DispatchError::Module(module)) =
							(refused_by_pool, error.error)
						{
							assert_eq!(
							module.error[0], index,
							"step {step}: {name} failed in the block with another error than in the pool"
						);
						}
					},
				}
			}
		});
		// Into the backend: the state root then hashes only what the next chunk changes.
		ext.commit_all().expect("the overlay commits");
		if actions > SHORT_RUN && done / progress_every > last_report.0 / progress_every {
			let elapsed = started.elapsed();
			let pace =
				(elapsed - last_report.1).as_secs_f64() * 1e6 / (done - last_report.0) as f64;
			let keys = ext.execute_with(keys_per_pallet);
			eprintln!(
				"{done:>9} actions, {elapsed:>8.1?}, {pace:>6.0} µs/action lately; keys: {keys:?}"
			);
			last_report = (done, elapsed);
		}
	}
	ext.execute_with(|| {
		next_block();
		check_invariants(actions);
	});
	outcomes
}

#[test]
fn random_actions_keep_every_invariant() {
	let actions = std::env::var("TEO_PROPERTY_ACTIONS")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(SHORT_RUN);
	let seed = std::env::var("TEO_PROPERTY_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
	let root_every =
		std::env::var("TEO_PROPERTY_ROOT_EVERY").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
	let started = std::time::Instant::now();
	let outcomes = run(seed, actions, root_every);
	println!(
		"{actions} actions from seed {seed} in {:.1?}, the state root compared around every \
		 {root_every}th:",
		started.elapsed()
	);
	for (name, (ok, failed)) in &outcomes {
		println!("  {name:24} {ok:>8} succeeded {failed:>8} failed");
	}
	// The run reached the interesting states: each kind of action succeeded at least once.
	let reached =
		["verify", "register_agent", "delegate", "submit", "veto", "veto_anonymously", "withdraw"];
	for name in reached.into_iter().chain(["add_members", "remove_member"]) {
		assert!(
			outcomes.get(name).is_some_and(|(ok, _)| *ok > 0),
			"no {name} ever succeeded: the run explored too little ({outcomes:?})"
		);
	}
}
