//! `teo-citizen`'s copy of a group's tree, against a real dev node: the first proof reads every
//! leaf and keeps the tree; the next takes the copy; a damaged copy, a copy whose root is not the
//! chain's, and a planted copy that hides the citizen's leaf behind the right root are each
//! read again from the node (or, for the root, never used), and the proof is still made.
//!
//! Runs the `teo-node` binary built beside `teo-citizen` (`cargo test --workspace` builds both).

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use polkadot_sdk::sp_runtime::traits::{BlakeTwo256, Hash as _};

const CITIZEN: &str = env!("CARGO_BIN_EXE_teo-citizen");
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
/// The file's header: magic, version, genesis hash, group, size (tree_cache.rs).
const HEADER: usize = 8 + 1 + 32 + 4 + 4;

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

/// `prove` for //Alice, printing the call (nothing is submitted); its stderr.
fn prove(url: &str, cache: &Path) -> String {
	let output = Command::new(CITIZEN)
		.args(["prove", "--url", url, "--dev-identity", "//Alice", "--account", ALICE])
		.arg("--tree-cache")
		.arg(cache)
		.output()
		.expect("teo-citizen runs");
	let stderr = String::from_utf8_lossy(&output.stderr).to_string();
	assert!(output.status.success(), "teo-citizen prove failed: {stderr}");
	assert!(String::from_utf8_lossy(&output.stdout).starts_with("0x"), "no call printed");
	stderr
}

/// Rewrites the stored tree with `change` applied to its body, and a checksum that matches.
fn tamper(file: &Path, change: impl FnOnce(&mut Vec<u8>)) {
	let bytes = std::fs::read(file).unwrap();
	let mut body = bytes[..bytes.len() - 32].to_vec();
	change(&mut body);
	let checksum = checksum_of(&body);
	body.extend_from_slice(&checksum);
	std::fs::write(file, body).unwrap();
}

#[test]
fn the_stored_tree_is_used_only_when_it_leads_to_the_chains_root_and_holds_the_member() {
	let dir = tempfile::tempdir().unwrap();
	let cache = dir.path().join("trees");
	let rpc_port = free_port();
	let node = PathBuf::from(CITIZEN).with_file_name("teo-node");
	assert!(node.exists(), "{} is missing: build the workspace", node.display());
	let _node = RunningNode(
		Command::new(node)
			.args(["--dev", "--tmp", "--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(["--rpc-port", &rpc_port.to_string(), "--port", &free_port().to_string()])
			.stdout(Stdio::null())
			.stderr(Stdio::null())
			.spawn()
			.expect("teo-node starts"),
	);
	let url = format!("ws://127.0.0.1:{rpc_port}");
	// The node takes a moment to open its RPC port and finalize a block.
	let deadline = Instant::now() + Duration::from_secs(90);
	loop {
		let output = Command::new(CITIZEN)
			.args(["group", "--url", &url, "--no-tree-cache"])
			.output()
			.expect("teo-citizen runs");
		if output.status.success() {
			break;
		}
		assert!(Instant::now() < deadline, "{}", String::from_utf8_lossy(&output.stderr));
		std::thread::sleep(Duration::from_millis(500));
	}

	let first = prove(&url, &cache);
	// The chain keeps its one subtree's root: nothing is hashed but the citizen's own path.
	assert!(first.contains("tree read in full from the node (0 subtrees hashed)"), "{first}");
	let files: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
	assert_eq!(files.len(), 1, "one file for the chain's group 0: {files:?}");
	let file = &files[0];
	assert!(file.file_name().unwrap().to_str().unwrap().ends_with("-0.tree"));
	assert!(prove(&url, &cache).contains("tree from the stored copy, 0 new members"));

	// A flipped bit: the checksum refuses the file.
	let mut bytes = std::fs::read(file).unwrap();
	bytes[HEADER + 40] ^= 1;
	std::fs::write(file, &bytes).unwrap();
	assert!(prove(&url, &cache).contains("tree read in full"));

	// Well formed, but another subtree root: a small group is read again from leaf 0 with its
	// subtrees' roots (the copy's roots serve only below a multiple of 4,096 leaves), so the
	// copy's wrong root is never used.
	tamper(file, |body| {
		let last_root = body.len() - 32;
		body[last_root + 31] ^= 1;
	});
	assert!(prove(&url, &cache).contains("tree from the stored copy, 0 new members"));

	// The right root over leaves that hide //Alice's (leaf 0): the copy cannot make her a
	// stranger; the tree is read again and the proof made.
	tamper(file, |body| body[HEADER + 31] ^= 1);
	assert!(prove(&url, &cache).contains("tree read in full"));
	assert!(prove(&url, &cache).contains("tree from the stored copy, 0 new members"));
}

/// BLAKE2b-256, the chain's own hash.
fn checksum_of(bytes: &[u8]) -> [u8; 32] {
	BlakeTwo256::hash(bytes).0
}
