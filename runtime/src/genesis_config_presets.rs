//! Genesis presets: the starting state of a TEO chain.
//!
//! | preset | chain id | authorities | sudo | endowed |
//! |---|---|---|---|---|
//! | [`DEV_PRESET`] | `dev` | Alice | Alice | the dev keyring |
//! | [`LOCAL_PRESET`] | `local` | Alice, Bob, Charlie | Alice | the dev keyring |
//! | [`PRODUCTION_PRESET`] | `production` | none: the operators add theirs | none | none |
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
	token, AccountId, AuraConfig, Balance, BalancesConfig, GrandpaConfig, RuntimeGenesisConfig,
	SudoConfig,
};

/// Single-validator development chain.
pub const DEV_PRESET: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// Three-validator local test network (Alice, Bob, Charlie).
pub const LOCAL_PRESET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
/// A network of real operators: no development key anywhere.
pub const PRODUCTION_PRESET: &str = "production";

/// What each development account starts with: one million TEO.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * token::UNIT;

/// A genesis state as a JSON patch over the runtime's defaults.
fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, DEV_ENDOWMENT)).collect(),
		},
		aura: AuraConfig {
			authorities: authorities.iter().map(|(aura, _)| aura.clone()).collect(),
		},
		grandpa: GrandpaConfig {
			authorities: authorities.into_iter().map(|(_, grandpa)| (grandpa, 1)).collect(),
		},
		sudo: SudoConfig { key: sudo },
	})
}

/// The session keys of a development validator: its sr25519 key for Aura, its ed25519 twin of
/// the same name for GRANDPA (the keys zombienet and `--alice` put into the keystore).
fn dev_authority(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// Every well-known development account (Alice to Ferdie) and its `//stash`.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

fn development() -> Value {
	genesis(
		vec![dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

fn local_testnet() -> Value {
	genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

fn production() -> Value {
	genesis(Vec::new(), Vec::new(), None)
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

/// The names of all presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_PRESET),
		PresetId::from(LOCAL_PRESET),
		PresetId::from(PRODUCTION_PRESET),
	]
}
