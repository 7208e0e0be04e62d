//! `teo-citizen`: the citizen's and registrar's tool for TEO personhood.
//!
//! A citizen creates a Semaphore identity (the secret stays in a file on their machine), gives
//! the commitment to a registrar, and later proves membership: the tool reads the group's tree
//! from any node through the standard JSON-RPC, builds the Merkle path, proves with Groth16,
//! and either prints the encoded `personhood.verify` call (to paste into polkadot.js apps,
//! Developer > Extrinsics > Decode, and submit from the account) or signs and submits it.
//!
//! A separate binary rather than a node subcommand: citizens need the prover, not a node, and
//! node operators need neither the prover nor its dependencies (docs/PERSONHOOD.md).

mod chain;
mod error;
mod identity_file;
mod proving;
mod timeline;
mod tree_cache;

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use codec::Encode;
use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use teo_primitives::GroupId;
use teo_runtime::RuntimeEvent;
use teo_zk::{groth16, snarkjs};

use error::Error;
use identity_file::IdentitySource;
use proving::KeySource;
use teo_client::Chain;
use tree_cache::TreeCache;

/// TEO personhood: Semaphore identities, membership proofs and the `personhood.verify` call.
#[derive(Parser)]
#[command(name = "teo-citizen", version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
	/// Print when each step ended (reading the chain, the tree, the key, the proof) to stderr.
	#[arg(long, global = true)]
	timings: bool,
}

#[derive(Subcommand)]
enum Command {
	/// Identities: create one, show one's commitment, list the dev identities.
	#[command(subcommand)]
	Identity(IdentityCommand),
	/// Shows a group's tree as the chain holds it at the finalized head.
	Group {
		#[command(flatten)]
		node: NodeArgs,
		/// The group id.
		#[arg(long, default_value_t = 0)]
		group: GroupId,
	},
	/// Proves membership of a group for an account, and prints or submits `personhood.verify`.
	Prove(ProveArgs),
	/// Vetoes a pending proposal anonymously: proves membership of its group for this proposal
	/// and submits `commitGate.veto_anonymously` with no account, no signature and no fee.
	Veto(VetoArgs),
	/// Registrar help: builds `personhood.remove_member` with the member's siblings.
	RemoveMember {
		#[command(flatten)]
		node: NodeArgs,
		#[arg(long, default_value_t = 0)]
		group: GroupId,
		/// The member's commitment, 0x-prefixed hex (32 bytes, big-endian).
		#[arg(long)]
		commitment: String,
		/// Sign and submit as this registrar (`//Alice` on dev chains); without it, print the
		/// encoded call.
		#[arg(long)]
		suri: Option<String>,
	},
	/// snarkjs interoperability: verifying keys, proofs and public signals as JSON.
	#[command(subcommand)]
	Snarkjs(SnarkjsCommand),
}

#[derive(Subcommand)]
enum IdentityCommand {
	/// Creates an identity from OS randomness; the private key goes to FILE (owner-only,
	/// Semaphore's export format), the commitment to stdout.
	New {
		#[arg(long)]
		out: PathBuf,
	},
	/// Prints an identity's commitment.
	Show {
		#[command(flatten)]
		identity: IdentityArgs,
	},
	/// Lists the dev identities (//Alice .. //Ferdie) and their commitments.
	Dev,
}

#[derive(Subcommand)]
enum SnarkjsCommand {
	/// Prints a verifying key as snarkjs' `verification_key.json` (the dev key by default).
	Key {
		#[command(flatten)]
		key: KeyArgs,
	},
	/// Verifies snarkjs files with TEO's verifier (the chain's code); exit status 0 if valid.
	Verify {
		#[arg(long)]
		vk: PathBuf,
		#[arg(long)]
		proof: PathBuf,
		#[arg(long)]
		public: PathBuf,
	},
	/// Writes the membership circuit of DEPTH as circom's `.r1cs`, the input of a trusted-setup
	/// ceremony (`scripts/ceremony.sh`).
	ExportR1cs {
		#[arg(long)]
		depth: u8,
		#[arg(long)]
		out: PathBuf,
	},
	/// Proves offline that //Alice is in the dev group for a message and scope, and writes
	/// `vk.json`, `proof.json` and `public.json` into DIR (for `snarkjs groth16 verify`), and
	/// the witness as `witness.wtns` (for `snarkjs wtns check` and `snarkjs groth16 prove`).
	DemoProof {
		#[arg(long)]
		out: PathBuf,
		#[command(flatten)]
		key: KeyArgs,
	},
}

#[derive(Args)]
struct NodeArgs {
	/// The node's WebSocket JSON-RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// Where to keep a copy of each group's tree, so that the next command reads only the
	/// members added since: `$XDG_CACHE_HOME/teo/trees` (or `~/.cache/teo/trees`) by default.
	/// The trees are public; the copy does not mark your leaf.
	#[arg(long, env = "TEO_TREE_CACHE")]
	tree_cache: Option<PathBuf>,
	/// Read every leaf from the node, and keep no copy (whatever `--tree-cache` says).
	#[arg(long)]
	no_tree_cache: bool,
}

impl NodeArgs {
	fn tree_cache(&self) -> Option<TreeCache> {
		if self.no_tree_cache {
			return None;
		}
		self.tree_cache.clone().or_else(TreeCache::default_dir).map(TreeCache::new)
	}
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct IdentityArgs {
	/// An identity file (from `identity new`, or a Semaphore `export()`).
	#[arg(long)]
	identity_file: Option<PathBuf>,
	/// A dev identity by seed name: //Alice .. //Ferdie. Dev chains only.
	#[arg(long)]
	dev_identity: Option<String>,
}

impl IdentityArgs {
	fn source(&self) -> IdentitySource {
		match (&self.identity_file, &self.dev_identity) {
			(Some(path), _) => IdentitySource::File(path.clone()),
			(None, Some(name)) => IdentitySource::Dev(name.clone()),
			(None, None) => unreachable!("clap requires one"),
		}
	}
}

#[derive(Args)]
struct KeyArgs {
	/// A proving key file: the ceremony's `.zkey` (snarkjs), or arkworks' compressed encoding.
	/// Without it, the insecure dev key, and only on a chain whose constitution allows it (dev
	/// and local); elsewhere `prove` refuses.
	#[arg(long, env = "TEO_PROVING_KEY", requires = "depth")]
	proving_key: Option<PathBuf>,
	/// The circuit depth of `--proving-key`.
	#[arg(long, env = "TEO_PROVING_KEY_DEPTH")]
	depth: Option<u8>,
}

impl KeyArgs {
	fn source(&self) -> KeySource {
		match (&self.proving_key, self.depth) {
			(Some(path), Some(depth)) => KeySource::File { path: path.clone(), depth },
			_ => KeySource::Dev,
		}
	}
}

#[derive(Args)]
struct ProveArgs {
	#[command(flatten)]
	node: NodeArgs,
	/// The group id.
	#[arg(long, default_value_t = 0)]
	group: GroupId,
	#[command(flatten)]
	identity: IdentityArgs,
	/// The account to verify (SS58). Not needed with `--suri`.
	#[arg(long, required_unless_present = "suri")]
	account: Option<String>,
	/// Sign and submit from this account (a secret URI: `//Alice` on dev chains, or a
	/// mnemonic); without it, print the encoded call.
	#[arg(long)]
	suri: Option<String>,
	#[command(flatten)]
	key: KeyArgs,
	/// Also write the proof as snarkjs JSON (vk.json, proof.json, public.json) into DIR.
	#[arg(long)]
	snarkjs_out: Option<PathBuf>,
}

#[derive(Args)]
struct VetoArgs {
	#[command(flatten)]
	node: NodeArgs,
	/// The proposal's id.
	#[arg(long)]
	proposal: u32,
	#[command(flatten)]
	identity: IdentityArgs,
	#[command(flatten)]
	key: KeyArgs,
	/// Print the encoded call instead of submitting it (to send it from elsewhere, e.g.
	/// `api.tx(call).send()` in @polkadot/api, or through another node).
	#[arg(long)]
	print: bool,
}

fn signer(suri: &str) -> Result<sr25519::Pair, Error> {
	sr25519::Pair::from_string(suri, None).map_err(|e| Error::BadSecretUri(format!("{e:?}")))
}

fn hex32(text: &str) -> Result<[u8; 32], Error> {
	let bytes = hex::decode(text.trim_start_matches("0x"))?;
	bytes.try_into().map_err(|_| Error::Not32Bytes)
}

fn print_identity(label: &str, identity: &teo_zk::identity::Identity) {
	println!(
		"{label}commitment 0x{} ({})",
		hex::encode(groth16::fr_to_be_bytes(&identity.commitment)),
		identity.commitment
	);
}

fn write_json(dir: &std::path::Path, name: &str, value: &serde_json::Value) -> Result<(), Error> {
	std::fs::create_dir_all(dir).map_err(Error::file("create", dir))?;
	let path = dir.join(name);
	std::fs::write(&path, serde_json::to_string_pretty(value).expect("JSON values serialise; qed"))
		.map_err(Error::file("write", &path))
}

/// Writes a proof as snarkjs files: `vk.json`, `proof.json`, `public.json`.
fn write_snarkjs(
	dir: &std::path::Path,
	key: &teo_zk::prover::ProvingKey,
	proof: &groth16::Proof,
	inputs: &teo_zk::prover::PublicInputs,
) -> Result<(), Error> {
	write_json(dir, "vk.json", &snarkjs::verifying_key_to_json(&key.vk))?;
	write_json(dir, "proof.json", &snarkjs::proof_to_json(proof))?;
	write_json(dir, "public.json", &snarkjs::public_inputs_to_json(&inputs.to_array()))
}

fn read_json(path: &std::path::Path) -> Result<serde_json::Value, Error> {
	let text = std::fs::read_to_string(path).map_err(Error::file("read", path))?;
	serde_json::from_str(&text)
		.map_err(|source| Error::NotJson { path: path.to_path_buf(), source })
}

async fn run(cli: Cli) -> Result<(), Error> {
	match cli.command {
		Command::Identity(IdentityCommand::New { out }) => {
			let identity = identity_file::create(&out)?;
			eprintln!("private key written to {} (keep it; it is the only copy)", out.display());
			print_identity("", &identity);
		},
		Command::Identity(IdentityCommand::Show { identity }) => {
			print_identity("", &identity.source().load()?);
		},
		Command::Identity(IdentityCommand::Dev) => {
			for name in teo_zk::dev::DEV_IDENTITY_KEYS {
				let identity = IdentitySource::Dev(name.into()).load()?;
				print_identity(&format!("{name:<9} "), &identity);
			}
		},
		Command::Group { node, group } => {
			let chain = Chain::connect(&node.url).await?;
			// Read in full: a copy is checked against the root only, and what this prints is
			// the tree as the chain holds it.
			let state = chain::group(&chain, group, None, None).await?;
			// Every leaf hashed, not only checked where a proof would look.
			let tree = &teo_zk::lean_imt::PrunedTree::from_leaves(state.tree.leaves().to_vec());
			if tree.root().map(|root| groth16::fr_to_be_bytes(&root)) != state.root {
				return Err(Error::RootMismatch);
			}
			println!("group {group} at block {:?}", state.block);
			println!("members {} (depth {})", state.size, tree.depth());
			println!("root 0x{}", state.root.map(hex::encode).unwrap_or_else(|| "none".into()));
			println!(
				"period {} (blocks {} to {})",
				state.period.index,
				state.period.start,
				state.period.last_block()
			);
			for (i, leaf) in tree.leaves().iter().enumerate() {
				println!("  {i:>6} 0x{}", hex::encode(groth16::fr_to_be_bytes(leaf)));
			}
		},
		Command::Prove(args) => prove(args).await?,
		Command::Veto(args) => veto(args).await?,
		Command::RemoveMember { node, group, commitment, suri } => {
			let chain = Chain::connect(&node.url).await?;
			let commitment = hex32(&commitment)?;
			let leaf =
				groth16::fr_from_be_bytes(&commitment).map_err(|_| Error::NotAFieldElement)?;
			let state =
				chain::group(&chain, group, node.tree_cache().as_ref(), Some(&leaf)).await?;
			let call = proving::removal_call(&state, group, commitment)?;
			match suri {
				None => println!("0x{}", hex::encode(call.encode())),
				Some(suri) => report(chain.submit(call, &signer(&suri)?).await?)?,
			}
		},
		Command::Snarkjs(SnarkjsCommand::Key { key }) => {
			let (key, _) = key.source().load()?;
			println!(
				"{}",
				serde_json::to_string_pretty(&snarkjs::verifying_key_to_json(&key.vk))
					.expect("JSON; qed")
			);
		},
		Command::Snarkjs(SnarkjsCommand::Verify { vk, proof, public }) => {
			let key = snarkjs::verifying_key_from_json(&read_json(&vk)?)?;
			let proof = snarkjs::proof_from_json(&read_json(&proof)?)?;
			let inputs = snarkjs::public_inputs_from_json(&read_json(&public)?)?;
			if !groth16::verify(&groth16::prepare(&key), &proof, &inputs) {
				return Err(Error::InvalidProof);
			}
			println!("valid");
		},
		Command::Snarkjs(SnarkjsCommand::ExportR1cs { depth, out }) => {
			let (bytes, shape) = teo_zk::prover::r1cs::export_r1cs(depth as usize)?;
			std::fs::write(&out, bytes).map_err(Error::file("write", &out))?;
			println!(
				"wrote {}: {} constraints, {} wires, {} public inputs",
				out.display(),
				shape.constraints,
				shape.wires,
				shape.public
			);
		},
		Command::Snarkjs(SnarkjsCommand::DemoProof { out, key }) => {
			let (key, depth) = key.source().load()?;
			let members: Vec<_> = teo_zk::dev::DEV_IDENTITY_KEYS
				.iter()
				.map(|name| IdentitySource::Dev((*name).into()).load())
				.collect::<Result<_, _>>()?;
			let tree = teo_zk::lean_imt::LeanImt::from_leaves(members.iter().map(|m| m.commitment));
			let membership = tree.proof(0).ok_or(Error::NoMerkleProof)?;
			let message = teo_zk::semaphore::hash_to_field(&[0x11; 32]);
			let scope = teo_zk::semaphore::hash_to_field(&teo_zk::semaphore::personhood_scope(
				&[0x42; 32],
				0,
				0,
			));
			let mut seed = [0u8; 32];
			getrandom::getrandom(&mut seed).map_err(Error::Randomness)?;
			let (proof, inputs) = teo_zk::prover::prove(
				&key,
				depth as usize,
				&members[0],
				&membership,
				message,
				scope,
				&mut teo_zk::prover::rng_from_seed(seed),
			)?;
			write_snarkjs(&out, &key, &proof, &inputs)?;
			let circuit = teo_zk::prover::membership_circuit(
				depth as usize,
				&members[0],
				&membership,
				message,
				scope,
			);
			let assignment = teo_zk::prover::r1cs::assignment(circuit)?;
			let wtns = out.join("witness.wtns");
			std::fs::write(&wtns, teo_zk::prover::r1cs::export_wtns(&assignment))
				.map_err(Error::file("write", &wtns))?;
			println!(
				"wrote vk.json, proof.json, public.json and witness.wtns to {}",
				out.display()
			);
		},
	}
	Ok(())
}

/// The proving key for `chain`, prepared for proving: the dev key only where the chain accepts
/// it, a key file only if it is the one the chain verifies with.
async fn proving_key(chain: &Chain, source: &KeySource) -> Result<teo_zk::prover::Prover, Error> {
	if matches!(source, KeySource::Dev) {
		// Never the dev key by accident: only where the chain itself accepts it.
		if !chain::allows_insecure_keys(chain).await? {
			return Err(Error::DevKeyRefused);
		}
		eprintln!(
			"warning: proving with the insecure dev key, which only this kind of chain (dev or \
			 local) accepts; anyone can forge proofs for it"
		);
	}
	// Off the async threads: the caller reads the group's tree meanwhile.
	let loading = source.clone();
	let prover = tokio::task::spawn_blocking(move || {
		let (key, depth) = loading.load()?;
		Ok::<_, Error>(teo_zk::prover::Prover::new(key, depth as usize)?)
	})
	.await
	.unwrap_or_else(|failed| std::panic::resume_unwind(failed.into_panic()))?;
	timeline::mark("proving key loaded");
	// The key must be the one the chain verifies with: a proving key from anywhere else (a
	// coordinator's tampered .zkey, a stale file) at best wastes a fee and at worst was made to
	// leak something through its proofs.
	let depth = prover.max_depth() as u8;
	if !matches!(source, KeySource::Dev)
		&& chain::verifying_key(chain, depth).await?.as_deref()
			!= Some(groth16::encode_verifying_key(&prover.key().vk).as_slice())
	{
		return Err(Error::KeyNotTheChains { depth });
	}
	Ok(prover)
}

async fn prove(args: ProveArgs) -> Result<(), Error> {
	let identity = args.identity.source().load()?;
	let signer = args.suri.as_deref().map(signer).transpose()?;
	let account = match (&signer, &args.account) {
		(Some(pair), _) => pair.public().into(),
		(None, Some(text)) => proving::parse_account(text)?,
		(None, None) => return Err(Error::NoAccount),
	};
	let chain = Chain::connect(&args.node.url).await?;
	timeline::mark("connected, runtime checked");
	// The key (generated or read: a few hundred milliseconds) and the tree at once.
	let (key_source, tree_cache) = (args.key.source(), args.node.tree_cache());
	let (prover, state) = tokio::try_join!(
		proving_key(&chain, &key_source),
		chain::group(&chain, args.group, tree_cache.as_ref(), Some(&identity.commitment))
	)?;
	eprintln!(
		"group {}: {} members ({}), period {}; proving",
		args.group, state.size, state.source, state.period.index
	);
	let verify = proving::prove_verify(&state, args.group, &identity, &account, &prover)?;
	timeline::mark("proved");
	// And the proof must verify before it leaves this machine.
	let key = prover.key();
	if !groth16::verify(&groth16::prepare(&key.vk), &verify.proof, &verify.inputs.to_array()) {
		return Err(Error::InvalidProof);
	}
	timeline::mark("proof verified");
	eprintln!(
		"member #{}; nullifier 0x{}",
		verify.leaf_index,
		hex::encode(groth16::fr_to_be_bytes(&verify.inputs.nullifier))
	);
	if let Some(dir) = &args.snarkjs_out {
		write_snarkjs(dir, key, &verify.proof, &verify.inputs)?;
	}
	match signer {
		None => {
			eprintln!("personhood.verify, encoded (submit it from {account}):");
			println!("0x{}", hex::encode(verify.call.encode()));
		},
		Some(pair) => {
			let outcome = chain.submit(verify.call, &pair).await?;
			timeline::mark("included");
			report(outcome)?
		},
	}
	Ok(())
}

async fn veto(args: VetoArgs) -> Result<(), Error> {
	let identity = args.identity.source().load()?;
	let chain = Chain::connect(&args.node.url).await?;
	timeline::mark("connected, runtime checked");
	// The key (generated or read: a few hundred milliseconds) and the tree at once.
	let (key_source, tree_cache) = (args.key.source(), args.node.tree_cache());
	let (prover, (group, call_hash, state)) =
		tokio::try_join!(proving_key(&chain, &key_source), async {
			let (group, call_hash) = chain::proposal(&chain, args.proposal).await?;
			timeline::mark("proposal read");
			let state =
				chain::group(&chain, group, tree_cache.as_ref(), Some(&identity.commitment))
					.await?;
			Ok::<_, Error>((group, call_hash, state))
		})?;
	eprintln!(
		"proposal {} of group {group}: {} members ({}); proving",
		args.proposal, state.size, state.source
	);
	let veto = proving::prove_veto(&state, &identity, args.proposal, &call_hash, &prover)?;
	timeline::mark("proved");
	if !groth16::verify(&groth16::prepare(&prover.key().vk), &veto.proof, &veto.inputs.to_array()) {
		return Err(Error::InvalidProof);
	}
	timeline::mark("proof verified");
	eprintln!(
		"nullifier for this proposal 0x{}",
		hex::encode(groth16::fr_to_be_bytes(&veto.inputs.nullifier))
	);
	if args.print {
		println!("0x{}", hex::encode(veto.call.encode()));
		return Ok(());
	}
	let outcome = chain.submit_bare(veto.call).await?;
	timeline::mark("included");
	report(outcome)
}

/// Prints what a submitted call did; an error if it failed.
fn report(outcome: chain::Outcome) -> Result<(), Error> {
	println!("included in block {:?}", outcome.block);
	for event in &outcome.events {
		match event {
			RuntimeEvent::Personhood(pallet_personhood::Event::Verified {
				group,
				who,
				period,
				nullifier,
				until,
			}) => println!(
				"verified {who} in group {group} until block {until} (period {period}, nullifier 0x{})",
				hex::encode(nullifier)
			),
			RuntimeEvent::Personhood(event) => println!("event Personhood.{event:?}"),
			RuntimeEvent::CommitGate(pallet_commit_gate::Event::VetoedAnonymously {
				id,
				tally,
				threshold,
				..
			}) => println!("vetoed proposal {id} anonymously: {tally} of {threshold} vetoes"),
			RuntimeEvent::CommitGate(pallet_commit_gate::Event::Killed { id, .. }) => {
				println!("proposal {id} killed")
			},
			_ => {},
		}
	}
	match outcome.error {
		None => Ok(()),
		Some(failure) => Err(Error::CallFailed(failure)),
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	timeline::start(cli.timings);
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("error: {error}");
			match error.kind() {
				error::Kind::Transport => {
					eprintln!("(the node could not be reached or stopped answering: try again)")
				},
				error::Kind::Unconfirmed => eprintln!(
					"(the transaction may be in a block: check the account's state before running \
					 the command again)"
				),
				_ => {},
			}
			ExitCode::FAILURE
		},
	}
}
