//! The mesh's throughput and latency harness: separate peer processes on loopback, a harness
//! to rerun, not a test (docs/PERFORMANCE.md has the figures and what they leave out).
//!
//! ```sh
//! cargo bench -p teo-mesh --bench throughput -- [--peers 13] [--publishers 3] [--agents 4]
//!     [--rate 5000] [--seconds 10] [--body 256] [--modes teo,plain]
//! ```
//!
//! The coordinator starts `--peers` processes of this executable, every one subscribed to one
//! group's topic, in four layers: the publishers, then three layers of the rest. A peer dials
//! every peer of the layer before it and the earlier peers of its own (publishers dial none), so
//! a message crosses at least three hops to reach the last layer, and the peers beyond the
//! publishers have five to eight connections for gossipsub's D=6 mesh. The measured node is
//! the first peer of the second layer: everything reaches the rest through it and its layer.
//!
//! Each mode runs the same peers and topology:
//! - `teo`: every peer is a real mesh node with default settings (the event loop, the fair
//!   queue, signatures in batches on two workers, budgets, conflict tracking) serving the
//!   agents' API as the service does (tokens checked on every call). At a `--rate`, each
//!   publisher hosts `--agents` agents, and each agent calls `mesh_publish` over its own
//!   WebSocket connection (the budget check, the ledger's durable reservation, the conflict
//!   check, signing, gossip). Every peer's deliveries are read as an agent reads them: from a
//!   `mesh_subscribe` subscription to its API, as JSON.
//! - `plain`: plain gossipsub with TEO's configuration, accepting every message unread;
//!   publishers sign each message (the same work as `teo`'s) and publish it.
//!
//! `--rate 0` measures saturation: publishers (plain swarms in both modes, so that they offer
//! all they can) publish messages signed in advance as fast as gossipsub takes them.
//!
//! Latency runs from the time the agent's `mesh_publish` call was due (the body carries the time,
//! the peers share the machine's clock; an agent whose previous call is still running sends late,
//! and that wait counts) to the subscriber's receipt of the JSON item, after validation at every
//! hop (in `plain` mode: to the swarm's delivery). `--check` compares the messages every
//! subscriber got with those published, as multisets (a count and a digest). Every
//! process shares the machine's cores, so each node pays for the others' work too: the
//! measured node's messages per CPU-second tell what one node does with a core of its own.

use std::{
	collections::HashMap,
	io::{BufRead, BufReader, Write},
	process::{Child, ChildStdin, Command as Process, Stdio},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use codec::Encode;
use futures::StreamExt;
use jsonrpsee::{
	core::client::{ClientT as _, SubscriptionClientT as _},
	rpc_params,
	ws_client::{HeaderMap, WsClient, WsClientBuilder},
};
use libp2p::{
	gossipsub::{self, IdentTopic, MessageAcceptance},
	identity::Keypair,
	swarm::SwarmEvent,
	Multiaddr,
};
use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};
use teo_mesh::{
	access::{self, Gatekeeper, Tokens},
	chain::ChainLink,
	ledger::Ledger,
	message::{body_hash, MeshMessage, Topic, TopicKind},
	metrics::{Metrics, ValidationLabels},
	network,
	node::{self, Command, NodeConfig, NodeHandle},
	publisher::Publisher,
	rpc::{self, MeshApiServer as _, MeshRpc},
	validation::{AgentStanding, ChainView, CommitHead, EpochBudget},
};
use teo_primitives::{
	mesh::{CostSchedule, MeshHeader, MessageKind},
	AccountId, Hash,
};
use tokio::sync::{mpsc, oneshot};

const EPOCH: u32 = 1;
const FINALIZED: u32 = 10;
/// How long the coordinator waits for every peer to see all its neighbours subscribed: a
/// bound for a loaded machine (the test command runs three networks beside the small run).
const READY_WITHIN: Duration = Duration::from_secs(120);
/// Time for gossipsub's meshes to graft once every peer sees its neighbours: two heartbeats.
const SETTLE: Duration = Duration::from_secs(2);
/// How long a peer goes on receiving after the publishers stop, or after the last delivery.
const DRAIN: Duration = Duration::from_secs(4);
/// Messages each publisher signs in advance for a saturation run.
const SATURATION_MESSAGES: usize = 25_000;
/// Items the subscriber's client holds before it drops its subscription (jsonrpsee's default
/// is 1,024): the recorder only counts, so a larger buffer absorbs bursts, never a slow reader.
const SUBSCRIPTION_BUFFER: usize = 16_384;
/// The publication time (nanoseconds since 1970) as decimal digits at the start of a body.
const TIME_DIGITS: usize = 39;

fn view() -> ChainView {
	ChainView {
		genesis: Hash::repeat_byte(7),
		finalized_number: FINALIZED,
		recent: [(FINALIZED, Hash::repeat_byte(10))].into(),
		epoch: EPOCH,
		costs: CostSchedule::REFERENCE,
		commits: CommitHead::default(),
		state_since: 0,
	}
}

fn topic() -> Topic {
	Topic { group: 0, kind: TopicKind::Message(MessageKind::Poll) }
}

#[derive(Clone, Debug)]
struct Options {
	peers: usize,
	publishers: usize,
	agents: usize,
	rate: u64,
	seconds: u64,
	body: usize,
	modes: Vec<String>,
	/// Exit with an error unless every peer beyond the publishers got every message published
	/// (the test command's small run).
	check: bool,
	/// For a peer process: its index, the addresses it dials, its mode, and how many of its
	/// neighbours subscribe to the topic (it is ready when it sees them all).
	peer: Option<usize>,
	dial: Vec<Multiaddr>,
	expect: usize,
}

impl Options {
	fn parse() -> Self {
		let mut options = Options {
			peers: 13,
			publishers: 3,
			agents: 4,
			rate: 5_000,
			seconds: 10,
			body: 256,
			modes: vec!["teo".into(), "plain".into()],
			check: false,
			peer: None,
			dial: Vec::new(),
			expect: 0,
		};
		let args: Vec<String> = std::env::args().skip(1).collect();
		let mut i = 0;
		while i < args.len() {
			let value = args.get(i + 1).cloned().unwrap_or_default();
			let number = || value.parse::<u64>().unwrap_or_else(|_| panic!("{} N", args[i]));
			match args[i].as_str() {
				"--peers" => options.peers = number() as usize,
				"--publishers" => options.publishers = number() as usize,
				"--agents" => options.agents = number() as usize,
				"--rate" => options.rate = number(),
				"--seconds" => options.seconds = number(),
				"--body" => options.body = number() as usize,
				"--modes" => options.modes = value.split(',').map(str::to_string).collect(),
				"--peer" => options.peer = Some(number() as usize),
				"--expect" => options.expect = number() as usize,
				"--check" => {
					options.check = true;
					i += 1;
					continue;
				},
				"--dial" => {
					options.dial = value
						.split(',')
						.filter(|a| !a.is_empty())
						.map(|a| a.parse().expect("an address"))
						.collect()
				},
				// `cargo bench` passes `--bench`; ignore what is not ours.
				_ => {
					i += 1;
					continue;
				},
			}
			i += 2;
		}
		assert!(options.body >= 64, "--body: at least 64 bytes, for the publication time");
		assert!(
			options.publishers >= 1 && options.peers >= options.publishers + 3,
			"--peers: the publishers and three more layers"
		);
		options
	}

	/// The layer of each peer: the publishers, then the rest split in three.
	fn layers(&self) -> Vec<usize> {
		let rest = self.peers - self.publishers;
		(0..self.peers)
			.map(|i| if i < self.publishers { 0 } else { 1 + ((i - self.publishers) * 3 / rest) })
			.collect()
	}

	fn measured(&self) -> usize {
		self.publishers
	}
}

/// Each peer's own loopback address, as each peer has its own address on a real network:
/// gossipsub penalises peers beyond five on one IP address (a Sybil defence), and peers on one
/// address would prune each other from their meshes and fall back to gossip. Connections a
/// peer accepts still come from 127.0.0.1 (the kernel's source address for loopback), at most
/// five per peer in these layers.
fn listen_address_of(index: usize) -> Multiaddr {
	assert!(index < 254, "one loopback address per peer");
	format!("/ip4/127.1.0.{}/tcp/0", index + 1).parse().expect("an address")
}

fn now_nanos() -> u128 {
	SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_nanos()
}

fn agent_pair(publisher: usize, agent: usize) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//Agent{publisher}-{agent}"), None).expect("a dev seed")
}

/// A text body of `len` bytes (`mesh_publish` takes text): the publication time and the
/// sequence number in decimal, then padding.
fn timed_body(len: usize, seq: u64, time: u128) -> Vec<u8> {
	let mut body = format!("{time:0width$} {seq:020} ", width = TIME_DIGITS).into_bytes();
	body.resize(len.max(body.len()), b'x');
	body
}

fn publication_time(body: &[u8]) -> Option<u128> {
	let digits = std::str::from_utf8(body.get(..TIME_DIGITS)?).ok()?;
	digits.parse().ok().filter(|time| *time != 0)
}

/// A message of `agent` with slot `seq`, signed, as the publisher would sign it.
fn signed_message(agent: &sr25519::Pair, seq: u64, body: Vec<u8>) -> Vec<u8> {
	let view = view();
	let cost = view.costs.message_cost(MessageKind::Poll, body.len() as u32);
	let header = MeshHeader {
		agent: agent.public().into(),
		group: 0,
		kind: MessageKind::Poll,
		epoch: EPOCH,
		seq,
		spent_before: seq * cost,
		cost,
		body_len: body.len() as u32,
		body_hash: body_hash(&body),
		anchor_number: FINALIZED,
		anchor_hash: Hash::repeat_byte(10),
		commit_root: Hash::zero(),
	};
	MeshMessage::signed(agent, header, body, &view.genesis).encode()
}

/// What one peer process saw.
#[derive(Serialize, Deserialize, Debug, Default)]
struct PeerReport {
	index: usize,
	published: u64,
	/// How long its publishing took (a publisher's).
	publish_seconds: f64,
	publish_failures: u64,
	/// The bodies it published.
	published_digest: Digest,
	delivered: u64,
	/// The bodies delivered to its subscriber.
	digest: Digest,
	validated: Option<u64>,
	/// Deliveries the subscription reported lost (`lagged`): it read too slowly.
	missed: u64,
	/// Seconds from the first delivery to the last.
	span: f64,
	latencies_ms: Vec<f64>,
	rss_kib: u64,
	peak_rss_kib: u64,
	cpu_seconds: f64,
	/// The peer ids it was connected to at the end.
	connected: Vec<String>,
}

/// Deliveries counted by a peer.
#[derive(Default)]
struct Deliveries {
	count: u64,
	first: Option<Instant>,
	last: Option<Instant>,
	latencies: Vec<u128>,
	/// Messages validation accepted (a TEO node's metric).
	validated: Option<u64>,
	/// Deliveries the subscription reported lost.
	missed: u64,
	/// The bodies delivered, as a [`Digest`].
	digest: Digest,
}

/// A multiset of message bodies in one number: the wrapping sum of each body's hash. Two peers
/// with equal counts and equal digests got the same messages (up to a 64-bit collision), in any
/// order; a count alone would pass a peer that got one message twice and missed another. Every
/// body a run publishes differs (it carries its sending time and sequence), except in a
/// saturation run's plain mode, whose presigned bodies are alike and so are checked by count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Digest(u64);

impl Digest {
	fn of(body: &[u8]) -> u64 {
		use std::hash::{Hash as _, Hasher as _};
		// SipHash with fixed keys: the same in every process of the run.
		let mut hasher = std::hash::DefaultHasher::new();
		body.hash(&mut hasher);
		hasher.finish()
	}

	fn add(&mut self, body: &[u8]) {
		self.0 = self.0.wrapping_add(Self::of(body));
	}
}

impl Deliveries {
	fn record(&mut self, body: &[u8]) {
		let now = Instant::now();
		self.count += 1;
		self.digest.add(body);
		self.first.get_or_insert(now);
		self.last = Some(now);
		if let Some(sent) = publication_time(body) {
			self.latencies.push(now_nanos().saturating_sub(sent));
		}
	}
}

fn proc_status_kib(field: &str) -> u64 {
	std::fs::read_to_string("/proc/self/status")
		.ok()
		.and_then(|status| {
			status
				.lines()
				.find(|l| l.starts_with(field))
				.and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
		})
		.unwrap_or(0)
}

fn cpu_seconds() -> f64 {
	// utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second on
	// Linux's default USER_HZ).
	let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
	let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
	let fields: Vec<&str> = after_name.split_whitespace().collect();
	let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
		+ fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
	ticks as f64 / 100.0
}

// ---------------------------------------------------------------------------------------------
// A peer process.

/// The coordinator's word on stdin: its first line starts the run, its end (the coordinator
/// has every report, or died) ends this process.
fn listen_to_coordinator() -> oneshot::Receiver<()> {
	let (go, started) = oneshot::channel();
	std::thread::spawn(move || {
		let mut go = Some(go);
		for line in std::io::stdin().lines() {
			if line.is_err() {
				break;
			}
			if let Some(go) = go.take() {
				let _ = go.send(());
			}
		}
		std::process::exit(0);
	});
	started
}

fn announce(address: Multiaddr) {
	println!("LISTEN {address}");
	std::io::stdout().flush().expect("stdout");
}

/// Tells the coordinator once this peer sees `expect` neighbours subscribed to the topic
/// (`subscribed` counts them), or that it gave up after [`READY_WITHIN`]: a message published
/// before the subscriptions are known would not reach everyone, and on a loaded machine a
/// fixed pause is not enough.
async fn announce_ready<F, Fut>(expect: usize, subscribed: F)
where
	F: Fn() -> Fut,
	Fut: std::future::Future<Output = usize>,
{
	let until = Instant::now() + READY_WITHIN;
	let mut seen = subscribed().await;
	while seen < expect && Instant::now() < until {
		tokio::time::sleep(Duration::from_millis(100)).await;
		seen = subscribed().await;
	}
	if seen >= expect {
		println!("READY");
	} else {
		println!("UNREADY {seen} of {expect}");
	}
	std::io::stdout().flush().expect("stdout");
}

async fn run_peer(options: Options, index: usize, mode: &str) {
	let publisher = index < options.publishers;
	let saturate = options.rate == 0;
	let go = listen_to_coordinator();
	// What keeps the peer running (its node handle, its swarm's task) until the end.
	let (report, _running): (PeerReport, Box<dyn std::any::Any + Send>) =
		if mode == "plain" || (publisher && saturate) {
			plain_peer(&options, index, publisher, go).await
		} else {
			teo_peer(&options, index, publisher, go).await
		};
	println!("RESULT {}", serde_json::to_string(&report).expect("a report"));
	std::io::stdout().flush().expect("stdout");
	// Stay connected until the coordinator has every report and closes stdin, so that the
	// others' lists of links are complete.
	std::future::pending::<()>().await;
}

async fn teo_peer(
	options: &Options,
	index: usize,
	publisher: bool,
	go: oneshot::Receiver<()>,
) -> (PeerReport, Box<dyn std::any::Any + Send>) {
	let mut registry = Registry::default();
	let metrics = Metrics::register(&mut registry);
	let (evidence, _evidence_rx) = mpsc::channel(16);
	let (lookups, _lookups_rx) = mpsc::channel(16);
	let agents: Vec<sr25519::Pair> = if publisher {
		(0..options.agents).map(|a| agent_pair(index, a)).collect()
	} else {
		Vec::new()
	};
	let config = NodeConfig {
		listen: vec![listen_address_of(index)],
		bootnodes: options.dial.clone(),
		local_agents: agents.iter().map(|a| a.public().into()).collect(),
		// The layers hold only without discovery (see the module's documentation).
		discovery: false,
		..Default::default()
	};
	let handle = node::start(
		Keypair::generate_ed25519(),
		config,
		view(),
		metrics.clone(),
		&mut registry,
		evidence,
		lookups,
	)
	.expect("a node starts");
	// Every agent of every publisher, with a budget no run exhausts, as the chain follower
	// would set them.
	for p in 0..options.publishers {
		for a in 0..options.agents {
			let standing = AgentStanding {
				registered: true,
				active: true,
				budgets: [(
					EPOCH,
					EpochBudget { allowance: u64::MAX / 2, spent_on_chain: 0, fixed: true },
				)]
				.into(),
				punished: Default::default(),
				read_at: FINALIZED,
				registered_at: 1,
			};
			let agent = agent_pair(p, a).public().into();
			handle.send(Command::SetAgent { agent, standing }).await.expect("the node runs");
		}
	}
	announce(listen_address(&handle).await);

	// The agents' API as the service serves it: a token for each hosted agent and one for the
	// reader that records this peer's deliveries. Nothing here reads the chain.
	let api_dir = tempfile::tempdir().expect("a folder for the tokens and the ledger");
	let tokens: HashMap<AccountId, String> = agents
		.iter()
		.enumerate()
		.map(|(a, pair)| {
			let agent: AccountId = pair.public().into();
			let label = format!("agent {a}");
			let token = access::issue(api_dir.path(), &agent, &label).expect("a token");
			(agent, token)
		})
		.collect();
	let reader =
		access::issue(api_dir.path(), &AccountId::from([0xee; 32]), "reader").expect("a token");
	let ledger =
		Ledger::open(api_dir.path().join("ledger.json"), view().genesis).expect("a ledger");
	let service = Arc::new(Publisher::new(handle.clone(), agents.clone(), ledger, metrics.clone()));
	let methods =
		MeshRpc::new(handle.clone(), service, Arc::new(ChainLink::lazy("ws://127.0.0.1:9")))
			.into_rpc();
	let gatekeeper = Gatekeeper::new(Tokens::load(api_dir.path()).expect("the tokens"), &[]);
	let (api, server) = rpc::serve(([127, 0, 0, 1], 0).into(), methods, gatekeeper)
		.await
		.expect("the agents' API serves");

	let metrics_for_report = metrics.clone();
	let deliveries = Arc::new(Mutex::new(Deliveries::default()));
	let subscriber = api_client(api, &reader).await;
	let mut items = subscriber
		.subscribe::<serde_json::Value, _>(
			"mesh_subscribe",
			rpc_params![topic().group, topic().kind.name()],
			"mesh_unsubscribe",
		)
		.await
		.expect("subscribed");
	let recorder = {
		let deliveries = deliveries.clone();
		tokio::spawn(async move {
			let _subscriber = subscriber;
			while let Some(item) = items.next().await {
				let item = match item {
					Ok(item) => item,
					Err(e) => {
						eprintln!("peer {}: an undecodable item: {e}", std::process::id());
						continue;
					},
				};
				match item["type"].as_str() {
					Some("message") => deliveries
						.lock()
						.unwrap()
						.record(item["body"].as_str().unwrap_or_default().as_bytes()),
					Some("lagged") => {
						deliveries.lock().unwrap().missed += item["missed"].as_u64().unwrap_or(0)
					},
					_ => {},
				}
			}
			eprintln!("peer {}: the subscription ended", std::process::id());
		})
	};
	let topic_name = topic().name(&view().genesis);
	announce_ready(options.expect, || async {
		let peers = handle.peers().await.unwrap_or_default();
		peers.iter().filter(|p| p.topics.contains(&topic_name)).count()
	})
	.await;
	// Each agent its own connection, as agents are separate programs.
	let mut clients = HashMap::new();
	for (agent, token) in &tokens {
		clients.insert(agent.clone(), Arc::new(api_client(api, token).await));
	}
	let clients = Arc::new(clients);
	let _ = go.await;
	let go = Instant::now();
	let (published, failures, published_digest) = if publisher {
		publish_paced(options, agents, move |agent, body| {
			let clients = clients.clone();
			async move {
				let body = String::from_utf8(body).expect("a text body");
				clients[&agent]
					.request::<serde_json::Value, _>(
						"mesh_publish",
						rpc_params![topic().group, topic().kind.name(), body],
					)
					.await
					.map(|_| ())
					.map_err(|e| e.to_string())
			}
		})
		.await
	} else {
		(0, 0, Digest::default())
	};
	let publishing = go.elapsed();
	drain(&deliveries, options, go).await;
	let connected =
		handle.peers().await.expect("the node runs").into_iter().map(|p| p.peer_id).collect();
	// Accepted by validation, whether or not the recorder kept up with the deliveries.
	let accepted = ValidationLabels { result: "accepted", reason: "" };
	deliveries.lock().unwrap().validated =
		Some(metrics_for_report.validations.get_or_create(&accepted).get());
	recorder.abort();
	let report =
		finish(index, (published, failures, published_digest, publishing), &deliveries, connected);
	(report, Box::new((handle, server, api_dir)))
}

/// A client of the agents' API at `address` with `token`, as an agent connects.
async fn api_client(address: std::net::SocketAddr, token: &str) -> WsClient {
	let mut headers = HeaderMap::new();
	headers.insert("authorization", format!("Bearer {token}").parse().expect("a header value"));
	WsClientBuilder::default()
		.set_headers(headers)
		.max_buffer_capacity_per_subscription(SUBSCRIPTION_BUFFER)
		.build(format!("ws://{address}"))
		.await
		.expect("connected to the agents' API")
}

async fn listen_address(handle: &NodeHandle) -> Multiaddr {
	loop {
		if let Some(address) =
			handle.listen_addresses().await.expect("the node runs").into_iter().next()
		{
			return address.with(libp2p::multiaddr::Protocol::P2p(handle.peer_id));
		}
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
}

/// Publishes for each agent at its share of the rate, one publication at a time per agent,
/// for `--seconds`: (published, failed, the published bodies' digest).
async fn publish_paced<F, Fut>(
	options: &Options,
	agents: Vec<sr25519::Pair>,
	publish: F,
) -> (u64, u64, Digest)
where
	F: Fn(AccountId, Vec<u8>) -> Fut + Clone + Send + 'static,
	Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
	let per_agent_rate = options.rate as f64 / (options.publishers * options.agents) as f64;
	let interval = Duration::from_secs_f64(1.0 / per_agent_rate);
	let count = (per_agent_rate * options.seconds as f64).round() as u64;
	let (published, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
	// Wrapping, as `Digest::add`.
	let digest = Arc::new(AtomicU64::new(0));
	let mut tasks = Vec::new();
	for (a, agent) in agents.into_iter().enumerate() {
		let publish = publish.clone();
		let (published, failed, digest) = (published.clone(), failed.clone(), digest.clone());
		let body_len = options.body;
		tasks.push(tokio::spawn(async move {
			let agent: AccountId = agent.public().into();
			// Spread the agents' turns over the interval.
			let start = Instant::now() + interval.mul_f64(a as f64 / 8.0);
			for seq in 0..count {
				let due = start + interval.mul_f64(seq as f64);
				tokio::time::sleep_until(due.into()).await;
				// Stamped with the time it was due, not the time it went out: when the agent falls
				// behind (its previous call still running), the wait shows in the latency, as a
				// user who meant to send it then would see it (no coordinated omission).
				let late = Instant::now().saturating_duration_since(due).as_nanos();
				let body = timed_body(body_len, seq, now_nanos().saturating_sub(late));
				let body_digest = Digest::of(&body);
				match publish(agent.clone(), body).await {
					Ok(()) => {
						digest.fetch_add(body_digest, Ordering::Relaxed);
						published.fetch_add(1, Ordering::Relaxed)
					},
					Err(e) => {
						if failed.fetch_add(1, Ordering::Relaxed) == 0 {
							eprintln!("a publication failed: {e}");
						}
						0
					},
				};
			}
		}));
	}
	for task in tasks {
		task.await.expect("a publishing task");
	}
	let digest = Digest(digest.load(Ordering::Relaxed));
	(published.load(Ordering::Relaxed), failed.load(Ordering::Relaxed), digest)
}

/// Waits until the publishers have had `--seconds` and nothing has been delivered for
/// [`DRAIN`] since, or a generous deadline has passed.
async fn drain(deliveries: &Mutex<Deliveries>, options: &Options, go: Instant) {
	let publishing = Duration::from_secs(options.seconds);
	let deadline = go + publishing * 6 + Duration::from_secs(60);
	loop {
		tokio::time::sleep(Duration::from_millis(250)).await;
		let last = deliveries.lock().unwrap().last.unwrap_or(go).max(go + publishing);
		if last.elapsed() >= DRAIN || Instant::now() > deadline {
			return;
		}
	}
}

fn finish(
	index: usize,
	(published, publish_failures, published_digest, publishing): (u64, u64, Digest, Duration),
	deliveries: &Mutex<Deliveries>,
	connected: Vec<String>,
) -> PeerReport {
	let deliveries = deliveries.lock().unwrap();
	let span = match (deliveries.first, deliveries.last) {
		(Some(first), Some(last)) => (last - first).as_secs_f64(),
		_ => 0.0,
	};
	let mut latencies: Vec<f64> = deliveries.latencies.iter().map(|n| *n as f64 / 1e6).collect();
	latencies.sort_by(f64::total_cmp);
	PeerReport {
		index,
		published,
		publish_seconds: publishing.as_secs_f64(),
		publish_failures,
		published_digest,
		delivered: deliveries.count,
		digest: deliveries.digest,
		validated: deliveries.validated,
		missed: deliveries.missed,
		span,
		latencies_ms: latencies,
		rss_kib: proc_status_kib("VmRSS:"),
		peak_rss_kib: proc_status_kib("VmHWM:"),
		cpu_seconds: cpu_seconds(),
		connected,
	}
}

/// Plain gossipsub on TEO's configuration: accepts every message unread. A publisher signs
/// its messages as the service would (in advance for a saturation run) and publishes them.
async fn plain_peer(
	options: &Options,
	index: usize,
	publisher: bool,
	go: oneshot::Receiver<()>,
) -> (PeerReport, Box<dyn std::any::Any + Send>) {
	let mut registry = Registry::default();
	let mut swarm =
		network::fixed_swarm(Keypair::generate_ed25519(), &mut registry).expect("a swarm");
	let ident = IdentTopic::new(topic().name(&view().genesis));
	// A saturation run's publishers only offer load: they publish to the topic's peers without
	// joining it, and spend nothing on what others publish.
	if !(publisher && options.rate == 0) {
		swarm.behaviour_mut().gossipsub.subscribe(&ident).expect("subscribed");
	}
	swarm.listen_on(listen_address_of(index)).expect("listening");
	for address in &options.dial {
		swarm.dial(address.clone()).expect("dialing");
	}
	let address = loop {
		if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
			break address.with(libp2p::multiaddr::Protocol::P2p(*swarm.local_peer_id()));
		}
	};
	let agents: Vec<sr25519::Pair> = if publisher {
		(0..options.agents).map(|a| agent_pair(index, a)).collect()
	} else {
		Vec::new()
	};
	let presigned: Vec<Vec<u8>> = if publisher && options.rate == 0 {
		(0..SATURATION_MESSAGES)
			.map(|i| {
				let agent = &agents[i % agents.len()];
				signed_message(agent, (i / agents.len()) as u64, vec![b'x'; options.body])
			})
			.collect()
	} else {
		Vec::new()
	};
	announce(address);

	// The swarm's loop: deliveries, and publications handed over by the publishing tasks.
	let deliveries = Arc::new(Mutex::new(Deliveries::default()));
	let (publish_tx, mut publish_rx) =
		mpsc::channel::<(Vec<u8>, tokio::sync::oneshot::Sender<Result<(), String>>)>(1024);
	let (peers_tx, mut peers_rx) = mpsc::channel::<tokio::sync::oneshot::Sender<Vec<String>>>(1);
	let (subscribed_tx, mut subscribed_rx) =
		mpsc::channel::<tokio::sync::oneshot::Sender<usize>>(1);
	let swarm_task = {
		let deliveries = deliveries.clone();
		let ident = ident.clone();
		tokio::spawn(async move {
			loop {
				tokio::select! {
					event = swarm.select_next_some() => {
						if let SwarmEvent::Behaviour(network::BehaviourEvent::Gossipsub(gossipsub::Event::Message { propagation_source, message_id, message })) = event {
							swarm.behaviour_mut().gossipsub.report_message_validation_result(&message_id, &propagation_source, MessageAcceptance::Accept);
							// The body follows the header; the time is in its first bytes.
							let body = codec::Decode::decode(&mut &message.data[..]).map(|m: MeshMessage| m.body).unwrap_or_default();
							deliveries.lock().unwrap().record(&body);
						}
					},
					Some((data, reply)) = publish_rx.recv() => {
						let result = swarm.behaviour_mut().gossipsub.publish(ident.clone(), data).map(|_| ()).map_err(|e| e.to_string());
						let _ = reply.send(result);
					},
					Some(reply) = peers_rx.recv() => {
						let _ = reply.send(swarm.connected_peers().map(|p| p.to_string()).collect());
					},
					Some(reply) = subscribed_rx.recv() => {
						let gossipsub = &swarm.behaviour().gossipsub;
						let subscribed = gossipsub.all_peers().filter(|(_, topics)| topics.contains(&&ident.hash())).count();
						let _ = reply.send(subscribed);
					},
				}
			}
		})
	};
	let publish = move |data: Vec<u8>| {
		let publish_tx = publish_tx.clone();
		async move {
			let (reply, answer) = tokio::sync::oneshot::channel();
			publish_tx.send((data, reply)).await.map_err(|_| "the swarm stopped".to_string())?;
			answer.await.map_err(|_| "the swarm stopped".to_string())?
		}
	};
	announce_ready(options.expect, || {
		let subscribed_tx = subscribed_tx.clone();
		async move {
			let (reply, answer) = tokio::sync::oneshot::channel();
			let _ = subscribed_tx.send(reply).await;
			answer.await.unwrap_or(0)
		}
	})
	.await;
	let _ = go.await;
	let go = Instant::now();
	let (published, failures, published_digest) = if !publisher {
		(0, 0, Digest::default())
	} else if options.rate == 0 {
		// As fast as gossipsub takes them: a full send queue is waited out, never skipped,
		// until a bound on the run's time.
		let stop = go + Duration::from_secs(options.seconds * 3 + 30);
		let mut published = 0;
		let mut failures = 0;
		'messages: for data in presigned {
			loop {
				if Instant::now() > stop {
					break 'messages;
				}
				match publish(data.clone()).await {
					Ok(()) => break,
					Err(_) => {
						failures += 1;
						tokio::time::sleep(Duration::from_millis(1)).await;
					},
				}
			}
			published += 1;
		}
		// The presigned bodies are alike.
		let each = Digest::of(&vec![b'x'; options.body]);
		(published, failures, Digest(each.wrapping_mul(published)))
	} else {
		let pairs: HashMap<AccountId, sr25519::Pair> =
			agents.iter().map(|a| (a.public().into(), a.clone())).collect();
		let pairs = Arc::new(pairs);
		let seqs = Arc::new(Mutex::new(HashMap::<AccountId, u64>::new()));
		publish_paced(options, agents, move |agent, body| {
			let (pairs, seqs, publish) = (pairs.clone(), seqs.clone(), publish.clone());
			async move {
				let seq = {
					let mut seqs = seqs.lock().unwrap();
					let seq = seqs.entry(agent.clone()).or_default();
					*seq += 1;
					*seq - 1
				};
				publish(signed_message(&pairs[&agent], seq, body)).await
			}
		})
		.await
	};
	let publishing = go.elapsed();
	drain(&deliveries, options, go).await;
	let (connected_tx, connected_rx) = tokio::sync::oneshot::channel();
	let _ = peers_tx.send(connected_tx).await;
	let connected = connected_rx.await.unwrap_or_default();
	let tally = (published, failures, published_digest, publishing);
	(finish(index, tally, &deliveries, connected), Box::new(swarm_task))
}

// ---------------------------------------------------------------------------------------------
// The coordinator.

struct Running {
	child: Child,
	stdin: ChildStdin,
	lines: std::sync::mpsc::Receiver<String>,
}

fn spawn_peer(
	options: &Options,
	index: usize,
	mode: &str,
	dial: &[Multiaddr],
	expect: usize,
) -> (Running, Multiaddr) {
	let dial: Vec<String> = dial.iter().map(|a| a.to_string()).collect();
	let mut child = Process::new(std::env::current_exe().expect("this executable"))
		.args(["--peers", &options.peers.to_string()])
		.args(["--publishers", &options.publishers.to_string()])
		.args(["--agents", &options.agents.to_string()])
		.args(["--rate", &options.rate.to_string()])
		.args(["--seconds", &options.seconds.to_string()])
		.args(["--body", &options.body.to_string()])
		.args(["--modes", mode])
		.args(["--peer", &index.to_string()])
		.args(["--dial", &dial.join(",")])
		.args(["--expect", &expect.to_string()])
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.stderr(Stdio::inherit())
		.spawn()
		.expect("a peer process");
	let stdin = child.stdin.take().expect("piped");
	let stdout = child.stdout.take().expect("piped");
	let (tx, lines) = std::sync::mpsc::channel();
	std::thread::spawn(move || {
		for line in BufReader::new(stdout).lines().map_while(Result::ok) {
			if tx.send(line).is_err() {
				return;
			}
		}
	});
	let address = loop {
		let line =
			lines.recv_timeout(Duration::from_secs(60)).expect("the peer announces its address");
		if let Some(address) = line.strip_prefix("LISTEN ") {
			break address.parse().expect("an address");
		}
	};
	(Running { child, stdin, lines }, address)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The figures of one mode.
struct ModeResult {
	measured_rate: f64,
	measured_p99: f64,
	last_layer_p99: f64,
	/// What `--check` found wrong.
	problems: Vec<String>,
}

/// Each peer's least number of hops from a publisher over the connections the peers reported
/// (gossipsub's mesh is a subset of them, so a message took at least as many).
fn hop_distances(
	options: &Options,
	addresses: &[Multiaddr],
	reports: &[PeerReport],
) -> Vec<Option<usize>> {
	let ids: Vec<String> = addresses
		.iter()
		.map(|a| network::peer_of(a).map(|p| p.to_string()).unwrap_or_default())
		.collect();
	let index_of = |id: &String| ids.iter().position(|i| i == id);
	let mut links = vec![Vec::new(); addresses.len()];
	for report in reports {
		for other in report.connected.iter().filter_map(index_of) {
			links[report.index].push(other);
			links[other].push(report.index);
		}
	}
	let mut hops: Vec<Option<usize>> =
		(0..addresses.len()).map(|i| (i < options.publishers).then_some(0)).collect();
	let mut frontier: Vec<usize> = (0..options.publishers).collect();
	let mut distance = 0;
	while !frontier.is_empty() {
		distance += 1;
		let mut next = Vec::new();
		for &peer in &frontier {
			for &other in &links[peer] {
				if hops[other].is_none() {
					hops[other] = Some(distance);
					next.push(other);
				}
			}
		}
		frontier = next;
	}
	hops
}

fn run_mode(options: &Options, mode: &str) -> ModeResult {
	let layers = options.layers();
	// Whom each peer dials, and how many of its neighbours (those it dials and those that dial
	// it) subscribe: all but a saturation run's publishers, which only offer load.
	let dials: Vec<Vec<usize>> = (0..options.peers)
		.map(|index| {
			(0..index)
				.filter(|&j| {
					layers[j] + 1 == layers[index] || (layers[j] == layers[index] && layers[j] > 0)
				})
				.collect()
		})
		.collect();
	let subscribes = |j: usize| !(j < options.publishers && options.rate == 0);
	let expected_subscribers = |index: usize| {
		let dialed = dials[index].iter().filter(|&&j| subscribes(j)).count();
		let dialing = (index + 1..options.peers)
			.filter(|&j| dials[j].contains(&index) && subscribes(j))
			.count();
		dialed + dialing
	};
	let mut running = Vec::new();
	let mut addresses: Vec<Multiaddr> = Vec::new();
	for index in 0..options.peers {
		let dial: Vec<Multiaddr> = dials[index].iter().map(|&j| addresses[j].clone()).collect();
		let (peer, address) = spawn_peer(options, index, mode, &dial, expected_subscribers(index));
		running.push(peer);
		addresses.push(address);
	}
	let mut problems = Vec::new();
	let ready_by = Instant::now() + READY_WITHIN + Duration::from_secs(10);
	for (index, peer) in running.iter_mut().enumerate() {
		loop {
			match peer.lines.recv_timeout(ready_by.saturating_duration_since(Instant::now())) {
				Ok(line) if line == "READY" => break,
				Ok(line) if line.starts_with("UNREADY ") => {
					problems.push(format!(
						"peer {index} saw {} neighbours subscribed before the run",
						&line["UNREADY ".len()..]
					));
					break;
				},
				Ok(_) => continue,
				Err(_) => {
					problems.push(format!("peer {index} never said it was ready"));
					break;
				},
			}
		}
	}
	std::thread::sleep(SETTLE);
	let start = Instant::now();
	for peer in &mut running {
		writeln!(peer.stdin, "go").expect("a running peer");
	}
	let mut reports: Vec<PeerReport> = Vec::new();
	let deadline = Instant::now() + Duration::from_secs(options.seconds * 8 + 120);
	for (index, peer) in running.iter_mut().enumerate() {
		let report = loop {
			let wait = deadline.saturating_duration_since(Instant::now());
			match peer.lines.recv_timeout(wait) {
				Ok(line) => match line.strip_prefix("RESULT ") {
					Some(json) => break serde_json::from_str(json).expect("a report"),
					None => continue,
				},
				Err(_) => {
					problems.push(format!("peer {index} did not report"));
					break PeerReport { index, ..Default::default() };
				},
			}
		};
		reports.push(report);
	}
	for mut peer in running {
		let _ = peer.child.kill();
		let _ = peer.child.wait();
	}
	let hops = hop_distances(options, &addresses, &reports);
	let published: u64 = reports.iter().map(|r| r.published).sum();
	let failures: u64 = reports.iter().map(|r| r.publish_failures).sum();
	println!(
		"\n== {mode}: {} peers, {} publishers ({} agents each), {} ({} s), {}-byte bodies, run {:.1} s",
		options.peers,
		options.publishers,
		options.agents,
		if options.rate == 0 { "as fast as possible".to_string() } else { format!("{} msg/s", options.rate) },
		options.seconds,
		options.body,
		start.elapsed().as_secs_f64(),
	);
	let publish_seconds = reports
		.iter()
		.filter(|r| r.index < options.publishers)
		.map(|r| r.publish_seconds)
		.fold(0.0, f64::max);
	println!(
		"published {published} in {publish_seconds:.1} s, {:.0} msg/s ({failures} publish attempts failed or were retried)",
		published as f64 / publish_seconds.max(1e-9)
	);
	println!("peer  layer  hops  links  validated  delivered  missed  rate msg/s  latency p50 / p99 / max ms  RSS peak MiB  CPU s");
	for report in &reports {
		let layer = layers[report.index];
		let hops = hops[report.index].map_or("-".to_string(), |h| h.to_string());
		let l = &report.latencies_ms;
		println!(
			"{:>4}{}  {:>5}  {:>4}  {:>5}  {:>9}  {:>9}  {:>6}  {:>10.0}  {:>8.1} / {:>7.1} / {:>7.1}  {:>12.1}  {:>5.1}",
			report.index,
			if report.index == options.measured() { "*" } else { " " },
			layer,
			hops,
			report.connected.len(),
			report.validated.map_or("-".to_string(), |v| v.to_string()),
			report.delivered,
			report.missed,
			report.delivered as f64 / report.span.max(1e-9),
			percentile(l, 0.5),
			percentile(l, 0.99),
			l.last().copied().unwrap_or(f64::NAN),
			report.peak_rss_kib as f64 / 1024.0,
			report.cpu_seconds,
		);
	}
	let measured = &reports[options.measured()];
	let last_layer: Vec<f64> = {
		let mut all: Vec<f64> = reports
			.iter()
			.filter(|r| hops[r.index].is_some_and(|h| h >= 3))
			.flat_map(|r| r.latencies_ms.iter().copied())
			.collect();
		all.sort_by(f64::total_cmp);
		all
	};
	let rate = measured.delivered as f64 / measured.span.max(1e-9);
	println!(
		"measured node (*): {} delivered, {:.0} msg/s, {:.0} msg per CPU-second, RSS {:.1} MiB (peak {:.1}); three hops and more: p50 {:.1} ms, p99 {:.1} ms",
		measured.delivered,
		rate,
		measured.delivered as f64 / measured.cpu_seconds.max(1e-9),
		measured.rss_kib as f64 / 1024.0,
		measured.peak_rss_kib as f64 / 1024.0,
		percentile(&last_layer, 0.5),
		percentile(&last_layer, 0.99),
	);
	if failures > 0 && options.rate > 0 {
		problems.push(format!("{failures} publications failed"));
	}
	let published_digest = reports
		.iter()
		.fold(Digest::default(), |sum, r| Digest(sum.0.wrapping_add(r.published_digest.0)));
	for report in reports.iter().filter(|r| r.index >= options.publishers) {
		if report.delivered != published {
			problems.push(format!(
				"peer {} got {} of {published} messages",
				report.index, report.delivered
			));
		} else if report.digest != published_digest {
			problems.push(format!(
				"peer {} got {published} messages, but not the ones published",
				report.index
			));
		}
		if hops[report.index].is_none() {
			problems.push(format!("peer {} was not connected to the publishers", report.index));
		}
	}
	ModeResult {
		problems,
		measured_rate: rate,
		measured_p99: percentile(&measured.latencies_ms, 0.99),
		last_layer_p99: percentile(&last_layer, 0.99),
	}
}

fn main() {
	let options = Options::parse();
	if let Some(index) = options.peer {
		let mode = options.modes[0].clone();
		tokio::runtime::Builder::new_multi_thread()
			.enable_all()
			.build()
			.expect("a runtime")
			.block_on(run_peer(options, index, &mode));
		return;
	}
	println!(
		"teo-mesh throughput: {} cores, modes {}",
		std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
		options.modes.join(", ")
	);
	let results: Vec<(String, ModeResult)> =
		options.modes.iter().map(|mode| (mode.clone(), run_mode(&options, mode))).collect();
	let problems: Vec<String> = results
		.iter()
		.flat_map(|(mode, result)| result.problems.iter().map(move |p| format!("{mode}: {p}")))
		.collect();
	if let [(_, teo), (_, plain)] = &results[..] {
		println!(
			"\nteo / plain: measured node's rate {:.2}, its p99 {:.2}, p99 at three hops {:.2}",
			teo.measured_rate / plain.measured_rate,
			teo.measured_p99 / plain.measured_p99,
			teo.last_layer_p99 / plain.last_layer_p99,
		);
	}
	if options.check {
		if problems.is_empty() {
			println!("check: every peer beyond the publishers got every message");
		} else {
			for problem in &problems {
				eprintln!("check failed: {problem}");
			}
			std::process::exit(1);
		}
	}
}
