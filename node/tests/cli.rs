//! Tests of the `teo-node` binary as operators and zombienet use it.

use std::{
	io::{BufRead, BufReader, Read, Write},
	net::{TcpListener, TcpStream},
	process::{Child, Command, Output, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

const NODE: &str = env!("CARGO_BIN_EXE_teo-node");

fn teo_node(args: &[&str]) -> Output {
	Command::new(NODE).args(args).output().expect("teo-node runs")
}

#[test]
fn export_chain_spec_writes_nothing_but_json_to_stdout() {
	for chain in ["dev", "local", "production"] {
		for raw in [false, true] {
			let mut args = vec!["export-chain-spec", "--chain", chain];
			if raw {
				args.push("--raw");
			}
			let out = teo_node(&args);
			assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
			let spec: Value = serde_json::from_slice(&out.stdout)
				.unwrap_or_else(|e| panic!("{args:?}: stdout is not pure JSON: {e}"));
			assert_eq!(spec["properties"]["tokenSymbol"], "TEO");
			assert_eq!(spec["properties"]["tokenDecimals"], 12);
			assert_eq!(spec["properties"]["ss58Format"], 42);
			let genesis =
				if raw { &spec["genesis"]["raw"] } else { &spec["genesis"]["runtimeGenesis"] };
			assert!(genesis.is_object(), "{args:?}: no genesis section");
		}
	}
}

#[test]
fn help_lists_the_operator_subcommands_and_no_benchmark_by_default() {
	let out = teo_node(&["--help"]);
	assert!(out.status.success());
	let help = String::from_utf8(out.stdout).unwrap();
	for cmd in [
		"key",
		"launch",
		"export-chain-spec",
		"check-block",
		"export-blocks",
		"import-blocks",
		"purge-chain",
		"revert",
	] {
		assert!(help.lines().any(|l| l.trim_start().starts_with(cmd)), "`{cmd}` missing:\n{help}");
	}
	let benchmark_listed = help.lines().any(|l| l.trim_start().starts_with("benchmark"));
	assert_eq!(benchmark_listed, cfg!(feature = "runtime-benchmarks"));
}

#[test]
fn launch_check_refuses_the_bare_production_template_and_lists_why() {
	let dir = tempfile::tempdir().unwrap();
	let spec = dir.path().join("production.json");
	let out = teo_node(&["export-chain-spec", "--chain", "production"]);
	std::fs::write(&spec, out.stdout).unwrap();

	let out = teo_node(&["launch", "check", "--chain", spec.to_str().unwrap()]);
	assert!(!out.status.success(), "the bare template must be refused");
	let stderr = String::from_utf8(out.stderr).unwrap();
	for reason in ["no validator", "no group 0", "no verifying key"] {
		assert!(
			stderr.lines().any(|line| line.trim_start().starts_with(&format!("- {reason}"))),
			"`{reason}` is not on a line of its own:\n{stderr}"
		);
	}
}

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

/// One JSON-RPC call over HTTP/1.1 on loopback (the node serves HTTP and WebSocket on one port).
fn rpc(port: u16, method: &str, params: Value) -> Option<Value> {
	let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
	let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
	stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
	write!(
		stream,
		"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	)
	.ok()?;
	let mut response = String::new();
	stream.read_to_string(&mut response).ok()?;
	let (_, payload) = response.split_once("\r\n\r\n")?;
	let reply: Value = serde_json::from_str(payload).ok()?;
	reply.get("result").cloned()
}

fn block_number(header: &Value) -> u64 {
	let hex = header["number"].as_str().expect("a header has a number");
	u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
}

#[test]
fn dev_chain_produces_and_finalizes_blocks() {
	let rpc_port = free_port();
	let mut child = Command::new(NODE)
		.args(["--dev", "--tmp", "--no-prometheus", "--no-telemetry", "--no-mdns"])
		.args(["--rpc-port", &rpc_port.to_string(), "--port", &free_port().to_string()])
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.expect("teo-node starts");
	// Keep the log for the failure message, read on its own thread so the pipe never fills.
	let stderr = child.stderr.take().unwrap();
	let log = std::thread::spawn(move || {
		BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>()
	});
	let node = RunningNode(child);

	let deadline = Instant::now() + Duration::from_secs(120);
	let (mut best, mut finalized) = (0, 0);
	while Instant::now() < deadline && (best < 3 || finalized < 2) {
		std::thread::sleep(Duration::from_secs(1));
		if let Some(header) = rpc(rpc_port, "chain_getHeader", json!([])) {
			best = block_number(&header);
		}
		if let Some(hash) = rpc(rpc_port, "chain_getFinalizedHead", json!([])) {
			if let Some(header) = rpc(rpc_port, "chain_getHeader", json!([hash])) {
				finalized = block_number(&header);
			}
		}
	}
	let properties = rpc(rpc_port, "system_properties", json!([]));
	drop(node);
	let log = log.join().unwrap();
	assert!(
		best >= 3 && finalized >= 2,
		"best #{best}, finalized #{finalized} after 120 s; node log tail:\n{}",
		log[log.len().saturating_sub(30)..].join("\n")
	);
	assert_eq!(properties.unwrap()["tokenSymbol"], "TEO");
}
