//! The dev chain with a town in its citizens' group: the raw chain spec that the proving
//! benchmark (`scripts/bench-proving.sh`) starts a node from.
//!
//! Group 0 holds the dev identities (//Alice..//Ferdie) and then pseudo-random commitments up
//! to `--members`. The genesis state is built natively from the runtime's own genesis code: the
//! runtime's WebAssembly builds genesis from JSON in a heap of a few hundred megabytes, which a
//! million members' JSON does not fit in. The runtime's code (`:code`) comes from the dev chain
//! spec the node exports, so the node runs the runtime it was built with.
//!
//!   teo-node export-chain-spec --chain dev --raw > dev.json
//!   cargo run --release -p teo-citizen --example town_chain_spec -- dev.json 1048576 > town.json

use std::io::Write;

use polkadot_sdk::{
	sp_core::storage::well_known_keys::CODE,
	sp_runtime::{
		traits::{BlakeTwo256, Hash as _},
		BuildStorage,
	},
};
use serde_json::Value;
use teo_runtime::genesis_config_presets;

fn main() {
	let mut args = std::env::args().skip(1);
	let (Some(dev_spec), Some(members)) = (args.next(), args.next()) else {
		eprintln!("usage: town_chain_spec DEV_RAW_SPEC MEMBERS > SPEC");
		std::process::exit(2);
	};
	let members: usize = members.parse().expect("MEMBERS is a number");
	let mut spec: Value = serde_json::from_slice(
		&std::fs::read(&dev_spec).unwrap_or_else(|e| panic!("cannot read {dev_spec}: {e}")),
	)
	.expect("the dev chain spec is JSON");
	let code = spec["genesis"]["raw"]["top"][format!("0x{}", hex::encode(CODE))]
		.as_str()
		.expect("a raw chain spec (export-chain-spec --raw) with the runtime's code")
		.to_string();

	let mut config =
		genesis_config_presets::preset_config(&genesis_config_presets::DEV_PRESET.into())
			.expect("the dev preset exists");
	let citizens = &mut config.personhood.groups[0].members;
	let first = citizens.len();
	citizens.extend((first as u64..members as u64).map(citizen));
	let storage = config.build_storage().expect("the town's genesis builds");

	let mut top = serde_json::Map::new();
	for (key, value) in storage.top {
		top.insert(
			format!("0x{}", hex::encode(key)),
			Value::String(format!("0x{}", hex::encode(value))),
		);
	}
	top.insert(format!("0x{}", hex::encode(CODE)), Value::String(code));
	spec["genesis"]["raw"]["top"] = Value::Object(top);
	spec["name"] = Value::String(format!("TEO dev, {members} citizens"));
	let mut out = std::io::BufWriter::new(std::io::stdout().lock());
	serde_json::to_writer(&mut out, &spec).expect("stdout");
	out.flush().expect("stdout");
}

/// The `i`-th pseudo-random citizen's commitment: the same at every run.
fn citizen(i: u64) -> [u8; 32] {
	let mut commitment =
		BlakeTwo256::hash(&[&b"TEO/bench/citizen"[..], &i.to_le_bytes()].concat()).0;
	// Below the BN254 scalar field's modulus (0x3064...): a field element, big-endian.
	commitment[0] &= 0x1f;
	commitment
}
