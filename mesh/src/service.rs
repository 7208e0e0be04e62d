//! The whole service: configuration, keys, and the tasks that make up a running mesh peer
//! (the peer itself, the chain follower, the agents' RPC and the metrics endpoint).

use std::{
	net::{IpAddr, Ipv4Addr, SocketAddr},
	path::{Path, PathBuf},
	sync::Arc,
	time::Duration,
};

use clap::Parser;
use libp2p::{identity::Keypair, Multiaddr};
use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use prometheus_client::registry::Registry;
use teo_primitives::{AccountId, GroupId};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::{
	access::{check_host_name, AccessError, Gatekeeper, Tokens},
	base_path::{self, BasePathError},
	chain::{self, ChainError, ChainLink, Follower},
	ledger::{Ledger, OpenError},
	metrics::{self, Metrics},
	node::{self, NodeConfig, NodeHandle, NodeStartError},
	publisher::{Publisher, ASK_PATIENCE},
	rpc::{self, MeshApiServer as _, MeshRpc, ServeError},
	validation::Limits,
};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
	/// A file or directory (the base path, an agent's key file, the network key) could not be
	/// read, written or created.
	#[error("{path}: {source}")]
	Io {
		/// The file or directory.
		path: PathBuf,
		/// The system's error.
		#[source]
		source: std::io::Error,
	},
	/// The base path is another service's, or not the operator's alone.
	#[error(transparent)]
	BasePath(#[from] BasePathError),
	/// A development seed on a chain that is not for development.
	#[error("{suri}: development seeds are only allowed on dev and local chains")]
	DevSeed {
		/// The seed.
		suri: String,
	},
	/// A secret on the command line, where every user of the machine can read it
	/// (`/proc/<pid>/cmdline`, `ps`).
	#[error("{flag} takes only `//Name` development seeds; put a real key in a file (--agent-key-file, --reporter-key-file)")]
	SecretInArguments {
		/// The flag.
		flag: &'static str,
	},
	/// A key file that users other than its owner can read or write: whoever reads it can sign
	/// as the agent (and spend its budget, or have it slashed).
	#[error("{path}: others can read or write this key (mode {mode:o}); `chmod 600` it")]
	SecretExposed {
		/// The file.
		path: PathBuf,
		/// Its permission bits.
		mode: u32,
	},
	/// The agents' API on every interface without the names it is reached by.
	#[error("--rpc-external needs --rpc-allowed-host: the names agents reach this service by (requests for other hosts are refused)")]
	ExternalWithoutHost,
	/// An `--rpc-allowed-host` no `Host` header could match.
	#[error("--rpc-allowed-host {0}")]
	AllowedHost(String),
	/// The token file could not be read.
	#[error("the agents' API tokens: {0}")]
	Access(#[from] AccessError),
	/// A secret URI that does not give a key.
	#[error("a secret URI: {0}")]
	SecretUri(String),
	/// The network key file does not hold a libp2p key.
	#[error("{path}: not a network key: {source}")]
	NetworkKey {
		/// The file.
		path: PathBuf,
		/// libp2p's error.
		#[source]
		source: libp2p::identity::DecodingError,
	},
	/// A fresh network key could not be encoded.
	#[error("encoding the network key: {0}")]
	NetworkKeyEncoding(#[source] libp2p::identity::DecodingError),
	/// The ledger could not be opened, or counts for another chain.
	#[error("the ledger: {0}")]
	Ledger(#[from] OpenError),
	/// The node could not be reached, or answered wrongly.
	#[error(transparent)]
	Client(#[from] teo_client::Error),
	/// The chain view could not be read.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The peer could not start.
	#[error(transparent)]
	Node(#[from] NodeStartError),
	/// The agents' RPC could not start.
	#[error(transparent)]
	Rpc(#[from] ServeError),
}

impl StartError {
	/// `true` when starting again may succeed: the node could not be reached.
	pub fn is_retryable(&self) -> bool {
		match self {
			StartError::Client(e) => e.is_retryable(),
			StartError::Chain(e) => e.is_retryable(),
			_ => false,
		}
	}

	/// `true` when the chain runs a runtime whose encodings differ from those this mesh was
	/// built with: starting again changes nothing until the release built for it is installed.
	pub fn is_incompatible_runtime(&self) -> bool {
		match self {
			StartError::Client(e) => matches!(e, teo_client::Error::IncompatibleRuntime { .. }),
			StartError::Chain(e) => e.is_incompatible_runtime(),
			_ => false,
		}
	}

	fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self {
		let path = path.to_path_buf();
		move |source| StartError::Io { path, source }
	}
}

/// How the service runs: `teo-mesh`'s options.
#[derive(Clone, Debug, Parser)]
#[command(name = "teo-mesh", version, about)]
pub struct Config {
	/// The node's WebSocket JSON-RPC.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	pub node_url: String,
	/// Where to listen for mesh peers (repeatable).
	#[arg(long = "listen", default_value = "/ip4/0.0.0.0/tcp/30555")]
	pub listen: Vec<Multiaddr>,
	/// A peer to connect to at start, `/ip4/<ip>/tcp/<port>/p2p/<peer id>` or
	/// `/dns4/<name>/tcp/<port>/p2p/<peer id>` (repeatable).
	#[arg(long = "bootnode")]
	pub bootnodes: Vec<Multiaddr>,
	/// A group whose topics to join (repeatable).
	#[arg(long = "group", default_value = "0")]
	pub groups: Vec<GroupId>,
	/// Port of the agents' JSON-RPC (WebSocket and HTTP).
	#[arg(long, default_value_t = 9950)]
	pub rpc_port: u16,
	/// Listen for RPC on every interface instead of localhost only (needs
	/// --rpc-allowed-host).
	#[arg(long)]
	pub rpc_external: bool,
	/// A host name (or address) agents reach the RPC by, besides localhost's; requests naming
	/// another `Host` are refused (repeatable).
	#[arg(long = "rpc-allowed-host")]
	pub rpc_allowed_hosts: Vec<String>,
	/// Port of the Prometheus endpoint (`/metrics`); 0 disables it.
	#[arg(long, default_value_t = 9951)]
	pub metrics_port: u16,
	/// Serve the metrics on every interface instead of localhost only.
	#[arg(long)]
	pub metrics_external: bool,
	/// An agent's `//Name` development seed (dev and local chains only; repeatable). Real keys
	/// go in files: --agent-key-file.
	#[arg(long = "agent-suri")]
	pub agent_suris: Vec<String>,
	/// A file holding an agent's secret URI or seed phrase (repeatable; refused unless only its
	/// owner can read it: `chmod 600`).
	#[arg(long = "agent-key-file")]
	pub agent_key_files: Vec<PathBuf>,
	/// The `//Name` development seed of the account that signs fraud reports (and receives
	/// the rewards); defaults to the first agent.
	#[arg(long)]
	pub reporter_suri: Option<String>,
	/// A file holding the reporter's secret URI or seed phrase (`chmod 600`, as the agents').
	#[arg(long, conflicts_with = "reporter_suri")]
	pub reporter_key_file: Option<PathBuf>,
	/// Where the ledger, the network key and the API's token hashes live: one service per base
	/// path, which only its owner may write to (created 0700).
	#[arg(long, default_value = "./teo-mesh-data")]
	pub base_path: PathBuf,
	/// Messages anchored further behind the finalized head are rejected (rule C).
	#[arg(long, default_value_t = 20)]
	pub max_anchor_lag: u32,
	/// Threads verifying signatures.
	#[arg(long, default_value_t = 2)]
	pub signature_workers: usize,
}

/// A running service.
pub struct Running {
	/// The peer.
	pub node: NodeHandle,
	/// Where the agents' RPC listens.
	pub rpc_address: SocketAddr,
	/// Where the metrics are served, if enabled.
	pub metrics_address: Option<SocketAddr>,
	/// Stops the RPC server when dropped or stopped.
	pub rpc: jsonrpsee::server::ServerHandle,
	/// Says why when the service can no longer serve: the chain upgraded to a runtime whose
	/// encodings differ from those this mesh was built with.
	pub halted: oneshot::Receiver<ChainError>,
	/// The base path's lock, held while the service runs (released when dropped, or by the
	/// system when the process ends however it ends).
	pub base_path_lock: std::fs::File,
}

/// A `//Name` development seed from the command line; anything else there is a secret every
/// user of the machine can read, and is refused.
fn argument_seed(flag: &'static str, suri: &str) -> Result<(), StartError> {
	match suri.trim_start().starts_with("//") && !suri.contains("///") {
		true => Ok(()),
		false => Err(StartError::SecretInArguments { flag }),
	}
}

/// The secret in a key file, refused (as `ssh` refuses a private key) if users other than its
/// owner can read or write the file. The mode is read from the open file, the one that is
/// read. (A POSIX ACL shows in the group bits; NFSv4 or CIFS ACLs do not.)
fn read_secret(path: &Path) -> Result<String, StartError> {
	use std::{io::Read as _, os::unix::fs::PermissionsExt as _};
	let mut file = std::fs::File::open(path).map_err(StartError::io(path))?;
	let mode = file.metadata().map_err(StartError::io(path))?.permissions().mode() & 0o7777;
	if mode & 0o077 != 0 {
		return Err(StartError::SecretExposed { path: path.to_path_buf(), mode });
	}
	let mut secret = String::new();
	file.read_to_string(&mut secret).map_err(StartError::io(path))?;
	Ok(secret)
}

/// A key from a secret URI, refusing development seeds on chains that are not for development.
fn key_from_suri(suri: &str, development: bool) -> Result<sr25519::Pair, StartError> {
	if suri.trim_start().starts_with("//") && !development {
		return Err(StartError::DevSeed { suri: suri.to_string() });
	}
	sr25519::Pair::from_string(suri.trim(), None)
		.map_err(|e| StartError::SecretUri(format!("{e:?}")))
}

/// The peer's libp2p identity, kept in `path` so its peer id survives restarts.
fn network_key(path: &Path) -> Result<Keypair, StartError> {
	match std::fs::read(path) {
		Ok(bytes) => Keypair::from_protobuf_encoding(&bytes)
			.map_err(|source| StartError::NetworkKey { path: path.to_path_buf(), source }),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let key = Keypair::generate_ed25519();
			let bytes = key.to_protobuf_encoding().map_err(StartError::NetworkKeyEncoding)?;
			// The peer's identity: only the operator reads it.
			use std::{io::Write as _, os::unix::fs::OpenOptionsExt as _};
			std::fs::OpenOptions::new()
				.write(true)
				.create_new(true)
				.mode(0o600)
				.open(path)
				.and_then(|mut file| file.write_all(&bytes).and_then(|()| file.sync_all()))
				.map_err(StartError::io(path))?;
			Ok(key)
		},
		Err(e) => Err(StartError::io(path)(e)),
	}
}

/// Starts every part of the service on the current tokio runtime.
pub async fn start(config: Config) -> Result<Running, StartError> {
	// Everything that needs no chain first: a misconfigured service stops before it connects.
	let base_path_lock = base_path::lock(&config.base_path)?;
	for suri in &config.agent_suris {
		argument_seed("--agent-suri", suri)?;
	}
	if let Some(suri) = &config.reporter_suri {
		argument_seed("--reporter-suri", suri)?;
	}
	let agent_secrets: Vec<String> =
		config.agent_key_files.iter().map(|file| read_secret(file)).collect::<Result<_, _>>()?;
	let reporter_secret = config.reporter_key_file.as_deref().map(read_secret).transpose()?;
	if config.rpc_external && config.rpc_allowed_hosts.is_empty() {
		return Err(StartError::ExternalWithoutHost);
	}
	for host in &config.rpc_allowed_hosts {
		check_host_name(host).map_err(StartError::AllowedHost)?;
	}
	let tokens = Tokens::load(&config.base_path)?;

	let link = Arc::new(ChainLink::connect(&config.node_url).await?);
	let chain = link.get().await?;
	let development = matches!(chain.chain_type().await?.as_str(), "Development" | "Local");

	let mut agents = Vec::new();
	for suri in &config.agent_suris {
		agents.push(key_from_suri(suri, development)?);
	}
	for secret in &agent_secrets {
		agents.push(key_from_suri(secret, development)?);
	}
	let reporter = match (&config.reporter_suri, &reporter_secret) {
		(Some(suri), _) => Some(key_from_suri(suri, development)?),
		(None, Some(secret)) => Some(key_from_suri(secret, development)?),
		(None, None) => agents.first().cloned(),
	};
	let local_agents: Vec<AccountId> = agents.iter().map(|p| p.public().into()).collect();
	if tokens.is_empty() {
		tracing::warn!(
			"no token is issued for the agents' API, so nobody can use it: `teo-mesh token issue`"
		);
	}
	for agent in tokens.agents().filter(|agent| !local_agents.contains(agent)) {
		tracing::warn!(%agent, "a token acts for an agent whose key this service does not hold");
	}

	let (number, hash) = chain.finalized_block().await?;
	chain.checked_runtime(Some(hash)).await?;
	let genesis = chain.genesis_hash().await?;
	let view = chain::view_at(&chain, genesis, number, hash, [(number, hash)].into()).await?;
	// Before the peer starts: another chain's ledger stops the service with nothing running.
	let ledger = Ledger::open(config.base_path.join("ledger.json"), genesis)?;

	let mut registry = Registry::default();
	let metrics = Metrics::register(&mut registry);
	let (evidence_tx, evidence_rx) = mpsc::channel(256);
	let (lookups_tx, lookups_rx) = mpsc::channel(1024);
	let has_bootnodes = !config.bootnodes.is_empty();
	let node_config = NodeConfig {
		listen: config.listen.clone(),
		bootnodes: config.bootnodes.clone(),
		groups: config.groups.clone(),
		local_agents: local_agents.clone(),
		signature_workers: config.signature_workers,
		limits: Limits { max_anchor_lag: config.max_anchor_lag, ..Limits::default() },
		..Default::default()
	};
	let node = node::start(
		network_key(&config.base_path.join("network-key"))?,
		node_config,
		view,
		metrics.clone(),
		&mut registry,
		evidence_tx,
		lookups_tx,
	)?;

	let (halt, halted) = oneshot::channel();
	let follower = Follower {
		chain: link.clone(),
		node: node.clone(),
		local_agents: local_agents.clone(),
		reporter,
		metrics: metrics.clone(),
		max_anchor_lag: config.max_anchor_lag,
		poll_interval: Duration::from_secs(1),
		halt,
	};
	tokio::spawn(follower.run(lookups_rx, evidence_rx));

	// With bootnodes, other peers are on their way: wait a little for them before the first
	// publication, to ask them for the agents' latest messages (a lost ledger).
	let patience = if has_bootnodes { ASK_PATIENCE } else { Duration::ZERO };
	let publisher = Arc::new(
		Publisher::new(node.clone(), agents, ledger, metrics.clone()).with_ask_patience(patience),
	);
	let interface = |external| match external {
		true => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
		false => IpAddr::V4(Ipv4Addr::LOCALHOST),
	};
	let gatekeeper = Gatekeeper::new(tokens, &config.rpc_allowed_hosts);
	let (rpc_address, rpc) = rpc::serve(
		SocketAddr::new(interface(config.rpc_external), config.rpc_port),
		MeshRpc::new(node.clone(), publisher, link).into_rpc(),
		gatekeeper,
	)
	.await?;
	tracing::info!(%rpc_address, "agents' JSON-RPC");

	let metrics_address = if config.metrics_port == 0 {
		None
	} else {
		let address = SocketAddr::new(interface(config.metrics_external), config.metrics_port);
		let registry = Arc::new(Mutex::new(registry));
		tokio::spawn(async move {
			if let Err(e) = metrics::serve(address, registry).await {
				tracing::error!("the metrics endpoint stopped: {e}");
			}
		});
		Some(address)
	};
	tracing::info!(peer_id = %node.peer_id, agents = local_agents.len(), "teo-mesh started");
	Ok(Running { node, rpc_address, metrics_address, rpc, halted, base_path_lock })
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A configuration on `base_path` whose node does not exist: starting fails at the
	/// connection unless it failed before.
	fn config(base_path: &Path, extra: &[&str]) -> Config {
		let base = base_path.to_str().unwrap();
		let args = ["teo-mesh", "--base-path", base, "--node-url", "ws://127.0.0.1:9"];
		Config::parse_from(args.iter().chain(extra))
	}

	#[tokio::test]
	async fn a_second_service_on_a_base_path_in_use_stops_before_connecting() {
		let dir = tempfile::tempdir().unwrap();
		let _running = base_path::lock(dir.path()).unwrap();
		let refused = start(config(dir.path(), &["--agent-suri", "//Dave"])).await;
		let in_use = matches!(refused, Err(StartError::BasePath(BasePathError::InUse { .. })));
		assert!(in_use, "{:?}", refused.err());
	}

	#[tokio::test]
	async fn a_secret_on_the_command_line_is_refused() {
		let dir = tempfile::tempdir().unwrap();
		let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
		for args in [
			["--agent-suri", phrase],
			["--agent-suri", "//Dave///password"],
			[
				"--reporter-suri",
				"0x398f0c28f98885e046333d4a41c19cee4c37368a9832c6502f6cfd182e2aef89",
			],
		] {
			let refused = start(config(dir.path(), &args)).await;
			assert!(matches!(refused, Err(StartError::SecretInArguments { .. })), "{args:?}");
		}
		// A development seed gets past this check (and fails at the node, which is absent).
		let started = start(config(dir.path(), &["--agent-suri", "//Alice//mallory"])).await;
		assert!(
			matches!(started, Err(StartError::Chain(ChainError::Client(_)))),
			"{:?}",
			started.err()
		);
	}

	#[tokio::test]
	async fn a_key_file_others_can_read_is_refused_before_connecting() {
		use std::os::unix::fs::PermissionsExt as _;
		let dir = tempfile::tempdir().unwrap();
		let key = dir.path().join("agent.key");
		std::fs::write(&key, "//Dave").unwrap();
		let key_arg = key.to_str().unwrap();
		for (flag, mode) in [
			("--agent-key-file", 0o644),
			("--reporter-key-file", 0o640),
			("--agent-key-file", 0o602),
		] {
			std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
			let refused = start(config(&dir.path().join("mesh"), &[flag, key_arg])).await;
			let exposed =
				matches!(refused, Err(StartError::SecretExposed { mode: m, .. }) if m == mode);
			assert!(exposed, "{flag} {mode:o}: {:?}", refused.err());
		}
		// The owner's alone: read, and the service goes on to the node (absent here).
		std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
		let started = start(config(&dir.path().join("mesh"), &["--agent-key-file", key_arg])).await;
		assert!(
			matches!(started, Err(StartError::Chain(ChainError::Client(_)))),
			"{:?}",
			started.err()
		);
	}

	#[tokio::test]
	async fn an_external_api_names_its_hosts() {
		let dir = tempfile::tempdir().unwrap();
		let refused = start(config(dir.path(), &["--rpc-external"])).await;
		assert!(matches!(refused, Err(StartError::ExternalWithoutHost)));
		let with_port = ["--rpc-external", "--rpc-allowed-host", "mesh.example.org:9950"];
		let refused = start(config(dir.path(), &with_port)).await;
		assert!(matches!(refused, Err(StartError::AllowedHost(_))));
		let named = ["--rpc-external", "--rpc-allowed-host", "mesh.example.org"];
		assert!(matches!(
			start(config(dir.path(), &named)).await,
			Err(StartError::Chain(ChainError::Client(_)))
		));
	}
}
