//! The swarm's network on loopback: three validators (Alice, Bob, Charlie) on the swarm's chain
//! and one `teo-mesh` service beside each, hosting a third of the agents with a token each.
//! Every process is killed when the [`Network`] is dropped, however the run ends, and every
//! wait is bounded.

use std::{
	collections::HashMap,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
	api::Api,
	spec::{self, Role, Rules, Swarm},
};

/// How long a process may take to serve.
const START_WITHIN: Duration = Duration::from_secs(120);

/// The validators, in the order their services are numbered.
const VALIDATORS: [&str; 3] = ["alice", "bob", "charlie"];

/// A child process, killed when dropped.
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// `teo-node` and `teo-mesh`.
#[derive(Clone, Debug)]
pub struct Binaries {
	/// `teo-node`.
	pub node: PathBuf,
	/// `teo-mesh`.
	pub mesh: PathBuf,
}

impl Binaries {
	/// The binaries beside this one (a workspace build puts them together).
	pub fn beside_this() -> Result<Self, String> {
		let this = std::env::current_exe().map_err(|e| format!("where am I: {e}"))?;
		let beside = |name: &str| {
			let path = this.with_file_name(name);
			path.exists().then_some(path).ok_or(format!("no {name} beside {}", this.display()))
		};
		Ok(Self { node: beside("teo-node")?, mesh: beside("teo-mesh")? })
	}
}

/// A mesh service as the harness uses it.
pub struct Service {
	/// The agents' API port (HTTP and WebSocket).
	pub rpc_port: u16,
	/// Its Prometheus port.
	pub metrics_port: u16,
	/// Its mesh address, with its peer id.
	pub address: String,
	/// Each hosted agent's token, by the agent's index.
	pub tokens: HashMap<u32, String>,
}

/// The running network.
pub struct Network {
	/// Each validator's RPC URL.
	pub nodes: Vec<String>,
	/// The mesh services, service `k` beside validator `k`, hosting the honest agents `i` with
	/// `i % 3 == k`.
	pub services: Vec<Service>,
	// Dropped last: the processes.
	_processes: Vec<Process>,
}

fn free_port() -> Result<u16, String> {
	let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("a free port: {e}"))?;
	Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn log_file(dir: &Path, name: &str) -> Result<Stdio, String> {
	let file = std::fs::File::create(dir.join(format!("{name}.log")))
		.map_err(|e| format!("{name}.log: {e}"))?;
	Ok(Stdio::from(file))
}

fn spawn(command: &mut Command, what: &str) -> Result<Process, String> {
	command.stdin(Stdio::null()).spawn().map(Process).map_err(|e| format!("starting {what}: {e}"))
}

/// Polls `check` every half second until it gives a value, for at most [`START_WITHIN`].
async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
	what: &str,
	mut check: impl FnMut() -> F,
) -> Result<T, String> {
	let deadline = Instant::now() + START_WITHIN;
	loop {
		if let Some(value) = check().await {
			return Ok(value);
		}
		if Instant::now() > deadline {
			return Err(format!("{what}: not within {START_WITHIN:?}"));
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// `error`, with the last lines of the log `name` in `dir`.
fn with_log(error: String, dir: &Path, name: &str) -> String {
	let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
	let lines: Vec<&str> = log.lines().collect();
	let tail = lines[lines.len().saturating_sub(8)..].join("\n  ");
	format!("{error}; the last lines of {name}.log:\n  {tail}")
}

/// Writes the swarm's chain spec into `dir` (its runtime by `rules`), then starts the validators
/// and the services.
pub async fn launch(
	binaries: &Binaries,
	dir: &Path,
	swarm: &Swarm,
	rules: Rules,
	honest: u32,
	api: &Api,
) -> Result<Network, String> {
	let base = stdout_of(
		Command::new(&binaries.node).args(["export-chain-spec", "--chain", "local", "--raw"]),
		"teo-node export-chain-spec",
	)?;
	let chain_spec = dir.join("swarm.json");
	let spec = spec::raw_spec(&base, swarm, rules)?;
	std::fs::write(&chain_spec, spec.to_string()).map_err(|e| format!("swarm.json: {e}"))?;

	let mut processes = Vec::new();
	let mut nodes = Vec::new();
	let mut bootnode: Option<String> = None;
	for (i, name) in VALIDATORS.into_iter().enumerate() {
		let (rpc_port, p2p_port) = (free_port()?, free_port()?);
		// A network key of its own (a validator has none it could make up silently).
		let node_key = format!("{:064x}", i + 1);
		let mut command = Command::new(&binaries.node);
		command
			.arg("--chain")
			.arg(&chain_spec)
			.arg(format!("--{name}"))
			.arg("--base-path")
			.arg(dir.join(format!("node-{name}")))
			.args(["--rpc-port", &rpc_port.to_string(), "--node-key", &node_key])
			.args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p_port}")])
			.stdout(Stdio::null())
			.stderr(log_file(dir, &format!("node-{name}"))?);
		if let Some(bootnode) = &bootnode {
			command.args(["--bootnodes", bootnode]);
		}
		processes.push(spawn(&mut command, &format!("teo-node --{name}"))?);
		let url = format!("ws://127.0.0.1:{rpc_port}");
		if bootnode.is_none() {
			let peer_id = wait_for("the first validator's RPC", || async {
				let chain = teo_client::Chain::connect(&url).await.ok()?;
				let id = chain
					.call("system_localPeerId", jsonrpsee::core::params::ArrayParams::new())
					.await
					.ok()?;
				id.as_str().map(str::to_string)
			})
			.await
			.map_err(|e| with_log(e, dir, &format!("node-{name}")))?;
			bootnode = Some(format!("/ip4/127.0.0.1/tcp/{p2p_port}/p2p/{peer_id}"));
		}
		nodes.push(url);
	}
	// Three voters: GRANDPA finalizes only once all three take part.
	wait_for("the network's first finalized block", || async {
		let chain = teo_client::Chain::connect(&nodes[0]).await.ok()?;
		let (number, _) = chain.finalized_block().await.ok()?;
		(number > 0).then_some(())
	})
	.await
	.map_err(|e| with_log(e, dir, "node-alice"))?;

	let mut services = Vec::new();
	let mut mesh_bootnode: Option<String> = None;
	for (k, node) in nodes.iter().enumerate() {
		let base_path = dir.join(format!("mesh-{k}"));
		let hosted: Vec<u32> = (0..honest).filter(|i| *i as usize % nodes.len() == k).collect();
		let tokens = issue_tokens(&base_path, &hosted)?;
		let (rpc_port, metrics_port, listen_port) = (free_port()?, free_port()?, free_port()?);
		let mut command = Command::new(&binaries.mesh);
		command
			.args(["--node-url", node])
			.args(["--listen", &format!("/ip4/127.0.0.1/tcp/{listen_port}")])
			.args(["--rpc-port", &rpc_port.to_string()])
			.args(["--metrics-port", &metrics_port.to_string()])
			.arg("--base-path")
			.arg(&base_path)
			.env("RUST_LOG", "info,libp2p=warn")
			.stdout(Stdio::null())
			.stderr(log_file(dir, &format!("mesh-{k}"))?);
		for agent in &hosted {
			command.args(["--agent-suri", &spec::suri(Role::Agent, *agent)]);
		}
		if let Some(bootnode) = &mesh_bootnode {
			command.args(["--bootnode", bootnode]);
		}
		processes.push(spawn(&mut command, &format!("teo-mesh {k}"))?);
		let token = tokens.values().next().ok_or(format!("service {k} hosts no agent"))?.clone();
		let health = wait_for(&format!("mesh service {k}"), || async {
			let health = api.call(rpc_port, &token, "mesh_health", json!([])).await.ok()?;
			(health["chainStale"] == Value::Bool(false)).then_some(health)
		})
		.await
		.map_err(|e| with_log(e, dir, &format!("mesh-{k}")))?;
		let peer_id = health["peerId"].as_str().ok_or("mesh_health without a peerId")?;
		let address = format!("/ip4/127.0.0.1/tcp/{listen_port}/p2p/{peer_id}");
		mesh_bootnode.get_or_insert_with(|| address.clone());
		services.push(Service { rpc_port, metrics_port, address, tokens });
	}
	Ok(Network { nodes, services, _processes: processes })
}

/// What `command` (`what`) prints, or its error output if it fails.
fn stdout_of(command: &mut Command, what: &str) -> Result<Vec<u8>, String> {
	let output = command.output().map_err(|e| format!("{what}: {e}"))?;
	if !output.status.success() {
		return Err(format!("{what}: {}", String::from_utf8_lossy(&output.stderr)));
	}
	Ok(output.stdout)
}

/// Issues a token for each of `agents` in the service's base path, at once: the library that
/// `teo-mesh token issue` runs, in one change of the token file (a process and a sync per
/// agent would take minutes for ten thousand).
fn issue_tokens(base_path: &Path, agents: &[u32]) -> Result<HashMap<u32, String>, String> {
	let labelled: Vec<_> = agents
		.iter()
		.map(|agent| (spec::account(Role::Agent, *agent), format!("swarm-agent-{agent}")))
		.collect();
	let tokens = teo_mesh::access::issue_all(base_path, &labelled)
		.map_err(|e| format!("issuing the agents' tokens: {e}"))?;
	Ok(agents.iter().copied().zip(tokens).collect())
}
