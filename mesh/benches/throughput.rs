//! The mesh's throughput and latency benchmark: a harness to rerun, not a test.
//!
//! `cargo bench -p teo-mesh --bench throughput -- [--publishers 10] [--rate 5000] [--seconds 10]`
//!
//! One measured mesh node (the real event loop: gossipsub, prechecks, signatures on its worker
//! pool, budgets, conflict detection) listens on loopback. `--publishers` load-generating peers
//! (real libp2p swarms with TEO's gossipsub configuration, one agent each) dial it and publish
//! messages signed in advance, together at `--rate` messages per second (0: as fast as they
//! can). A second real node, dialed by the measured one, receives what it forwards.
//!
//! Reported: the measured node's validated messages per second (accepted, end to end through
//! the pipeline), and publish-to-delivery latency (p50, p99, max) at the measured node and at
//! the second node one hop further. Every node runs in this one process on the same cores, so
//! the load generators' and the second node's work is charged to the measured node's machine.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use codec::Encode;
use futures::StreamExt;
use libp2p::{gossipsub::IdentTopic, identity::Keypair, Multiaddr};
use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use prometheus_client::registry::Registry;
use teo_mesh::{
	message::{body_hash, message_id, MeshMessage, Topic, TopicKind},
	metrics::Metrics,
	network,
	node::{self, Command, Delivery, NodeConfig, NodeHandle},
	validation::{AgentStanding, ChainView, CommitHead, EpochBudget},
};
use teo_primitives::{
	mesh::{CostSchedule, MeshHeader, MessageKind},
	Hash,
};
use tokio::sync::mpsc;

const EPOCH: u32 = 1;
const FINALIZED: u32 = 10;

fn view() -> ChainView {
	ChainView {
		genesis: Hash::repeat_byte(7),
		finalized_number: FINALIZED,
		recent: [(FINALIZED, Hash::repeat_byte(10))].into(),
		epoch: EPOCH,
		costs: CostSchedule::REFERENCE,
		commits: CommitHead::default(),
	}
}

fn topic() -> Topic {
	Topic { group: 0, kind: TopicKind::Message(MessageKind::Poll) }
}

struct Options {
	publishers: usize,
	rate: u64,
	seconds: u64,
	body: usize,
}

fn options() -> Options {
	let mut options = Options { publishers: 10, rate: 5_000, seconds: 10, body: 256 };
	let args: Vec<String> = std::env::args().collect();
	let mut i = 1;
	while i < args.len() {
		let value = || args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
		match args[i].as_str() {
			"--publishers" => options.publishers = value().expect("--publishers N") as usize,
			"--rate" => options.rate = value().expect("--rate N"),
			"--seconds" => options.seconds = value().expect("--seconds N"),
			"--body" => options.body = value().expect("--body BYTES") as usize,
			// `cargo bench` passes `--bench`; ignore what is not ours.
			_ => {
				i += 1;
				continue;
			},
		}
		i += 2;
	}
	options
}

/// `count` messages of one agent, signed in advance, with their ids.
fn signed_messages(
	agent: &sr25519::Pair,
	count: usize,
	body_len: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
	let view = view();
	let cost = view.costs.message_cost(MessageKind::Poll, body_len as u32);
	(0..count)
		.map(|seq| {
			let mut body = vec![b'x'; body_len];
			body[..8].copy_from_slice(&(seq as u64).to_le_bytes());
			let header = MeshHeader {
				agent: agent.public().into(),
				group: 0,
				kind: MessageKind::Poll,
				epoch: EPOCH,
				seq: seq as u64,
				spent_before: seq as u64 * cost,
				cost,
				body_len: body_len as u32,
				body_hash: body_hash(&body),
				anchor_number: FINALIZED,
				anchor_hash: Hash::repeat_byte(10),
				commit_root: Hash::zero(),
			};
			let data = MeshMessage::signed(agent, header, body, &view.genesis).encode();
			(message_id(&data), data)
		})
		.collect()
}

async fn real_node(bootnodes: Vec<Multiaddr>, agents: &[sr25519::Pair]) -> (NodeHandle, Multiaddr) {
	let mut registry = Registry::default();
	let metrics = Metrics::register(&mut registry);
	let (evidence, _) = mpsc::channel(16);
	let (lookups, _) = mpsc::channel(16);
	let config = NodeConfig { bootnodes, max_pending_signatures: 1 << 16, ..Default::default() };
	let handle = node::start(
		Keypair::generate_ed25519(),
		config,
		view(),
		metrics,
		&mut registry,
		evidence,
		lookups,
	)
	.expect("a node starts");
	for agent in agents {
		let standing = AgentStanding {
			registered: true,
			active: true,
			budgets: [(
				EPOCH,
				EpochBudget { allowance: u64::MAX / 2, spent_on_chain: 0, fixed: true },
			)]
			.into(),
			read_at: FINALIZED,
		};
		handle.send(Command::SetAgent { agent: agent.public().into(), standing }).await.unwrap();
	}
	let address = loop {
		if let Some(address) = handle.listen_addresses().await.unwrap().into_iter().next() {
			break address;
		}
		tokio::time::sleep(Duration::from_millis(50)).await;
	};
	let address = address.with(libp2p::multiaddr::Protocol::P2p(handle.peer_id));
	(handle, address)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
	if sorted.is_empty() {
		return Duration::ZERO;
	}
	sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
	let options = options();
	let per_publisher = if options.rate == 0 {
		20_000
	} else {
		(options.rate * options.seconds) as usize / options.publishers
	};
	println!(
		"teo-mesh throughput: {} publishers, {} msg/s in total ({}), {} s, {}-byte bodies, {} cores",
		options.publishers,
		options.rate,
		if options.rate == 0 { "as fast as possible" } else { "paced" },
		options.seconds,
		options.body,
		std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
	);
	let agents: Vec<sr25519::Pair> = (0..options.publishers)
		.map(|i| sr25519::Pair::from_string(&format!("//Agent{i}"), None).unwrap())
		.collect();
	print!("signing {} messages in advance... ", per_publisher * options.publishers);
	let batches: Vec<Vec<(Vec<u8>, Vec<u8>)>> =
		agents.iter().map(|a| signed_messages(a, per_publisher, options.body)).collect();
	println!("done");

	let (measured, measured_address) = real_node(Vec::new(), &agents).await;
	let (far, _) = real_node(vec![measured_address.clone()], &agents).await;

	let published: Arc<Mutex<HashMap<Vec<u8>, Instant>>> = Arc::default();
	let record = |handle: &NodeHandle| {
		let mut deliveries = handle.subscribe();
		let published = published.clone();
		tokio::spawn(async move {
			let mut latencies = Vec::new();
			let (mut first, mut last) = (None, None);
			loop {
				match tokio::time::timeout(Duration::from_secs(5), deliveries.recv()).await {
					Ok(Ok(Delivery::Message { id, .. })) => {
						let now = Instant::now();
						first.get_or_insert(now);
						last = Some(now);
						let id = hex::decode(id).expect("hex ids");
						if let Some(sent) = published.lock().unwrap().get(&id) {
							latencies.push(now - *sent);
						}
					},
					Ok(Ok(_)) => {},
					Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(n))) => {
						eprintln!("a recorder lagged by {n} deliveries")
					},
					_ => break,
				}
			}
			(latencies, first.zip(last).map(|(f, l)| l - f))
		})
	};
	let measured_recorder = record(&measured);
	let far_recorder = record(&far);

	// Load generators: real swarms that publish and never validate.
	let ident = IdentTopic::new(topic().name(&view().genesis));
	let mut generators = Vec::new();
	for batch in batches {
		let mut registry = Registry::default();
		let mut swarm = network::swarm(Keypair::generate_ed25519(), &mut registry).unwrap();
		swarm.dial(measured_address.clone()).unwrap();
		let ident = ident.clone();
		let published = published.clone();
		let interval = if options.rate == 0 {
			Duration::ZERO
		} else {
			Duration::from_secs_f64(options.publishers as f64 / options.rate as f64)
		};
		generators.push(tokio::spawn(async move {
			// Let the connection and the subscription settle.
			let settle = Instant::now() + Duration::from_secs(3);
			while Instant::now() < settle {
				let _ =
					tokio::time::timeout(Duration::from_millis(50), swarm.select_next_some()).await;
			}
			let start = Instant::now();
			let mut sent = 0usize;
			let mut messages = batch.into_iter();
			let mut failed = 0usize;
			loop {
				let due = start + interval * sent as u32;
				let now = Instant::now();
				if now >= due {
					let Some((id, data)) = messages.next() else { break };
					published.lock().unwrap().insert(id, Instant::now());
					if swarm.behaviour_mut().gossipsub.publish(ident.clone(), data).is_err() {
						failed += 1;
					}
					sent += 1;
					continue;
				}
				let _ = tokio::time::timeout(due - now, swarm.select_next_some()).await;
			}
			// Keep the swarm alive while the queue drains.
			let drain = Instant::now() + Duration::from_secs(3);
			while Instant::now() < drain {
				let _ =
					tokio::time::timeout(Duration::from_millis(50), swarm.select_next_some()).await;
			}
			(sent, failed)
		}));
	}
	let mut total_sent = 0;
	let mut total_failed = 0;
	for generator in generators {
		let (sent, failed) = generator.await.unwrap();
		total_sent += sent;
		total_failed += failed;
	}
	let report = |name: &str, (mut latencies, span): (Vec<Duration>, Option<Duration>)| {
		latencies.sort();
		let span = span.unwrap_or_default().as_secs_f64().max(1e-9);
		println!(
			"{name}: {} of {} validated and delivered, {:.0} msg/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
			latencies.len(),
			total_sent,
			latencies.len() as f64 / span,
			percentile(&latencies, 0.50).as_secs_f64() * 1e3,
			percentile(&latencies, 0.99).as_secs_f64() * 1e3,
			latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
		);
	};
	report("measured node", measured_recorder.await.unwrap());
	report("one hop further", far_recorder.await.unwrap());
	if total_failed > 0 {
		println!("({total_failed} publications failed at the generators)");
	}
}
