//! A running mesh peer: the swarm, the validator and the signature workers in one event loop,
//! driven through a [`NodeHandle`].
//!
//! Received messages and evidence are prechecked in the loop, queued per peer and served in turn
//! ([`FairQueue`]: a full queue ignores the message rather than queueing without bound), their
//! signatures verified on a pool of blocking workers, and admitted in the loop again, so the
//! validator's state has a single owner. Accepted messages are forwarded by gossipsub and
//! delivered to local subscribers; evidence is gossiped on the group's evidence topic and
//! handed to the reporter once.

use std::{
	collections::{HashMap, VecDeque},
	sync::{mpsc as std_mpsc, Arc, Mutex},
	time::Instant,
};

use codec::Encode;
use futures::StreamExt;
use libp2p::{
	gossipsub::{self, IdentTopic, MessageAcceptance},
	identify, kad, request_response,
	swarm::SwarmEvent,
	Multiaddr, PeerId, Swarm,
};
use teo_primitives::{
	mesh::{MeshHeader, SignedMeshHeader},
	AccountId, EpochIndex, GroupId,
};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::{
	fair_queue::FairQueue,
	message::{message_id, Evidence, MeshMessage, Topic, TopicKind},
	metrics::{ChainQueueLabels, Metrics},
	network::{self, Behaviour, NetworkError},
	offenders::{self, Offenders},
	scan::{self, LatestRequest, LatestResponse},
	signatures,
	validation::{AgentStanding, ChainView, Limits, Reason, Validator, Verdict},
};

/// Why the peer did not do what a [`NodeHandle`] asked.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
	/// The event loop has stopped (the service is shutting down): nothing more will be answered.
	/// Retry only against a restarted service.
	#[error("the mesh node stopped")]
	Stopped,
	/// The peer's own validation refused a local message, as it would refuse it from anyone:
	/// an equivocation, a stale anchor, a spend beyond the budget, ... Do not retry.
	#[error("{}", refusal(.0))]
	Refused(Verdict),
	/// gossipsub could not send the message (every peer's queue is full, the message is too
	/// large, ...). The message was validated and recorded, so it cannot be sent again as it is;
	/// a new publication can, once the queues drain.
	#[error("gossip: {0}")]
	Gossip(#[source] gossipsub::PublishError),
}

impl NodeError {
	/// `true` when the same request may succeed later (the node stopped, or full queues);
	/// never for a refusal by validation.
	pub fn is_retryable(&self) -> bool {
		match self {
			// The event loop has ended: nothing this service does will start it again.
			NodeError::Stopped => false,
			NodeError::Refused(_) => false,
			NodeError::Gossip(e) => matches!(e, gossipsub::PublishError::AllQueuesFull(_)),
		}
	}
}

/// Why a peer could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeStartError {
	/// The libp2p swarm could not be built.
	#[error(transparent)]
	Network(#[from] NetworkError),
	/// A topic could not be joined.
	#[error("subscribing to {topic}: {source}")]
	Subscribe {
		/// The topic.
		topic: String,
		/// gossipsub's error.
		#[source]
		source: gossipsub::SubscriptionError,
	},
	/// A topic's score parameters were refused.
	#[error("scoring {topic}: {reason}")]
	Score {
		/// The topic.
		topic: String,
		/// gossipsub's reason.
		reason: &'static str,
	},
	/// An address could not be listened on.
	#[error("listening on {address}: {source}")]
	Listen {
		/// The address.
		address: Multiaddr,
		/// The transport's error.
		#[source]
		source: libp2p::TransportError<std::io::Error>,
	},
	/// A bootnode could not be dialed.
	#[error("dialing {address}: {source}")]
	Dial {
		/// The bootnode's address.
		address: Multiaddr,
		/// The swarm's error.
		#[source]
		source: Box<libp2p::swarm::DialError>,
	},
	/// A signature worker thread could not be started.
	#[error("starting a signature worker: {0}")]
	Worker(#[source] std::io::Error),
}

/// Peers a node connects to by itself (bootnodes and peers found by Kademlia); more may dial in.
const TARGET_PEERS: usize = 12;

/// The shortest time between two Kademlia lookups for more peers.
const LOOKUP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a message waits for its agent's standing, or for this peer's view to reach its
/// anchor, before it is ignored: within gossipsub's message cache window (a message validated
/// later can no longer be forwarded, and the window is counted in heartbeats, so it may be a
/// heartbeat shorter), less a heartbeat for the sweep and the signature queue.
const PARK_TIMEOUT: std::time::Duration =
	network::MESSAGE_CACHE_WINDOW.saturating_sub(network::HEARTBEAT.saturating_mul(2));

// A relay a whole block behind, whose follower polls its node every second, catches up in time.
const _: () = assert!(
	PARK_TIMEOUT.as_millis() >= teo_primitives::time::MILLISECS_PER_BLOCK as u128 + 1000,
	"a message anchored a block ahead must be able to wait for a block and a poll"
);

/// An agent the peer asks the chain task about: a message waits for it until `until`, and a
/// lookup the chain task reaches later helps nobody (it skips it).
#[derive(Clone, Debug)]
pub struct AgentLookup {
	/// The agent named by a message or evidence.
	pub agent: AccountId,
	/// When the message waiting for it is given up.
	pub until: Instant,
}

/// Offences found here and not yet handed to the reporter, at most: evidence gossiped back is a
/// duplicate and never reaches the reporter again, so what its queue cannot take waits here.
const MAX_UNREPORTED: usize = 4096;

/// Agents waiting to be judged again after an on-chain spend, at most: spends on chain are
/// priced admissions, a few per group and epoch, so this is never reached in practice.
const MAX_REJUDGE_DUE: usize = 1024;

/// How far ahead of this peer's finalized block a message's anchor may be and still wait for
/// the view to catch up ([`Node::wait_for_view`]): the services follow different nodes, whose
/// finality news arrives a poll apart (GRANDPA may finalize two blocks at once). Further ahead
/// is ignored at once.
const MAX_VIEW_LEAD: teo_primitives::BlockNumber = 2;

/// A view updated this recently is worth waiting for (it moves once a block, so two blocks
/// allow for a late one): a relay whose own node has stalled parks nothing, since its view will
/// not catch up within the wait.
const VIEW_FRESH_FOR: std::time::Duration =
	std::time::Duration::from_millis(2 * teo_primitives::time::MILLISECS_PER_BLOCK);

/// How often parked messages are checked against [`PARK_TIMEOUT`].
const PARK_SWEEP: std::time::Duration = std::time::Duration::from_millis(250);

/// Signature checks handed to the workers at once: enough for a batch each while the event
/// loop turns, few enough that the fair queue decides the order.
const IN_FLIGHT_PER_WORKER: usize = 2 * SIGNATURE_BATCH;

/// Signature checks a worker takes at once at most. Batch verification's gain per signature
/// levels off at a few dozen ([`signatures`]); more would only delay the first result.
const SIGNATURE_BATCH: usize = 32;

/// What local subscribers receive.
#[derive(Clone, Debug)]
pub enum Delivery {
	/// A validated agent message.
	Message {
		/// Where it was published.
		topic: Topic,
		/// The message.
		message: MeshMessage,
		/// Its gossip id (hex).
		id: String,
	},
	/// Valid evidence of fraud.
	Evidence {
		/// The evidence topic it came on (or was published to).
		topic: Topic,
		/// The evidence.
		evidence: Evidence,
	},
}

/// A connected peer.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PeerInfo {
	/// Its peer id.
	pub peer_id: String,
	/// The topics it subscribes to.
	pub topics: Vec<String>,
	/// Its gossipsub score here: below [`network::GRAYLIST_THRESHOLD`] it is ignored.
	pub score: Option<f64>,
}

/// Requests to the event loop.
pub enum Command {
	/// Whether an unsigned header of a local agent conflicts with a message seen.
	CheckUnsigned { header: MeshHeader, reply: oneshot::Sender<Result<(), Verdict>> },
	/// Past the messages of an agent in an epoch that this peer has accepted.
	HighWater {
		agent: AccountId,
		epoch: teo_primitives::EpochIndex,
		reply: oneshot::Sender<Option<(u64, teo_primitives::mesh::BudgetUnits)>>,
	},
	/// Asks up to [`scan::PEERS_ASKED`] connected peers for an agent's latest headers in an
	/// epoch; `None` when no peer is connected.
	AskLatest { agent: AccountId, epoch: EpochIndex, reply: oneshot::Sender<Option<Latest>> },
	/// The time since the chain view last moved to a newer finalized block.
	ViewAge { reply: oneshot::Sender<std::time::Duration> },
	/// The registered agents cached, to refresh at a new epoch.
	CachedAgents { reply: oneshot::Sender<Vec<AccountId>> },
	/// Publishes a message the service signed for a local agent.
	Publish {
		topic: Topic,
		message: MeshMessage,
		reply: oneshot::Sender<Result<String, NodeError>>,
	},
	/// Publishes evidence.
	PublishEvidence { evidence: Evidence },
	/// Connects to a peer.
	Dial { address: Multiaddr },
	/// The connected peers.
	Peers { reply: oneshot::Sender<Vec<PeerInfo>> },
	/// A newer finalized chain view.
	SetView { view: ChainView },
	/// What the chain says about an agent.
	SetAgent { agent: AccountId, standing: AgentStanding },
	/// Agents that spent on chain in finalized blocks up to `at`: those whose messages this
	/// peer accepted are read again, at `at` or later, since the spend may prove that spending
	/// an overspend.
	SpentOnChain { agents: Vec<AccountId>, at: teo_primitives::BlockNumber },
	/// The current chain view and an agent's standing, for the publisher.
	Standing { agent: AccountId, reply: oneshot::Sender<(ChainView, Option<AgentStanding>)> },
	/// The addresses the node listens on.
	ListenAddresses { reply: oneshot::Sender<Vec<Multiaddr>> },
}

/// Configuration of a peer.
#[derive(Clone, Debug)]
pub struct NodeConfig {
	/// Addresses to listen on.
	pub listen: Vec<Multiaddr>,
	/// Peers to connect to at start (with `/p2p/<id>`).
	pub bootnodes: Vec<Multiaddr>,
	/// The groups whose topics this peer joins.
	pub groups: Vec<GroupId>,
	/// The agents this service signs for: their standing is never evicted.
	pub local_agents: Vec<AccountId>,
	/// Blocking workers verifying signatures.
	pub signature_workers: usize,
	/// Signature checks waiting at most; beyond, messages are ignored (`busy`).
	pub max_pending_signatures: usize,
	/// Signature checks one peer may have waiting at most: a few peers flooding cannot fill
	/// the queue for the rest.
	pub max_pending_per_peer: usize,
	/// What the validator remembers at most.
	pub limits: Limits,
	/// Messages parked while their agent is looked up on chain.
	pub max_parked: usize,
	/// Whether to find peers beyond the bootnodes (Kademlia) while below the target. Off, the
	/// peer keeps only the connections it makes or accepts, and Kademlia neither fills its
	/// routing table, nor looks anything up, nor answers ([`network::fixed_swarm`]): a mesh of
	/// fixed links (the throughput harness's layers; the service always discovers).
	pub discovery: bool,
}

impl Default for NodeConfig {
	fn default() -> Self {
		Self {
			listen: vec!["/ip4/127.0.0.1/tcp/0".parse().expect("a valid address; qed")],
			bootnodes: Vec::new(),
			groups: vec![0],
			local_agents: Vec::new(),
			signature_workers: 2,
			max_pending_signatures: 4096,
			max_pending_per_peer: 512,
			limits: Limits::default(),
			max_parked: 1024,
			discovery: true,
		}
	}
}

/// The handle through which the RPC server, the chain follower and tests drive a peer.
#[derive(Clone)]
pub struct NodeHandle {
	/// This peer's id.
	pub peer_id: PeerId,
	commands: mpsc::Sender<Command>,
	deliveries: broadcast::Sender<Delivery>,
}

impl NodeHandle {
	async fn request<T>(
		&self,
		command: impl FnOnce(oneshot::Sender<T>) -> Command,
	) -> Result<T, NodeError> {
		let (reply, answer) = oneshot::channel();
		self.commands.send(command(reply)).await.map_err(|_| NodeError::Stopped)?;
		answer.await.map_err(|_| NodeError::Stopped)
	}

	/// `Ok` when an unsigned header of a local agent conflicts with no message this peer has
	/// seen; the verdict its publication would get otherwise.
	pub async fn check_unsigned(
		&self,
		header: MeshHeader,
	) -> Result<Result<(), Verdict>, NodeError> {
		self.request(|reply| Command::CheckUnsigned { header, reply }).await
	}

	/// The next sequence number and the end of the spend ranges past the messages of `agent`
	/// in `epoch` that this peer has accepted, if any.
	pub async fn high_water(
		&self,
		agent: AccountId,
		epoch: teo_primitives::EpochIndex,
	) -> Result<Option<(u64, teo_primitives::mesh::BudgetUnits)>, NodeError> {
		self.request(|reply| Command::HighWater { agent, epoch, reply }).await
	}

	/// The latest headers of `agent` in `epoch` that up to [`scan::PEERS_ASKED`] connected peers
	/// accepted (the bootnodes first, then the gossip peers), as they answered within
	/// [`scan::TIMEOUT`] (unchecked: see [`scan::high_water`]); `None` when no peer is
	/// connected.
	pub async fn ask_latest(
		&self,
		agent: AccountId,
		epoch: EpochIndex,
	) -> Result<Option<Latest>, NodeError> {
		self.request(|reply| Command::AskLatest { agent, epoch, reply }).await
	}

	/// The time since the chain view last moved to a newer finalized block.
	pub async fn view_age(&self) -> Result<std::time::Duration, NodeError> {
		self.request(|reply| Command::ViewAge { reply }).await
	}

	/// The registered agents other than the local ones that the peer caches.
	pub async fn cached_agents(&self) -> Result<Vec<AccountId>, NodeError> {
		self.request(|reply| Command::CachedAgents { reply }).await
	}

	/// Publishes a signed message; returns its gossip id (hex).
	pub async fn publish(&self, topic: Topic, message: MeshMessage) -> Result<String, NodeError> {
		self.request(|reply| Command::Publish { topic, message, reply }).await?
	}

	/// Sends a command without waiting for an answer.
	pub async fn send(&self, command: Command) -> Result<(), NodeError> {
		self.commands.send(command).await.map_err(|_| NodeError::Stopped)
	}

	/// The connected peers.
	pub async fn peers(&self) -> Result<Vec<PeerInfo>, NodeError> {
		self.request(|reply| Command::Peers { reply }).await
	}

	/// The chain view and what the peer knows about `agent`.
	pub async fn standing(
		&self,
		agent: AccountId,
	) -> Result<(ChainView, Option<AgentStanding>), NodeError> {
		self.request(|reply| Command::Standing { agent, reply }).await
	}

	/// The addresses the peer listens on (with the OS-assigned ports).
	pub async fn listen_addresses(&self) -> Result<Vec<Multiaddr>, NodeError> {
		self.request(|reply| Command::ListenAddresses { reply }).await
	}

	/// Validated messages and evidence, as they arrive.
	pub fn subscribe(&self) -> broadcast::Receiver<Delivery> {
		self.deliveries.subscribe()
	}
}

/// What a signature worker checks.
enum Signed {
	/// A message: its header's signature.
	Message(MeshMessage),
	/// Evidence: every header's signature.
	Evidence(Evidence),
}

/// Received content whose signatures a worker checks.
struct Checked {
	topic: Topic,
	content: Signed,
	id: gossipsub::MessageId,
	source: PeerId,
	received: Instant,
	valid: bool,
	/// A message anchored ahead of this peer's view, as received: once its signature is
	/// proven, it waits for the view ([`Node::wait_for_view`]).
	ahead: Option<Vec<u8>>,
}

/// What other peers answered about an agent's latest headers.
#[derive(Clone, Debug, Default)]
pub struct Latest {
	/// How many peers answered (the others failed to, in time or at all).
	pub answered: usize,
	/// Their headers, unchecked.
	pub headers: Vec<SignedMeshHeader>,
}

/// A question to other peers about an agent's latest headers, waiting for their answers.
struct Asking {
	/// Answers still to come (or to fail).
	waiting: usize,
	latest: Latest,
	reply: oneshot::Sender<Option<Latest>>,
}

/// A message waiting for its agent's standing.
struct Parked {
	topic: Topic,
	data: Vec<u8>,
	id: gossipsub::MessageId,
	source: PeerId,
	received: Instant,
}

/// Why this peer will not publish a message, in words.
fn refusal(verdict: &Verdict) -> String {
	match *verdict {
		Verdict::Reject(Reason::Equivocation) | Verdict::Ignore(Reason::Equivocation) => {
			"refused: it conflicts with a message already signed for this agent (an equivocation; \
			 the evidence is gossiped)"
				.into()
		},
		Verdict::Reject(Reason::BadSignature) | Verdict::Ignore(Reason::BadSignature) => {
			"refused: the signature is not the agent's".into()
		},
		Verdict::Reject(reason) | Verdict::Ignore(reason) => {
			format!("refused: {}", reason.as_str())
		},
		Verdict::Accept => "refused".into(),
	}
}

/// Starts `workers` threads that verify signatures, fed by a queue of `capacity` jobs; results
/// go back to the event loop through `done`.
fn spawn_signature_workers(
	workers: usize,
	capacity: usize,
	genesis: teo_primitives::Hash,
	done: mpsc::Sender<Checked>,
) -> Result<std_mpsc::SyncSender<Checked>, NodeStartError> {
	let (jobs, queue) = std_mpsc::sync_channel::<Checked>(capacity);
	let queue = Arc::new(Mutex::new(queue));
	for i in 0..workers {
		let queue = queue.clone();
		let done = done.clone();
		std::thread::Builder::new()
			.name(format!("teo-mesh-verify-{i}"))
			.spawn(move || loop {
				// Whatever is waiting, up to a batch: one check alone when the queue is short.
				let jobs = match queue.lock() {
					Ok(queue) => {
						let Ok(first) = queue.recv() else { return };
						let mut jobs = vec![first];
						while jobs.len() < SIGNATURE_BATCH {
							match queue.try_recv() {
								Ok(job) => jobs.push(job),
								Err(_) => break,
							}
						}
						jobs
					},
					Err(_) => return,
				};
				// A panic must not lose the jobs (the event loop counts the checks in flight), nor
				// fail the other peers' checks in the batch: then each is checked alone.
				let valid = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
					check_signatures(&jobs, &genesis)
				}))
				.unwrap_or_else(|_| {
					jobs.iter()
						.map(|job| {
							std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
								check_signatures(std::slice::from_ref(job), &genesis)[0]
							}))
							.unwrap_or(false)
						})
						.collect()
				});
				for (i, mut job) in jobs.into_iter().enumerate() {
					job.valid = valid.get(i).copied().unwrap_or(false);
					if done.blocking_send(job).is_err() {
						return;
					}
				}
			})
			.map_err(NodeStartError::Worker)?;
	}
	Ok(jobs)
}

/// Whether every signature of each job is valid, in order: the jobs of each sending peer
/// checked as one batch ([`signatures::verify_headers`]), so that a peer's bad signatures
/// cost only its own batch its speed.
fn check_signatures(jobs: &[Checked], genesis: &teo_primitives::Hash) -> Vec<bool> {
	let mut by_peer: HashMap<PeerId, Vec<usize>> = HashMap::new();
	for (i, job) in jobs.iter().enumerate() {
		by_peer.entry(job.source).or_default().push(i);
	}
	let mut valid = vec![true; jobs.len()];
	for indices in by_peer.into_values() {
		let mut owners = Vec::new();
		let mut headers = Vec::new();
		for &i in &indices {
			let signed: &[&SignedMeshHeader] = match &jobs[i].content {
				Signed::Message(message) => &[&message.header],
				Signed::Evidence(Evidence::Equivocation(first, second)) => &[first, second],
				Signed::Evidence(Evidence::Overspend(header)) => &[header],
			};
			owners.extend(signed.iter().map(|_| i));
			headers.extend_from_slice(signed);
		}
		for (i, ok) in owners.into_iter().zip(signatures::verify_headers(&headers, genesis)) {
			valid[i] &= ok;
		}
	}
	valid
}

/// The event loop's state.
struct Node {
	swarm: Swarm<Behaviour>,
	validator: Validator,
	metrics: Metrics,
	config: NodeConfig,
	topics: HashMap<gossipsub::TopicHash, Topic>,
	deliveries: broadcast::Sender<Delivery>,
	evidence_out: mpsc::Sender<Evidence>,
	/// Evidence waiting for room in the reporter's queue, each offence once.
	unreported: VecDeque<Evidence>,
	/// Agents to judge again after an on-chain spend, with the spend's block: asked about at
	/// every view until read there ([`Command::SpentOnChain`]).
	rejudge_due: HashMap<AccountId, teo_primitives::BlockNumber>,
	agent_lookups: mpsc::Sender<AgentLookup>,
	/// Checks waiting for a signature worker, per peer.
	waiting: FairQueue<PeerId, Checked>,
	/// Jobs for the signature workers, at most `max_in_flight` at a time.
	signatures: std_mpsc::SyncSender<Checked>,
	in_flight: usize,
	max_in_flight: usize,
	parked: HashMap<AccountId, VecDeque<Parked>>,
	/// Messages anchored ahead of this peer's view, their signatures proven, with why they
	/// wait: checked again at every new view, until `PARK_TIMEOUT`. At most a quarter of the
	/// parking space, so that an agent's own messages anchored ahead cannot crowd out the
	/// messages waiting for a lookup.
	ahead: VecDeque<(Reason, Parked)>,
	/// Messages in `parked` and `ahead`.
	parked_count: usize,
	/// Parked messages by the peer that sent them: one peer may fill a quarter of the space.
	parked_by: HashMap<PeerId, usize>,
	/// Peers counted for their rejected messages, and banned.
	offenders: Offenders,
	last_lookup: Option<Instant>,
	/// When the chain view last moved to a newer finalized block.
	view_updated: Instant,
	/// Questions about agents' latest headers, by number, and the requests that carry them.
	asking: HashMap<u64, Asking>,
	asked: HashMap<request_response::OutboundRequestId, u64>,
	next_question: u64,
}

/// Starts a peer on the current tokio runtime. Evidence to report on chain goes to
/// `evidence_out`; agents to look up on chain go to `agent_lookups`.
pub fn start(
	key: libp2p::identity::Keypair,
	config: NodeConfig,
	view: ChainView,
	metrics: Metrics,
	registry: &mut prometheus_client::registry::Registry,
	evidence_out: mpsc::Sender<Evidence>,
	agent_lookups: mpsc::Sender<AgentLookup>,
) -> Result<NodeHandle, NodeStartError> {
	let mut swarm = if config.discovery {
		network::swarm(key, registry)?
	} else {
		network::fixed_swarm(key, registry)?
	};
	let peer_id = *swarm.local_peer_id();
	let mut topics = HashMap::new();
	for group in &config.groups {
		for kind in TopicKind::ALL {
			let topic = Topic { group: *group, kind };
			let ident = IdentTopic::new(topic.name(&view.genesis));
			swarm
				.behaviour_mut()
				.gossipsub
				.subscribe(&ident)
				.map_err(|source| NodeStartError::Subscribe { topic: ident.to_string(), source })?;
			swarm
				.behaviour_mut()
				.gossipsub
				.set_topic_params(ident.clone(), network::topic_score())
				.map_err(|reason| NodeStartError::Score { topic: ident.to_string(), reason })?;
			topics.insert(ident.hash(), topic);
		}
	}
	for address in &config.listen {
		swarm
			.listen_on(address.clone())
			.map_err(|source| NodeStartError::Listen { address: address.clone(), source })?;
	}
	for address in &config.bootnodes {
		if let Some(peer) = network::peer_of(address).filter(|_| config.discovery) {
			swarm.behaviour_mut().kademlia.add_address(&peer, address.clone());
		}
		swarm.dial(address.clone()).map_err(|source| NodeStartError::Dial {
			address: address.clone(),
			source: Box::new(source),
		})?;
	}
	let (commands_tx, commands) = mpsc::channel(1024);
	let (deliveries, _) = broadcast::channel(4096);
	let workers = config.signature_workers.max(1);
	let max_in_flight = workers * IN_FLIGHT_PER_WORKER;
	let (checked_tx, checked) = mpsc::channel(max_in_flight);
	let signatures = spawn_signature_workers(workers, max_in_flight, view.genesis, checked_tx)?;
	let mut validator = Validator::new(view, config.limits);
	for agent in &config.local_agents {
		validator.pin(agent.clone());
	}
	let node = Node {
		swarm,
		validator,
		metrics,
		waiting: FairQueue::new(config.max_pending_per_peer, config.max_pending_signatures),
		signatures,
		in_flight: 0,
		max_in_flight,
		config,
		topics,
		deliveries: deliveries.clone(),
		evidence_out,
		unreported: VecDeque::new(),
		rejudge_due: HashMap::new(),
		agent_lookups,
		parked: HashMap::new(),
		ahead: VecDeque::new(),
		parked_count: 0,
		parked_by: HashMap::new(),
		offenders: Offenders::default(),
		last_lookup: None,
		view_updated: Instant::now(),
		asking: HashMap::new(),
		asked: HashMap::new(),
		next_question: 0,
	};
	tokio::spawn(node.run(commands, checked));
	Ok(NodeHandle { peer_id, commands: commands_tx, deliveries })
}

impl Node {
	async fn run(
		mut self,
		mut commands: mpsc::Receiver<Command>,
		mut checked: mpsc::Receiver<Checked>,
	) {
		let mut sweep = tokio::time::interval(PARK_SWEEP);
		sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			tokio::select! {
				event = self.swarm.select_next_some() => self.on_swarm_event(event),
				Some(done) = checked.recv() => {
					self.in_flight -= 1;
					self.on_checked(done);
				},
				_ = sweep.tick() => {
					self.expire_parked();
					self.end_bans();
					self.hand_over_evidence();
					self.metrics.observe_state(self.validator.state_size(), self.parked_count, self.waiting.len());
					self.metrics.chain_view_age_seconds.set(self.view_updated.elapsed().as_secs() as i64);
				},
				command = commands.recv() => match command {
					Some(command) => self.on_command(command),
					// Every handle is gone: stop.
					None => return,
				},
			}
			self.dispatch();
		}
	}

	/// Queues a signature check behind the peer's earlier ones, or ignores it (or, when the
	/// queue is full, the newest check of the peer with the most waiting) as `busy`.
	fn enqueue(&mut self, job: Checked) {
		let busy = match self.waiting.push(job.source, job) {
			Ok(None) => return,
			Ok(Some(evicted)) => evicted,
			Err(refused) => refused,
		};
		self.report(&busy.id, &busy.source, Verdict::Ignore(Reason::Busy), busy.received);
	}

	/// Hands queued checks to the workers, peers in turn, up to `max_in_flight`.
	fn dispatch(&mut self) {
		while self.in_flight < self.max_in_flight {
			let Some(job) = self.waiting.pop() else { return };
			match self.signatures.try_send(job) {
				Ok(()) => self.in_flight += 1,
				// The workers are gone (a thread panicked): nothing will check it.
				Err(
					std_mpsc::TrySendError::Full(job) | std_mpsc::TrySendError::Disconnected(job),
				) => {
					self.report(&job.id, &job.source, Verdict::Ignore(Reason::Busy), job.received);
				},
			}
		}
	}

	fn on_swarm_event(&mut self, event: SwarmEvent<network::BehaviourEvent>) {
		match event {
			SwarmEvent::Behaviour(network::BehaviourEvent::Gossipsub(
				gossipsub::Event::Message { propagation_source, message_id, message },
			)) => self.on_message(propagation_source, message_id, message),
			SwarmEvent::Behaviour(network::BehaviourEvent::Identify(
				identify::Event::Received { peer_id, info, .. },
			)) if self.config.discovery => {
				for address in info.listen_addrs {
					self.swarm.behaviour_mut().kademlia.add_address(&peer_id, address);
				}
				// Look for more peers while below the target, at most every ten seconds.
				let wants_peers = self.swarm.connected_peers().count() < TARGET_PEERS;
				if wants_peers && self.last_lookup.is_none_or(|at| at.elapsed() > LOOKUP_INTERVAL) {
					self.last_lookup = Some(Instant::now());
					let _ = self.swarm.behaviour_mut().kademlia.bootstrap();
				}
			},
			SwarmEvent::IncomingConnectionError {
				error: libp2p::swarm::ListenError::Denied { cause },
				..
			} if cause.downcast_ref::<libp2p::allow_block_list::Blocked>().is_some() => {
				self.metrics.banned_connections_refused.inc();
			},
			SwarmEvent::ConnectionEstablished { .. } | SwarmEvent::ConnectionClosed { .. } => {
				self.metrics.peers.set(self.swarm.connected_peers().count() as i64);
			},
			SwarmEvent::Behaviour(network::BehaviourEvent::Kademlia(
				kad::Event::RoutingUpdated { peer, addresses, .. },
			)) if self.config.discovery
				&& !self.swarm.is_connected(&peer)
				&& self.swarm.connected_peers().count() < TARGET_PEERS =>
			{
				tracing::debug!(%peer, "dialing a peer found by Kademlia");
				let options = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
					.addresses(addresses.into_vec())
					.build();
				let _ = self.swarm.dial(options);
			},
			SwarmEvent::Behaviour(network::BehaviourEvent::Scan(event)) => self.on_scan(event),
			SwarmEvent::NewListenAddr { address, .. } => tracing::info!(%address, "listening"),
			_ => {},
		}
	}

	/// Asks connected peers for an agent's latest headers (see [`Command::AskLatest`]).
	fn ask_latest(
		&mut self,
		agent: AccountId,
		epoch: EpochIndex,
		reply: oneshot::Sender<Option<Latest>>,
	) {
		// The peers most likely to be honest and to have seen the agent first: the operator's
		// bootnodes, then the peers in the gossip mesh (scored), then any other, so that
		// strangers who merely connected cannot take every place.
		let bootnodes = self.config.bootnodes.iter().filter_map(network::peer_of);
		let gossip: Vec<PeerId> =
			self.swarm.behaviour().gossipsub.all_peers().map(|(peer, _)| *peer).collect();
		let mut peers: Vec<PeerId> = Vec::new();
		for peer in bootnodes.chain(gossip).chain(self.swarm.connected_peers().copied()) {
			if peers.len() < scan::PEERS_ASKED
				&& self.swarm.is_connected(&peer)
				&& !peers.contains(&peer)
			{
				peers.push(peer);
			}
		}
		if peers.is_empty() {
			let _ = reply.send(None);
			return;
		}
		let question = self.next_question;
		self.next_question += 1;
		for peer in &peers {
			let request = LatestRequest { agent: agent.clone(), epoch };
			let id = self.swarm.behaviour_mut().scan.send_request(peer, request);
			self.asked.insert(id, question);
		}
		let latest = Latest::default();
		self.asking.insert(question, Asking { waiting: peers.len(), latest, reply });
	}

	/// Answers other peers' questions from the validator's logs, and collects the answers to
	/// this peer's own.
	fn on_scan(&mut self, event: request_response::Event<LatestRequest, LatestResponse>) {
		let (id, answer) = match event {
			request_response::Event::Message { message, .. } => match message {
				request_response::Message::Request { request, channel, .. } => {
					let headers = self.validator.latest(&request.agent, request.epoch);
					// An error means the asker is gone: nothing to do.
					let _ = self
						.swarm
						.behaviour_mut()
						.scan
						.send_response(channel, LatestResponse { headers });
					return;
				},
				request_response::Message::Response { request_id, response } => {
					(request_id, Some(response.headers))
				},
			},
			// No answer (a timeout, a peer without the protocol, a closed connection): one
			// answer less to wait for.
			request_response::Event::OutboundFailure { request_id, error, peer, .. } => {
				tracing::debug!(%peer, %error, "a peer did not answer for an agent's latest messages");
				(request_id, None)
			},
			request_response::Event::InboundFailure { .. }
			| request_response::Event::ResponseSent { .. } => return,
		};
		let Some(question) = self.asked.remove(&id) else { return };
		let Some(asking) = self.asking.get_mut(&question) else { return };
		if let Some(headers) = answer {
			asking.latest.answered += 1;
			asking.latest.headers.extend(headers);
		}
		asking.waiting -= 1;
		if asking.waiting == 0 {
			if let Some(done) = self.asking.remove(&question) {
				let _ = done.reply.send(Some(done.latest));
			}
		}
	}

	fn report(
		&mut self,
		id: &gossipsub::MessageId,
		source: &PeerId,
		verdict: Verdict,
		received: Instant,
	) {
		let acceptance = match verdict {
			Verdict::Accept => MessageAcceptance::Accept,
			Verdict::Reject(_) => MessageAcceptance::Reject,
			Verdict::Ignore(_) => MessageAcceptance::Ignore,
		};
		self.swarm
			.behaviour_mut()
			.gossipsub
			.report_message_validation_result(id, source, acceptance);
		self.metrics.count(verdict);
		self.metrics.validation_seconds.observe(received.elapsed().as_secs_f64());
		if let Verdict::Reject(reason) = verdict {
			if reason.bans_the_relayer() {
				let (banned, let_back) = self.offenders.rejected(*source, Instant::now());
				if banned {
					self.ban(*source);
				}
				if let Some(peer) = let_back {
					self.let_back(peer);
				}
			}
		}
		if !matches!(verdict, Verdict::Accept) {
			tracing::debug!(%source, ?verdict, "message not accepted");
		}
	}

	fn on_message(
		&mut self,
		source: PeerId,
		id: gossipsub::MessageId,
		message: gossipsub::Message,
	) {
		let received = Instant::now();
		let Some(topic) = self.topics.get(&message.topic).copied() else {
			return self.report(&id, &source, Verdict::Reject(Reason::WrongTopic), received);
		};
		let parked = Parked { topic, data: message.data, id, source, received };
		match topic.kind {
			TopicKind::Evidence => self.check_evidence(parked),
			TopicKind::Message(_) => self.precheck(parked),
		}
	}

	/// Prechecks gossiped evidence, then queues its signatures for a worker, parks it while its
	/// agent is looked up, or reports the verdict.
	fn check_evidence(&mut self, parked: Parked) {
		let Parked { topic, data, id, source, received } = parked;
		match self.validator.precheck_evidence(topic, &data) {
			Ok(evidence) => {
				let content = Signed::Evidence(evidence);
				self.enqueue(Checked { topic, content, id, source, received, valid: false, ahead: None });
			},
			Err(Verdict::Ignore(Reason::UnknownAgent)) if self.may_park(&source) => {
				// Decoded once already by the precheck.
				match crate::message::decode_bounded::<Evidence>(&data) {
					Ok(evidence) => {
						let agent = evidence.offence().0;
						self.park(agent, Parked { topic, data, id, source, received });
					},
					Err(_) => {
						self.report(&id, &source, Verdict::Reject(Reason::Malformed), received)
					},
				}
			},
			Err(verdict) => self.report(&id, &source, verdict, received),
		}
	}

	/// `true` when `source` may park one more message: the space is not full, and the peer
	/// holds less than its share of it.
	fn may_park(&self, source: &PeerId) -> bool {
		let share = (self.config.max_parked / 4).max(1);
		self.parked_count < self.config.max_parked
			&& self.parked_by.get(source).copied().unwrap_or(0) < share
	}

	/// Holds a message or evidence until the chain reports its agent (or `PARK_TIMEOUT`). When
	/// the chain task has more lookups queued than it can take, the message is ignored at once
	/// rather than parked for a lookup that was never asked for.
	fn park(&mut self, agent: AccountId, parked: Parked) {
		if !self.parked.contains_key(&agent) {
			let lookup =
				AgentLookup { agent: agent.clone(), until: parked.received + PARK_TIMEOUT };
			if let Err(full) = self.agent_lookups.try_send(lookup) {
				if matches!(full, mpsc::error::TrySendError::Full(_)) {
					self.metrics
						.chain_queue_full
						.get_or_create(&ChainQueueLabels { queue: "agent_lookup" })
						.inc();
				}
				let verdict = Verdict::Ignore(Reason::UnknownAgent);
				return self.report(&parked.id, &parked.source, verdict, parked.received);
			}
		}
		*self.parked_by.entry(parked.source).or_default() += 1;
		self.parked.entry(agent).or_default().push_back(parked);
		self.parked_count += 1;
	}

	/// Counts a message out of the parking space.
	fn unpark(&mut self, source: &PeerId) {
		self.parked_count -= 1;
		if let Some(count) = self.parked_by.get_mut(source) {
			*count -= 1;
			if *count == 0 {
				self.parked_by.remove(source);
			}
		}
	}

	/// Prechecks a message, then sends it to a signature worker, parks it while its agent is
	/// looked up, or reports the verdict.
	fn precheck(&mut self, parked: Parked) {
		let Parked { topic, data, id, source, received } = parked;
		match self.validator.precheck(topic, &data) {
			Ok(message) => {
				let content = Signed::Message(message);
				self.enqueue(Checked { topic, content, id, source, received, valid: false, ahead: None });
			},
			// Unknown here, or known from a reading before the current epoch began (this peer's
			// refresh of the agent has not come yet): it waits for the agent's standing.
			Err(Verdict::Ignore(reason @ (Reason::UnknownAgent | Reason::NoBudget)))
				if self.may_park(&source) =>
			{
				let Some(header) = crate::message::decode_bounded::<MeshMessage>(&data)
					.ok()
					.map(|m| m.header.header)
				else {
					return self.report(&id, &source, Verdict::Reject(Reason::Malformed), received);
				};
				if reason == Reason::NoBudget && !self.reading_fixes_budget(&header) {
					return self.report(&id, &source, Verdict::Ignore(reason), received);
				}
				self.park(header.agent, Parked { topic, data, id, source, received });
			},
			// A sender whose view is ahead of this peer's: lost if ignored now (gossipsub offers a
			// message once), so it waits for the view, once its signature is proven (a forged
			// header is rejected at once instead of holding room).
			Err(Verdict::Ignore(Reason::AnchorAhead)) => match self.may_wait_for_view(&data) {
				Ok(message) if self.may_park(&source) => {
					let content = Signed::Message(message);
					let ahead = Some(data);
					self.enqueue(Checked { topic, content, id, source, received, valid: false, ahead });
				},
				Ok(_) => self.report(&id, &source, Verdict::Ignore(Reason::AnchorAhead), received),
				Err(verdict) => self.report(&id, &source, verdict, received),
			},
			Err(verdict) => self.report(&id, &source, verdict, received),
		}
	}

	/// Whether reading the message's agent again would give it a fixed allowance for the
	/// message's epoch: the current one, read before it began. A reading cannot fix a past
	/// epoch this peer never read the agent in (the chain keeps only a spent one), so a header
	/// of the epoch before, forged or not, must not cost a lookup.
	fn reading_fixes_budget(&self, header: &teo_primitives::mesh::MeshHeader) -> bool {
		let view = self.validator.view();
		header.epoch == view.epoch
			&& self.validator.agent(&header.agent).is_some_and(|standing| {
				standing.read_at < view.finalized_number
					&& standing.budgets.get(&header.epoch).is_some_and(|b| !b.fixed)
			})
	}

	/// The message anchored ahead, if it may wait for this peer's view: anchored at most
	/// [`MAX_VIEW_LEAD`] blocks past it, the view moving (a stalled one will not catch up), and
	/// room among the messages that wait for a view (a quarter of the parking space); else
	/// the verdict. What the bytes alone prove wrong (a body that is not the header's) is
	/// rejected now, as it would be once the view caught up.
	fn may_wait_for_view(&self, data: &[u8]) -> Result<MeshMessage, Verdict> {
		let ignore = Verdict::Ignore(Reason::AnchorAhead);
		let finalized = self.validator.view().finalized_number;
		let room = self.ahead.len() < (self.config.max_parked / 4).max(1);
		if !room || self.view_updated.elapsed() >= VIEW_FRESH_FOR {
			return Err(ignore);
		}
		// Decoded and its length checked by the precheck that found it ahead.
		let message = crate::message::decode_bounded::<MeshMessage>(data).map_err(|_| ignore)?;
		if message.header.header.anchor_number > finalized.saturating_add(MAX_VIEW_LEAD) {
			return Err(ignore);
		}
		if crate::message::body_hash(&message.body) != message.header.header.body_hash {
			return Err(Verdict::Reject(Reason::BodyHash));
		}
		Ok(message)
	}

	/// A message anchored ahead whose signature is proven: admitted if the view caught up
	/// meanwhile, else held until it does (or `PARK_TIMEOUT`), room and the sender's share
	/// allowing.
	fn wait_for_view(&mut self, message: MeshMessage, parked: Parked) {
		match self.validator.precheck(parked.topic, &parked.data) {
			Err(Verdict::Ignore(Reason::AnchorAhead))
				if self.may_wait_for_view(&parked.data).is_ok()
					&& self.may_park(&parked.source) =>
			{
				*self.parked_by.entry(parked.source).or_default() += 1;
				self.ahead.push_back((Reason::AnchorAhead, parked));
				self.parked_count += 1;
			},
			Ok(_) => {
				let Parked { topic, id, source, received, .. } = parked;
				self.admit_signed(topic, message, id, source, received);
			},
			// No room to wait, or its agent to look up first, or a verdict.
			Err(_) => self.precheck(parked),
		}
	}

	/// Checks the messages that waited for a newer view again: those still ahead wait on, those
	/// the view reached are admitted (their signatures were proven before they waited), and
	/// the rest go through the prechecks again (an agent to look up, or a verdict).
	fn recheck_ahead(&mut self) {
		for (reason, parked) in std::mem::take(&mut self.ahead) {
			match self.validator.precheck(parked.topic, &parked.data) {
				Err(Verdict::Ignore(Reason::AnchorAhead)) => self.ahead.push_back((reason, parked)),
				Ok(message) => {
					self.unpark(&parked.source);
					let Parked { topic, id, source, received, .. } = parked;
					self.admit_signed(topic, message, id, source, received);
				},
				Err(_) => {
					self.unpark(&parked.source);
					self.precheck(parked);
				},
			}
		}
	}

	/// Admits a message whose signature is proven: reports the verdict, delivers it locally if
	/// accepted, and takes up the evidence it revealed.
	fn admit_signed(
		&mut self,
		topic: Topic,
		message: MeshMessage,
		id: gossipsub::MessageId,
		source: PeerId,
		received: Instant,
	) {
		let admission = self.validator.admit(&message.header);
		self.report(&id, &source, admission.verdict, received);
		if admission.verdict == Verdict::Accept {
			let id = hex::encode(id.0);
			let _ = self.deliveries.send(Delivery::Message { topic, message, id });
		}
		if let Some(evidence) = admission.evidence {
			self.on_evidence(evidence, true);
		}
	}

	fn on_checked(&mut self, done: Checked) {
		let Checked { topic, content, id, source, received, valid, ahead } = done;
		match content {
			Signed::Message(_) if !valid => {
				self.report(&id, &source, Verdict::Reject(Reason::BadSignature), received);
			},
			Signed::Evidence(_) if !valid => {
				self.report(&id, &source, Verdict::Reject(Reason::InvalidEvidence), received);
			},
			Signed::Message(message) => match ahead {
				Some(data) => {
					self.wait_for_view(message, Parked { topic, data, id, source, received })
				},
				None => self.admit_signed(topic, message, id, source, received),
			},
			Signed::Evidence(evidence) => {
				let admission = self.validator.accept_evidence(evidence);
				self.report(&id, &source, admission.verdict, received);
				if let Some(evidence) = admission.evidence {
					self.on_evidence(evidence, false);
				}
			},
		}
	}

	/// Hands new evidence to the reporter and local subscribers; gossips it if found here.
	fn on_evidence(&mut self, evidence: Evidence, found_here: bool) {
		let topic = Topic { group: evidence.group(), kind: TopicKind::Evidence };
		self.metrics.evidence_found.inc();
		tracing::warn!(offence = ?evidence.offence(), "fraud detected");
		if found_here {
			let ident = IdentTopic::new(topic.name(&self.validator.view().genesis));
			if let Err(e) = self.swarm.behaviour_mut().gossipsub.publish(ident, evidence.encode()) {
				tracing::debug!("gossiping evidence: {e}");
			}
		}
		let offence = evidence.offence();
		if self.unreported.iter().any(|waiting| waiting.offence() == offence) {
			// Reported once is enough.
		} else if self.unreported.len() < MAX_UNREPORTED {
			self.unreported.push_back(evidence.clone());
			self.hand_over_evidence();
		} else {
			// Gossiped all the same: every peer that reports fraud can report this one.
			tracing::warn!(?offence, "the fraud reporter is far behind; not reported from here");
			let full = ChainQueueLabels { queue: "evidence_report" };
			self.metrics.chain_queue_full.get_or_create(&full).inc();
		}
		let _ = self.deliveries.send(Delivery::Evidence { topic, evidence });
	}

	fn on_command(&mut self, command: Command) {
		match command {
			Command::CheckUnsigned { header, reply } => {
				let _ = reply.send(self.validator.check_unsigned(&header));
			},
			Command::HighWater { agent, epoch, reply } => {
				let _ = reply.send(self.validator.high_water(&agent, epoch));
			},
			Command::AskLatest { agent, epoch, reply } => self.ask_latest(agent, epoch, reply),
			Command::ViewAge { reply } => {
				let _ = reply.send(self.view_updated.elapsed());
			},
			Command::CachedAgents { reply } => {
				let _ = reply.send(self.validator.cached_agents());
			},
			Command::Publish { topic, message, reply } => {
				let _ = reply.send(self.publish(topic, message));
			},
			Command::PublishEvidence { evidence } => {
				let topic = Topic { group: evidence.group(), kind: TopicKind::Evidence };
				let ident = IdentTopic::new(topic.name(&self.validator.view().genesis));
				if let Err(e) =
					self.swarm.behaviour_mut().gossipsub.publish(ident, evidence.encode())
				{
					tracing::debug!("gossiping evidence: {e}");
				}
			},
			Command::Dial { address } => {
				if let Err(e) = self.swarm.dial(address.clone()) {
					tracing::warn!(%address, "dial failed: {e}");
				}
			},
			Command::Peers { reply } => {
				let gossipsub = &self.swarm.behaviour().gossipsub;
				let mut peers: HashMap<PeerId, Vec<String>> =
					self.swarm.connected_peers().map(|peer| (*peer, Vec::new())).collect();
				for (peer, topics) in gossipsub.all_peers() {
					if let Some(entry) = peers.get_mut(peer) {
						entry.extend(topics.iter().map(|t| t.to_string()));
					}
				}
				let _ = reply.send(
					peers
						.into_iter()
						.map(|(peer, topics)| PeerInfo {
							peer_id: peer.to_string(),
							topics,
							score: gossipsub.peer_score(&peer),
						})
						.collect(),
				);
			},
			Command::SetView { view } => {
				if view.finalized_number > self.validator.view().finalized_number {
					self.view_updated = Instant::now();
				}
				self.metrics.finalized_number.set(i64::from(view.finalized_number));
				self.validator.set_view(view);
				self.recheck_ahead();
				self.ask_rejudge();
			},
			Command::SetAgent { agent, standing } => {
				let read_at = standing.read_at;
				if self.validator.record_lookup(agent.clone(), standing) {
					for evidence in self.validator.rejudge(&agent) {
						self.metrics.evidence_rejudged.inc();
						self.on_evidence(evidence, true);
					}
					if self.rejudge_due.get(&agent).is_some_and(|due| read_at >= *due) {
						self.rejudge_due.remove(&agent);
					}
				} else {
					tracing::debug!(%agent, "a lookup read at an older block finished last: kept the newer");
				}
				for parked in self.parked.remove(&agent).unwrap_or_default() {
					self.unpark(&parked.source);
					match parked.topic.kind {
						TopicKind::Evidence => self.check_evidence(parked),
						TopicKind::Message(_) => self.precheck(parked),
					}
				}
			},
			Command::SpentOnChain { agents, at } => {
				for agent in agents.into_iter().filter(|a| self.validator.has_open_log(a)) {
					let known = self.rejudge_due.contains_key(&agent);
					if !known && self.rejudge_due.len() >= MAX_REJUDGE_DUE {
						tracing::warn!(%agent, "too many agents to judge again; left to the epoch's refresh");
						continue;
					}
					let due = self.rejudge_due.entry(agent).or_default();
					*due = (*due).max(at);
				}
				self.ask_rejudge();
			},
			Command::Standing { agent, reply } => {
				let _ = reply
					.send((self.validator.view().clone(), self.validator.agent(&agent).cloned()));
			},
			Command::ListenAddresses { reply } => {
				let _ = reply.send(self.swarm.listeners().cloned().collect());
			},
		}
	}

	/// Bans `peer` (see [`crate::offenders`]): its connections close now, and none opens
	/// until the ban ends.
	fn ban(&mut self, peer: PeerId) {
		tracing::info!(%peer, until = ?offenders::BAN, "banning a peer that relayed rejected messages");
		let behaviour = self.swarm.behaviour_mut();
		behaviour.blocked.block_peer(peer);
		behaviour.kademlia.remove_peer(&peer);
		self.metrics.peers_banned.inc();
	}

	/// Asks the chain again about every agent still to be judged again after an on-chain
	/// spend: at every new view until a standing read at or after the spend's block is
	/// recorded (a lookup may be skipped or dropped when the lookup queue is full), or the
	/// agent has nothing left to judge.
	fn ask_rejudge(&mut self) {
		let validator = &self.validator;
		self.rejudge_due.retain(|agent, due| {
			validator.has_open_log(agent)
				&& validator.agent(agent).is_none_or(|standing| standing.read_at < *due)
		});
		let until = Instant::now() + PARK_TIMEOUT;
		for agent in self.rejudge_due.keys() {
			let lookup = AgentLookup { agent: agent.clone(), until };
			if self.agent_lookups.try_send(lookup).is_err() {
				let full = ChainQueueLabels { queue: "agent_lookup" };
				self.metrics.chain_queue_full.get_or_create(&full).inc();
				return;
			}
		}
	}

	/// Hands waiting evidence to the reporter, as much as its queue takes.
	fn hand_over_evidence(&mut self) {
		while let Some(evidence) = self.unreported.pop_front() {
			match self.evidence_out.try_send(evidence) {
				Ok(()) => {},
				Err(mpsc::error::TrySendError::Full(evidence)) => {
					self.unreported.push_front(evidence);
					return;
				},
				// No reporter: nothing will take it.
				Err(mpsc::error::TrySendError::Closed(_)) => self.unreported.clear(),
			}
		}
	}

	/// Lets in the peers whose ban has ended.
	fn end_bans(&mut self) {
		for peer in self.offenders.expire(Instant::now()) {
			self.let_back(peer);
		}
		self.metrics.banned_peers.set(self.offenders.banned() as i64);
	}

	/// Ends `peer`'s ban (its time is up, or it made room in a full table), and dials it again
	/// if it is a bootnode: nothing else would (with discovery off, a bootnode is the only way
	/// to a peer).
	fn let_back(&mut self, peer: PeerId) {
		self.swarm.behaviour_mut().blocked.unblock_peer(peer);
		let bootnodes: Vec<Multiaddr> = self
			.config
			.bootnodes
			.iter()
			.filter(|address| network::peer_of(address) == Some(peer))
			.cloned()
			.collect();
		for address in bootnodes {
			if self.config.discovery {
				self.swarm.behaviour_mut().kademlia.add_address(&peer, address.clone());
			}
			if let Err(e) = self.swarm.dial(address.clone()) {
				tracing::warn!(%address, "dialing a bootnode after its ban: {e}");
			}
		}
	}

	/// Gives up on messages whose agent the chain has not reported, or whose view this peer has
	/// not reached, within `PARK_TIMEOUT`.
	fn expire_parked(&mut self) {
		let mut expired = Vec::new();
		// Agents whose first message expired but not all: their lookup carried that message's
		// deadline, so the chain task may skip it; the next message asks again.
		let mut ask_again = Vec::new();
		self.parked.retain(|agent, queue| {
			let before = queue.len();
			queue.retain(|parked| {
				let keep = parked.received.elapsed() < PARK_TIMEOUT;
				if !keep {
					expired.push((parked.id.clone(), parked.source, parked.received));
				}
				keep
			});
			if let Some(next) = queue.front().filter(|_| queue.len() < before) {
				ask_again.push(AgentLookup {
					agent: agent.clone(),
					until: next.received + PARK_TIMEOUT,
				});
			}
			!queue.is_empty()
		});
		for lookup in ask_again {
			if self.agent_lookups.try_send(lookup).is_err() {
				let full = ChainQueueLabels { queue: "agent_lookup" };
				self.metrics.chain_queue_full.get_or_create(&full).inc();
			}
		}
		for (id, source, received) in expired {
			self.unpark(&source);
			self.report(&id, &source, Verdict::Ignore(Reason::UnknownAgent), received);
		}
		// Not always in arrival order (a message back from a lookup may join it late).
		let (expired, waiting): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut self.ahead)
			.into_iter()
			.partition(|(_, parked)| parked.received.elapsed() >= PARK_TIMEOUT);
		self.ahead = waiting;
		for (reason, parked) in expired {
			self.unpark(&parked.source);
			self.report(&parked.id, &parked.source, Verdict::Ignore(reason), parked.received);
		}
	}

	/// Validates a local message like any other (so a bug in the publisher cannot make this
	/// peer relay fraud), records it, delivers it locally and gossips it. A refused message was
	/// never published: it is dropped without evidence, since evidence made of it would convict
	/// the agent of something nobody saw (the conflict check before signing should have caught
	/// it; see [`NodeHandle::check_unsigned`]).
	fn publish(&mut self, topic: Topic, message: MeshMessage) -> Result<String, NodeError> {
		let data = message.encode();
		let checked = self.validator.precheck(topic, &data).map_err(NodeError::Refused)?;
		if !checked.header.verify(&self.validator.view().genesis) {
			return Err(NodeError::Refused(Verdict::Reject(Reason::BadSignature)));
		}
		self.validator.check_unsigned(&checked.header.header).map_err(NodeError::Refused)?;
		let admission = self.validator.admit(&checked.header);
		if admission.verdict != Verdict::Accept {
			// Within the budget and free of conflicts (checked above): a full log.
			return Err(NodeError::Refused(admission.verdict));
		}
		let id = hex::encode(message_id(&data));
		let ident = IdentTopic::new(topic.name(&self.validator.view().genesis));
		match self.swarm.behaviour_mut().gossipsub.publish(ident, data) {
			Ok(_) | Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {},
			Err(e) => return Err(NodeError::Gossip(e)),
		}
		let _ = self.deliveries.send(Delivery::Message { topic, message, id: id.clone() });
		Ok(id)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::message::sign;
	use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
	use teo_primitives::Hash;

	fn header(agent: &sr25519::Pair, seq: u64, genesis: &Hash) -> SignedMeshHeader {
		sign(agent, signatures::tests::header(agent.public().into(), seq), genesis)
	}

	fn job(content: Signed, source: PeerId) -> Checked {
		Checked {
			topic: Topic { group: 0, kind: TopicKind::Evidence },
			content,
			id: gossipsub::MessageId::new(b"id"),
			source,
			received: Instant::now(),
			valid: false,
			ahead: None,
		}
	}

	#[test]
	fn evidence_is_valid_only_when_both_its_signatures_are_and_peers_are_judged_apart() {
		let genesis = Hash::repeat_byte(7);
		let alice = sr25519::Pair::from_string("//Alice", None).unwrap();
		let (honest, liar) = (PeerId::random(), PeerId::random());
		let first = header(&alice, 0, &genesis);
		let mut forged = header(&alice, 0, &genesis);
		forged.header.spent_before = 5;
		let message = |seq| {
			Signed::Message(MeshMessage { header: header(&alice, seq, &genesis), body: Vec::new() })
		};
		let jobs = vec![
			job(message(1), honest),
			job(Signed::Evidence(Evidence::Equivocation(first.clone(), forged)), liar),
			job(Signed::Evidence(Evidence::Overspend(first.clone())), liar),
			job(message(2), liar),
			job(
				Signed::Evidence(Evidence::Equivocation(first, header(&alice, 3, &genesis))),
				honest,
			),
		];
		// The liar's forged header fails its batch: its other jobs are checked one by one and
		// pass, and the honest peer's batch is not touched.
		assert_eq!(check_signatures(&jobs, &genesis), vec![true, false, true, true, true]);
	}
}
