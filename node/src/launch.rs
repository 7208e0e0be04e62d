//! The launch of a real network: a chain spec built from a launch file the operators edit, and
//! refused when the chain it describes could not govern itself.
//!
//! `teo-node launch build --file launch.toml > spec.json` writes the spec every validator then
//! starts with; `teo-node launch check --chain spec.json` judges any spec, plain or raw, built
//! here or edited by hand. Both build the genesis state with the runtime and ask
//! [`teo_runtime::launch::check`] what keeps it from governing itself. The format of the launch
//! file and a worked example are in `docs/OPERATOR.md`.

use std::path::{Path, PathBuf};

use polkadot_sdk::{
	sc_chain_spec::ChainType,
	sc_cli,
	sp_core::{crypto::Ss58Codec, ed25519, sr25519},
};
use serde::Deserialize;
use serde_json::{json, Value};
use teo_primitives::{constitution::Constitution, token, AccountId, BlockNumber};
use teo_runtime::{genesis_config_presets, launch::Ungovernable, WASM_BINARY};

use crate::chain_spec::{properties, ChainSpec};

/// A launch, as its operators write it (TOML). Paths are relative to the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchFile {
	/// The network's name, as wallets show it.
	pub name: String,
	/// The chain id: the base path's folder name and the network's identity on the wire.
	pub id: String,
	/// `production` (the seed's timings) or `testnet` (minutes instead of days, for a public
	/// test network or a rehearsal). Never `development`: it accepts the insecure dev key.
	pub constitution: String,
	/// The validators' multiaddresses other nodes first connect to.
	#[serde(default)]
	pub boot_nodes: Vec<String>,
	/// The validators: each authors blocks (Aura) and votes on finality (GRANDPA).
	pub validators: Vec<Validator>,
	/// The groups, in order: the first is group 0, the citizens, whose proposals govern.
	pub groups: Vec<Group>,
	/// The verifying keys of the personhood circuit, one per tree depth.
	pub verifying_keys: Vec<KeyFile>,
	/// The accounts that hold TEO at genesis.
	#[serde(default)]
	pub endowments: Vec<Endowment>,
	/// Timings other than the constitution's defaults, in blocks; each must lie within the
	/// constitution's bounds.
	#[serde(default)]
	pub timings: Timings,
}

/// A validator: its account and its session keys, as `teo-node key inspect` prints them (SS58).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validator {
	/// A label for the operators' own reference; the spec does not carry it.
	#[serde(default)]
	#[allow(dead_code)]
	pub name: Option<String>,
	/// The validator's account: the one whose keys the citizens' proposals add and remove,
	/// and that registers new keys with `session.setKeys` when its operator rotates them.
	pub account: String,
	/// The block-production key (sr25519).
	pub aura: String,
	/// The finality key (ed25519).
	pub grandpa: String,
}

/// A personhood group at genesis.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
	/// A human-readable name, such as "citizens".
	pub name: String,
	/// The account that adds and removes members (SS58).
	pub registrar: String,
	/// Semaphore identity commitments (hex), members from the first block.
	#[serde(default)]
	pub members: Vec<String>,
}

/// A verifying key: the ceremony's `verification_key.json` (snarkjs) or TEO's binary encoding.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
	/// The depth of the membership tree the key's circuit proves.
	pub depth: u8,
	/// `*.json` for snarkjs' format, anything else for TEO's binary encoding.
	pub file: PathBuf,
}

/// An initial balance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endowment {
	/// The account (SS58), or `treasury` for the town budget's account.
	pub account: String,
	/// Whole TEO.
	pub teo: u64,
}

/// Timings that replace the constitution's defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timings {
	/// Blocks an ordinary proposal waits for vetoes.
	pub timelock: Option<BlockNumber>,
	/// Blocks a change of the rules waits.
	pub constitutional_timelock: Option<BlockNumber>,
	/// Blocks in an action-budget epoch.
	pub epoch_length: Option<BlockNumber>,
	/// Blocks in a personhood verification period.
	pub verification_period: Option<BlockNumber>,
}

/// Why a launch was refused.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
	/// The launch file could not be read or parsed.
	#[error("{path}: {reason}")]
	File {
		/// The file.
		path: PathBuf,
		/// What went wrong.
		reason: String,
	},
	/// A field holds something that is not what it should be.
	#[error("{field}: {reason}")]
	Field {
		/// Where, such as `validators[1].grandpa`.
		field: String,
		/// What it should be.
		reason: String,
	},
	/// The runtime refused to build the genesis (a parameter outside the constitution, an
	/// insecure verifying key, a malformed value).
	#[error("the runtime refuses this genesis: {0}")]
	Genesis(String),
	/// The spec carries another runtime than this node's, or substitutes code later.
	#[error("{0}")]
	ForeignRuntime(String),
	/// The genesis builds, but the chain could not govern itself.
	#[error("this chain could not govern itself:\n{}", list(.0))]
	Ungovernable(Vec<Ungovernable>),
}

fn list(reasons: &[Ungovernable]) -> String {
	reasons.iter().map(|reason| format!("  - {reason}")).collect::<Vec<_>>().join("\n")
}

impl From<LaunchError> for sc_cli::Error {
	fn from(error: LaunchError) -> Self {
		sc_cli::Error::Input(error.to_string())
	}
}

fn field(field: impl Into<String>, reason: impl ToString) -> LaunchError {
	LaunchError::Field { field: field.into(), reason: reason.to_string() }
}

impl LaunchFile {
	/// Reads and parses `path`.
	pub fn read(path: &Path) -> Result<Self, LaunchError> {
		let file_error = |reason: String| LaunchError::File { path: path.into(), reason };
		let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
		toml::from_str(&text).map_err(|e| file_error(e.to_string()))
	}

	/// The constitution the launch asks for; `development` is refused here, before anything is
	/// built.
	fn constitution(&self) -> Result<Constitution, LaunchError> {
		match self.constitution.as_str() {
			"production" => Ok(Constitution::Production),
			"testnet" => Ok(Constitution::Testnet),
			"development" => Err(field("constitution", Ungovernable::DevelopmentConstitution)),
			other => Err(field(
				"constitution",
				format!("`{other}` is neither `production` nor `testnet`"),
			)),
		}
	}

	/// The genesis patch: the constitution's template with this launch's validators, groups,
	/// keys, endowments and timings. `base` resolves the key files' relative paths.
	pub fn genesis_patch(&self, base: &Path) -> Result<Value, LaunchError> {
		let constitution = self.constitution()?;
		let mut patch = genesis_config_presets::launch_template(constitution)
			.ok_or_else(|| field("constitution", "no launch template"))?;

		// The session pallet's genesis keys: it hands Aura and GRANDPA their authorities, and
		// the validator set starts as these accounts.
		let mut session_keys = Vec::new();
		let mut seen = std::collections::BTreeSet::new();
		for (i, validator) in self.validators.iter().enumerate() {
			let at = |key: &str| format!("validators[{i}].{key}");
			let account = account(&validator.account, &at("account"))?;
			let aura_key = sr25519::Public::from_ss58check(&validator.aura)
				.map_err(|e| field(at("aura"), format!("not an sr25519 SS58 key: {e:?}")))?;
			let grandpa_key = ed25519::Public::from_ss58check(&validator.grandpa)
				.map_err(|e| field(at("grandpa"), format!("not an ed25519 SS58 key: {e:?}")))?;
			// One operator, one seat: a repeated account or key would give it two votes (or,
			// for a key, make the genesis build fail).
			for (name, bytes) in [
				("account", account.as_ref()),
				("aura", &aura_key.0[..]),
				("grandpa", &grandpa_key.0[..]),
			] {
				if !seen.insert((name, bytes.to_vec())) {
					return Err(field(at(name), "already named by an earlier validator"));
				}
			}
			session_keys.push(json!([
				account.to_ss58check(),
				account.to_ss58check(),
				{ "aura": aura_key.to_ss58check(), "grandpa": grandpa_key.to_ss58check() }
			]));
		}
		patch["session"] = json!({ "keys": session_keys });

		let mut groups = Vec::new();
		for (i, group) in self.groups.iter().enumerate() {
			let registrar = account(&group.registrar, &format!("groups[{i}].registrar"))?;
			let members = group
				.members
				.iter()
				.enumerate()
				.map(|(j, member)| commitment(member, &format!("groups[{i}].members[{j}]")))
				.collect::<Result<Vec<_>, _>>()?;
			groups.push(json!({
				"name": group.name.as_bytes(),
				"registrar": registrar.to_ss58check(),
				"members": members,
			}));
		}
		patch["personhood"]["groups"] = json!(groups);

		let mut keys = Vec::new();
		let mut depths = std::collections::BTreeSet::new();
		for (i, key) in self.verifying_keys.iter().enumerate() {
			if !depths.insert(key.depth) {
				return Err(field(
					format!("verifying_keys[{i}].depth"),
					format!("a second key for depth {}: one key per depth", key.depth),
				));
			}
			let bytes = verifying_key(&base.join(&key.file))
				.map_err(|reason| field(format!("verifying_keys[{i}].file"), reason))?;
			keys.push(json!([key.depth, bytes]));
		}
		patch["personhood"]["verifyingKeys"] = json!(keys);

		let mut balances = Vec::new();
		for (i, endowment) in self.endowments.iter().enumerate() {
			let who = match endowment.account.as_str() {
				"treasury" => teo_runtime::configs::TreasuryAccount::get(),
				ss58 => account(ss58, &format!("endowments[{i}].account"))?,
			};
			if endowment.teo == 0 {
				return Err(field(
					format!("endowments[{i}].teo"),
					"zero: endow at least 1 TEO, or leave the account out",
				));
			}
			let amount = u128::from(endowment.teo).saturating_mul(token::UNIT);
			balances.push(json!([who.to_ss58check(), amount]));
		}
		patch["balances"] = json!({ "balances": balances });

		let timings = &self.timings;
		let mut set = |pallet: &str, name: &str, value: Option<BlockNumber>| {
			if let Some(value) = value {
				patch[pallet]["parameters"][name] = json!(value);
			}
		};
		set("commitGate", "timelock", timings.timelock);
		set("commitGate", "constitutionalTimelock", timings.constitutional_timelock);
		set("actionBudget", "epochLength", timings.epoch_length);
		if let Some(period) = timings.verification_period {
			patch["personhood"]["verificationPeriod"] = json!(period);
		}
		Ok(patch)
	}

	/// The chain spec of this launch, refused unless the chain could govern itself.
	pub fn chain_spec(&self, base: &Path) -> Result<ChainSpec, LaunchError> {
		let patch = self.genesis_patch(base)?;
		build_natively(&patch).map_err(LaunchError::Genesis)?;
		let wasm = WASM_BINARY.ok_or_else(|| {
			LaunchError::Genesis("this node was built without the runtime's WASM blob".into())
		})?;
		let spec = ChainSpec::builder(wasm, None)
			.with_name(&self.name)
			.with_id(&self.id)
			.with_protocol_id("teo")
			.with_chain_type(ChainType::Live)
			.with_boot_nodes(
				self.boot_nodes
					.iter()
					.enumerate()
					.map(|(i, node)| node.parse().map_err(|e| field(format!("boot_nodes[{i}]"), e)))
					.collect::<Result<_, _>>()?,
			)
			.with_genesis_config_patch(patch)
			.with_properties(properties())
			.build();
		check(&spec)?;
		Ok(spec)
	}
}

/// Builds the genesis state of `spec` with its runtime and refuses it unless the chain could
/// govern itself. The runtime must be this node's own, with no code substituted at any block:
/// a spec whose storage looks right but whose code is someone else's proves nothing.
pub fn check(spec: &dyn polkadot_sdk::sc_service::ChainSpec) -> Result<(), LaunchError> {
	if !spec.code_substitutes().is_empty() {
		return Err(LaunchError::ForeignRuntime(
			"the spec substitutes the runtime's code at some block".into(),
		));
	}
	let storage = spec.build_storage().map_err(LaunchError::Genesis)?;
	let ours = WASM_BINARY.ok_or_else(|| {
		LaunchError::Genesis("this node was built without the runtime's WASM blob".into())
	})?;
	let code = storage.top.get(polkadot_sdk::sp_core::storage::well_known_keys::CODE);
	if code.map(Vec::as_slice) != Some(ours) {
		let hash = |code: &[u8]| hex::encode(polkadot_sdk::sp_io::hashing::blake2_256(code));
		return Err(LaunchError::ForeignRuntime(format!(
			"the spec's runtime (blake2-256 {}) is not this node's (blake2-256 {}): build and \
			 check the spec with the release every validator runs",
			code.map_or_else(|| "none".into(), |code| hash(code)),
			hash(ours)
		)));
	}
	let reasons = teo_runtime::launch::check(storage);
	if reasons.is_empty() {
		Ok(())
	} else {
		Err(LaunchError::Ungovernable(reasons))
	}
}

/// Builds the genesis of `patch` with the native runtime, for the reason a pallet refuses it:
/// the WASM runtime, which builds the real genesis, aborts without its panic message.
fn build_natively(patch: &Value) -> Result<(), String> {
	use polkadot_sdk::sp_runtime::BuildStorage;
	use teo_runtime::RuntimeGenesisConfig;

	let mut config = serde_json::to_value(RuntimeGenesisConfig::default())
		.map_err(|e| format!("the default genesis does not serialize: {e}"))?;
	polkadot_sdk::sc_chain_spec::json_patch::merge(&mut config, patch.clone());
	let config: RuntimeGenesisConfig =
		serde_json::from_value(config).map_err(|e| format!("malformed genesis: {e}"))?;
	// A pallet refuses a genesis by panicking; keep its message, not the default hook's noise.
	let hook = std::panic::take_hook();
	std::panic::set_hook(Box::new(|_| {}));
	let built = std::panic::catch_unwind(|| config.build_storage());
	std::panic::set_hook(hook);
	match built {
		Ok(result) => result.map(drop),
		Err(panic) => Err(panic
			.downcast_ref::<&str>()
			.map(|s| s.to_string())
			.or_else(|| panic.downcast_ref::<String>().cloned())
			.unwrap_or_else(|| "a pallet refused the genesis".into())),
	}
}

fn account(ss58: &str, at: &str) -> Result<AccountId, LaunchError> {
	AccountId::from_ss58check(ss58).map_err(|e| field(at, format!("not an SS58 account: {e:?}")))
}

/// An identity commitment: a BN254 field element as 32 bytes of big-endian hex, as
/// `teo-citizen identity show` prints it.
fn commitment(hex_text: &str, at: &str) -> Result<Value, LaunchError> {
	let bytes: [u8; 32] = hex::decode(hex_text.trim_start_matches("0x"))
		.map_err(|e| field(at, format!("not hex: {e}")))?
		.try_into()
		.map_err(|bytes: Vec<u8>| {
			field(at, format!("{} bytes; an identity commitment has 32", bytes.len()))
		})?;
	teo_zk::groth16::fr_from_be_bytes(&bytes)
		.map_err(|_| field(at, "not an element of BN254's scalar field"))?;
	Ok(json!(bytes))
}

/// A verifying key file in TEO's encoding, checked to decode.
fn verifying_key(path: &Path) -> Result<Vec<u8>, String> {
	let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
	let key = if path.extension().is_some_and(|ext| ext == "json") {
		let json = serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
		teo_zk::snarkjs::verifying_key_from_json(&json)
			.map_err(|e| format!("not a snarkjs verifying key: {e}"))?
	} else {
		teo_zk::groth16::decode_verifying_key(&bytes)
			.map_err(|e| format!("not a verifying key in TEO's encoding: {e:?}"))?
	};
	Ok(teo_zk::groth16::encode_verifying_key(&key))
}

/// `teo-node launch`: build or check the chain spec of a real network.
#[derive(Debug, clap::Subcommand)]
pub enum LaunchCmd {
	/// Build the chain spec of a launch file; refused unless the chain could govern itself.
	Build {
		/// The launch file (TOML; see docs/OPERATOR.md).
		#[arg(long)]
		file: PathBuf,
		/// Write the storage form, which every node of the network must share byte for byte.
		#[arg(long)]
		raw: bool,
		/// Where to write the spec; stdout without it.
		#[arg(long)]
		output: Option<PathBuf>,
	},
	/// Check that a chain spec (plain or raw) describes a chain that could govern itself.
	Check {
		/// The chain spec file.
		#[arg(long)]
		chain: PathBuf,
	},
}

impl LaunchCmd {
	/// Runs the command.
	pub fn run(&self) -> sc_cli::Result<()> {
		match self {
			Self::Build { file, raw, output } => {
				let launch = LaunchFile::read(file)?;
				let base = file.parent().unwrap_or(Path::new("."));
				let json = launch.chain_spec(base)?.as_json(*raw).map_err(sc_cli::Error::Input)?;
				match output {
					Some(path) => std::fs::write(path, json)?,
					None => println!("{json}"),
				}
			},
			Self::Check { chain } => {
				let spec =
					ChainSpec::from_json_file(chain.clone()).map_err(sc_cli::Error::Input)?;
				check(&spec)?;
				eprintln!("{}: the chain can govern itself", chain.display());
			},
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sc_chain_spec::ChainSpec as _;
	use polkadot_sdk::sp_keyring::{Ed25519Keyring, Sr25519Keyring};

	/// A folder with a verifying key that is not the dev key (a setup of our circuit from
	/// another seed, at a small depth) and the dev key, beside the launch files.
	struct Keys(tempfile::TempDir);

	impl Keys {
		fn new() -> Self {
			let dir = tempfile::tempdir().unwrap();
			let rng = &mut teo_zk::prover::rng_from_seed([9; 32]);
			let key = teo_zk::prover::setup(5, rng).unwrap();
			let vk = teo_zk::prover::verifying_key(&key);
			std::fs::write(
				dir.path().join("ceremony.vk"),
				teo_zk::groth16::encode_verifying_key(&vk),
			)
			.unwrap();
			let json = teo_zk::snarkjs::verifying_key_to_json(&vk);
			std::fs::write(dir.path().join("ceremony.json"), json.to_string()).unwrap();
			std::fs::write(dir.path().join("dev.vk"), teo_zk::dev::DEV_VERIFYING_KEY).unwrap();
			std::fs::write(dir.path().join("garbage.vk"), b"not a key").unwrap();
			Self(dir)
		}

		fn path(&self) -> &Path {
			self.0.path()
		}
	}

	fn ss58(key: Sr25519Keyring) -> String {
		key.to_account_id().to_ss58check()
	}

	/// A rehearsal that can govern itself: three validators, Alice registers the citizens and
	/// holds the funds to do so, the ceremony's key, no sudo.
	fn governable() -> String {
		let validators: String = [
			(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		]
		.into_iter()
		.map(|(aura, grandpa)| {
			format!(
				"[[validators]]\naccount = \"{}\"\naura = \"{}\"\ngrandpa = \"{}\"\n",
				aura.to_account_id().to_ss58check(),
				aura.public().to_ss58check(),
				grandpa.public().to_ss58check()
			)
		})
		.collect();
		format!(
			r#"
name = "TEO Rehearsal"
id = "teo_rehearsal"
constitution = "testnet"
boot_nodes = ["/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"]

{validators}
[[groups]]
name = "citizens"
registrar = "{alice}"
members = ["0x{member}"]

[[verifying_keys]]
depth = 5
file = "ceremony.vk"

[[endowments]]
account = "{alice}"
teo = 1000

[[endowments]]
account = "treasury"
teo = 5

[timings]
timelock = 20
constitutional_timelock = 30
"#,
			alice = ss58(Sr25519Keyring::Alice),
			member = hex::encode(teo_zk::dev::DEV_IDENTITY_COMMITMENTS[1]),
		)
	}

	/// Builds the spec of the launch file `text` beside `keys`.
	fn build(keys: &Keys, text: &str) -> Result<ChainSpec, LaunchError> {
		let launch: LaunchFile = toml::from_str(text)
			.map_err(|e| LaunchError::File { path: "launch.toml".into(), reason: e.to_string() })?;
		launch.chain_spec(keys.path())
	}

	fn reasons(result: Result<ChainSpec, LaunchError>) -> Vec<Ungovernable> {
		match result {
			Err(LaunchError::Ungovernable(reasons)) => reasons,
			other => {
				panic!("expected an ungovernable chain, got {:?}", other.map(|s| s.id().to_owned()))
			},
		}
	}

	fn genesis_refusal(result: Result<ChainSpec, LaunchError>) -> String {
		match result {
			Err(LaunchError::Genesis(reason)) => reason,
			other => {
				panic!("expected a refused genesis, got {:?}", other.map(|s| s.id().to_owned()))
			},
		}
	}

	fn field_refusal(result: Result<ChainSpec, LaunchError>) -> String {
		match result {
			Err(LaunchError::Field { field, .. }) => field,
			other => panic!("expected a refused field, got {:?}", other.map(|s| s.id().to_owned())),
		}
	}

	#[test]
	fn a_governable_launch_builds_a_live_spec_without_sudo_that_checks_plain_and_raw() {
		let keys = Keys::new();
		let spec = build(&keys, &governable()).unwrap();
		assert_eq!(spec.chain_type(), ChainType::Live);
		assert_eq!(spec.boot_nodes().len(), 1);
		let plain: Value = serde_json::from_str(&spec.as_json(false).unwrap()).unwrap();
		let patch = &plain["genesis"]["runtimeGenesis"]["patch"];
		assert!(patch["sudo"]["key"].is_null(), "{patch}");
		assert_eq!(patch["constitution"]["constitution"], "Testnet");
		assert_eq!(patch["commitGate"]["parameters"]["timelock"], 20);
		let treasury = teo_runtime::configs::TreasuryAccount::get().to_ss58check();
		assert!(
			patch["balances"]["balances"]
				.as_array()
				.unwrap()
				.contains(&json!([treasury, 5 * token::UNIT])),
			"the treasury is endowed: {patch}"
		);

		for raw in [false, true] {
			let path = keys.path().join(format!("spec-{raw}.json"));
			std::fs::write(&path, spec.as_json(raw).unwrap()).unwrap();
			let loaded = ChainSpec::from_json_file(path).unwrap();
			check(&loaded).unwrap_or_else(|e| panic!("raw {raw}: {e}"));
		}
	}

	#[test]
	fn the_ceremonys_snarkjs_key_is_accepted_as_well() {
		let keys = Keys::new();
		let launch = governable().replace("ceremony.vk", "ceremony.json");
		build(&keys, &launch).unwrap();
	}

	#[test]
	fn a_launch_without_validators_groups_or_keys_is_refused_with_every_reason() {
		let keys = Keys::new();
		let text = r#"
name = "TEO"
id = "teo"
constitution = "production"
validators = []
groups = []
verifying_keys = []
"#;
		let reasons = reasons(build(&keys, text));
		for expected in [
			Ungovernable::NoValidators,
			Ungovernable::NoCitizensGroup,
			Ungovernable::NoVerifyingKey,
		] {
			assert!(reasons.contains(&expected), "{expected:?} missing from {reasons:?}");
		}
	}

	#[test]
	fn a_registrar_without_funds_is_refused() {
		let keys = Keys::new();
		let launch = governable().replace(
			&format!("[[endowments]]\naccount = \"{}\"", ss58(Sr25519Keyring::Alice)),
			&format!("[[endowments]]\naccount = \"{}\"", ss58(Sr25519Keyring::Dave)),
		);
		assert_eq!(
			reasons(build(&keys, &launch)),
			vec![Ungovernable::PennilessRegistrar(Sr25519Keyring::Alice.to_account_id())]
		);
	}

	#[test]
	fn the_dev_key_is_refused() {
		let keys = Keys::new();
		let launch = governable()
			.replace("depth = 5\nfile = \"ceremony.vk\"", "depth = 20\nfile = \"dev.vk\"");
		let reason = genesis_refusal(build(&keys, &launch));
		assert!(reason.contains("insecure"), "{reason}");
	}

	#[test]
	fn the_development_constitution_is_refused_before_anything_is_built() {
		let keys = Keys::new();
		let launch = governable().replace("\"testnet\"", "\"development\"");
		assert_eq!(field_refusal(build(&keys, &launch)), "constitution");
	}

	#[test]
	fn a_timelock_under_the_constitutions_floor_is_refused() {
		let keys = Keys::new();
		// Twenty blocks are within the testnet's bounds, not within production's seven days.
		let launch = governable().replace("\"testnet\"", "\"production\"");
		let reason = genesis_refusal(build(&keys, &launch));
		assert!(reason.contains("constitution"), "{reason}");
	}

	#[test]
	fn malformed_keys_accounts_and_commitments_name_their_field() {
		let keys = Keys::new();
		let alice_grandpa = Ed25519Keyring::Alice.public().to_ss58check();
		for (broken, expected) in [
			(governable().replacen(&alice_grandpa, "5NotAKey", 1), "validators[0].grandpa"),
			(
				governable().replacen(
					&format!("registrar = \"{}\"", ss58(Sr25519Keyring::Alice)),
					"registrar = \"alice\"",
					1,
				),
				"groups[0].registrar",
			),
			(governable().replace("members = [\"0x", "members = [\"0xff"), "groups[0].members[0]"),
			(
				governable().replace("members = [\"0x", "members = [\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\", \"0x"),
				"groups[0].members[0]",
			),
			(governable().replace("ceremony.vk", "missing.vk"), "verifying_keys[0].file"),
			(governable().replace("ceremony.vk", "garbage.vk"), "verifying_keys[0].file"),
		] {
			assert_eq!(field_refusal(build(&keys, &broken)), expected, "{broken}");
		}
	}

	#[test]
	fn development_keys_and_identities_are_refused_on_a_production_chain() {
		let keys = Keys::new();
		// The rehearsal's launch, with production timings: its dev validators, registrar and
		// founding members are fine on a testnet, never on a production chain.
		let launch = governable()
			.replace("\"testnet\"", "\"production\"")
			.replace("timelock = 20\nconstitutional_timelock = 30", "");
		let reasons = reasons(build(&keys, &launch));
		for expected in [
			Ungovernable::WellKnownKey("a validator's session key"),
			Ungovernable::WellKnownKey("a validator's account"),
			Ungovernable::WellKnownKey("the citizens' registrar"),
			Ungovernable::WellKnownKey("a founding member's identity"),
		] {
			assert!(reasons.contains(&expected), "{expected:?} missing from {reasons:?}");
		}
	}

	#[test]
	fn a_validator_listed_twice_is_refused() {
		let keys = Keys::new();
		let first = governable();
		let alice = first.split("[[validators]]").nth(1).unwrap().to_owned();
		let launch =
			first.replacen("[[validators]]", &format!("[[validators]]{alice}[[validators]]"), 1);
		assert_eq!(field_refusal(build(&keys, &launch)), "validators[1].account");
		// Alice's keys under Ferdie's account (Alice's account and Aura key print alike: the
		// first occurrence is the account).
		let twice_keys = first.replacen(
			"[[validators]]",
			&format!(
				"[[validators]]{}[[validators]]",
				alice.replacen(&ss58(Sr25519Keyring::Alice), &ss58(Sr25519Keyring::Ferdie), 1)
			),
			1,
		);
		assert_eq!(field_refusal(build(&keys, &twice_keys)), "validators[1].aura");
	}

	#[test]
	fn a_key_too_shallow_for_the_founding_members_is_refused() {
		let keys = Keys::new();
		// Six founding members need a tree of depth 3; the key claims depth 2.
		let members: String = teo_zk::dev::DEV_IDENTITY_COMMITMENTS
			.iter()
			.map(|c| format!("\"0x{}\"", hex::encode(c)))
			.collect::<Vec<_>>()
			.join(", ");
		let launch = governable()
			.replacen(
				&format!(
					"members = [\"0x{}\"]",
					hex::encode(teo_zk::dev::DEV_IDENTITY_COMMITMENTS[1])
				),
				&format!("members = [{members}]"),
				1,
			)
			.replace("depth = 5", "depth = 2");
		assert_eq!(
			reasons(build(&keys, &launch)),
			vec![Ungovernable::KeyTooShallow { deepest: 2, needed: 3 }]
		);
	}

	#[test]
	fn too_little_outside_the_treasury_to_ever_propose_is_refused() {
		let keys = Keys::new();
		// Alice keeps 100 TEO: less than an agent's 100 TEO deposit and a proposal's 10.
		let launch = governable().replace("teo = 1000", "teo = 100");
		assert!(matches!(
			reasons(build(&keys, &launch))[..],
			[Ungovernable::TooLittleToGovern { .. }]
		));
	}

	#[test]
	fn zero_endowments_and_a_second_key_for_a_depth_name_their_field() {
		let keys = Keys::new();
		let zero = governable().replace("teo = 5", "teo = 0");
		assert_eq!(field_refusal(build(&keys, &zero)), "endowments[1].teo");
		let twice = governable().replace(
			"[[endowments]]",
			"[[verifying_keys]]\ndepth = 5\nfile = \"ceremony.json\"\n\n[[endowments]]",
		);
		assert_eq!(field_refusal(build(&keys, &twice)), "verifying_keys[1].depth");
	}

	/// The raw spec of the governable launch, as JSON to edit.
	fn raw_spec(keys: &Keys) -> Value {
		let spec = build(keys, &governable()).unwrap();
		serde_json::from_str(&spec.as_json(true).unwrap()).unwrap()
	}

	fn check_edited(keys: &Keys, raw: &Value) -> Result<(), LaunchError> {
		let path = keys.path().join("edited.json");
		std::fs::write(&path, raw.to_string()).unwrap();
		check(&ChainSpec::from_json_file(path).unwrap())
	}

	#[test]
	fn a_raw_spec_with_another_runtime_or_substituted_code_is_refused() {
		let keys = Keys::new();
		let mut raw = raw_spec(&keys);
		let code = format!("0x{}", hex::encode(b":code"));
		let ours = raw["genesis"]["raw"]["top"][&code].as_str().unwrap().to_owned();
		raw["genesis"]["raw"]["top"][&code] = json!(format!("{ours}00"));
		assert!(matches!(check_edited(&keys, &raw), Err(LaunchError::ForeignRuntime(_))));

		let mut substituted = raw_spec(&keys);
		substituted["codeSubstitutes"] = json!({ "1": "0x00" });
		assert!(matches!(check_edited(&keys, &substituted), Err(LaunchError::ForeignRuntime(_))));
	}

	#[test]
	fn a_raw_spec_edited_to_act_before_anyone_can_veto_is_refused() {
		use polkadot_sdk::sp_io::hashing::twox_128;
		let keys = Keys::new();
		let mut raw = raw_spec(&keys);
		let authorized = format!(
			"0x{}{}",
			hex::encode(twox_128(b"System")),
			hex::encode(twox_128(b"AuthorizedUpgrade"))
		);
		raw["genesis"]["raw"]["top"][&authorized] = json!(format!("0x{}01", "11".repeat(32)));
		match check_edited(&keys, &raw) {
			Err(LaunchError::Ungovernable(reasons)) => assert_eq!(
				reasons,
				vec![Ungovernable::PreseededState("an authorized runtime upgrade")]
			),
			other => panic!("expected a refusal, got {other:?}"),
		}
	}

	#[test]
	fn the_example_launch_file_parses_and_asks_for_real_keys() {
		let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/launch/launch.toml");
		let launch = LaunchFile::read(&example).unwrap();
		assert_eq!(launch.constitution, "production");
		assert_eq!(
			field_refusal(launch.chain_spec(example.parent().unwrap())),
			"validators[0].account"
		);
	}

	#[test]
	fn the_built_in_specs_could_not_govern_a_real_network() {
		let production =
			reasons(Err(check(&crate::chain_spec::production().unwrap()).unwrap_err()));
		for expected in [
			Ungovernable::NoValidators,
			Ungovernable::NoCitizensGroup,
			Ungovernable::NoVerifyingKey,
		] {
			assert!(production.contains(&expected), "{expected:?} missing from {production:?}");
		}
		let dev = reasons(Err(check(&crate::chain_spec::development().unwrap()).unwrap_err()));
		assert!(dev.contains(&Ungovernable::DevelopmentConstitution), "{dev:?}");
		assert!(
			dev.contains(&Ungovernable::SudoKey(Sr25519Keyring::Alice.to_account_id())),
			"{dev:?}"
		);
	}
}
