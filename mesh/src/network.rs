//! The libp2p side: TCP with noise and yamux (addresses by IP or by DNS name), gossipsub with
//! manual validation and no libp2p message signing (messages carry the agent's signature, and
//! one mesh node may speak for many agents), identify, ping, Kademlia seeded from the bootnodes
//! for peer discovery, the request protocol for an agent's latest messages ([`crate::scan`]),
//! and limits on connections.
//!
//! Peer scoring counts only what every honest peer judges alike: a message this peer *rejects*
//! (malformed, forged, provable fraud; see `validation`) is an invalid delivery, penalised by
//! its square, so one mistake costs a little and a stream of junk graylists its sender for
//! longer the more it sent. Messages ignored for reasons of a peer's own view cost nothing.

use std::time::Duration;

use libp2p::{
	allow_block_list::{self, BlockedPeers},
	connection_limits::{self, ConnectionLimits},
	gossipsub::{self, MessageAuthenticity, ValidationMode},
	identify, identity, kad, noise, ping,
	swarm::NetworkBehaviour,
	tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm, SwarmBuilder,
};
use prometheus_client::registry::Registry;

use crate::message::{message_id, MAX_MESSAGE_LEN};

/// gossipsub's heartbeat: mesh maintenance, gossip emission and score decay checks.
pub const HEARTBEAT: Duration = Duration::from_millis(700);

/// Heartbeats a received message stays in gossipsub's cache: a message validated later can no
/// longer be forwarded. 12 (8.4 s; gossipsub's default is 5) lets a message anchored ahead of a
/// relay wait out a whole block (6 s) and the follower's poll (1 s) at a relay that far behind
/// (`node::PARK_TIMEOUT`, the window less two heartbeats). Gossip (IHAVE) still advertises only
/// the last 3 heartbeats' messages; the cost is memory, the messages of 8.4 s instead of 3.5 s.
const MESSAGE_CACHE_HEARTBEATS: u32 = 12;

/// How long gossipsub keeps a received message for forwarding: the time validation may take.
pub const MESSAGE_CACHE_WINDOW: Duration =
	Duration::from_millis(HEARTBEAT.as_millis() as u64 * MESSAGE_CACHE_HEARTBEATS as u64);

/// The penalty of one invalid delivery; n of them in the decay window cost n² times it.
pub const INVALID_DELIVERY_WEIGHT: f64 = -1000.0;

/// How long an invalid delivery is remembered (until it has decayed to gossipsub's "zero",
/// 1 %): the anchor window, `max_anchor_lag` (20) blocks of 6 s. A message a peer relays stops
/// being valid for anyone within it, so a peer that relayed junk has had time to stop.
pub const PENALTY_MEMORY: Duration =
	Duration::from_millis(20 * teo_primitives::time::MILLISECS_PER_BLOCK);

/// Below this score no gossip (IHAVE/IWANT) is exchanged with a peer: after one invalid
/// delivery, until it decays by half.
pub const GOSSIP_THRESHOLD: f64 = 0.5 * INVALID_DELIVERY_WEIGHT;

/// Below this score this peer's own messages are not published to a peer: between one and
/// two invalid deliveries.
pub const PUBLISH_THRESHOLD: f64 = 1.5 * INVALID_DELIVERY_WEIGHT;

/// Below this score a peer is graylisted (everything it sends is dropped unread): two invalid
/// deliveries (4 x the weight) within a few seconds, or more spread out.
pub const GRAYLIST_THRESHOLD: f64 = 2.5 * INVALID_DELIVERY_WEIGHT;

/// Peers sharing one IP address beyond this count are penalised (Sybils on one host).
const IP_COLOCATION_THRESHOLD: f64 = 5.0;

/// Connections established at most, in and out: far above the peers a node needs (gossipsub's
/// mesh keeps 6 to 12), far below what exhausts its file descriptors.
pub const MAX_CONNECTIONS: u32 = 256;

/// Inbound connections still in their handshake at most: a dialer cannot queue handshakes
/// without bound.
pub const MAX_PENDING_INCOMING: u32 = 32;

/// Connections to one peer at most (one each way while a dial races an inbound connection).
pub const MAX_CONNECTIONS_PER_PEER: u32 = 2;

/// The identify protocol's name for TEO mesh peers.
const IDENTIFY_PROTOCOL: &str = "/teo-mesh/id/1.0.0";

/// TEO's Kademlia protocol, apart from IPFS's and the node's own DHT.
const KADEMLIA_PROTOCOL: &str = "/teo-mesh/kad/1.0.0";

/// Why the swarm could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
	/// gossipsub's configuration is inconsistent.
	#[error("gossipsub configuration: {0}")]
	GossipsubConfig(#[source] gossipsub::ConfigBuilderError),
	/// gossipsub refused its configuration.
	#[error("gossipsub: {0}")]
	Gossipsub(&'static str),
	/// gossipsub refused the peer-score parameters.
	#[error("peer scoring: {0}")]
	PeerScore(String),
	/// The TCP, noise and yamux transport could not be built.
	#[error("transport: {0}")]
	Transport(#[source] noise::Error),
	/// The system's DNS configuration (`/etc/resolv.conf`) could not be read.
	#[error("DNS resolver: {0}")]
	Dns(#[source] std::io::Error),
}

/// The behaviours of a mesh peer.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
	/// Refuses every connection of a banned peer ([`crate::offenders`]) before the others see it.
	pub blocked: allow_block_list::Behaviour<BlockedPeers>,
	/// Message propagation.
	pub gossipsub: gossipsub::Behaviour,
	/// Exchanges listen addresses and protocols with every peer.
	pub identify: identify::Behaviour,
	/// Keeps connections alive and measures round trips.
	pub ping: ping::Behaviour,
	/// Finds peers beyond the bootnodes.
	pub kademlia: kad::Behaviour<kad::store::MemoryStore>,
	/// Refuses connections past [`MAX_CONNECTIONS`] and the other limits.
	pub limits: connection_limits::Behaviour,
	/// Asks peers for an agent's latest messages, and answers them.
	pub scan: libp2p::request_response::Behaviour<crate::scan::Codec>,
}

/// How a peer scores others: see the module's documentation and the named thresholds.
fn peer_score() -> (gossipsub::PeerScoreParams, gossipsub::PeerScoreThresholds) {
	let params = gossipsub::PeerScoreParams {
		// Topics are added on subscription (see `topic_score`).
		topics: Default::default(),
		app_specific_weight: 1.0,
		ip_colocation_factor_threshold: IP_COLOCATION_THRESHOLD,
		// A peer gone keeps its score (undecayed) this long: reconnecting does not wipe a
		// penalty, and a banned peer comes back to a clean score (see `crate::offenders`).
		retain_score: PENALTY_MEMORY,
		..Default::default()
	};
	let thresholds = gossipsub::PeerScoreThresholds {
		gossip_threshold: GOSSIP_THRESHOLD,
		publish_threshold: PUBLISH_THRESHOLD,
		graylist_threshold: GRAYLIST_THRESHOLD,
		..Default::default()
	};
	(params, thresholds)
}

/// The score parameters of one topic: only invalid deliveries count.
pub fn topic_score() -> gossipsub::TopicScoreParams {
	gossipsub::TopicScoreParams {
		topic_weight: 1.0,
		// Delivery rates depend on the agents' negotiations, not on the peers' honesty: an
		// honest peer in a quiet group would be penalised for delivering little.
		first_message_deliveries_weight: 0.0,
		mesh_message_deliveries_weight: 0.0,
		mesh_failure_penalty_weight: 0.0,
		invalid_message_deliveries_weight: INVALID_DELIVERY_WEIGHT,
		invalid_message_deliveries_decay: gossipsub::score_parameter_decay(PENALTY_MEMORY),
		..Default::default()
	}
}

/// The connection limits.
fn connection_limits() -> ConnectionLimits {
	ConnectionLimits::default()
		.with_max_established(Some(MAX_CONNECTIONS))
		.with_max_pending_incoming(Some(MAX_PENDING_INCOMING))
		.with_max_established_per_peer(Some(MAX_CONNECTIONS_PER_PEER))
}

/// The gossipsub configuration: manual validation, content-addressed ids, bounded messages.
fn gossipsub_config() -> Result<gossipsub::Config, NetworkError> {
	gossipsub::ConfigBuilder::default()
		.validation_mode(ValidationMode::Anonymous)
		.validate_messages()
		.message_id_fn(|message| gossipsub::MessageId::new(&message_id(&message.data)))
		.max_transmit_size(MAX_MESSAGE_LEN + 1024)
		.heartbeat_interval(HEARTBEAT)
		.history_length(MESSAGE_CACHE_HEARTBEATS as usize)
		.build()
		.map_err(NetworkError::GossipsubConfig)
}

/// The behaviours for `key`, with gossipsub's metrics in `registry`; Kademlia inert without
/// `discovery`.
fn behaviour(
	key: &identity::Keypair,
	registry: &mut Registry,
	discovery: bool,
) -> Result<Behaviour, NetworkError> {
	let peer_id = key.public().to_peer_id();
	let mut gossipsub =
		gossipsub::Behaviour::new(MessageAuthenticity::Anonymous, gossipsub_config()?)
			.map_err(NetworkError::Gossipsub)?
			.with_metrics(registry.sub_registry_with_prefix("gossipsub"), Default::default());
	let (params, thresholds) = peer_score();
	gossipsub.with_peer_score(params, thresholds).map_err(NetworkError::PeerScore)?;
	let identify = identify::Behaviour::new(
		identify::Config::new(IDENTIFY_PROTOCOL.into(), key.public())
			.with_agent_version(format!("teo-mesh/{}", env!("CARGO_PKG_VERSION"))),
	);
	let mut kademlia_config = kad::Config::new(StreamProtocol::new(KADEMLIA_PROTOCOL));
	kademlia_config.set_query_timeout(Duration::from_secs(30));
	if !discovery {
		// Nobody enters the routing table by connecting, so nothing is looked up (automatic
		// bootstraps start from a table entry), and no bootstrap runs on a timer.
		kademlia_config
			.set_kbucket_inserts(kad::BucketInserts::Manual)
			.set_periodic_bootstrap_interval(None);
	}
	let mut kademlia = kad::Behaviour::with_config(
		peer_id,
		kad::store::MemoryStore::new(peer_id),
		kademlia_config,
	);
	// Answer lookups from the start: the automatic mode waits for a confirmed external address,
	// which peers on private networks (and loopback) never get. Without discovery, none.
	kademlia.set_mode(Some(if discovery { kad::Mode::Server } else { kad::Mode::Client }));
	let limits = connection_limits::Behaviour::new(connection_limits());
	let scan = crate::scan::behaviour();
	Ok(Behaviour {
		blocked: Default::default(),
		gossipsub,
		identify,
		ping: ping::Behaviour::default(),
		kademlia,
		limits,
		scan,
	})
}

/// A swarm for `key` on tokio, listening nowhere yet.
pub fn swarm(
	key: identity::Keypair,
	registry: &mut Registry,
) -> Result<Swarm<Behaviour>, NetworkError> {
	build(key, registry, true)
}

/// A swarm that finds no peers by itself: it keeps the connections it makes or accepts, and
/// its Kademlia neither looks up nor answers.
pub fn fixed_swarm(
	key: identity::Keypair,
	registry: &mut Registry,
) -> Result<Swarm<Behaviour>, NetworkError> {
	build(key, registry, false)
}

fn build(
	key: identity::Keypair,
	registry: &mut Registry,
	discovery: bool,
) -> Result<Swarm<Behaviour>, NetworkError> {
	let behaviour = behaviour(&key, registry, discovery)?;
	let swarm = SwarmBuilder::with_existing_identity(key)
		.with_tokio()
		.with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
		.map_err(NetworkError::Transport)?
		// `/dns4/...` and `/dns6/...` addresses (bootnodes by name), through the system's
		// resolver configuration.
		.with_dns()
		.map_err(NetworkError::Dns)?
		// A ready behaviour: building it cannot fail.
		.with_behaviour(|_| behaviour)
		.unwrap_or_else(|never| match never {})
		.with_swarm_config(|config| config.with_idle_connection_timeout(Duration::from_secs(60)))
		.build();
	Ok(swarm)
}

/// The peer id at the end of `address` (`/ip4/.../tcp/.../p2p/<id>`), if any.
pub fn peer_of(address: &Multiaddr) -> Option<PeerId> {
	address.iter().find_map(|protocol| match protocol {
		libp2p::multiaddr::Protocol::P2p(peer) => Some(peer),
		_ => None,
	})
}
