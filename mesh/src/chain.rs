//! The mesh's view of the chain, through a node's JSON-RPC (`teo-client`): it follows finalized
//! blocks, reads epochs, prices and agents' budgets through the runtime APIs, feeds them to the
//! peer, and submits extrinsics.
//!
//! It can build exactly two kinds of extrinsic, the variants of [`Submission`]: a pull request
//! to the commit gate for one of its agents, and a fraud report. No other call is constructed
//! anywhere in the mesh.

use std::{
	collections::{HashSet, VecDeque},
	sync::Arc,
	time::{Duration, Instant},
};

use codec::Decode;
use futures::{stream::FuturesUnordered, StreamExt};
use pallet_action_budget::{runtime_api::AgentBudget, AgentInfo, EpochInfo, EVIDENCE_EPOCHS};
use polkadot_sdk::sp_core::{sr25519, H256};
use teo_client::{Chain, Outcome};
use teo_primitives::{mesh::CostSchedule, AccountId, BlockNumber, GroupId};
use teo_runtime::{RuntimeCall, RuntimeEvent};
use tokio::sync::{mpsc, oneshot, watch};

use crate::{
	message::Evidence,
	metrics::{Metrics, ReportLabels},
	node::{AgentLookup, Command, NodeError, NodeHandle},
	validation::{AgentStanding, ChainView, CommitHead, EpochBudget},
};

/// Why the mesh's view of the chain, or a submission, failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// The node connection failed (retry), the node or the chain refused (do not), or the node
	/// answered something unreadable; [`teo_client::Error::kind`] tells which.
	#[error(transparent)]
	Client(#[from] teo_client::Error),
	/// The chain has no action-budget parameters: it cannot serve a mesh.
	#[error("the chain has no action-budget parameters")]
	NoParameters,
	/// A proposed call that is not a TEO runtime call.
	#[error("the call does not decode as a TEO runtime call: {0}")]
	UndecodableCall(#[source] codec::Error),
	/// The peer could not take the chain's news (it stopped).
	#[error(transparent)]
	Node(#[from] NodeError),
}

impl ChainError {
	/// `true` when the chain now runs a runtime whose encodings differ from those this mesh
	/// was built with: nothing it reads or signs can be trusted until it is upgraded.
	pub fn is_incompatible_runtime(&self) -> bool {
		matches!(self, ChainError::Client(teo_client::Error::IncompatibleRuntime { .. }))
	}

	/// `true` when the node serves another chain than the one the service started on
	/// ([`ChainLink`]).
	pub fn is_another_chain(&self) -> bool {
		matches!(self, ChainError::Client(teo_client::Error::AnotherChain { .. }))
	}

	/// `true` when the same request may succeed later: a transport failure of the node
	/// connection, or a peer that could not answer.
	pub fn is_retryable(&self) -> bool {
		match self {
			ChainError::Client(e) => e.is_retryable(),
			ChainError::Node(e) => e.is_retryable(),
			ChainError::NoParameters | ChainError::UndecodableCall(_) => false,
		}
	}
}

/// The only extrinsics the mesh submits.
pub enum Submission {
	/// `commitGate.submit(group, call, summary)`, signed by a local agent.
	PullRequest {
		/// The group the proposal affects.
		group: GroupId,
		/// The proposed call.
		call: Box<RuntimeCall>,
		/// The summary for humans.
		summary: Vec<u8>,
	},
	/// `actionBudget.report_equivocation` or `report_overspend`.
	FraudReport(Box<Evidence>),
}

impl Submission {
	/// A pull request whose proposed call is the SCALE-encoded `call`.
	pub fn pull_request(group: GroupId, call: &[u8], summary: Vec<u8>) -> Result<Self, ChainError> {
		let call = RuntimeCall::decode(&mut &call[..]).map_err(ChainError::UndecodableCall)?;
		Ok(Submission::PullRequest { group, call: Box::new(call), summary })
	}

	fn into_call(self) -> RuntimeCall {
		match self {
			Submission::PullRequest { group, call, summary } => {
				RuntimeCall::CommitGate(pallet_commit_gate::Call::submit { group, call, summary })
			},
			Submission::FraudReport(evidence) => match *evidence {
				Evidence::Equivocation(first, second) => {
					RuntimeCall::ActionBudget(pallet_action_budget::Call::report_equivocation {
						first,
						second,
					})
				},
				Evidence::Overspend(header) => {
					RuntimeCall::ActionBudget(pallet_action_budget::Call::report_overspend {
						header,
					})
				},
			},
		}
	}
}

/// Submits `submission` signed by `signer` and follows it into a block. A call that fails in
/// its block is `Ok`, with the failure in [`Outcome::error`].
pub async fn submit(
	chain: &Chain,
	submission: Submission,
	signer: &sr25519::Pair,
) -> Result<Outcome, ChainError> {
	Ok(chain.submit(submission.into_call(), signer).await?)
}

/// [`submit`] for a transaction that can land only within about `period` blocks; returns the
/// last block it may land in beside the outcome.
pub async fn submit_mortal(
	chain: &Chain,
	submission: Submission,
	signer: &sr25519::Pair,
	period: u64,
) -> (BlockNumber, Result<Outcome, ChainError>) {
	let (last, outcome) = chain.submit_mortal(submission.into_call(), signer, period).await;
	(last, outcome.map_err(ChainError::from))
}

/// The chain state the mesh validates against, read at `at`.
pub async fn view_at(
	chain: &Chain,
	genesis: H256,
	number: BlockNumber,
	at: H256,
	recent: VecDeque<(BlockNumber, H256)>,
) -> Result<ChainView, ChainError> {
	let epoch: Option<EpochInfo> = chain.runtime_api("ActionBudgetApi_epoch", &(), at).await?;
	let costs: Option<CostSchedule> =
		chain.runtime_api("ActionBudgetApi_cost_schedule", &(), at).await?;
	let (Some(epoch), Some(costs)) = (epoch, costs) else {
		return Err(ChainError::NoParameters);
	};
	// `(root, count)` on the wire, the layout of `CommitHead`.
	let commits: CommitHead = chain.runtime_api("CommitGateApi_commit_root", &(), at).await?;
	let view = ChainView {
		genesis,
		finalized_number: number,
		recent,
		epoch: epoch.index,
		costs,
		commits,
		state_since: number,
	};
	Ok(view)
}

/// What the chain says about `agent` at block `number` (hash `at`), keeping the budget of the
/// previous epoch from `known` (the runtime API reports the current and next epochs only).
pub async fn standing_at(
	chain: &Chain,
	agent: &AccountId,
	(number, at): (BlockNumber, H256),
	known: Option<&AgentStanding>,
) -> Result<AgentStanding, ChainError> {
	let info: Option<AgentInfo> = chain.runtime_api("ActionBudgetApi_agent", agent, at).await?;
	let budget: Option<AgentBudget> =
		chain.runtime_api("ActionBudgetApi_budget", agent, at).await?;
	let mut standing = AgentStanding {
		registered: info.is_some(),
		active: info.as_ref().is_some_and(|info| info.is_active()),
		budgets: Default::default(),
		punished: info.iter().flat_map(|info| info.punished_epochs.iter().copied()).collect(),
		read_at: number,
		registered_at: info.as_ref().map_or(0, |info| info.registered_at),
	};
	if let Some(budget) = budget {
		let previous_epoch = budget.epoch.saturating_sub(1);
		// The chain keeps the previous epoch's budget once the agent spent in it (then it
		// holds what a pull request in its last blocks took); else nothing changed it since
		// the peer last read it.
		let stored = info.as_ref().and_then(|info| info.budget(previous_epoch)).map(|b| {
			EpochBudget { allowance: b.allowance, spent_on_chain: b.spent_on_chain, fixed: true }
		});
		let known = known.and_then(|k| k.budgets.get(&previous_epoch).copied());
		if let Some(previous) = stored.or(known) {
			standing.budgets.insert(previous_epoch, previous);
		}
		standing.budgets.insert(
			budget.epoch,
			EpochBudget {
				allowance: budget.allowance,
				spent_on_chain: budget.spent_on_chain,
				fixed: true,
			},
		);
		standing.budgets.insert(
			budget.epoch + 1,
			EpochBudget { allowance: budget.next_allowance, spent_on_chain: 0, fixed: false },
		);
	}
	Ok(standing)
}

/// A connection to the node that is made again when it is lost (the node restarted, the
/// network failed): every user asks it for the current connection, so one reconnection
/// serves them all, and submissions share one nonce lock ([`Chain::submit`]). Every connection
/// must serve the chain of the first: a node that comes back with another genesis is refused
/// ([`teo_client::Error::AnotherChain`], read before its runtime is judged), since its reads
/// would be newer than the view's and wrong; it is asked again only every
/// [`ANOTHER_CHAIN_RETRY`], not at every call.
pub struct ChainLink {
	url: String,
	current: tokio::sync::Mutex<Connection>,
}

/// How long a node found serving another chain is not asked again.
pub const ANOTHER_CHAIN_RETRY: Duration = Duration::from_secs(5);

/// The link's connection, the chain it serves from the first connection on, and the last
/// refusal of a node of another chain.
#[derive(Default)]
struct Connection {
	chain: Option<Arc<Chain>>,
	genesis: Option<H256>,
	refused: Option<(Instant, H256)>,
}

impl ChainLink {
	/// Connects to `url`.
	pub async fn connect(url: &str) -> Result<Self, ChainError> {
		let link = Self::lazy(url);
		link.get().await?;
		Ok(link)
	}

	/// A link to `url` that connects when it is first used (a peer whose agents only publish
	/// never needs one).
	pub fn lazy(url: &str) -> Self {
		Self { url: url.to_string(), current: Default::default() }
	}

	/// The connection; a new one if the last was lost (or the error of making it: retry; or
	/// [`teo_client::Error::AnotherChain`]: do not).
	pub async fn get(&self) -> Result<Arc<Chain>, ChainError> {
		let mut current = self.current.lock().await;
		let lost = match current.chain.as_ref() {
			Some(chain) if chain.is_connected() => return Ok(chain.clone()),
			Some(_) => true,
			None => false,
		};
		if let (Some(expected), Some((at, found))) = (current.genesis, current.refused) {
			if at.elapsed() < ANOTHER_CHAIN_RETRY {
				let url = self.url.clone();
				return Err(teo_client::Error::AnotherChain { url, expected, found }.into());
			}
		}
		if lost {
			tracing::warn!(url = %self.url, "the node connection was lost: connecting again");
		}
		current.chain = None;
		let chain = match Chain::connect_expecting(&self.url, current.genesis).await {
			Ok(chain) => Arc::new(chain),
			Err(e) => {
				if let teo_client::Error::AnotherChain { found, .. } = &e {
					current.refused = Some((Instant::now(), *found));
				}
				return Err(e.into());
			},
		};
		if current.genesis.is_none() {
			current.genesis = Some(chain.genesis_hash().await?);
		}
		current.refused = None;
		if lost {
			tracing::info!(url = %self.url, "connected to the node again");
		}
		current.chain = Some(chain.clone());
		Ok(chain)
	}
}

/// Follows the chain for a peer until the node handle closes, in three tasks that never wait
/// on each other: the head follower (a new view at every finalized block, local agents
/// refreshed every block), the agent lookups (on request, and every cached agent when an epoch
/// starts), and the reporter (evidence reported once per offence, evidence about the next
/// epoch held until it starts).
pub struct Follower {
	/// The node connection.
	pub chain: Arc<ChainLink>,
	/// The peer to feed.
	pub node: NodeHandle,
	/// Agents this service signs for: refreshed every block.
	pub local_agents: Vec<AccountId>,
	/// Signs fraud reports; `None` leaves reporting to other peers.
	pub reporter: Option<sr25519::Pair>,
	/// Metrics to update.
	pub metrics: Metrics,
	/// How many recent finalized blocks anchors are checked against.
	pub max_anchor_lag: BlockNumber,
	/// How often the finalized head is polled.
	pub poll_interval: Duration,
	/// Told why, when the follower stops because the chain's runtime changed its encodings.
	pub halt: oneshot::Sender<ChainError>,
}

/// The latest finalized block whose runtime was checked, and its budget epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Head {
	number: BlockNumber,
	hash: H256,
	epoch: u32,
}

/// Evidence held for an epoch that has not started on chain (the chain refuses it until then).
const MAX_HELD_EVIDENCE: usize = 256;

impl Follower {
	/// Runs until the peer stops, or until the chain upgrades to a runtime whose encodings
	/// differ from the ones this mesh was built with: then it says why on [`Follower::halt`]
	/// and stops feeding the peer (whose view goes stale, so it relays nothing). Agent lookups
	/// and evidence arrive on the two channels.
	pub async fn run(
		self,
		lookups: mpsc::Receiver<AgentLookup>,
		evidence: mpsc::Receiver<Evidence>,
	) {
		let (heads_tx, heads) = watch::channel(None::<Head>);
		let (epochs_tx, epochs) = mpsc::channel(4);
		let lookups = tokio::spawn(look_up(
			self.chain.clone(),
			self.node.clone(),
			self.metrics.clone(),
			heads.clone(),
			lookups,
			epochs,
		));
		let reports = tokio::spawn(report(
			self.chain.clone(),
			self.reporter.clone(),
			self.metrics.clone(),
			heads,
			evidence,
		));
		self.follow_heads(heads_tx, epochs_tx).await;
		lookups.abort();
		reports.abort();
	}

	async fn follow_heads(self, heads: watch::Sender<Option<Head>>, epochs: mpsc::Sender<u32>) {
		let genesis = loop {
			match self.chain.get().await {
				Ok(chain) => match chain.genesis_hash().await {
					Ok(genesis) => break genesis,
					Err(e) => tracing::warn!("reading the genesis hash: {e}"),
				},
				Err(e) => tracing::warn!("connecting to the node: {e}"),
			}
			tokio::time::sleep(self.poll_interval).await;
		};
		let mut recent: VecDeque<(BlockNumber, H256)> = VecDeque::new();
		let mut runtime = None;
		// The last finalized block whose on-chain spending was read.
		let mut spends_read = None;
		let mut ticker = tokio::time::interval(self.poll_interval);
		loop {
			ticker.tick().await;
			let result = self
				.poll(genesis, &mut recent, &mut runtime, &mut spends_read, &heads, &epochs)
				.await;
			match result {
				Ok(()) => {},
				// The peer is gone: nothing left to follow the chain for.
				Err(ChainError::Node(NodeError::Stopped)) => return,
				Err(e) if e.is_incompatible_runtime() => {
					tracing::error!("following the chain: {e}");
					let _ = self.halt.send(e);
					return;
				},
				// The view goes stale (`mesh_health` says so) until the operator intervenes.
				Err(e) if e.is_another_chain() => tracing::error!("following the chain: {e}"),
				Err(e) => tracing::warn!("following the chain: {e}"),
			}
		}
	}

	async fn poll(
		&self,
		genesis: H256,
		recent: &mut VecDeque<(BlockNumber, H256)>,
		runtime: &mut Option<u32>,
		spends_read: &mut Option<BlockNumber>,
		heads: &watch::Sender<Option<Head>>,
		epochs: &mpsc::Sender<u32>,
	) -> Result<(), ChainError> {
		let chain = self.chain.get().await?;
		let (number, hash) = chain.finalized_block().await?;
		if recent.back().is_some_and(|(n, _)| *n >= number) {
			return Ok(());
		}
		// Every block's runtime is checked before anything of its state is read.
		let version = chain.checked_runtime(Some(hash)).await?;
		if *runtime != Some(version.spec_version) {
			tracing::info!(
				spec_version = version.spec_version,
				block = number,
				"the chain's runtime encodes what this mesh was built for"
			);
			*runtime = Some(version.spec_version);
		}
		recent.push_back((number, hash));
		while recent.len() > self.max_anchor_lag as usize + 1 {
			recent.pop_front();
		}
		let view = view_at(&chain, genesis, number, hash, recent.clone()).await?;
		let epoch = view.epoch;
		let previous = heads.send_replace(Some(Head { number, hash, epoch }));
		self.node.send(Command::SetView { view }).await?;
		// Several at once: a service hosting thousands of agents reads them all every block. One
		// that fails is read at the next block; the others, the epoch's refresh and the spends
		// below go on.
		let (reader, node): (&Chain, _) = (&chain, &self.node);
		let mut refreshes = futures::stream::iter(self.local_agents.iter().cloned())
			.map(|agent| async move {
				let result = refresh(reader, node, &agent, (number, hash)).await;
				(agent, result)
			})
			.buffer_unordered(LOOKUPS_AT_ONCE);
		while let Some((agent, result)) = refreshes.next().await {
			match result {
				Ok(()) => {},
				Err(ChainError::Node(NodeError::Stopped)) => return Err(NodeError::Stopped.into()),
				Err(e) => tracing::warn!(?agent, "reading a hosted agent at block {number}: {e}"),
			}
		}
		drop(refreshes);
		if previous.is_none_or(|head| head.epoch != epoch) {
			// The cached agents' allowances are fixed now: the lookup task reads them again.
			let _ = epochs.try_send(epoch);
		}
		// The blocks since the last whose spends were read, within the anchor window: a node
		// that was away longer leaves older spends to the next epoch's refresh (which reads the
		// previous epoch's final spending too). Read apart from the view, so that a poll that
		// failed before this point leaves its blocks to the next.
		let first = spends_read
			.map_or(number, |read| read.saturating_add(1))
			.max(number.saturating_sub(self.max_anchor_lag));
		match spenders(&chain, first, (number, hash)).await {
			Ok(agents) => {
				*spends_read = Some(number);
				if !agents.is_empty() {
					self.node.send(Command::SpentOnChain { agents, at: number }).await?;
				}
			},
			// Tried again at the next block; a block's events that never decode (a runtime
			// upgrade between polls) leave the window, and must not stop the view.
			Err(e) => tracing::warn!("reading on-chain spending in blocks {first}..={number}: {e}"),
		}
		if let Ok(best) = chain.best_number().await {
			self.metrics.finality_lag.set(i64::from(best.saturating_sub(number)));
		}
		Ok(())
	}
}

/// The agents that spent on chain (`ActionBudget.BudgetSpent`: a pull request's price) in the
/// finalized blocks `first..=number`, each once.
async fn spenders(
	chain: &Chain,
	first: BlockNumber,
	(number, hash): (BlockNumber, H256),
) -> Result<Vec<AccountId>, ChainError> {
	let mut agents = Vec::new();
	for n in first..=number {
		let at = match n == number {
			true => hash,
			false => match chain.block_hash(n).await? {
				Some(at) => at,
				None => continue,
			},
		};
		for record in chain.events(at).await? {
			if let RuntimeEvent::ActionBudget(pallet_action_budget::Event::BudgetSpent {
				agent,
				..
			}) = record.event
			{
				if !agents.contains(&agent) {
					agents.push(agent);
				}
			}
		}
	}
	Ok(agents)
}

/// Reads `agent`'s standing at `block`, a finalized block whose runtime was checked, and gives
/// it to the peer.
async fn refresh(
	chain: &Chain,
	node: &NodeHandle,
	agent: &AccountId,
	block: (BlockNumber, H256),
) -> Result<(), ChainError> {
	let (_, known) = node.standing(agent.clone()).await?;
	let standing = standing_at(chain, agent, block, known.as_ref()).await?;
	Ok(node.send(Command::SetAgent { agent: agent.clone(), standing }).await?)
}

/// Lookups the lookup task runs at once: each is a few reads over the node connection, so a
/// flood of messages naming made-up agents is answered (and its relayers rejected, then
/// banned) within the messages' parking time rather than queued behind one another.
pub const LOOKUPS_AT_ONCE: usize = 8;

/// The agents being looked up: one lookup per agent at a time, so that an agent's reads finish
/// in the order they started. Two at once (a message's and the epoch's refresh) could finish
/// out of order, and the older read would replace the newer for an agent the peer no longer
/// caches (the peer keeps the newer read only of agents it still holds).
#[derive(Default)]
struct InFlight {
	running: HashSet<AccountId>,
	/// Agents asked about again while their lookup ran: read again once it ends. An epoch's
	/// refresh needs a read at the new head; a message's request may come from a message parked
	/// after the running lookup answered the peer (which it does before it ends here), or one
	/// whose lookup then fails, and the peer asks only once per parked agent. At most one per
	/// running lookup.
	again: HashSet<AccountId>,
}

impl InFlight {
	/// Whether a lookup of `agent` may start now; if not, it is remembered for when the
	/// running one ends.
	fn start(&mut self, agent: &AccountId) -> bool {
		if self.running.insert(agent.clone()) {
			return true;
		}
		self.again.insert(agent.clone());
		false
	}

	/// `agent`'s lookup ended; `true` if it is to be read again.
	fn end(&mut self, agent: &AccountId) -> bool {
		self.running.remove(agent);
		self.again.remove(agent)
	}
}

/// The lookup task: agents the peer asks about first, then, when an epoch starts, every agent
/// the peer caches (its allowance is fixed now), up to [`LOOKUPS_AT_ONCE`] at a time and one
/// per agent ([`InFlight`]). A request whose message was given up before its turn came is
/// skipped.
async fn look_up(
	chain: Arc<ChainLink>,
	node: NodeHandle,
	metrics: Metrics,
	heads: watch::Receiver<Option<Head>>,
	mut requests: mpsc::Receiver<AgentLookup>,
	mut epochs: mpsc::Receiver<u32>,
) {
	let mut due: VecDeque<AccountId> = VecDeque::new();
	let mut running = FuturesUnordered::new();
	let mut in_flight = InFlight::default();
	loop {
		let room = running.len() < LOOKUPS_AT_ONCE;
		let agent = tokio::select! {
			Some((agent, result)) = running.next(), if !running.is_empty() => {
				if in_flight.end(&agent) {
					due.push_front(agent.clone());
				}
				match result {
					Ok(()) => {},
					Err(ChainError::Node(NodeError::Stopped)) => return,
					// The message waiting for it is ignored after its parking time; it is looked
					// up again when the agent speaks again.
					Err(e) => tracing::warn!(%agent, "looking up an agent: {e}"),
				}
				continue;
			},
			// Unbiased: requests and the epoch's refreshes take turns.
			Some(lookup) = requests.recv(), if room => {
				if lookup.until <= Instant::now() {
					metrics.agent_lookups_skipped.inc();
					continue;
				}
				lookup.agent
			},
			Some(_) = epochs.recv() => {
				match node.cached_agents().await {
					Ok(agents) => due = agents.into(),
					Err(_) => return,
				}
				continue;
			},
			_ = std::future::ready(()), if room && !due.is_empty() => match due.pop_front() {
				Some(agent) => agent,
				None => continue,
			},
			else => return,
		};
		let Some(head) = *heads.borrow() else { continue };
		if !in_flight.start(&agent) {
			continue;
		}
		let (chain, node) = (chain.clone(), node.clone());
		running.push(async move {
			let result = match chain.get().await {
				Ok(chain) => refresh(&chain, &node, &agent, (head.number, head.hash)).await,
				Err(e) => Err(e.into()),
			};
			(agent, result)
		});
	}
}

/// The reporter task: each offence reported once, evidence about an epoch the chain has not
/// started held until it does, never in the way of the head follower (an inclusion takes
/// blocks).
async fn report(
	chain: Arc<ChainLink>,
	reporter: Option<sr25519::Pair>,
	metrics: Metrics,
	mut heads: watch::Receiver<Option<Head>>,
	mut evidence: mpsc::Receiver<Evidence>,
) {
	let Some(reporter) = reporter else {
		// Reporting is left to other peers; the channel is drained so the peer never waits.
		while evidence.recv().await.is_some() {}
		return;
	};
	let mut reported: HashSet<(AccountId, u32)> = HashSet::new();
	// Evidence waiting for its epoch to start on chain, or for another try, with the tries so far.
	let mut held: Vec<(Evidence, u8)> = Vec::new();
	loop {
		let found = tokio::select! {
			Some(found) = evidence.recv() => vec![(found, 0)],
			Ok(()) = heads.changed() => {
				let epoch = heads.borrow().map(|head| head.epoch);
				let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut held)
					.into_iter()
					.partition(|(e, _)| epoch.is_some_and(|epoch| e.offence().1 <= epoch));
				held = later;
				ready
			},
			else => return,
		};
		let epoch = heads.borrow().map(|head| head.epoch);
		// Offences of past epochs are forgotten; the chain's window is a few epochs.
		if let Some(epoch) = epoch {
			reported.retain(|(_, e)| e.saturating_add(EVIDENCE_EPOCHS) > epoch);
		}
		for (found, tries) in found {
			let offence = found.offence();
			if reported.contains(&offence) {
				continue;
			}
			if epoch.is_none_or(|epoch| offence.1 > epoch) {
				// The chain refuses evidence from an epoch it has not started.
				if held.len() < MAX_HELD_EVIDENCE {
					held.push((found, tries));
				}
				continue;
			}
			let again = found.clone();
			if submit_report(&chain, &reporter, &metrics, found).await == Reported::TryAgain
				&& tries + 1 < MAX_REPORT_TRIES
				&& held.len() < MAX_HELD_EVIDENCE
			{
				// At the next finalized block.
				held.push((again, tries + 1));
			} else {
				reported.insert(offence);
			}
		}
	}
}

/// Tries to report one offence: a failure of the node connection is tried again at the next
/// blocks, this many times in all.
const MAX_REPORT_TRIES: u8 = 3;

/// How a report ended.
#[derive(PartialEq, Eq)]
enum Reported {
	/// Included, failed on chain, or refused by the pool (most often: another peer reported
	/// first): trying again would change nothing.
	Done,
	/// The node connection failed: it may succeed at the next block.
	TryAgain,
}

async fn submit_report(
	chain: &ChainLink,
	reporter: &sr25519::Pair,
	metrics: &Metrics,
	evidence: Evidence,
) -> Reported {
	let offence = evidence.offence();
	let submission = Submission::FraudReport(Box::new(evidence));
	let result = match chain.get().await {
		Ok(chain) => submit(&chain, submission, reporter).await,
		Err(e) => Err(e.into()),
	};
	let ended = match &result {
		// A node of another chain may give way to the right one again.
		Err(e) if e.is_retryable() || e.is_another_chain() => Reported::TryAgain,
		_ => Reported::Done,
	};
	let result = match result {
		Ok(outcome) if outcome.error.is_none() => {
			tracing::info!(?offence, block = ?outcome.block, "fraud reported on chain");
			"included"
		},
		Ok(outcome) => {
			let error = outcome.error.as_ref().map(|failure| &failure.name);
			tracing::warn!(?offence, ?error, "fraud report failed on chain");
			"failed"
		},
		// Most often another peer reported first and the pool refused the duplicate.
		Err(e) => {
			tracing::info!(?offence, "fraud report not submitted: {e}");
			"failed"
		},
	};
	metrics.evidence_reported.get_or_create(&ReportLabels { result }).inc();
	ended
}

#[cfg(test)]
mod tests {
	use super::*;

	fn agent(i: u8) -> AccountId {
		AccountId::from([i; 32])
	}

	#[test]
	fn an_agent_is_looked_up_once_at_a_time() {
		let mut in_flight = InFlight::default();
		assert!(in_flight.start(&agent(1)));
		// Another agent is not held up.
		assert!(in_flight.start(&agent(2)));
		assert!(!in_flight.end(&agent(2)), "nothing asked about it meanwhile");
		assert!(in_flight.start(&agent(2)), "free once its lookup ended");
	}

	#[test]
	fn a_request_during_a_lookup_reads_the_agent_again_after_it() {
		let mut in_flight = InFlight::default();
		assert!(in_flight.start(&agent(1)));
		// The epoch turned, or a message was parked after the running lookup answered the
		// peer: neither runs beside it, and neither is lost.
		assert!(!in_flight.start(&agent(1)));
		assert!(!in_flight.start(&agent(1)));
		assert!(in_flight.end(&agent(1)), "read again once the older read is in");
		assert!(in_flight.start(&agent(1)));
		assert!(!in_flight.end(&agent(1)), "once only");
		assert!(in_flight.running.is_empty() && in_flight.again.is_empty());
	}
}
