//! The libp2p side: TCP with noise and yamux, gossipsub with manual validation and no libp2p
//! message signing (messages carry the agent's signature, and one mesh node may speak for many
//! agents), identify, ping, and Kademlia seeded from the bootnodes for peer discovery.

use std::time::Duration;

use libp2p::{
	gossipsub::{self, MessageAuthenticity, ValidationMode},
	identify, identity, kad, noise, ping,
	swarm::NetworkBehaviour,
	tcp, yamux, Multiaddr, PeerId, StreamProtocol, Swarm, SwarmBuilder,
};
use prometheus_client::registry::Registry;

use crate::message::{message_id, MAX_MESSAGE_LEN};

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
}

/// The behaviours of a mesh peer.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
	/// Message propagation.
	pub gossipsub: gossipsub::Behaviour,
	/// Exchanges listen addresses and protocols with every peer.
	pub identify: identify::Behaviour,
	/// Keeps connections alive and measures round trips.
	pub ping: ping::Behaviour,
	/// Finds peers beyond the bootnodes.
	pub kademlia: kad::Behaviour<kad::store::MemoryStore>,
}

/// How a peer scores others. Invalid messages weigh heavily (-1000 each on every topic, as
/// Lotus does): a peer that forwards a rejected message soon drops below the graylist
/// threshold and is ignored.
fn peer_score() -> (gossipsub::PeerScoreParams, gossipsub::PeerScoreThresholds) {
	let params = gossipsub::PeerScoreParams {
		// Topics are added on subscription (see `topic_score`).
		topics: Default::default(),
		app_specific_weight: 1.0,
		ip_colocation_factor_threshold: 5.0,
		..Default::default()
	};
	let thresholds = gossipsub::PeerScoreThresholds {
		gossip_threshold: -500.0,
		publish_threshold: -1000.0,
		graylist_threshold: -2500.0,
		..Default::default()
	};
	(params, thresholds)
}

/// The score parameters of one topic: only invalid deliveries count, heavily.
pub fn topic_score() -> gossipsub::TopicScoreParams {
	gossipsub::TopicScoreParams {
		topic_weight: 1.0,
		// Message delivery rates vary too much between topics to score them yet.
		first_message_deliveries_weight: 0.0,
		mesh_message_deliveries_weight: 0.0,
		mesh_failure_penalty_weight: 0.0,
		invalid_message_deliveries_weight: -1000.0,
		invalid_message_deliveries_decay: 0.5,
		..Default::default()
	}
}

/// The gossipsub configuration: manual validation, content-addressed ids, bounded messages.
fn gossipsub_config() -> Result<gossipsub::Config, NetworkError> {
	gossipsub::ConfigBuilder::default()
		.validation_mode(ValidationMode::Anonymous)
		.validate_messages()
		.message_id_fn(|message| gossipsub::MessageId::new(&message_id(&message.data)))
		.max_transmit_size(MAX_MESSAGE_LEN + 1024)
		.heartbeat_interval(Duration::from_millis(700))
		.build()
		.map_err(NetworkError::GossipsubConfig)
}

/// The behaviours for `key`, with gossipsub's metrics in `registry`.
fn behaviour(key: &identity::Keypair, registry: &mut Registry) -> Result<Behaviour, NetworkError> {
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
	let mut kademlia = kad::Behaviour::with_config(
		peer_id,
		kad::store::MemoryStore::new(peer_id),
		kademlia_config,
	);
	// Answer lookups from the start: the automatic mode waits for a confirmed external address,
	// which peers on private networks (and loopback) never get.
	kademlia.set_mode(Some(kad::Mode::Server));
	Ok(Behaviour { gossipsub, identify, ping: ping::Behaviour::default(), kademlia })
}

/// A swarm for `key` on tokio, listening nowhere yet.
pub fn swarm(
	key: identity::Keypair,
	registry: &mut Registry,
) -> Result<Swarm<Behaviour>, NetworkError> {
	let behaviour = behaviour(&key, registry)?;
	let swarm = SwarmBuilder::with_existing_identity(key)
		.with_tokio()
		.with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
		.map_err(NetworkError::Transport)?
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
