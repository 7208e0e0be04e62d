//! `teo-citizen` against a real node of the production preset: without a proving key it refuses
//! to prove, rather than fall back to the insecure dev key that such a chain refuses anyway.
//!
//! Runs the `teo-node` binary built beside `teo-citizen` (`cargo test --workspace` builds both).

use std::{
	net::TcpListener,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

const CITIZEN: &str = env!("CARGO_BIN_EXE_teo-citizen");

/// A node process that is killed when the test ends, however it ends.
struct RunningNode(Child);

impl Drop for RunningNode {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn teo_node() -> PathBuf {
	let node = PathBuf::from(CITIZEN).with_file_name("teo-node");
	assert!(
		node.exists(),
		"{} is missing: build the workspace (`cargo test --workspace`)",
		node.display()
	);
	node
}

/// The production preset's chain spec with Alice as its one (Aura and GRANDPA) authority, which
/// a node needs to start: the preset itself has none, its operators add theirs.
fn production_spec(dir: &tempfile::TempDir) -> PathBuf {
	let output = Command::new(teo_node())
		.args(["export-chain-spec", "--chain", "production"])
		.output()
		.expect("teo-node runs");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let mut spec: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
	let patch = &mut spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(patch["constitution"]["constitution"], "Production");
	patch["aura"]["authorities"] = serde_json::json!([ALICE_SR25519]);
	patch["grandpa"]["authorities"] = serde_json::json!([[ALICE_ED25519, 1]]);
	let path = dir.path().join("production.json");
	std::fs::write(&path, serde_json::to_vec(&spec).unwrap()).unwrap();
	path
}

const ALICE_SR25519: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const ALICE_ED25519: &str = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";

#[test]
fn without_a_proving_key_it_refuses_to_prove_for_a_production_chain() {
	let dir = tempfile::tempdir().unwrap();
	let spec = production_spec(&dir);
	let rpc_port = free_port();
	let _node = RunningNode(
		Command::new(teo_node())
			.arg("--chain")
			.arg(&spec)
			.args(["--tmp", "--no-prometheus", "--no-telemetry"])
			.args(["--no-mdns", "--rpc-port", &rpc_port.to_string()])
			.args(["--port", &free_port().to_string()])
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.expect("teo-node starts"),
	);
	let url = format!("ws://127.0.0.1:{rpc_port}");
	let prove = || {
		Command::new(CITIZEN)
			.args(["prove", "--url", &url, "--dev-identity", "//Alice"])
			.args(["--account", ALICE_SR25519])
			.output()
			.expect("teo-citizen runs")
	};
	// The node takes a moment to open its RPC port; until then the tool reports a transport
	// error, which is not what this test is about.
	let deadline = Instant::now() + Duration::from_secs(60);
	let output = loop {
		let output = prove();
		let stderr = String::from_utf8_lossy(&output.stderr).to_string();
		if stderr.contains("refuses the insecure dev key") || Instant::now() > deadline {
			break output;
		}
		std::thread::sleep(Duration::from_millis(500));
	};
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(!output.status.success(), "teo-citizen proved for a production chain: {stderr}");
	assert!(
		stderr.contains("this chain's constitution refuses the insecure dev key"),
		"not the refusal expected: {stderr}"
	);
	assert!(output.stdout.is_empty(), "no call printed");
}
