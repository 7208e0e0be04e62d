//! Several mesh peers in one process on loopback: propagation through the mesh, refusal of
//! invalid messages (not forwarded, the sender penalised), and an equivocation turned into
//! evidence that reaches every peer. The chain view is fixed here; the end-to-end suite runs
//! the same peers against a real node.

use std::time::Duration;

use codec::Encode;
use libp2p::{gossipsub::IdentTopic, identity::Keypair, Multiaddr};
use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use prometheus_client::registry::Registry;
use teo_mesh::{
	message::{body_hash, Evidence, MeshMessage, Topic, TopicKind},
	metrics::Metrics,
	network,
	node::{self, Delivery, NodeConfig, NodeHandle},
	validation::{AgentStanding, ChainView, EpochBudget},
};
use teo_primitives::{
	mesh::{CostSchedule, MeshHeader, MessageKind},
	AccountId, Hash,
};
use tokio::{sync::mpsc, time::timeout};

const GROUP: u32 = 0;
const EPOCH: u32 = 4;
const FINALIZED: u32 = 50;

fn genesis() -> Hash {
	Hash::repeat_byte(0x42)
}

fn view() -> ChainView {
	ChainView {
		genesis: genesis(),
		finalized_number: FINALIZED,
		recent: [(FINALIZED, Hash::repeat_byte(0x50))].into(),
		epoch: EPOCH,
		costs: CostSchedule::REFERENCE,
	}
}

fn agent() -> sr25519::Pair {
	sr25519::Pair::from_string("//Agent", None).unwrap()
}

fn standing() -> AgentStanding {
	AgentStanding {
		registered: true,
		active: true,
		budgets: [(EPOCH, EpochBudget { allowance: 1_000, spent_on_chain: 0 })].into(),
	}
}

fn draft(seq: u64, spent_before: u64, body: &[u8]) -> MeshMessage {
	let header = MeshHeader {
		agent: agent().public().into(),
		group: GROUP,
		kind: MessageKind::Draft,
		epoch: EPOCH,
		seq,
		spent_before,
		cost: view().costs.message_cost(MessageKind::Draft, body.len() as u32),
		body_len: body.len() as u32,
		body_hash: body_hash(body),
		anchor_number: FINALIZED,
		anchor_hash: Hash::repeat_byte(0x50),
	};
	MeshMessage::signed(&agent(), header, body.to_vec(), &genesis())
}

fn topic() -> Topic {
	Topic { group: GROUP, kind: TopicKind::Message(MessageKind::Draft) }
}

struct Peer {
	handle: NodeHandle,
	address: Multiaddr,
	evidence: mpsc::Receiver<Evidence>,
	metrics: Metrics,
}

async fn peer(bootnodes: Vec<Multiaddr>) -> Peer {
	let mut registry = Registry::default();
	let metrics = Metrics::register(&mut registry);
	let (evidence_tx, evidence) = mpsc::channel(16);
	let (lookups, _) = mpsc::channel(16);
	let config = NodeConfig { bootnodes, ..Default::default() };
	let handle = node::start(
		Keypair::generate_ed25519(),
		config,
		view(),
		metrics.clone(),
		&mut registry,
		evidence_tx,
		lookups,
	)
	.expect("a peer starts");
	handle
		.send(node::Command::SetAgent { agent: agent().public().into(), standing: standing() })
		.await
		.unwrap();
	let address = wait_for("a listen address", || async {
		handle.listen_addresses().await.unwrap().into_iter().next()
	})
	.await
	.with(libp2p::multiaddr::Protocol::P2p(handle.peer_id));
	Peer { handle, address, evidence, metrics }
}

/// Polls `check` every 100 ms for at most 20 s.
async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
	what: &str,
	check: impl Fn() -> F,
) -> T {
	for _ in 0..200 {
		if let Some(value) = check().await {
			return value;
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	panic!("timed out waiting for {what}");
}

/// A line of peers, each started with the one before as its bootnode (Kademlia then adds more
/// connections).
async fn line(n: usize) -> Vec<Peer> {
	let mut peers: Vec<Peer> = Vec::new();
	for i in 0..n {
		let bootnodes = peers.last().map(|p| vec![p.address.clone()]).unwrap_or_default();
		peers.push(peer(bootnodes).await);
		if i > 0 {
			let previous = &peers[i - 1].handle;
			wait_for("the gossip mesh to form", || async {
				let peers = previous.peers().await.unwrap();
				peers.iter().any(|p| !p.topics.is_empty()).then_some(())
			})
			.await;
		}
	}
	// Give the heartbeat time to graft the mesh along the line.
	tokio::time::sleep(Duration::from_secs(2)).await;
	peers
}

async fn next_message(
	deliveries: &mut tokio::sync::broadcast::Receiver<Delivery>,
) -> Option<MeshMessage> {
	loop {
		match timeout(Duration::from_secs(20), deliveries.recv()).await {
			Ok(Ok(Delivery::Message { message, .. })) => return Some(message),
			Ok(Ok(_)) => continue,
			_ => return None,
		}
	}
}

fn validations(metrics: &Metrics, result: &'static str, reason: &'static str) -> u64 {
	metrics.validations.get_or_create(&teo_mesh::metrics::ValidationLabels { result, reason }).get()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_reaches_every_peer_and_each_validates_it_once() {
	let peers = line(4).await;
	let mut far_end = peers[3].handle.subscribe();
	let message = draft(0, 0, b"{\"proposal\":\"pave the square\"}");
	peers[0].handle.publish(topic(), message.clone()).await.expect("published");
	assert_eq!(next_message(&mut far_end).await, Some(message));
	// Every other peer validates it once (gossipsub drops copies it has seen before validation);
	// peers found through Kademlia may have got it by a shorter path, so wait for each.
	for peer in &peers[1..] {
		wait_for("every peer to validate the message", || async {
			(validations(&peer.metrics, "accepted", "") == 1).then_some(())
		})
		.await;
	}
	tokio::time::sleep(Duration::from_millis(500)).await;
	for peer in &peers[1..] {
		assert_eq!(validations(&peer.metrics, "accepted", ""), 1, "validated exactly once");
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_messages_are_rejected_and_not_forwarded() {
	let peers = line(2).await;
	// A raw libp2p peer that skips validation when publishing, dialing peer 0.
	let mut registry = Registry::default();
	let mut raw = network::swarm(Keypair::generate_ed25519(), &mut registry).unwrap();
	let ident = IdentTopic::new(topic().name(&genesis()));
	raw.behaviour_mut().gossipsub.subscribe(&ident).unwrap();
	raw.dial(peers[0].address.clone()).unwrap();
	let mut far_end = peers[1].handle.subscribe();
	let drive = tokio::spawn(async move {
		use futures::StreamExt;
		let mut published = 0;
		let mut tampered = draft(0, 0, b"original");
		tampered.body = b"replaced".to_vec();
		let bad = [vec![0xff; 64], tampered.encode()];
		for _ in 0..300 {
			tokio::select! {
				_ = raw.select_next_some() => {},
				_ = tokio::time::sleep(Duration::from_millis(50)) => {
					if published < bad.len() &&
						raw.behaviour_mut().gossipsub.publish(ident.clone(), bad[published].clone()).is_ok()
					{
						published += 1;
					}
				},
			}
		}
	});
	wait_for("both rejections at peer 0", || async {
		(validations(&peers[0].metrics, "rejected", "malformed") == 1
			&& validations(&peers[0].metrics, "rejected", "body_hash") == 1)
			.then_some(())
	})
	.await;
	drive.abort();
	assert!(
		timeout(Duration::from_secs(2), far_end.recv()).await.is_err(),
		"nothing reached peer 1"
	);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocation_becomes_evidence_everywhere() {
	let mut peers = line(3).await;
	let honest = draft(0, 0, b"first draft");
	// Subscribed before the publication: a delivery before `subscribe` would be missed.
	let mut middle = peers[1].handle.subscribe();
	peers[0].handle.publish(topic(), honest).await.expect("published");
	assert!(next_message(&mut middle).await.is_some());
	// The same seq with another body, published by a fresh peer attached to the far end that
	// never saw the first (as a second service holding the agent's key would): peer 2 catches
	// the conflict when it validates it, and its evidence reaches every peer.
	let conflicting = draft(0, 0, b"second draft");
	let late = peer(vec![peers[2].address.clone()]).await;
	tokio::time::sleep(Duration::from_secs(2)).await;
	late.handle.publish(topic(), conflicting.clone()).await.expect("the late peer has no conflict");
	for peer in peers.iter_mut() {
		let evidence = timeout(Duration::from_secs(20), peer.evidence.recv())
			.await
			.expect("evidence within 20 s")
			.expect("the channel is open");
		let Evidence::Equivocation(first, second) = evidence else { panic!("not an equivocation") };
		assert_eq!(first.header.seq, second.header.seq);
		assert_ne!(first.header.body_hash, second.header.body_hash);
		let agent: AccountId = agent().public().into();
		assert_eq!(first.header.agent, agent);
	}
	// The conflicting message was not relayed past peer 2, and no peer relays it now.
	assert!(peers[0].handle.publish(topic(), conflicting).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_beyond_the_bootnodes_are_found_through_kademlia() {
	// C knows only B, B knows only A: C must find A by itself.
	let peers = line(3).await;
	let first = peers[0].handle.peer_id.to_string();
	wait_for("the far end to connect to the first peer", || async {
		let connected = peers[2].handle.peers().await.unwrap();
		connected.iter().any(|p| p.peer_id == first).then_some(())
	})
	.await;
}
