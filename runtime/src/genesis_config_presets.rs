//! Genesis presets: the starting state of a TEO chain.
//!
//! | preset | chain id | authorities | sudo | endowed | personhood |
//! |---|---|---|---|---|---|
//! | [`DEV_PRESET`] | `dev` | Alice | Alice | the dev keyring and the treasury | group 0 "citizens": //Alice..//Ferdie, dev key |
//! | [`LOCAL_PRESET`] | `local` | Alice, Bob, Charlie | Alice | the dev keyring and the treasury | as dev |
//! | [`PRODUCTION_PRESET`] | `production` | none: the operators add theirs | none | none | no group, no key |
//!
//! Protocol parameters follow PROTOCOL.md section 6: dev and local chains run short epochs and
//! periods so that whole flows fit in a test; production runs the real ones.
//!
//! The dev and local presets use the well-known development keys and are for testing only.
//! The production preset carries no key at all: a network's operators put their own authority
//! keys and initial balances into the exported chain spec before they launch (see
//! `docs/OPERATOR.md`), and sudo stays keyless, so no single account can act as root.

use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_genesis_builder::{self, PresetId},
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
};
use serde_json::Value;

use crate::{
	configs::TreasuryAccount, token, AccountId, ActionBudgetConfig, Balance, BalancesConfig,
	CommitGateConfig, ConstitutionConfig, PersonhoodConfig, RuntimeGenesisConfig, SessionConfig,
	SessionKeys, SudoConfig,
};
use pallet_action_budget::BudgetParameters;
use pallet_commit_gate::GateParameters;
use pallet_personhood::GenesisGroup;
use polkadot_sdk::sp_runtime::Perbill;
use teo_primitives::{mesh::CostSchedule, BlockNumber};

/// Single-validator development chain.
pub const DEV_PRESET: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// Three-validator local test network (Alice, Bob, Charlie).
pub const LOCAL_PRESET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
/// A network of real operators: no development key anywhere.
pub const PRODUCTION_PRESET: &str = "production";

/// What each development account starts with: one million TEO.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * token::UNIT;

/// The protocol parameters of a kind of chain (PROTOCOL.md section 6).
struct Protocol {
	constitution: teo_primitives::constitution::Constitution,
	epoch_length: BlockNumber,
	max_admissions_per_epoch: u32,
	person_admission_share: Perbill,
	penalty_epochs: u32,
	verification_period: BlockNumber,
	timelock: BlockNumber,
	constitutional_timelock: BlockNumber,
}

/// Dev and local chains: the development constitution, one-minute epochs, flows that fit in a
/// test; one person's agents take at most two of a group's five admissions per epoch.
const TESTING: Protocol = Protocol {
	constitution: teo_primitives::constitution::Constitution::Development,
	epoch_length: 10,
	max_admissions_per_epoch: 5,
	person_admission_share: Perbill::from_percent(40),
	penalty_epochs: 5,
	verification_period: 2_000,
	timelock: 10,
	constitutional_timelock: 15,
};

/// Production: the seed's figures. One-hour epochs, a seven-day penalty, thirty-day
/// verifications, seven days to veto a decision and fourteen to veto a change of the rules; one
/// person's agents take at most one of a group's two admissions per hour.
const PRODUCTION: Protocol = Protocol {
	constitution: teo_primitives::constitution::Constitution::Production,
	epoch_length: 600,
	max_admissions_per_epoch: 2,
	person_admission_share: Perbill::from_percent(50),
	penalty_epochs: 168,
	verification_period: 30 * teo_primitives::time::DAYS,
	timelock: 7 * teo_primitives::time::DAYS,
	constitutional_timelock: 14 * teo_primitives::time::DAYS,
};

/// The action budget's parameters for `protocol`.
fn budget_parameters(protocol: &Protocol) -> BudgetParameters {
	BudgetParameters {
		epoch_length: protocol.epoch_length,
		base_allowance: 1_000,
		per_delegator_allowance: 100,
		max_allowance: 100_000,
		penalty_epochs: protocol.penalty_epochs,
		penalty_allowance: Perbill::from_percent(10),
		costs: CostSchedule::REFERENCE,
		max_admissions_per_epoch: protocol.max_admissions_per_epoch,
		person_admission_share: protocol.person_admission_share,
		agent_deposit: 100 * token::UNIT,
		fraud_slash: Perbill::from_percent(50),
		reporter_share: Perbill::from_percent(20),
		unbonding_epochs: 3,
	}
}

/// The commit gate's parameters for `protocol`: one veto kills (the seed's rule), and a proposal
/// holds ten TEO until it ends.
fn gate_parameters(protocol: &Protocol) -> GateParameters {
	GateParameters {
		timelock: protocol.timelock,
		constitutional_timelock: protocol.constitutional_timelock,
		veto_threshold: 1,
		proposal_deposit: 10 * token::UNIT,
	}
}

/// The dev chains' citizens: the Semaphore identities of //Alice..//Ferdie (the secrets are the
/// seed names), registered by Alice, with the insecure dev verifying key.
fn dev_personhood(registrar: AccountId) -> PersonhoodConfig {
	PersonhoodConfig {
		groups: vec![GenesisGroup {
			name: b"citizens".to_vec(),
			registrar,
			members: teo_zk::dev::DEV_IDENTITY_COMMITMENTS.to_vec(),
		}],
		verifying_keys: vec![(teo_zk::dev::DEV_KEY_DEPTH, teo_zk::dev::DEV_VERIFYING_KEY.to_vec())],
		verification_period: TESTING.verification_period,
		..Default::default()
	}
}

/// A validator at genesis: its account and its session keys.
pub type GenesisValidator = (AccountId, AuraId, GrandpaId);

/// The session pallet's genesis entry of a validator: account, validator id (the same
/// account) and keys. Aura's and GRANDPA's own genesis authorities stay empty: the session
/// pallet hands them theirs.
pub fn session_entry(
	(account, aura, grandpa): GenesisValidator,
) -> (AccountId, AccountId, SessionKeys) {
	(account.clone(), account, SessionKeys { aura, grandpa })
}

/// A genesis state as a JSON patch over the runtime's defaults.
fn genesis(
	validators: Vec<GenesisValidator>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
	personhood: PersonhoodConfig,
	protocol: &Protocol,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, DEV_ENDOWMENT)).collect(),
		},
		session: SessionConfig { keys: validators.into_iter().map(session_entry).collect() },
		sudo: SudoConfig { key: sudo },
		constitution: ConstitutionConfig { constitution: protocol.constitution },
		personhood,
		action_budget: ActionBudgetConfig { parameters: Some(budget_parameters(protocol)) },
		commit_gate: CommitGateConfig { parameters: Some(gate_parameters(protocol)) },
	})
}

/// A development validator: its account and sr25519 key for Aura, its ed25519 twin of the same
/// name for GRANDPA (the keys zombienet and `--alice` put into the keystore).
fn dev_validator(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> GenesisValidator {
	(aura.to_account_id(), aura.public().into(), grandpa.public().into())
}

/// Every well-known development account (Alice to Ferdie) and its `//stash`, and the treasury,
/// so that dev chains have a town budget to spend.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known()
		.map(|k| k.to_account_id())
		.chain([TreasuryAccount::get()])
		.collect()
}

fn development() -> Value {
	let alice = Sr25519Keyring::Alice.to_account_id();
	genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(alice.clone()),
		dev_personhood(alice),
		&TESTING,
	)
}

fn local_testnet() -> Value {
	genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		dev_personhood(Sr25519Keyring::Alice.to_account_id()),
		&TESTING,
	)
}

fn production() -> Value {
	launch_template(teo_primitives::constitution::Constitution::Production)
		.expect("production has a launch template; qed")
}

/// The template a launch fills in (see `teo-node launch`): the constitution's protocol parameters
/// and nothing else: no validator, group, key, balance or sudo key. `None` for the development
/// constitution, which no launched chain may use. The testnet's template runs the dev chains'
/// timings.
pub fn launch_template(constitution: teo_primitives::constitution::Constitution) -> Option<Value> {
	use teo_primitives::constitution::Constitution;
	let protocol = match constitution {
		Constitution::Production => PRODUCTION,
		Constitution::Testnet => Protocol { constitution, ..TESTING },
		Constitution::Development => return None,
	};
	let personhood = PersonhoodConfig {
		verification_period: protocol.verification_period,
		..Default::default()
	};
	Some(genesis(Vec::new(), Vec::new(), None, personhood, &protocol))
}

/// The JSON patch of a preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_str() {
		DEV_PRESET => development(),
		LOCAL_PRESET => local_testnet(),
		PRODUCTION_PRESET => production(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialising a serde_json::Value cannot fail; qed")
			.into_bytes(),
	)
}

/// A preset as a native genesis config, as the runtime's genesis builder reads it: its JSON
/// patch over the defaults. For tools whose genesis is too large for the WebAssembly builder's
/// heap (the proving benchmark's town, the flash-crash harness's swarm): they add to it and
/// build its storage natively.
#[cfg(feature = "std")]
pub fn preset_config(id: &PresetId) -> Option<RuntimeGenesisConfig> {
	/// `patch` over `base`: objects merge key by key, anything else replaces.
	fn merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(base), Value::Object(patch)) => {
				for (key, value) in patch {
					merge(base.entry(key).or_insert(Value::Null), value);
				}
			},
			(base, patch) => *base = patch,
		}
	}
	let patch: Value = serde_json::from_slice(&get_preset(id)?).expect("a preset is JSON; qed");
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).expect("a config is JSON; qed");
	merge(&mut config, patch);
	Some(serde_json::from_value(config).expect("every preset is a genesis config; qed"))
}

/// The names of all presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_PRESET),
		PresetId::from(LOCAL_PRESET),
		PresetId::from(PRODUCTION_PRESET),
	]
}
