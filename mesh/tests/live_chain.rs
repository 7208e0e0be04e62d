//! `teo-mesh` processes against a real dev node (`teo-node --dev`, built beside `teo-mesh`:
//! `cargo test --workspace` builds both), for what only the whole process and a live chain
//! show:
//! - a second process on a base path in use stops, and the first keeps its ledger and serves;
//! - a peer that hosts no agent learns an agent from the chain when its first message arrives
//!   (the lookup), and delivers the message;
//! - submissions at once by one signer through one link each get their own nonce and land;
//! - a link whose node comes back serving another chain refuses it.
//!
//! Every loop is bounded; every process is killed when its test ends, however it ends.

use std::{
	io::Read as _,
	net::TcpListener,
	os::unix::fs::OpenOptionsExt as _,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use codec::Encode as _;
use jsonrpsee::{
	core::client::{ClientT as _, SubscriptionClientT as _},
	rpc_params,
	ws_client::{HeaderMap, WsClient, WsClientBuilder},
};
use polkadot_sdk::sp_core::{crypto::Ss58Codec as _, sr25519, Pair as _};
use serde_json::Value;
use teo_mesh::chain::{submit, ChainError, ChainLink, Submission};
use teo_runtime::RuntimeCall;

const MESH: &str = env!("CARGO_BIN_EXE_teo-mesh");

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn beside_mesh(binary: &str) -> PathBuf {
	let path = PathBuf::from(MESH).with_file_name(binary);
	assert!(path.exists(), "{} is missing: build the workspace", path.display());
	path
}

/// A node of `chain` (`--dev`, or `--chain local`) with its RPC on `rpc_port` and its database
/// in `dir` (a killed node cannot delete a `--tmp` one).
fn node(chain: &[&str], rpc_port: u16, dir: &Path) -> Process {
	Process(
		Command::new(beside_mesh("teo-node"))
			.args(chain)
			.arg("--base-path")
			.arg(dir)
			.args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(["--rpc-port", &rpc_port.to_string(), "--port", &free_port().to_string()])
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.expect("teo-node starts"),
	)
}

/// Polls `check` every 250 ms until it gives a value, for at most `limit`.
async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
	what: &str,
	limit: Duration,
	mut check: impl FnMut() -> F,
) -> T {
	let deadline = Instant::now() + limit;
	loop {
		if let Some(value) = check().await {
			return value;
		}
		assert!(Instant::now() < deadline, "timed out after {limit:?} waiting for {what}");
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

/// A dev node with a finalized block after genesis, its database in `dir`; its URL.
async fn dev_chain(dir: &Path) -> (Process, String) {
	let port = free_port();
	let node = node(&["--dev"], port, &dir.join("node"));
	let url = format!("ws://127.0.0.1:{port}");
	wait_for("the dev node's first finalized block", Duration::from_secs(90), || async {
		let chain = teo_client::Chain::connect(&url).await.ok()?;
		let (number, _) = chain.finalized_block().await.ok()?;
		(number > 0).then_some(())
	})
	.await;
	(node, url)
}

/// A mesh service's base path, ports and token.
struct Service {
	base_path: PathBuf,
	rpc_port: u16,
	listen_port: u16,
	token: String,
}

impl Service {
	/// A base path holding a token for `agent` (the service need not host it to serve reads).
	fn new(dir: &Path, name: &str, agent: &sr25519::Public) -> Self {
		let base_path = dir.join(name);
		let output = Command::new(MESH)
			.args(["token", "issue", "--label", name, "--agent", &agent.to_ss58check()])
			.arg("--base-path")
			.arg(&base_path)
			.output()
			.expect("teo-mesh token issue runs");
		assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
		let token = String::from_utf8(output.stdout).unwrap().trim().to_string();
		Self { base_path, rpc_port: free_port(), listen_port: free_port(), token }
	}

	/// The service's command line: `extra` adds agents' key files and bootnodes.
	fn command(&self, url: &str, extra: &[String]) -> Command {
		let mut command = Command::new(MESH);
		command
			.args(["--node-url", url, "--metrics-port", "0"])
			.args(["--listen", &format!("/ip4/127.0.0.1/tcp/{}", self.listen_port)])
			.args(["--rpc-port", &self.rpc_port.to_string()])
			.arg("--base-path")
			.arg(&self.base_path)
			.args(extra)
			.stdout(Stdio::null());
		command
	}

	fn start(&self, url: &str, extra: &[String]) -> Process {
		let child = self.command(url, extra).stderr(Stdio::null()).spawn();
		Process(child.expect("teo-mesh starts"))
	}

	/// A client of the agents' API with the service's token, once the service serves.
	async fn client(&self) -> WsClient {
		let address = format!("ws://127.0.0.1:{}", self.rpc_port);
		let mut headers = HeaderMap::new();
		let bearer = format!("Bearer {}", self.token).parse().unwrap();
		headers.insert("authorization", bearer);
		wait_for("the agents' API", Duration::from_secs(60), || async {
			let client = WsClientBuilder::default()
				.set_headers(headers.clone())
				.build(&address)
				.await
				.ok()?;
			let health: Value = client.request("mesh_health", rpc_params![]).await.ok()?;
			(!health["chainStale"].as_bool()?).then_some(client)
		})
		.await
	}
}

/// A key file for `suri`, readable by its owner alone (as the service demands).
fn key_file(dir: &Path, suri: &str) -> String {
	let path = dir.join(format!("{}.key", suri.trim_start_matches('/')));
	let mut file =
		std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).unwrap();
	std::io::Write::write_all(&mut file, suri.as_bytes()).unwrap();
	path.to_str().unwrap().to_string()
}

/// Every file under `dir` (its path and bytes), sorted.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
	let mut files = Vec::new();
	for entry in std::fs::read_dir(dir).unwrap() {
		let path = entry.unwrap().path();
		if path.is_dir() {
			files.extend(contents(&path));
		} else {
			files.push((path.clone(), std::fs::read(&path).unwrap()));
		}
	}
	files.sort();
	files
}

fn dev(name: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{name}"), None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_a_base_path_in_use_stops_and_the_first_serves_on() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, url) = dev_chain(dir.path()).await;
	let dave = dev("Dave");
	let first = Service::new(dir.path(), "a", &dave.public());
	let _first_process = first.start(&url, &[]);
	let client = first.client().await;
	let before = contents(&first.base_path);

	// Another process, other ports, the same base path: as an operator's second unit file or
	// a restart that did not wait for the old process would start it.
	let second = Service { rpc_port: free_port(), listen_port: free_port(), ..first };
	let mut child =
		second.command(&url, &[]).stderr(Stdio::piped()).spawn().expect("teo-mesh starts");
	let deadline = Instant::now() + Duration::from_secs(60);
	let status = loop {
		if let Some(status) = child.try_wait().unwrap() {
			break status;
		}
		assert!(Instant::now() < deadline, "the second process did not stop");
		std::thread::sleep(Duration::from_millis(100));
	};
	let mut stderr = String::new();
	child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
	assert!(!status.success(), "the second process stopped with {status}");
	assert!(stderr.contains("in use by another teo-mesh"), "{stderr}");
	// It wrote nothing, and the first still serves.
	assert_eq!(contents(&second.base_path), before);
	let health: Value = client.request("mesh_health", rpc_params![]).await.unwrap();
	assert_eq!(health["chainStale"], Value::Bool(false), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_looked_up_on_chain_and_its_submissions_at_once_each_land() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, url) = dev_chain(dir.path()).await;
	let (alice, dave) = (dev("Alice"), dev("Dave"));
	// Alice proves she is a person (a real proof, with the dev key), then sponsors Dave.
	let output = Command::new(beside_mesh("teo-citizen"))
		.args(["prove", "--url", &url, "--dev-identity", "//Alice", "--suri", "//Alice"])
		.output()
		.expect("teo-citizen runs");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let chain = teo_client::Chain::connect(&url).await.unwrap();
	let register = RuntimeCall::ActionBudget(pallet_action_budget::Call::register_agent {
		agent: dave.public().into(),
	});
	let outcome = chain.submit(register, &alice).await.unwrap();
	assert!(outcome.error.is_none(), "{:?}", outcome.error);

	let a = Service::new(dir.path(), "a", &dave.public());
	let c = Service::new(dir.path(), "c", &dave.public());
	let _a = a.start(&url, &["--agent-key-file".into(), key_file(dir.path(), "//Dave")]);
	let at_a = a.client().await;
	let health: Value = at_a.request("mesh_health", rpc_params![]).await.unwrap();
	let a_address =
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", a.listen_port, health["peerId"].as_str().unwrap());
	// C hosts no agent: Dave is a stranger to it until the chain says otherwise.
	let _c = c.start(&url, &["--bootnode".into(), a_address]);
	let at_c = c.client().await;
	let mut deliveries = at_c
		.subscribe::<Value, _>("mesh_subscribe", rpc_params![0, "draft"], "mesh_unsubscribe")
		.await
		.unwrap();

	// Published at A, validated at C after C looked Dave up. A draft sent before C's
	// subscription reached A (or before Dave's allowance was on chain) is lost or refused, so
	// drafts go out, each distinct, until one arrives.
	let deadline = Instant::now() + Duration::from_secs(120);
	let mut published = Vec::new();
	let delivered = loop {
		assert!(Instant::now() < deadline, "C delivered none of {published:?}");
		let draft = format!("pave the square, take {}", published.len());
		match at_a.request::<Value, _>("mesh_publish", rpc_params![0, "draft", &draft]).await {
			Ok(sent) => published.push((sent["id"].clone(), draft)),
			Err(e) => eprintln!("not published yet: {e}"),
		}
		match tokio::time::timeout(Duration::from_secs(3), deliveries.next()).await {
			Ok(item) => break item.expect("the subscription is open").unwrap(),
			Err(_) => continue,
		}
	};
	let (_, draft) = published
		.iter()
		.find(|(id, _)| *id == delivered["id"])
		.unwrap_or_else(|| panic!("C delivered {delivered}, which A did not publish"));
	assert_eq!(delivered["agent"], Value::from(dave.public().to_ss58check()));
	assert_eq!(delivered["body"], Value::from(draft.as_str()));

	// Two pull requests of Dave at once through one link, as the service's API and its fraud
	// reporter (the first agent by default) may sign at once: each must get its own nonce, or
	// one would replace or block the other in the pool.
	let link = ChainLink::connect(&url).await.unwrap();
	let spend = |amount: u128| {
		let call = RuntimeCall::CommitGate(pallet_commit_gate::Call::spend_from_purse {
			beneficiary: dave.public().into(),
			amount,
		});
		Submission::pull_request(0, &call.encode(), b"pay Dave".to_vec()).unwrap()
	};
	let chain = link.get().await.unwrap();
	let (first, second) =
		tokio::join!(submit(&chain, spend(1), &dave), submit(&chain, spend(2), &dave));
	let (first, second) = (first.unwrap(), second.unwrap());
	for outcome in [&first, &second] {
		assert!(outcome.error.is_none(), "{:?}", outcome.error);
	}
	assert_ne!(first.hash, second.hash);
	// Both are in the gate, and the API lists them once their blocks are final.
	wait_for("two pending proposals at A", Duration::from_secs(60), || async {
		let pending: Value = at_a.request("mesh_pendingProposals", rpc_params![0]).await.ok()?;
		(pending.as_array()?.len() == 2).then_some(())
	})
	.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_whose_node_comes_back_serving_another_chain_refuses_it() {
	let dir = tempfile::tempdir().unwrap();
	let port = free_port();
	let url = format!("ws://127.0.0.1:{port}");
	let dev_node = node(&["--dev"], port, &dir.path().join("dev"));
	let link = wait_for("the dev node", Duration::from_secs(60), || async {
		ChainLink::connect(&url).await.ok()
	})
	.await;
	let dev_genesis = link.get().await.unwrap().genesis_hash().await.unwrap();
	drop(dev_node);

	// The same address, another chain (another genesis): a replaced database, a port reused.
	let _local_node = node(&["--chain", "local"], port, &dir.path().join("local"));
	let refusal = wait_for("the link to reconnect", Duration::from_secs(60), || async {
		match link.get().await {
			Err(e) if e.is_another_chain() => Some(e),
			_ => None,
		}
	})
	.await;
	// Told apart from a runtime the service cannot read (which would stop it).
	assert!(!refusal.is_retryable() && !refusal.is_incompatible_runtime(), "{refusal}");
	let ChainError::Client(teo_client::Error::AnotherChain { expected, found, .. }) = refusal
	else {
		unreachable!()
	};
	assert_eq!(expected, dev_genesis);
	assert_ne!(found, dev_genesis);
}
