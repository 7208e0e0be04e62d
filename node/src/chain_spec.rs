//! The built-in chain specs. Each takes its genesis from one of the runtime's presets, and each
//! carries the token properties of `teo-primitives`, so wallets show what the runtime uses.

use polkadot_sdk::{
	sc_chain_spec::{ChainType, Properties},
	sc_service,
};
use teo_primitives::token;
use teo_runtime::{
	genesis_config_presets::{DEV_PRESET, LOCAL_PRESET, PRODUCTION_PRESET},
	WASM_BINARY,
};

/// A chain spec of the TEO runtime, with no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The ids `--chain` accepts besides a path to a JSON chain spec.
pub const DEV_ID: &str = "dev";
/// See [`DEV_ID`].
pub const LOCAL_ID: &str = "local";
/// See [`DEV_ID`].
pub const PRODUCTION_ID: &str = "production";

/// The token as wallets display it: `tokenSymbol`, `tokenDecimals`, `ss58Format`.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), token::SYMBOL.into());
	properties.insert("tokenDecimals".into(), token::DECIMALS.into());
	properties.insert("ss58Format".into(), token::SS58_PREFIX.into());
	properties
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"The runtime's WASM blob is missing: this node was built with SKIP_WASM_BUILD.".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("teo")
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// A single-validator chain (Alice) for development.
pub fn development() -> Result<ChainSpec, String> {
	from_preset("TEO Development", DEV_ID, ChainType::Development, DEV_PRESET)
}

/// A three-validator local network (Alice, Bob, Charlie), as zombienet runs it.
pub fn local_testnet() -> Result<ChainSpec, String> {
	from_preset("TEO Local Testnet", LOCAL_ID, ChainType::Local, LOCAL_PRESET)
}

/// The shape of a real network: no development key. Export it, add the operators' authority
/// keys and balances, and launch from the edited file (see `docs/OPERATOR.md`).
pub fn production() -> Result<ChainSpec, String> {
	from_preset("TEO", PRODUCTION_ID, ChainType::Live, PRODUCTION_PRESET)
}

/// Resolves `--chain`: a built-in id, or else a path to a JSON chain spec.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(Box::new(match id {
		DEV_ID => development()?,
		"" | LOCAL_ID => local_testnet()?,
		PRODUCTION_ID => production()?,
		path => ChainSpec::from_json_file(path.into())?,
	}))
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::Value;

	fn exported(spec: &ChainSpec, raw: bool) -> Value {
		serde_json::from_str(&spec.as_json(raw).expect("a built-in spec exports")).unwrap()
	}

	#[test]
	fn every_builtin_spec_carries_the_runtime_token_properties() {
		for id in [DEV_ID, LOCAL_ID, PRODUCTION_ID] {
			let spec = load(id).unwrap();
			let props = spec.properties();
			assert_eq!(props["tokenSymbol"], token::SYMBOL, "{id}");
			assert_eq!(props["tokenDecimals"], token::DECIMALS, "{id}");
			assert_eq!(props["ss58Format"], token::SS58_PREFIX, "{id}");
		}
	}

	#[test]
	fn plain_specs_name_their_preset_and_raw_specs_hold_storage() {
		let local = local_testnet().unwrap();
		let plain = exported(&local, false);
		assert_eq!(plain["id"], LOCAL_ID);
		let patch = &plain["genesis"]["runtimeGenesis"]["patch"];
		// The validators are the session pallet's: it hands Aura and GRANDPA their authorities.
		assert_eq!(patch["session"]["keys"].as_array().unwrap().len(), 3);

		let raw = exported(&local, true);
		assert!(raw["genesis"]["raw"]["top"].as_object().unwrap().len() > 10);
	}

	#[test]
	fn production_spec_has_no_sudo_key() {
		let plain = exported(&production().unwrap(), false);
		let patch = &plain["genesis"]["runtimeGenesis"]["patch"];
		assert!(patch["sudo"]["key"].is_null(), "production must not name a sudo key: {patch}");
	}

	#[test]
	fn the_runtimes_built_beside_this_one_differ_only_where_they_say() {
		// The version a node reads from a new code before it accepts it (`can_set_code`).
		use polkadot_sdk::{
			sc_executor::read_embedded_version, sc_executor_common::runtime_blob::RuntimeBlob,
		};
		// The embedded section lists the APIs in another order than the constant.
		let in_order = |mut version: polkadot_sdk::sc_executor::RuntimeVersion| {
			let mut apis = version.apis.to_vec();
			apis.sort();
			version.apis = apis.into();
			version
		};
		let version = |wasm: &[u8]| {
			in_order(
				read_embedded_version(&RuntimeBlob::uncompress_if_needed(wasm).unwrap())
					.unwrap()
					.expect("the builder embeds the version"),
			)
		};
		let current = version(WASM_BINARY.unwrap());
		let rehearsal = version(teo_runtime::upgrade_rehearsal::WASM_BINARY.unwrap());
		assert_eq!(current, in_order(teo_runtime::VERSION));
		assert_eq!(rehearsal.spec_version, current.spec_version + 1);
		assert_eq!(rehearsal.impl_name, "teo-upgrade-rehearsal");
		assert_eq!(
			polkadot_sdk::sc_executor::RuntimeVersion {
				spec_version: current.spec_version,
				impl_name: current.impl_name.clone(),
				..rehearsal
			},
			current,
			"the rehearsal changes its version and name and nothing else"
		);
		// The counterfactual's runtime (the flash-crash harness's): TEO's name, so that the mesh
		// and the clients serve it, under its own implementation name, and at version 0, so
		// that no chain can upgrade to it.
		let single_layer = version(teo_runtime::single_layer::WASM_BINARY.unwrap());
		assert_eq!(single_layer.impl_name, "teo-single-layer");
		assert_eq!(single_layer.spec_version, 0);
		assert_eq!(
			polkadot_sdk::sc_executor::RuntimeVersion {
				spec_version: current.spec_version,
				impl_name: current.impl_name.clone(),
				..single_layer
			},
			current,
			"the counterfactual changes its version and name and nothing else"
		);
	}

	#[test]
	fn a_spec_file_round_trips_through_load() {
		let dir = std::env::temp_dir().join(format!("teo-spec-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("local.json");
		std::fs::write(&path, local_testnet().unwrap().as_json(false).unwrap()).unwrap();

		let loaded = load(path.to_str().unwrap()).unwrap();
		assert_eq!(loaded.id(), LOCAL_ID);
		assert_eq!(loaded.properties()["tokenSymbol"], token::SYMBOL);
		std::fs::remove_dir_all(dir).unwrap();
	}
}
