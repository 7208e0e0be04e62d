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
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, preset(name));
	serde_json::from_value(config).expect("a preset patch fits the genesis config")
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
	assert_eq!(config.aura.authorities, vec![Sr25519Keyring::Alice.public().into()]);
	assert_eq!(config.grandpa.authorities.len(), 1);
	assert_eq!(config.sudo.key, Some(Sr25519Keyring::Alice.to_account_id()));
}

#[test]
fn local_preset_has_three_authorities() {
	let config = genesis_config(LOCAL_PRESET);
	let expected: Vec<_> = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.into_iter()
		.map(|k| k.public().into())
		.collect();
	assert_eq!(config.aura.authorities, expected);
	assert_eq!(config.grandpa.authorities.len(), 3);
	assert!(config.grandpa.authorities.iter().all(|(_, weight)| *weight == 1));
}

#[test]
fn production_preset_carries_no_development_key() {
	let config = genesis_config(PRODUCTION_PRESET);
	assert!(config.sudo.key.is_none(), "production must not have a sudo key");
	assert!(config.aura.authorities.is_empty());
	assert!(config.grandpa.authorities.is_empty());
	assert!(config.balances.balances.is_empty());

	// No dev account appears anywhere in the serialized preset.
	let text = serde_json::to_string(&preset(PRODUCTION_PRESET)).unwrap();
	for key in Sr25519Keyring::iter() {
		assert!(!text.contains(&key.to_account_id().to_string()));
	}
}
