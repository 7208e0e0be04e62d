//! The validation pipeline every message passes before a peer forwards it, cheapest check
//! first. Each failure is an explicit [`Verdict::Reject`] (the sender is at fault: gossipsub
//! penalises the peer that relayed it) or [`Verdict::Ignore`] (nobody provably at fault: the
//! message is dropped without penalty), with a [`Reason`] the metrics count.
//!
//! **A reject is for what every honest peer judges the same**: bytes that do not decode, a
//! message on the wrong topic, a body that does not match its header, a bad signature, evidence
//! that proves nothing, and spending past an allowance the chain has fixed. Whatever depends on
//! this peer's own view of the chain, which lags or leads another honest peer's by a few blocks,
//! is ignored: a stale or unknown anchor, an agent deregistered or a price changed recently, the
//! headroom left after on-chain spending, and the next epoch's allowance, which is a projection
//! until the epoch starts (delegations late in an epoch raise it). Rejecting those would have
//! honest peers penalise honest relayers whose view is a block apart, and split the mesh.
//!
//! The pipeline is split around the signature check, the one expensive step, which the
//! service runs on a bounded worker pool:
//! 1. [`Validator::precheck`]: size and decoding, topic match, epoch within one of the current,
//!    anchor fresh (rule C), agent registered and active, body hash, cost equal to the
//!    schedule, not a duplicate.
//! 2. the signature ([`SignedMeshHeader::verify`]).
//! 3. [`Validator::admit`]: the budget (`spent_before + cost` within the allowance less what
//!    the agent spent on chain), then no overlap with a range already seen. An overspend or an
//!    overlap becomes [`Evidence`], once per agent and epoch.

use std::{
	collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque},
	num::NonZeroUsize,
};

use lru::LruCache;
use pallet_action_budget::EVIDENCE_EPOCHS;
use teo_primitives::{
	mesh::{BudgetUnits, CostSchedule, MeshHeader, MessageCost, SignedMeshHeader},
	AccountId, BlockNumber, EpochIndex, Hash,
};

use crate::message::{
	body_hash, decode_bounded, DecodeError, Evidence, MeshMessage, Topic, TopicKind,
};

/// A standing read this many blocks behind the finalized head or less is as fresh as a lookup
/// makes it (the follower reads at the last head it saw): reading it again would change nothing.
const FRESH_FOR: BlockNumber = 2;

/// For this many finalized blocks, and as many newer chain views, after a peer learns of a
/// commit, it still accepts messages built on the root before it: they were signed before their
/// agents' services learned of the commit, and cross the mesh while peers learn of it at
/// slightly different times. Counted in views as well as blocks so that a view jumping many
/// blocks at once (after a finality stall) does not end it at once. Longer, and agents could
/// keep negotiating on a superseded state (rule C).
pub const COMMIT_GRACE: BlockNumber = 2;

/// Superseded roots remembered for the grace: commits in consecutive blocks each leave one.
const SUPERSEDED_KEPT: usize = 4;

/// A commit root the ledger moved past, and when this peer saw it happen.
#[derive(Clone, Copy, Debug)]
struct Superseded {
	root: Hash,
	/// The finalized block of the first view with the next root.
	at_block: BlockNumber,
	/// The number of that view among the views this peer was given.
	at_view: u64,
}

/// What to do with a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// Valid: deliver and forward.
	Accept,
	/// Invalid by the sender's fault: drop and penalise the peer that sent it.
	Reject(Reason),
	/// Not forwarded, nobody provably at fault.
	Ignore(Reason),
}

/// Why a message was not accepted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Reason {
	/// Longer than the largest message.
	Oversized,
	/// Not a SCALE-encoded message.
	Malformed,
	/// The body's length differs from the header's.
	BodyLength,
	/// The header's group or kind is not the topic's.
	WrongTopic,
	/// The epoch is not within one of the current epoch.
	EpochOutOfRange,
	/// The anchor is more than `max_anchor_lag` blocks behind the finalized head (rule C).
	StaleAnchor,
	/// The anchor names a finalized block number with another hash.
	WrongAnchor,
	/// The anchor is ahead of this peer's finalized head.
	AnchorAhead,
	/// Built on a commit root the chain has moved past (more than [`COMMIT_GRACE`] blocks
	/// ago in this peer's view), or on none it knows: the agent reasoned from a state that is
	/// no longer the ground truth (rule C).
	StaleCommitRoot,
	/// The sender is not in this peer's cache of agents yet (it is looked up on chain).
	UnknownAgent,
	/// The chain has no record of the sender as an agent, at a finalized block at or after the
	/// message's anchor: an honest publisher anchors to a block at which it is registered, so
	/// every honest peer finds the same.
	NotAnAgent,
	/// The agent is deregistered.
	InactiveAgent,
	/// Anchored before the block that registered the agent: no honest publisher does that, and
	/// a peer that read the account at a block in between rejects it as [`Reason::NotAnAgent`],
	/// so no honest peer may relay it.
	AnchoredBeforeRegistration,
	/// The message spends from an epoch that has not started in this peer's view: its
	/// allowance is not fixed yet.
	EpochNotStarted,
	/// This peer knows no fixed allowance of the agent for the message's epoch, even after
	/// reading the agent at its latest finalized block.
	NoBudget,
	/// The body does not hash to the header's body hash.
	BodyHash,
	/// The declared cost is not the schedule's price.
	WrongCost,
	/// Already seen.
	Duplicate,
	/// The signature is not the agent's.
	BadSignature,
	/// The spend range ends past the agent's allowance: provable fraud.
	Overspend,
	/// Within the allowance, but past what the agent has left after its on-chain spend: fraud
	/// too (one budget covers both layers), proven with the chain's record of that spend,
	/// which a peer a block behind may not have seen yet.
	BudgetExceeded,
	/// Conflicts with a message already seen: provable fraud.
	Equivocation,
	/// The agent was caught cheating in this epoch; its other messages are not forwarded.
	Convicted,
	/// The chain has punished the agent for this epoch already: its messages are not
	/// forwarded, and evidence about it proves nothing the chain would take.
	AlreadyPunished,
	/// Evidence that does not prove anything.
	InvalidEvidence,
	/// Too many messages of one agent in one epoch to track.
	LogFull,
	/// The signature workers are saturated.
	Busy,
}

impl Reason {
	/// Whether a rejection for this reason counts towards banning the peer that relayed the
	/// message (`crate::offenders`): only faults any peer reads from the bytes alone, whatever
	/// its view of the chain. A rejection that rests on chain state (`NotAnAgent`: the agent
	/// may be registered a block later, and an honest peer that saw it registered relays its
	/// messages; `Overspend`) is still scored by gossipsub, but closes no connection.
	pub fn bans_the_relayer(self) -> bool {
		matches!(
			self,
			Reason::Oversized
				| Reason::Malformed
				| Reason::BodyLength
				| Reason::WrongTopic
				| Reason::BodyHash
				| Reason::BadSignature
				| Reason::InvalidEvidence
		)
	}

	/// The label in metrics.
	pub fn as_str(self) -> &'static str {
		match self {
			Reason::Oversized => "oversized",
			Reason::Malformed => "malformed",
			Reason::BodyLength => "body_length",
			Reason::WrongTopic => "wrong_topic",
			Reason::EpochOutOfRange => "epoch_out_of_range",
			Reason::StaleAnchor => "stale_anchor",
			Reason::WrongAnchor => "wrong_anchor",
			Reason::AnchorAhead => "anchor_ahead",
			Reason::StaleCommitRoot => "stale_commit_root",
			Reason::UnknownAgent => "unknown_agent",
			Reason::NotAnAgent => "not_an_agent",
			Reason::InactiveAgent => "inactive_agent",
			Reason::AnchoredBeforeRegistration => "anchored_before_registration",
			Reason::EpochNotStarted => "epoch_not_started",
			Reason::NoBudget => "no_budget",
			Reason::BodyHash => "body_hash",
			Reason::WrongCost => "wrong_cost",
			Reason::Duplicate => "duplicate",
			Reason::BadSignature => "bad_signature",
			Reason::Overspend => "overspend",
			Reason::BudgetExceeded => "budget_exceeded",
			Reason::Equivocation => "equivocation",
			Reason::Convicted => "convicted",
			Reason::AlreadyPunished => "already_punished",
			Reason::InvalidEvidence => "invalid_evidence",
			Reason::LogFull => "log_full",
			Reason::Busy => "busy",
		}
	}
}

impl From<DecodeError> for Reason {
	fn from(error: DecodeError) -> Self {
		match error {
			DecodeError::Oversized => Reason::Oversized,
			DecodeError::Malformed => Reason::Malformed,
		}
	}
}

/// An agent's budget in one epoch, as the chain reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EpochBudget {
	/// Units the agent may spend in the epoch, on the mesh and on chain together.
	pub allowance: BudgetUnits,
	/// Units it spent on chain (pull requests) in the epoch.
	pub spent_on_chain: BudgetUnits,
	/// Read while the epoch was current, so the allowance is the chain's final word (it
	/// follows from the agent's state at the epoch's first block) and spending past it is
	/// provable fraud. An allowance read before the epoch began is a projection: delegations
	/// late in the previous epoch may still raise it.
	pub fixed: bool,
}

/// What the chain says about an agent.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AgentStanding {
	/// The chain has a record of the account as an agent (active, or deregistered and not yet
	/// released).
	pub registered: bool,
	/// Registered and not deregistered.
	pub active: bool,
	/// Its budgets by epoch (the previous, current and next, as known).
	pub budgets: BTreeMap<EpochIndex, EpochBudget>,
	/// Epochs the chain has already punished it for: a second report is refused there, and
	/// punishing spent the rest of the epoch's budget (every header of it now reads as past
	/// the mesh's share, which proves nothing new).
	pub punished: BTreeSet<EpochIndex>,
	/// The finalized block it was read at.
	pub read_at: BlockNumber,
	/// The block of its registration (0 if unregistered): its publisher anchors no earlier, so
	/// that a peer whose reading at or after the anchor found no agent may reject the message.
	pub registered_at: BlockNumber,
}

/// How much a validator remembers, at most: whatever peers send, its state stays within these.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	/// Anchors further behind the finalized head are ignored (rule C).
	pub max_anchor_lag: BlockNumber,
	/// Messages tracked per agent and epoch.
	pub max_log_len: usize,
	/// Registered agents whose standing is cached; the least recently used is forgotten first
	/// (and looked up again if it speaks). Registering an agent costs a deposit, so only the
	/// honest swarm's size bounds this in practice.
	pub max_agents: usize,
	/// Accounts the chain had no agent record of, cached so that their further messages are
	/// rejected without another lookup. Made-up accounts cost nothing: a flood of them churns
	/// only this cache, never the agents'.
	pub max_strangers: usize,
}

impl Default for Limits {
	fn default() -> Self {
		Self { max_anchor_lag: 20, max_log_len: 1 << 16, max_agents: 1 << 16, max_strangers: 4096 }
	}
}

/// How many entries each part of a validator's state holds: for metrics and the flood test.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StateSize {
	/// This service's own agents.
	pub local_agents: usize,
	/// Other registered agents cached.
	pub agents: usize,
	/// Accounts cached as no agent.
	pub strangers: usize,
	/// Agent and epoch logs of accepted messages.
	pub logs: usize,
	/// Headers in those logs.
	pub logged_headers: usize,
	/// Offences turned into evidence.
	pub evidenced: usize,
}

/// What a validator knows about an account.
enum Known<'a> {
	/// Not cached: look it up on chain.
	Unknown,
	/// The chain had no agent record of it at block `read_at`.
	Stranger { read_at: BlockNumber },
	/// A registered agent.
	Agent(&'a AgentStanding),
}

/// A cached agent and the last epoch it spoke in (or was first looked up in).
struct Cached {
	standing: AgentStanding,
	last_epoch: EpochIndex,
}

/// The chain as of this peer's latest finalized block: what validation checks against.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChainView {
	/// The chain's genesis hash: signatures and topics are bound to it.
	pub genesis: Hash,
	/// The latest finalized block number.
	pub finalized_number: BlockNumber,
	/// Recent finalized blocks, oldest first: anchors are checked against them.
	pub recent: VecDeque<(BlockNumber, Hash)>,
	/// The budget epoch of the finalized block.
	pub epoch: EpochIndex,
	/// What each message kind costs.
	pub costs: CostSchedule,
	/// The head of the ledger of commits at the finalized block.
	pub commits: CommitHead,
	/// The finalized block of the first view with this epoch, commit root and prices (or this
	/// peer's first view, if they are older): what a message is judged on held from there. A
	/// message anchored no earlier tells a peer that has not reached that state yet that its
	/// view is behind, and it waits ([`ChainView::anchor`]); anchored earlier, it would be
	/// ignored there at once (`epoch_not_started`, `stale_commit_root`, `wrong_cost`). Kept by
	/// [`Validator::set_view`]; a view read from the chain starts it at its own block.
	pub state_since: BlockNumber,
}

impl ChainView {
	/// The finalized block a message is anchored to: the oldest known block at least `depth`
	/// behind the head and at or after `floor` (the head itself when finality jumped past the
	/// blocks in between). `None` before the first finalized block, or while `floor` is past
	/// the head.
	///
	/// An anchor behind the head still reads as fresh at every peer whose view of finality is
	/// up to `depth` blocks behind this one's, which a message anchored at the head does not
	/// (it is ignored there as anchored ahead, and gossipsub offers it once). The floor keeps
	/// what an anchor says: a peer that had not finalized the floor yet must wait for it.
	pub fn anchor(&self, depth: BlockNumber, floor: BlockNumber) -> Option<(BlockNumber, Hash)> {
		let earliest = floor.max(self.finalized_number.saturating_sub(depth));
		self.recent.iter().find(|(number, _)| *number >= earliest).copied()
	}
}

/// The prices of the messages on the mesh (a pull request's price on chain is no message's).
fn mesh_prices(costs: &CostSchedule) -> [MessageCost; 4] {
	[costs.poll, costs.simulation, costs.draft, costs.pull_request_announcement]
}

/// The head of the ledger of commits (`pallet-commit-gate`'s `CommitRoot` and `CommitCount`):
/// the ground truth messages build on (rule C).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, codec::Decode)]
pub struct CommitHead {
	/// The root: the hash chain of every commit so far (zero before the first).
	pub root: Hash,
	/// How many proposals were committed.
	pub count: u64,
}

/// Messages of one agent in one epoch, as far as this peer has accepted them.
#[derive(Default)]
struct EpochLog {
	/// Accepted headers by sequence number.
	by_seq: BTreeMap<u64, SignedMeshHeader>,
	/// Accepted non-empty spend ranges: start -> (end, seq). Disjoint by construction.
	ranges: BTreeMap<BudgetUnits, (BudgetUnits, u64)>,
	/// Caught cheating: further messages are not forwarded.
	convicted: bool,
}

impl EpochLog {
	/// An accepted header that conflicts with `header`, if any.
	fn conflict(&self, header: &SignedMeshHeader) -> Option<&SignedMeshHeader> {
		self.conflict_with(&header.header)
	}

	/// An accepted header that conflicts with the (signed or unsigned) header `h`, if any.
	fn conflict_with(&self, h: &MeshHeader) -> Option<&SignedMeshHeader> {
		if let Some(same_seq) = self.by_seq.get(&h.seq) {
			// sr25519 signatures are randomised: the same header signed twice is no conflict.
			return (same_seq.header != *h).then_some(same_seq);
		}
		let end = h.spend_end().unwrap_or(BudgetUnits::MAX);
		if h.cost == 0 {
			return None;
		}
		// Accepted ranges are disjoint and sorted, so the last one starting before `end` is the
		// only candidate for an overlap.
		let (_, &(other_end, other_seq)) = self.ranges.range(..end).next_back()?;
		(other_end > h.spent_before).then(|| &self.by_seq[&other_seq])
	}

	fn record(&mut self, header: &SignedMeshHeader) {
		let h = &header.header;
		if h.cost > 0 {
			let end = h.spend_end().unwrap_or(BudgetUnits::MAX);
			self.ranges.insert(h.spent_before, (end, h.seq));
		}
		self.by_seq.insert(h.seq, header.clone());
	}
}

/// The result of [`Validator::admit`] and [`Validator::check_evidence`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Admission {
	/// What to do with the message.
	pub verdict: Verdict,
	/// Fraud this message revealed, to gossip and report on chain (once per agent and epoch).
	pub evidence: Option<Evidence>,
}

impl Admission {
	fn plain(verdict: Verdict) -> Self {
		Self { verdict, evidence: None }
	}
}

/// Validation state of one peer: the chain view, agents' standings and the messages seen, each
/// bounded by [`Limits`] and forgotten once its epoch is past the evidence window's use.
pub struct Validator {
	view: ChainView,
	limits: Limits,
	/// The agents this service signs for: never evicted.
	local: HashSet<AccountId>,
	local_standings: HashMap<AccountId, AgentStanding>,
	/// Other registered agents, least recently used first out.
	agents: LruCache<AccountId, Cached>,
	/// Accounts the chain had no agent record of, with the block it was read at.
	strangers: LruCache<AccountId, BlockNumber>,
	logs: HashMap<(AccountId, EpochIndex), EpochLog>,
	/// Offences already turned into evidence: each is reported once.
	evidenced: HashSet<(AccountId, EpochIndex)>,
	/// Roots recently superseded in this peer's view, newest last ([`COMMIT_GRACE`]).
	superseded: VecDeque<Superseded>,
	/// Chain views given so far.
	views: u64,
}

fn capacity(n: usize) -> NonZeroUsize {
	NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}

impl Validator {
	/// A validator against `view`, within `limits`.
	pub fn new(view: ChainView, limits: Limits) -> Self {
		Self {
			view,
			limits,
			local: HashSet::new(),
			local_standings: HashMap::new(),
			agents: LruCache::new(capacity(limits.max_agents)),
			strangers: LruCache::new(capacity(limits.max_strangers)),
			logs: HashMap::new(),
			evidenced: HashSet::new(),
			superseded: VecDeque::new(),
			views: 0,
		}
	}

	/// Marks `agent` as one this service signs for: its standing is never evicted.
	pub fn pin(&mut self, agent: AccountId) {
		if let Some(cached) = self.agents.pop(&agent) {
			self.local_standings.insert(agent.clone(), cached.standing);
		}
		self.local.insert(agent);
	}

	/// The chain view validation uses.
	pub fn view(&self) -> &ChainView {
		&self.view
	}

	/// Moves to a newer chain view. At a new epoch it forgets what concerns epochs before the
	/// previous one: logs, offences, budgets, agents that have not spoken since, and every
	/// stranger (an account may register at any block).
	pub fn set_view(&mut self, mut view: ChainView) {
		let new_epoch = view.epoch != self.view.epoch;
		self.views += 1;
		let same_state = view.epoch == self.view.epoch
			&& view.commits.root == self.view.commits.root
			&& mesh_prices(&view.costs) == mesh_prices(&self.view.costs);
		view.state_since = match same_state && self.views > 1 {
			true => self.view.state_since.min(view.finalized_number),
			false => view.finalized_number,
		};
		if view.commits.root != self.view.commits.root {
			if self.superseded.len() == SUPERSEDED_KEPT {
				self.superseded.pop_front();
			}
			self.superseded.push_back(Superseded {
				root: self.view.commits.root,
				at_block: view.finalized_number,
				at_view: self.views,
			});
		}
		self.view = view;
		if !new_epoch {
			return;
		}
		let oldest = self.view.epoch.saturating_sub(1);
		self.logs.retain(|(_, epoch), _| *epoch >= oldest);
		self.evidenced.retain(|(_, epoch)| *epoch >= oldest);
		self.strangers.clear();
		let silent: Vec<AccountId> = self
			.agents
			.iter()
			.filter(|(_, cached)| cached.last_epoch < oldest)
			.map(|(agent, _)| agent.clone())
			.collect();
		for agent in silent {
			self.agents.pop(&agent);
		}
		let standings = self
			.local_standings
			.values_mut()
			.chain(self.agents.iter_mut().map(|(_, cached)| &mut cached.standing));
		for standing in standings {
			standing.budgets.retain(|epoch, _| *epoch >= oldest);
		}
	}

	/// Records what the chain says about `agent`.
	pub fn set_agent(&mut self, agent: AccountId, standing: AgentStanding) {
		if self.local.contains(&agent) {
			self.local_standings.insert(agent, standing);
		} else if standing.registered {
			self.strangers.pop(&agent);
			// A refresh keeps the epoch it last spoke in: refreshing alone keeps nobody cached.
			let last_epoch = self.agents.peek(&agent).map_or(self.view.epoch, |c| c.last_epoch);
			self.agents.put(agent, Cached { standing, last_epoch });
		} else {
			self.agents.pop(&agent);
			self.strangers.put(agent, standing.read_at);
		}
	}

	/// Records a lookup's answer unless this peer holds a read of `agent` at a later block:
	/// lookups run concurrently (a message's and an epoch's refresh of the same agent), and
	/// one read at an older block may finish last. Returns whether the answer was recorded.
	pub fn record_lookup(&mut self, agent: AccountId, standing: AgentStanding) -> bool {
		let known_at = match self.known(&agent) {
			Known::Agent(known) => Some(known.read_at),
			Known::Stranger { read_at } => Some(read_at),
			Known::Unknown => None,
		};
		if known_at.is_some_and(|known_at| standing.read_at < known_at) {
			return false;
		}
		self.set_agent(agent, standing);
		true
	}

	/// What this peer knows about `agent`, if it is a registered agent it caches.
	pub fn agent(&self, agent: &AccountId) -> Option<&AgentStanding> {
		match self.known(agent) {
			Known::Agent(standing) => Some(standing),
			Known::Unknown | Known::Stranger { .. } => None,
		}
	}

	fn known(&self, agent: &AccountId) -> Known<'_> {
		if let Some(standing) = self.local_standings.get(agent) {
			return Known::Agent(standing);
		}
		if let Some(cached) = self.agents.peek(agent) {
			return Known::Agent(&cached.standing);
		}
		match self.strangers.peek(agent) {
			Some(&read_at) => Known::Stranger { read_at },
			None => Known::Unknown,
		}
	}

	/// The registered agents other than this service's own that this peer caches: those to
	/// refresh when an epoch starts.
	pub fn cached_agents(&self) -> Vec<AccountId> {
		self.agents.iter().map(|(agent, _)| agent.clone()).collect()
	}

	/// How many entries each part of the state holds.
	pub fn state_size(&self) -> StateSize {
		StateSize {
			local_agents: self.local_standings.len(),
			agents: self.agents.len(),
			strangers: self.strangers.len(),
			logs: self.logs.len(),
			logged_headers: self.logs.values().map(|log| log.by_seq.len()).sum(),
			evidenced: self.evidenced.len(),
		}
	}

	/// Every check before the signature. Returns the decoded message, or the verdict.
	/// `Ignore(UnknownAgent)` means the agent is not in the cache, or was not an agent at a
	/// block before the message's anchor: the caller may look it up on chain,
	/// [`Validator::set_agent`], and check again.
	pub fn precheck(&self, topic: Topic, data: &[u8]) -> Result<MeshMessage, Verdict> {
		let TopicKind::Message(kind) = topic.kind else {
			return Err(Verdict::Reject(Reason::WrongTopic));
		};
		let message: MeshMessage =
			decode_bounded(data).map_err(|e| Verdict::Reject(Reason::from(e)))?;
		let h = &message.header.header;
		if message.body.len() != h.body_len as usize || h.body_len > crate::message::MAX_BODY_LEN {
			return Err(Verdict::Reject(Reason::BodyLength));
		}
		if h.group != topic.group || h.kind != kind {
			return Err(Verdict::Reject(Reason::WrongTopic));
		}
		let current = self.view.epoch;
		if h.epoch.saturating_add(1) < current || h.epoch > current.saturating_add(1) {
			return Err(Verdict::Ignore(Reason::EpochOutOfRange));
		}
		self.check_anchor(h.anchor_number, h.anchor_hash)?;
		self.check_commit_root(h.commit_root)?;
		let standing = match self.known(&h.agent) {
			Known::Agent(standing) => standing,
			// The anchor is at or behind this peer's finalized head (checked above), and the
			// chain had no record of the agent at a block at or after it: junk from a made-up
			// account, which every honest peer rejects alike.
			Known::Stranger { read_at } if read_at >= h.anchor_number => {
				return Err(Verdict::Reject(Reason::NotAnAgent));
			},
			// Read before the anchor: it may have registered since.
			Known::Stranger { .. } | Known::Unknown => {
				return Err(Verdict::Ignore(Reason::UnknownAgent));
			},
		};
		if !standing.active {
			// Deregistered: a peer a block behind has not seen it yet.
			return Err(Verdict::Ignore(Reason::InactiveAgent));
		}
		if h.anchor_number < standing.registered_at {
			// Made before the agent existed: a peer that read the account as a stranger in
			// between rejects it, so its relayers would be punished.
			return Err(Verdict::Ignore(Reason::AnchoredBeforeRegistration));
		}
		// Judged only against an allowance the chain has fixed: a projection may fall (a
		// delegator leaves, a penalty) as well as rise, and a message accepted on one would be
		// rejected by peers that read the fixed allowance, who would blame its relayers.
		if !standing.budgets.get(&h.epoch).is_some_and(|budget| budget.fixed) {
			if h.epoch > self.view.epoch {
				return Err(Verdict::Ignore(Reason::EpochNotStarted));
			}
			if standing.read_at.saturating_add(FRESH_FOR) < self.view.finalized_number {
				// Read before the epoch began (or not in it): the caller may read it again.
				return Err(Verdict::Ignore(Reason::UnknownAgent));
			}
			return Err(Verdict::Ignore(Reason::NoBudget));
		}
		if standing.punished.contains(&h.epoch) {
			// Before the signature, as a conviction: the chain closed the epoch for it.
			return Err(Verdict::Ignore(Reason::AlreadyPunished));
		}
		if body_hash(&message.body) != h.body_hash {
			return Err(Verdict::Reject(Reason::BodyHash));
		}
		if self.view.costs.message_cost(h.kind, h.body_len) != h.cost {
			// Prices change through the gate: a peer a block behind still has the old ones.
			return Err(Verdict::Ignore(Reason::WrongCost));
		}
		if let Some(log) = self.logs.get(&(h.agent.clone(), h.epoch)) {
			if log.by_seq.get(&h.seq).is_some_and(|seen| seen.header == *h) {
				return Err(Verdict::Ignore(Reason::Duplicate));
			}
			// Before the signature: a convicted agent's endless fresh messages, or a full log,
			// must not cost a signature check each.
			if log.convicted {
				return Err(Verdict::Ignore(Reason::Convicted));
			}
			if log.by_seq.len() >= self.limits.max_log_len {
				return Err(Verdict::Ignore(Reason::LogFull));
			}
		}
		Ok(message)
	}

	fn check_anchor(&self, number: BlockNumber, hash: Hash) -> Result<(), Verdict> {
		let finalized = self.view.finalized_number;
		if number > finalized {
			return Err(Verdict::Ignore(Reason::AnchorAhead));
		}
		// Both depend on how far this peer has followed the chain: a relayer further behind
		// saw a fresh anchor, or had not yet finalized the block the anchor contradicts.
		if finalized - number > self.limits.max_anchor_lag {
			return Err(Verdict::Ignore(Reason::StaleAnchor));
		}
		match self.view.recent.iter().find(|(n, _)| *n == number) {
			Some((_, known)) if *known != hash => Err(Verdict::Ignore(Reason::WrongAnchor)),
			_ => Ok(()),
		}
	}

	/// Rule C: a message builds on the latest commit, or on a root superseded within the grace
	/// while the mesh learns of new commits. Ignored otherwise: a peer that has not yet seen the commit a
	/// message builds on would also find its anchor ahead of its finalized head, and an agent
	/// that claims a root that never was only wastes its own budget.
	fn check_commit_root(&self, root: Hash) -> Result<(), Verdict> {
		if root == self.view.commits.root {
			return Ok(());
		}
		let in_grace = |s: &Superseded| {
			self.view.finalized_number.saturating_sub(s.at_block) <= COMMIT_GRACE
				|| self.views - s.at_view <= u64::from(COMMIT_GRACE)
		};
		match self.superseded.iter().any(|s| s.root == root && in_grace(s)) {
			true => Ok(()),
			false => Err(Verdict::Ignore(Reason::StaleCommitRoot)),
		}
	}

	/// The latest headers of `agent` in `epoch` this peer has accepted, for a peer that lost its
	/// ledger ([`crate::scan`]): the one with the highest `seq` and the one whose spend range
	/// ends furthest (the same one for an honest agent).
	pub fn latest(&self, agent: &AccountId, epoch: EpochIndex) -> Vec<SignedMeshHeader> {
		let Some(log) = self.logs.get(&(agent.clone(), epoch)) else { return Vec::new() };
		let last_seq = log.by_seq.values().next_back();
		let furthest = log
			.ranges
			.values()
			.max_by_key(|(end, _)| *end)
			.and_then(|(_, seq)| log.by_seq.get(seq));
		let mut latest: Vec<SignedMeshHeader> = last_seq.into_iter().cloned().collect();
		if let Some(furthest) = furthest.filter(|h| Some(*h) != last_seq) {
			latest.push(furthest.clone());
		}
		latest
	}

	/// Past the messages of `agent` in `epoch` this peer has accepted: the next sequence number
	/// and the end of the spend ranges, if it has accepted any.
	pub fn high_water(&self, agent: &AccountId, epoch: EpochIndex) -> Option<(u64, BudgetUnits)> {
		let log = self.logs.get(&(agent.clone(), epoch))?;
		let next_seq = log.by_seq.keys().next_back().map_or(0, |seq| seq.saturating_add(1));
		let spent = log.ranges.values().map(|(end, _)| *end).max().unwrap_or(0);
		Some((next_seq, spent))
	}

	/// What an unsigned header of a local agent would meet: `Ok` when it is within the budget
	/// and conflicts with no message this peer has seen, else the verdict its publication would
	/// get. Nothing is recorded. The publisher asks before signing, so that no header of its own
	/// that proves fraud ever exists signed.
	pub fn check_unsigned(&self, header: &MeshHeader) -> Result<(), Verdict> {
		let Some(budget) = self.agent(&header.agent).and_then(|s| s.budgets.get(&header.epoch))
		else {
			return Err(Verdict::Ignore(Reason::UnknownAgent));
		};
		let end = header.spend_end();
		if end.is_none_or(|end| end > budget.allowance) {
			return Err(Verdict::Ignore(Reason::Overspend));
		}
		if end.is_none_or(|end| end > budget.allowance.saturating_sub(budget.spent_on_chain)) {
			return Err(Verdict::Ignore(Reason::BudgetExceeded));
		}
		let Some(log) = self.logs.get(&(header.agent.clone(), header.epoch)) else {
			return Ok(());
		};
		if log.convicted {
			return Err(Verdict::Ignore(Reason::Convicted));
		}
		match log.conflict_with(header) {
			Some(_) => Err(Verdict::Ignore(Reason::Equivocation)),
			None => Ok(()),
		}
	}

	/// The checks after the signature: the budget and conflicts with what was seen. Records an
	/// accepted message.
	pub fn admit(&mut self, header: &SignedMeshHeader) -> Admission {
		let h = &header.header;
		let offence = (h.agent.clone(), h.epoch);
		let Some(standing) = self.agent(&h.agent) else {
			return Admission::plain(Verdict::Ignore(Reason::UnknownAgent));
		};
		let (punished, budget) =
			(standing.punished.contains(&h.epoch), standing.budgets.get(&h.epoch).copied());
		if punished {
			// Its epoch is over on chain: nothing it signs there is relayed or proves more.
			self.logs.entry(offence).or_default().convicted = true;
			return Admission::plain(Verdict::Ignore(Reason::AlreadyPunished));
		}
		let Some(budget) = budget else {
			// Without the epoch's allowance nothing can be proven either way.
			return Admission::plain(Verdict::Ignore(Reason::UnknownAgent));
		};
		let end = h.spend_end();
		if !budget.fixed {
			// Checked by the precheck; a projection of the allowance proves nothing either way.
			return Admission::plain(Verdict::Ignore(Reason::NoBudget));
		}
		if end.is_none_or(|end| end > budget.allowance) {
			self.logs.entry(offence.clone()).or_default().convicted = true;
			let evidence = self.evidence_once(offence, || Evidence::Overspend(header.clone()));
			return Admission { verdict: Verdict::Reject(Reason::Overspend), evidence };
		}
		if end.is_none_or(|end| end > budget.allowance.saturating_sub(budget.spent_on_chain)) {
			// One budget across both layers: the units the agent spent on chain are gone from
			// the mesh's, so this is fraud the chain proves with its own record of that
			// spending (which only grows). Ignored, not rejected: a peer a block behind has not
			// seen the on-chain spend yet and relays it in good faith.
			self.logs.entry(offence.clone()).or_default().convicted = true;
			let evidence = self.evidence_once(offence, || Evidence::Overspend(header.clone()));
			return Admission { verdict: Verdict::Ignore(Reason::BudgetExceeded), evidence };
		}
		let log = self.logs.entry(offence.clone()).or_default();
		if log.convicted {
			return Admission::plain(Verdict::Ignore(Reason::Convicted));
		}
		if let Some(earlier) = log.conflict(header) {
			let earlier = earlier.clone();
			log.convicted = true;
			let evidence =
				self.evidence_once(offence, || Evidence::Equivocation(earlier, header.clone()));
			return Admission { verdict: Verdict::Ignore(Reason::Equivocation), evidence };
		}
		if log.by_seq.len() >= self.limits.max_log_len {
			return Admission::plain(Verdict::Ignore(Reason::LogFull));
		}
		log.record(header);
		let epoch = self.view.epoch;
		if let Some(cached) = self.agents.get_mut(&h.agent) {
			cached.last_epoch = cached.last_epoch.max(epoch);
		}
		Admission::plain(Verdict::Accept)
	}

	fn evidence_once(
		&mut self,
		offence: (AccountId, EpochIndex),
		build: impl FnOnce() -> Evidence,
	) -> Option<Evidence> {
		self.evidenced.insert(offence).then(build)
	}

	/// Every check of gossiped evidence but its signatures, cheapest first: decoding, topic,
	/// an epoch the chain punishes, an agent the chain has a record of, an offence not yet
	/// known, and the claim itself (two conflicting headers, or a spend past an allowance the
	/// chain has fixed). Returns the evidence for the signature workers, or the verdict.
	pub fn precheck_evidence(&self, topic: Topic, data: &[u8]) -> Result<Evidence, Verdict> {
		if topic.kind != TopicKind::Evidence {
			return Err(Verdict::Reject(Reason::WrongTopic));
		}
		let evidence: Evidence = decode_bounded(data).map_err(|e| Verdict::Reject(e.into()))?;
		if evidence.group() != topic.group {
			return Err(Verdict::Reject(Reason::WrongTopic));
		}
		// Against the chain before any signature is checked: evidence the chain would refuse
		// (an epoch outside its window, an account that was no agent then) proves nothing
		// anyone can act on, and would otherwise be relayed mesh-wide and remembered.
		let offence = evidence.offence();
		let (agent, epoch) = &offence;
		let current = self.view.epoch;
		if *epoch > current.saturating_add(1) || current.saturating_sub(*epoch) >= EVIDENCE_EPOCHS {
			return Err(Verdict::Ignore(Reason::EpochOutOfRange));
		}
		let standing = match self.known(agent) {
			Known::Agent(standing) => standing,
			// The caller may look the agent up and check again.
			Known::Unknown => return Err(Verdict::Ignore(Reason::UnknownAgent)),
			// No record at a block at or after both headers' anchors: an agent's record lasts
			// from its registration past the evidence window (unbonding), so it was no agent
			// when it signed them. Junk every honest peer rejects alike.
			Known::Stranger { read_at } if read_at >= evidence.latest_anchor() => {
				return Err(Verdict::Reject(Reason::NotAnAgent));
			},
			// Read before an anchor: it may have registered since. Ignored.
			Known::Stranger { .. } => return Err(Verdict::Ignore(Reason::NotAnAgent)),
		};
		if self.evidenced.contains(&offence) {
			return Err(Verdict::Ignore(Reason::Duplicate));
		}
		if standing.punished.contains(epoch) {
			// The chain refuses a second report: relaying it would only cost reporters fees.
			return Err(Verdict::Ignore(Reason::AlreadyPunished));
		}
		let claim_holds = match &evidence {
			Evidence::Equivocation(first, second) => first.header.conflicts_with(&second.header),
			Evidence::Overspend(header) => {
				let Some(budget) = standing.budgets.get(epoch).filter(|budget| budget.fixed) else {
					// No allowance this peer knows as fixed to judge it by: a peer whose view
					// is a refresh behind or ahead may judge otherwise.
					return Err(Verdict::Ignore(Reason::Overspend));
				};
				let left_for_the_mesh = budget.allowance.saturating_sub(budget.spent_on_chain);
				if header.header.spend_end().is_some_and(|end| end <= left_for_the_mesh) {
					// Not by this peer's view; a peer that has seen more on-chain spending
					// may rightly judge otherwise. Read a while ago (other agents are read
					// once an epoch), the caller may read the agent again and check once more.
					if standing.read_at.saturating_add(FRESH_FOR) < self.view.finalized_number {
						return Err(Verdict::Ignore(Reason::UnknownAgent));
					}
					return Err(Verdict::Ignore(Reason::InvalidEvidence));
				}
				true
			},
		};
		if !claim_holds {
			return Err(Verdict::Reject(Reason::InvalidEvidence));
		}
		Ok(evidence)
	}

	/// Whether this peer accepted messages of `agent` in an epoch it is not convicted in: an
	/// on-chain spend of the agent may prove them an overspend ([`Validator::rejudge`]).
	pub fn has_open_log(&self, agent: &AccountId) -> bool {
		let (current, previous) = (self.view.epoch, self.view.epoch.saturating_sub(1));
		[previous, current, current.saturating_add(1)].into_iter().any(|epoch| {
			self.logs
				.get(&(agent.clone(), epoch))
				.is_some_and(|log| !log.convicted && !log.ranges.is_empty())
		})
	}

	/// Judges again what this peer accepted from `agent`, by its standing as last read: the
	/// evidence for each epoch whose accepted spending now reaches into the units the agent
	/// spent on chain. An agent may spend its allowance on the mesh first and then again in a
	/// pull request signed outside its service; each header was within the budget when it
	/// came, and the pull request landing turns the one that ends furthest into proof of an
	/// overspend (one budget across both layers). The follower reads the agent again at every
	/// finalized block where it spent on chain, so this runs while the evidence window is
	/// open. An epoch the chain already punished closes instead: nothing more is relayed or
	/// reported there.
	pub fn rejudge(&mut self, agent: &AccountId) -> Vec<Evidence> {
		let Some(standing) = self.agent(agent) else { return Vec::new() };
		let budgets: Vec<(EpochIndex, EpochBudget)> =
			standing.budgets.iter().map(|(epoch, budget)| (*epoch, *budget)).collect();
		let punished = standing.punished.clone();
		for epoch in &punished {
			if let Some(log) = self.logs.get_mut(&(agent.clone(), *epoch)) {
				log.convicted = true;
			}
		}
		let mut evidence = Vec::new();
		for (epoch, budget) in budgets {
			if !budget.fixed || punished.contains(&epoch) {
				continue;
			}
			let offence = (agent.clone(), epoch);
			let Some(log) = self.logs.get_mut(&offence) else { continue };
			if log.convicted {
				continue;
			}
			let left_for_the_mesh = budget.allowance.saturating_sub(budget.spent_on_chain);
			// Disjoint and sorted by start: the last range ends furthest.
			let Some((_, &(end, seq))) = log.ranges.last_key_value() else { continue };
			if end <= left_for_the_mesh {
				continue;
			}
			log.convicted = true;
			let header = log.by_seq[&seq].clone();
			evidence.extend(self.evidence_once(offence, || Evidence::Overspend(header)));
		}
		evidence
	}

	/// Records evidence that passed [`Validator::precheck_evidence`] and whose signatures were
	/// verified: the agent's other messages of that epoch are no longer forwarded, and an
	/// offence not yet known is returned for reporting.
	pub fn accept_evidence(&mut self, evidence: Evidence) -> Admission {
		let offence = evidence.offence();
		self.logs.entry(offence.clone()).or_default().convicted = true;
		let fresh = self.evidenced.insert(offence);
		Admission {
			verdict: if fresh { Verdict::Accept } else { Verdict::Ignore(Reason::Duplicate) },
			evidence: fresh.then_some(evidence),
		}
	}

	/// Checks gossiped evidence on this thread: precheck, signatures, accept. For tests and the
	/// benchmark; the service checks the signatures on its worker pool instead.
	pub fn check_evidence(&mut self, topic: Topic, data: &[u8]) -> Admission {
		let evidence = match self.precheck_evidence(topic, data) {
			Ok(evidence) => evidence,
			Err(verdict) => return Admission::plain(verdict),
		};
		if !evidence.signatures_valid(&self.view.genesis) {
			return Admission::plain(Verdict::Reject(Reason::InvalidEvidence));
		}
		self.accept_evidence(evidence)
	}

	/// Runs the whole pipeline on this thread: precheck, signature, admit. For tests and the
	/// benchmark; the service runs the signature check on its worker pool instead.
	pub fn validate(&mut self, topic: Topic, data: &[u8]) -> Admission {
		if topic.kind == TopicKind::Evidence {
			return self.check_evidence(topic, data);
		}
		let message = match self.precheck(topic, data) {
			Ok(message) => message,
			Err(verdict) => return Admission::plain(verdict),
		};
		if !message.header.verify(&self.view.genesis) {
			return Admission::plain(Verdict::Reject(Reason::BadSignature));
		}
		self.admit(&message.header)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::message::{sign, MAX_MESSAGE_LEN};
	use codec::Encode;
	use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
	use teo_primitives::mesh::{MeshHeader, MessageCost, MessageKind};

	const GROUP: u32 = 3;
	const EPOCH: EpochIndex = 5;
	const FINALIZED: BlockNumber = 100;
	const ALLOWANCE: BudgetUnits = 100;

	fn genesis() -> Hash {
		Hash::repeat_byte(0x11)
	}

	fn anchor_hash(n: BlockNumber) -> Hash {
		Hash::repeat_byte(n as u8)
	}

	/// The commit root after `count` commits, in these tests.
	fn commits(count: u64) -> CommitHead {
		CommitHead { root: Hash::repeat_byte(0xc0 + count as u8), count }
	}

	fn costs() -> CostSchedule {
		CostSchedule {
			poll: MessageCost { base: 1, per_kib: 1 },
			simulation: MessageCost { base: 5, per_kib: 2 },
			draft: MessageCost { base: 10, per_kib: 2 },
			pull_request_announcement: MessageCost { base: 2, per_kib: 0 },
			pull_request: 100,
		}
	}

	fn agent() -> sr25519::Pair {
		sr25519::Pair::from_string("//Agent", None).unwrap()
	}

	fn validator() -> Validator {
		let view = ChainView {
			genesis: genesis(),
			finalized_number: FINALIZED,
			recent: (90..=FINALIZED).map(|n| (n, anchor_hash(n))).collect(),
			epoch: EPOCH,
			costs: costs(),
			commits: commits(3),
			state_since: 0,
		};
		let limits = Limits { max_anchor_lag: 10, max_log_len: 4, ..Limits::default() };
		let mut validator = Validator::new(view, limits);
		let budget = EpochBudget { allowance: ALLOWANCE, spent_on_chain: 20, fixed: true };
		let standing = AgentStanding {
			registered: true,
			active: true,
			budgets: [(EPOCH, budget)].into(),
			punished: Default::default(),
			read_at: FINALIZED,
			registered_at: 1,
		};
		validator.set_agent(agent().public().into(), standing);
		validator
	}

	fn draft_topic() -> Topic {
		Topic { group: GROUP, kind: TopicKind::Message(MessageKind::Draft) }
	}

	/// A draft with a 100-byte body (cost 12) at `seq` from `spent_before`.
	fn header(seq: u64, spent_before: BudgetUnits, body: &[u8]) -> MeshHeader {
		MeshHeader {
			agent: agent().public().into(),
			group: GROUP,
			kind: MessageKind::Draft,
			epoch: EPOCH,
			seq,
			spent_before,
			cost: costs().message_cost(MessageKind::Draft, body.len() as u32),
			body_len: body.len() as u32,
			body_hash: body_hash(body),
			anchor_number: FINALIZED - 2,
			anchor_hash: anchor_hash(FINALIZED - 2),
			commit_root: commits(3).root,
		}
	}

	fn encoded(header: MeshHeader, body: &[u8]) -> Vec<u8> {
		MeshMessage { header: sign(&agent(), header, &genesis()), body: body.to_vec() }.encode()
	}

	fn verdict_of(validator: &mut Validator, header: MeshHeader, body: &[u8]) -> Verdict {
		validator.validate(draft_topic(), &encoded(header, body)).verdict
	}

	const BODY: &[u8] = &[7u8; 100];

	#[test]
	fn an_honest_sequence_is_accepted() {
		let mut v = validator();
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		assert_eq!(verdict_of(&mut v, header(1, 12, BODY), BODY), Verdict::Accept);
		// A message of the next epoch (from a peer a block ahead) waits until the epoch has
		// started here: its allowance is a projection until then.
		let mut next = header(0, 0, BODY);
		next.epoch = EPOCH + 1;
		let mut standing = v.agent(&agent().public().into()).unwrap().clone();
		let next_budget = EpochBudget { allowance: ALLOWANCE, spent_on_chain: 0, fixed: false };
		standing.budgets.insert(EPOCH + 1, next_budget);
		v.set_agent(agent().public().into(), standing.clone());
		assert_eq!(
			verdict_of(&mut v, next.clone(), BODY),
			Verdict::Ignore(Reason::EpochNotStarted)
		);
		// Once it has, and the agent is read in it, the new epoch and the one before are both
		// in range (finality lag between peers).
		v.set_view(ChainView { epoch: EPOCH + 1, ..v.view().clone() });
		standing.budgets.insert(EPOCH + 1, EpochBudget { fixed: true, ..next_budget });
		v.set_agent(agent().public().into(), standing);
		assert_eq!(verdict_of(&mut v, next, BODY), Verdict::Accept);
		assert_eq!(verdict_of(&mut v, header(2, 24, BODY), BODY), Verdict::Accept);
	}

	#[test]
	fn malformed_input_is_rejected() {
		let mut v = validator();
		let topic = draft_topic();
		let oversized = vec![0u8; MAX_MESSAGE_LEN + 1];
		assert_eq!(v.validate(topic, &oversized).verdict, Verdict::Reject(Reason::Oversized));
		assert_eq!(v.validate(topic, &[1, 2, 3]).verdict, Verdict::Reject(Reason::Malformed));
		let mut short = header(0, 0, BODY);
		short.body_len = 99;
		assert_eq!(verdict_of(&mut v, short, BODY), Verdict::Reject(Reason::BodyLength));
	}

	#[test]
	fn messages_on_the_wrong_topic_are_rejected() {
		let mut v = validator();
		let data = encoded(header(0, 0, BODY), BODY);
		for topic in [
			Topic { group: GROUP + 1, kind: TopicKind::Message(MessageKind::Draft) },
			Topic { group: GROUP, kind: TopicKind::Message(MessageKind::Poll) },
		] {
			assert_eq!(v.validate(topic, &data).verdict, Verdict::Reject(Reason::WrongTopic));
		}
		let evidence_topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		assert_eq!(v.precheck(evidence_topic, &data), Err(Verdict::Reject(Reason::WrongTopic)));
	}

	#[test]
	fn epochs_and_anchors_must_be_current() {
		let mut v = validator();
		let mut old = header(0, 0, BODY);
		old.epoch = EPOCH - 2;
		assert_eq!(verdict_of(&mut v, old, BODY), Verdict::Ignore(Reason::EpochOutOfRange));
		let mut future = header(0, 0, BODY);
		future.epoch = EPOCH + 2;
		assert_eq!(verdict_of(&mut v, future, BODY), Verdict::Ignore(Reason::EpochOutOfRange));

		let mut stale = header(0, 0, BODY);
		stale.anchor_number = FINALIZED - 11;
		stale.anchor_hash = anchor_hash(FINALIZED - 11);
		assert_eq!(verdict_of(&mut v, stale, BODY), Verdict::Ignore(Reason::StaleAnchor));
		let mut forked = header(0, 0, BODY);
		forked.anchor_hash = Hash::repeat_byte(0xee);
		assert_eq!(verdict_of(&mut v, forked, BODY), Verdict::Ignore(Reason::WrongAnchor));
		let mut ahead = header(0, 0, BODY);
		ahead.anchor_number = FINALIZED + 1;
		assert_eq!(verdict_of(&mut v, ahead, BODY), Verdict::Ignore(Reason::AnchorAhead));
	}

	/// Rule C, attacked: an agent keeps negotiating on a state the ledger has moved past (it
	/// ignores a commit that settled what it argues about), or claims a root that never was.
	/// Its messages are ignored once the mesh has had time to learn of the commit, while the
	/// honest messages signed just before the commit, still crossing the mesh, get through.
	#[test]
	fn messages_build_on_the_latest_commit() {
		let mut v = validator();
		let mut made_up = header(0, 0, BODY);
		made_up.commit_root = Hash::repeat_byte(0x99);
		assert_eq!(verdict_of(&mut v, made_up, BODY), Verdict::Ignore(Reason::StaleCommitRoot));

		// Commit number 4 becomes final in this peer's view at FINALIZED + 1.
		let at = |v: &Validator, finalized: BlockNumber, count: u64| ChainView {
			finalized_number: finalized,
			commits: commits(count),
			state_since: 0,
			..v.view().clone()
		};
		v.set_view(at(&v, FINALIZED + 1, 4));
		// Signed before its agent's service learned of the commit: still in flight.
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		let mut current = header(1, 12, BODY);
		current.commit_root = commits(4).root;
		assert_eq!(verdict_of(&mut v, current, BODY), Verdict::Accept);
		// Later views without a commit keep the grace running, not restart it.
		v.set_view(at(&v, FINALIZED + 1 + COMMIT_GRACE, 4));
		assert_eq!(verdict_of(&mut v, header(2, 24, BODY), BODY), Verdict::Accept);
		v.set_view(at(&v, FINALIZED + 2 + COMMIT_GRACE, 4));
		v.set_view(at(&v, FINALIZED + 3 + COMMIT_GRACE, 4));
		assert_eq!(
			verdict_of(&mut v, header(3, 36, BODY), BODY),
			Verdict::Ignore(Reason::StaleCommitRoot),
			"the grace is over: the agent argues from a superseded state"
		);

		// After a finality stall the view jumps many blocks at once: the grace still spans
		// views, and two commits in a row leave both roots in it.
		let mut v = validator();
		v.set_view(at(&v, FINALIZED + 1, 4));
		v.set_view(at(&v, FINALIZED + 7, 5));
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		let mut on_four = header(1, 12, BODY);
		on_four.commit_root = commits(4).root;
		assert_eq!(verdict_of(&mut v, on_four, BODY), Verdict::Accept);
	}

	#[test]
	fn only_active_agents_may_speak() {
		let mut v = validator();
		let stranger = sr25519::Pair::from_string("//Stranger", None).unwrap();
		let mut h = header(0, 0, BODY);
		h.agent = stranger.public().into();
		let data =
			MeshMessage { header: sign(&stranger, h, &genesis()), body: BODY.to_vec() }.encode();
		assert_eq!(v.validate(draft_topic(), &data).verdict, Verdict::Ignore(Reason::UnknownAgent));
		// Looked up before the anchor: it may have registered since, so it is looked up again.
		let before = AgentStanding { read_at: FINALIZED - 3, ..Default::default() };
		v.set_agent(stranger.public().into(), before);
		assert_eq!(v.validate(draft_topic(), &data).verdict, Verdict::Ignore(Reason::UnknownAgent));
		// Looked up at or after the anchor: the chain has no record of it. Junk every honest
		// peer rejects alike.
		let after = AgentStanding { read_at: FINALIZED, ..Default::default() };
		v.set_agent(stranger.public().into(), after);
		assert_eq!(v.validate(draft_topic(), &data).verdict, Verdict::Reject(Reason::NotAnAgent));

		// Deregistered: a peer a block behind has not seen it, so nobody is blamed.
		let deregistered = AgentStanding { registered: true, active: false, ..Default::default() };
		v.set_agent(agent().public().into(), deregistered);
		assert_eq!(
			verdict_of(&mut v, header(0, 0, BODY), BODY),
			Verdict::Ignore(Reason::InactiveAgent)
		);
	}

	#[test]
	fn the_body_cost_and_signature_must_match() {
		let mut v = validator();
		let other_body = [8u8; 100];
		assert_eq!(
			verdict_of(&mut v, header(0, 0, BODY), &other_body),
			Verdict::Reject(Reason::BodyHash)
		);
		let mut cheap = header(0, 0, BODY);
		cheap.cost = 1;
		assert_eq!(verdict_of(&mut v, cheap, BODY), Verdict::Ignore(Reason::WrongCost));
		let mallory = sr25519::Pair::from_string("//Mallory", None).unwrap();
		let forged = MeshMessage {
			header: sign(&mallory, header(0, 0, BODY), &genesis()),
			body: BODY.to_vec(),
		};
		assert_eq!(
			v.validate(draft_topic(), &forged.encode()).verdict,
			Verdict::Reject(Reason::BadSignature)
		);
		// Signed for another chain.
		let elsewhere = MeshMessage {
			header: sign(&agent(), header(0, 0, BODY), &Hash::repeat_byte(0x22)),
			body: BODY.to_vec(),
		};
		assert_eq!(
			v.validate(draft_topic(), &elsewhere.encode()).verdict,
			Verdict::Reject(Reason::BadSignature)
		);
	}

	#[test]
	fn duplicates_are_ignored() {
		let mut v = validator();
		let data = encoded(header(0, 0, BODY), BODY);
		assert_eq!(v.validate(draft_topic(), &data).verdict, Verdict::Accept);
		assert_eq!(v.validate(draft_topic(), &data).verdict, Verdict::Ignore(Reason::Duplicate));
		// The same header signed again (sr25519 signatures differ each time) is no conflict.
		assert_eq!(
			verdict_of(&mut v, header(0, 0, BODY), BODY),
			Verdict::Ignore(Reason::Duplicate)
		);
	}

	#[test]
	fn spending_past_the_allowance_is_evidence_once() {
		let mut v = validator();
		// [90, 102) ends past the allowance of 100: every peer judges it alike.
		let over = header(1, 90, BODY);
		let admission = v.validate(draft_topic(), &encoded(over.clone(), BODY));
		assert_eq!(admission.verdict, Verdict::Reject(Reason::Overspend));
		let Some(Evidence::Overspend(proof)) = admission.evidence else { panic!("no evidence") };
		assert_eq!(proof.header, over);
		// Convicted: its further messages are neither checked, relayed nor reported again.
		let again = v.validate(draft_topic(), &encoded(header(2, 95, BODY), BODY));
		assert_eq!(again, Admission::plain(Verdict::Ignore(Reason::Convicted)));
	}

	#[test]
	fn units_spent_on_chain_spent_again_on_the_mesh_are_evidence_without_blame() {
		// One budget: 100 units, 20 spent on chain, so the mesh has 80. [72, 84) spends units
		// the pull requests took: the chain proves it with its own record of that spending.
		let mut v = validator();
		let double = header(0, 72, BODY);
		let admission = v.validate(draft_topic(), &encoded(double.clone(), BODY));
		assert_eq!(admission.verdict, Verdict::Ignore(Reason::BudgetExceeded), "no relayer blamed");
		let Some(Evidence::Overspend(proof)) = admission.evidence else { panic!("no evidence") };
		assert_eq!(proof.header, double);
		assert_eq!(
			verdict_of(&mut v, header(1, 0, BODY), BODY),
			Verdict::Ignore(Reason::Convicted),
			"the agent is not relayed for the rest of the epoch"
		);

		// A peer that has not seen the on-chain spend yet ignores the evidence; one that has
		// takes it.
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		let evidence = Evidence::Overspend(sign(&agent(), double, &genesis())).encode();
		let mut behind = validator();
		let mut standing = behind.agent(&agent().public().into()).unwrap().clone();
		standing.budgets.get_mut(&EPOCH).unwrap().spent_on_chain = 0;
		behind.set_agent(agent().public().into(), standing.clone());
		assert_eq!(
			behind.check_evidence(topic, &evidence),
			Admission::plain(Verdict::Ignore(Reason::InvalidEvidence)),
			"read at its finalized head: reading again would show nothing new"
		);
		// Read blocks ago: the agent is read again (the caller parks the evidence meanwhile).
		behind.set_agent(
			agent().public().into(),
			AgentStanding { read_at: FINALIZED - 5, ..standing },
		);
		assert_eq!(
			behind.check_evidence(topic, &evidence),
			Admission::plain(Verdict::Ignore(Reason::UnknownAgent))
		);
		assert_eq!(validator().check_evidence(topic, &evidence).verdict, Verdict::Accept);
	}

	/// The agent's standing in these tests after it spent `spent_on_chain` in pull requests.
	fn after_spending(v: &Validator, spent_on_chain: BudgetUnits) -> AgentStanding {
		let mut standing = v.agent(&agent().public().into()).unwrap().clone();
		standing.budgets.get_mut(&EPOCH).unwrap().spent_on_chain = spent_on_chain;
		standing
	}

	#[test]
	fn a_pull_request_landing_after_the_mesh_spending_proves_it_an_overspend() {
		// Mesh first: 100 units, 20 spent on chain, and the agent takes 48 of the mesh's 80 in
		// headers each within the budget when they came. Then a pull request signed outside
		// its service lands and takes 40 more: the header ending furthest now reaches into the
		// chain's units, and reading the agent again turns it into evidence, once.
		let mut v = validator();
		for seq in 0..4 {
			let spent_before = seq * 12;
			assert_eq!(verdict_of(&mut v, header(seq, spent_before, BODY), BODY), Verdict::Accept);
		}
		let furthest = header(3, 36, BODY);
		assert!(v.rejudge(&agent().public().into()).is_empty(), "nothing proven yet");
		v.set_agent(agent().public().into(), after_spending(&v, 60));
		let evidence = v.rejudge(&agent().public().into());
		let [Evidence::Overspend(proof)] = &evidence[..] else {
			panic!("no evidence: {evidence:?}")
		};
		assert_eq!(proof.header, furthest);
		assert!(v.rejudge(&agent().public().into()).is_empty(), "each offence proven once");
		let next = v.validate(draft_topic(), &encoded(header(4, 48, BODY), BODY));
		assert_ne!(next.verdict, Verdict::Accept, "not relayed for the rest of the epoch");
		assert_eq!(next.evidence, None);
		// Every peer that saw the pull request land takes the evidence as it is gossiped.
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		let mut other = validator();
		other.set_agent(agent().public().into(), after_spending(&other, 60));
		assert_eq!(other.check_evidence(topic, &evidence[0].encode()).verdict, Verdict::Accept);
	}

	#[test]
	fn an_honest_agent_sharing_its_allowance_with_a_pull_request_is_never_judged_again() {
		// The service sends a pull request only if its worst price fits beside the mesh
		// spending: 36 units on the mesh, then a pull request of 44 (80 on chain in all).
		let mut v = validator();
		for seq in 0..3 {
			assert_eq!(verdict_of(&mut v, header(seq, seq * 12, BODY), BODY), Verdict::Accept);
		}
		v.set_agent(agent().public().into(), after_spending(&v, 64));
		assert!(v.rejudge(&agent().public().into()).is_empty());
		assert_eq!(
			v.check_unsigned(&header(3, 36, BODY)),
			Err(Verdict::Ignore(Reason::BudgetExceeded)),
			"its service signs nothing more"
		);
	}

	#[test]
	fn an_epoch_the_chain_punished_is_closed_not_proven_again() {
		// Punishing spends the rest of the epoch's budget: every header the agent signed in it
		// now reads as past the mesh's share. The chain refuses a second report, so no peer
		// makes one, relays the agent there, or relays evidence about it.
		let mut v = validator();
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		let mut punished = after_spending(&v, ALLOWANCE);
		punished.punished.insert(EPOCH);
		v.set_agent(agent().public().into(), punished.clone());
		assert!(v.rejudge(&agent().public().into()).is_empty());
		assert_eq!(
			verdict_of(&mut v, header(1, 12, BODY), BODY),
			Verdict::Ignore(Reason::AlreadyPunished)
		);
		let mut fresh = validator();
		fresh.set_agent(agent().public().into(), punished);
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		let evidence = Evidence::Overspend(sign(&agent(), header(0, 0, BODY), &genesis()));
		assert_eq!(
			fresh.check_evidence(topic, &evidence.encode()).verdict,
			Verdict::Ignore(Reason::AlreadyPunished)
		);
	}

	#[test]
	fn an_overlap_is_evidence_and_convicts_the_agent() {
		let mut v = validator();
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		assert_eq!(verdict_of(&mut v, header(1, 12, BODY), BODY), Verdict::Accept);
		let overlapping = header(2, 20, BODY);
		let admission = v.validate(draft_topic(), &encoded(overlapping.clone(), BODY));
		assert_eq!(admission.verdict, Verdict::Ignore(Reason::Equivocation));
		let Some(Evidence::Equivocation(first, second)) = admission.evidence else {
			panic!("expected equivocation evidence")
		};
		assert_eq!(first.header, header(1, 12, BODY));
		assert_eq!(second.header, overlapping);
		// Honest-looking later messages of the convicted agent are not forwarded.
		assert_eq!(
			verdict_of(&mut v, header(3, 40, BODY), BODY),
			Verdict::Ignore(Reason::Convicted)
		);
	}

	#[test]
	fn the_same_seq_with_another_body_is_an_equivocation() {
		let mut v = validator();
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		let other = [9u8; 100];
		let admission = v.validate(draft_topic(), &encoded(header(0, 12, &other), &other));
		assert_eq!(admission.verdict, Verdict::Ignore(Reason::Equivocation));
		assert!(admission.evidence.is_some());
	}

	#[test]
	fn evidence_is_checked_before_it_is_relayed() {
		let mut v = validator();
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		let first = sign(&agent(), header(0, 0, BODY), &genesis());
		let second = sign(&agent(), header(1, 5, BODY), &genesis());
		let honest = sign(&agent(), header(1, 12, BODY), &genesis());

		let bogus = Evidence::Equivocation(first.clone(), honest).encode();
		assert_eq!(
			v.check_evidence(topic, &bogus).verdict,
			Verdict::Reject(Reason::InvalidEvidence)
		);
		let mut forged = second.clone();
		forged.header.spent_before = 6;
		let unsigned = Evidence::Equivocation(first.clone(), forged).encode();
		assert_eq!(
			v.check_evidence(topic, &unsigned).verdict,
			Verdict::Reject(Reason::InvalidEvidence)
		);

		let proof = Evidence::Equivocation(first, second);
		let admission = v.check_evidence(topic, &proof.encode());
		assert_eq!(
			admission,
			Admission { verdict: Verdict::Accept, evidence: Some(proof.clone()) }
		);
		assert_eq!(
			v.check_evidence(topic, &proof.encode()).verdict,
			Verdict::Ignore(Reason::Duplicate)
		);
		let wrong_group = Topic { group: GROUP + 1, kind: TopicKind::Evidence };
		assert_eq!(
			v.check_evidence(wrong_group, &proof.encode()).verdict,
			Verdict::Reject(Reason::WrongTopic)
		);
		// The agent's messages of that epoch are no longer forwarded.
		assert_eq!(
			verdict_of(&mut v, header(5, 50, BODY), BODY),
			Verdict::Ignore(Reason::Convicted)
		);
	}

	#[test]
	fn spending_past_a_projected_allowance_is_no_fraud_until_it_is_fixed() {
		// The next epoch's allowance is a projection (50 units): citizens delegating late in
		// this epoch may raise it. A peer judging against it must not convict an honest agent.
		let mut v = validator();
		let mut standing = v.agent(&agent().public().into()).unwrap().clone();
		let projected = EpochBudget { allowance: 50, spent_on_chain: 0, fixed: false };
		standing.budgets.insert(EPOCH + 1, projected);
		v.set_agent(agent().public().into(), standing.clone());
		let mut next = header(0, 48, BODY);
		next.epoch = EPOCH + 1;
		let admission = v.validate(draft_topic(), &encoded(next.clone(), BODY));
		assert_eq!(admission, Admission::plain(Verdict::Ignore(Reason::EpochNotStarted)));
		let evidence = Evidence::Overspend(sign(&agent(), next.clone(), &genesis()));
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		assert_eq!(
			v.check_evidence(topic, &evidence.encode()),
			Admission::plain(Verdict::Ignore(Reason::Overspend)),
			"nor is another peer's evidence of it relayed"
		);
		// The epoch starts, but this peer has not read the agent's allowance since: what it
		// holds is still the projection, so nobody is convicted on it. Read before the new
		// head, the agent is looked up again; read at it, its allowance is simply unknown.
		let started = ChainView { epoch: EPOCH + 1, ..v.view().clone() };
		v.set_view(ChainView { finalized_number: FINALIZED + 3, ..started.clone() });
		assert_eq!(
			v.validate(draft_topic(), &encoded(next.clone(), BODY)),
			Admission::plain(Verdict::Ignore(Reason::UnknownAgent))
		);
		v.set_view(started);
		assert_eq!(
			v.validate(draft_topic(), &encoded(next.clone(), BODY)),
			Admission::plain(Verdict::Ignore(Reason::NoBudget))
		);
		// Read again within the epoch, the allowance is fixed: the same spend is fraud.
		standing.budgets.insert(EPOCH + 1, EpochBudget { fixed: true, ..projected });
		v.set_agent(agent().public().into(), standing);
		let admission = v.validate(draft_topic(), &encoded(next, BODY));
		assert_eq!(admission.verdict, Verdict::Reject(Reason::Overspend));
		assert!(matches!(admission.evidence, Some(Evidence::Overspend(_))));
	}

	#[test]
	fn evidence_the_chain_would_refuse_is_neither_relayed_nor_remembered() {
		let mut v = validator();
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		let conflicting = |pair: &sr25519::Pair, epoch: EpochIndex| {
			let mut first = header(0, 0, BODY);
			let mut second = header(0, 12, BODY);
			for h in [&mut first, &mut second] {
				h.agent = pair.public().into();
				h.epoch = epoch;
			}
			Evidence::Equivocation(sign(pair, first, &genesis()), sign(pair, second, &genesis()))
				.encode()
		};
		// A fresh keypair's own conflicting headers: it is no agent, so the caller looks it
		// up instead of relaying it; read at or after the headers' anchors, the chain has no
		// record of it: junk every honest peer rejects.
		let stranger = sr25519::Pair::from_string("//Stranger", None).unwrap();
		let from_stranger = v.check_evidence(topic, &conflicting(&stranger, EPOCH));
		assert_eq!(from_stranger, Admission::plain(Verdict::Ignore(Reason::UnknownAgent)));
		v.set_agent(
			stranger.public().into(),
			AgentStanding { read_at: FINALIZED, ..Default::default() },
		);
		let looked_up = v.check_evidence(topic, &conflicting(&stranger, EPOCH));
		assert_eq!(looked_up, Admission::plain(Verdict::Reject(Reason::NotAnAgent)));
		// Read before the anchors: it may have registered since. Ignored.
		let early = AgentStanding { read_at: FINALIZED - 3, ..Default::default() };
		v.set_agent(stranger.public().into(), early);
		let early = v.check_evidence(topic, &conflicting(&stranger, EPOCH));
		assert_eq!(early, Admission::plain(Verdict::Ignore(Reason::NotAnAgent)));
		// Epochs the chain does not punish: far in the future, or older than its window.
		for epoch in [u32::MAX, EPOCH + 2, EPOCH - EVIDENCE_EPOCHS] {
			let far = v.check_evidence(topic, &conflicting(&agent(), epoch));
			assert_eq!(far, Admission::plain(Verdict::Ignore(Reason::EpochOutOfRange)), "{epoch}");
		}
		// None of it convicted anyone or used up the offence: the agent still speaks, and real
		// evidence about it is still taken.
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		let real = v.check_evidence(topic, &conflicting(&agent(), EPOCH));
		assert_eq!(real.verdict, Verdict::Accept);
	}

	#[test]
	fn the_log_of_an_agent_is_bounded() {
		let mut v = validator();
		for seq in 0..4 {
			let h = header(seq, seq * 12, BODY);
			assert_eq!(verdict_of(&mut v, h, BODY), Verdict::Accept);
		}
		assert_eq!(verdict_of(&mut v, header(4, 48, BODY), BODY), Verdict::Ignore(Reason::LogFull));
	}

	#[test]
	fn a_new_view_forgets_old_epochs() {
		let mut v = validator();
		let local = sr25519::Pair::from_string("//Local", None).unwrap();
		let local: AccountId = local.public().into();
		v.pin(local.clone());
		v.set_agent(local.clone(), v.agent(&agent().public().into()).unwrap().clone());
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		v.set_agent(stranger(0), AgentStanding { read_at: FINALIZED, ..Default::default() });
		// A new block in the same epoch forgets nothing.
		v.set_view(ChainView { finalized_number: FINALIZED + 1, ..v.view().clone() });
		assert_eq!(v.state_size().strangers, 1);
		// The agent spoke in EPOCH: still of use in EPOCH + 1 (evidence, late messages).
		v.set_view(ChainView { epoch: EPOCH + 1, ..v.view().clone() });
		assert!(v.agent(&agent().public().into()).is_some());
		assert_eq!(v.state_size().strangers, 0, "strangers may register at any block");
		// A refresh alone does not keep a silent agent cached.
		let refreshed = v.agent(&agent().public().into()).unwrap().clone();
		v.set_agent(agent().public().into(), refreshed);
		v.set_view(ChainView { epoch: EPOCH + 2, ..v.view().clone() });
		assert!(v.logs.is_empty());
		assert!(v.agent(&agent().public().into()).is_none(), "silent since EPOCH: forgotten");
		// This service's own agent is never forgotten; only its old budgets are.
		assert!(v.agent(&local).unwrap().budgets.is_empty());
	}

	/// An agent's key signing for a block before its registration (junk it sent as a stranger,
	/// say, then registered): peers that read it as a stranger there reject it, so no peer
	/// that knows it registered may relay it.
	#[test]
	fn a_message_anchored_before_its_agents_registration_is_not_relayed() {
		let mut v = validator();
		let mut standing = v.agent(&agent().public().into()).unwrap().clone();
		standing.registered_at = FINALIZED - 1;
		v.set_agent(agent().public().into(), standing);
		assert_eq!(
			verdict_of(&mut v, header(0, 0, BODY), BODY),
			Verdict::Ignore(Reason::AnchoredBeforeRegistration)
		);
		let mut at_registration = header(0, 0, BODY);
		at_registration.anchor_number = FINALIZED - 1;
		at_registration.anchor_hash = anchor_hash(FINALIZED - 1);
		assert_eq!(verdict_of(&mut v, at_registration, BODY), Verdict::Accept);
	}

	/// The anchor a publisher picks, over a view whose recent blocks have gaps (finality may
	/// jump blocks between polls).
	#[test]
	fn an_anchor_is_the_newest_block_deep_enough_and_not_before_the_floor() {
		let view = ChainView {
			finalized_number: 20,
			recent: [10, 13, 17, 19, 20].map(|n| (n, anchor_hash(n))).into(),
			..validator().view().clone()
		};
		let anchor = |depth, floor| view.anchor(depth, floor).map(|(n, _)| n);
		assert_eq!(anchor(1, 0), Some(19));
		assert_eq!(anchor(2, 0), Some(19), "18 was never seen: the next one known");
		assert_eq!(anchor(0, 0), Some(20));
		assert_eq!(anchor(5, 0), Some(17));
		assert_eq!(anchor(2, 20), Some(20), "not before the floor");
		assert_eq!(anchor(2, 21), None, "a floor past the head: no anchor yet");
		assert_eq!(view.anchor(2, 0), Some((19, anchor_hash(19))));
		assert_eq!(ChainView { recent: VecDeque::new(), ..view.clone() }.anchor(2, 0), None);
		// After a finality stall the blocks before the jump are far behind the head: never
		// those.
		let jumped = ChainView { recent: [(10, anchor_hash(10)), (40, anchor_hash(40))].into(), finalized_number: 40, ..view.clone() };
		assert_eq!(jumped.anchor(2, 0), Some((40, anchor_hash(40))));
	}

	/// The state a message is judged on (epoch, commit root, prices) is dated from the first
	/// view that held it; a state older than the peer, from its first view.
	#[test]
	fn the_state_a_message_rests_on_is_dated_from_the_first_view_that_held_it() {
		let mut v = validator();
		let at = |v: &Validator, finalized: BlockNumber, count: u64| ChainView {
			finalized_number: finalized,
			commits: commits(count),
			state_since: finalized,
			..v.view().clone()
		};
		v.set_view(at(&v, FINALIZED, 3));
		v.set_view(at(&v, FINALIZED + 1, 3));
		assert_eq!(v.view().state_since, FINALIZED, "from the peer's first view");
		v.set_view(at(&v, FINALIZED + 3, 4));
		v.set_view(at(&v, FINALIZED + 4, 4));
		assert_eq!(v.view().state_since, FINALIZED + 3, "a commit");
		v.set_view(ChainView { epoch: EPOCH + 1, ..at(&v, FINALIZED + 6, 4) });
		v.set_view(at(&v, FINALIZED + 7, 4));
		assert_eq!(v.view().state_since, FINALIZED + 6, "an epoch");
		let mut costs = costs();
		costs.pull_request += 1;
		v.set_view(ChainView { costs, ..at(&v, FINALIZED + 9, 4) });
		assert_eq!(v.view().state_since, FINALIZED + 6, "no message's price changed");
		costs.draft.per_kib += 1;
		v.set_view(ChainView { costs, ..at(&v, FINALIZED + 10, 4) });
		v.set_view(at(&v, FINALIZED + 11, 4));
		assert_eq!(v.view().state_since, FINALIZED + 10, "a message's price");
	}

	#[test]
	fn a_lookup_read_at_an_older_block_changes_nothing() {
		let mut v = validator();
		let me: AccountId = agent().public().into();
		// Deregistered at the finalized head, then an answer read three blocks earlier arrives
		// last: the agent stays deregistered.
		let gone =
			AgentStanding { registered: true, active: false, read_at: FINALIZED, ..registered(0) };
		assert!(v.record_lookup(me.clone(), gone.clone()));
		assert!(!v.record_lookup(me.clone(), registered(FINALIZED - 3)));
		assert_eq!(v.agent(&me), Some(&gone));
		assert_eq!(
			verdict_of(&mut v, header(0, 0, BODY), BODY),
			Verdict::Ignore(Reason::InactiveAgent)
		);
		// A read at the same block or later is recorded.
		assert!(v.record_lookup(me.clone(), registered(FINALIZED)));
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);

		// The same for a stranger: the chain had no record of it at the head, and an older
		// read that says so too changes nothing (it would make the stranger look up again).
		let nobody = stranger(1);
		assert!(v.record_lookup(
			nobody.clone(),
			AgentStanding { read_at: FINALIZED, ..Default::default() }
		));
		assert!(!v.record_lookup(
			nobody.clone(),
			AgentStanding { read_at: FINALIZED - 4, ..Default::default() }
		));
		assert!(matches!(v.known(&nobody), Known::Stranger { read_at: FINALIZED }));
	}

	fn stranger(i: u32) -> AccountId {
		let mut bytes = [0xee; 32];
		bytes[..4].copy_from_slice(&i.to_le_bytes());
		AccountId::from(bytes)
	}

	fn registered(read_at: BlockNumber) -> AgentStanding {
		let budget = EpochBudget { allowance: ALLOWANCE, spent_on_chain: 0, fixed: true };
		AgentStanding {
			registered: true,
			active: true,
			budgets: [(EPOCH, budget)].into(),
			punished: Default::default(),
			read_at,
			registered_at: 1,
		}
	}

	#[test]
	fn a_flood_of_made_up_accounts_stays_within_its_cache() {
		let limits = Limits { max_agents: 8, max_strangers: 16, ..Limits::default() };
		let mut v = Validator::new(validator().view().clone(), limits);
		let me: AccountId = agent().public().into();
		v.set_agent(me.clone(), registered(FINALIZED));
		for i in 0..10_000 {
			v.set_agent(stranger(i), AgentStanding { read_at: FINALIZED, ..Default::default() });
		}
		let size = v.state_size();
		assert_eq!((size.strangers, size.agents), (16, 1), "strangers never evict agents");
		assert!(v.agent(&me).is_some());
		// Registered agents are bounded too, least recently used out first; this service's
		// own agent is never evicted.
		let local = stranger(u32::MAX);
		v.pin(local.clone());
		v.set_agent(local.clone(), registered(FINALIZED));
		for i in 0..100 {
			v.set_agent(stranger(i), registered(FINALIZED));
		}
		assert_eq!(v.state_size().agents, 8);
		assert_eq!(v.state_size().local_agents, 1);
		assert!(v.agent(&local).is_some());
		assert!(v.agent(&me).is_none(), "the least recently used agent went first");
		assert!(v.agent(&stranger(99)).is_some());
	}

	#[test]
	fn a_local_header_is_checked_for_conflicts_before_it_is_signed() {
		let mut v = validator();
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		assert_eq!(v.check_unsigned(&header(1, 12, BODY)), Ok(()));
		assert_eq!(v.check_unsigned(&header(0, 0, BODY)), Ok(()), "the same header again");
		// Reusing a range, or a sequence number with other content (a lost ledger, a second
		// service with the same key), is refused while nothing conflicting is signed yet.
		assert_eq!(
			v.check_unsigned(&header(1, 5, BODY)),
			Err(Verdict::Ignore(Reason::Equivocation))
		);
		assert_eq!(
			v.check_unsigned(&header(0, 0, &[9u8; 100])),
			Err(Verdict::Ignore(Reason::Equivocation))
		);
		// A spend past the allowance, too.
		assert_eq!(v.check_unsigned(&header(1, 95, BODY)), Err(Verdict::Ignore(Reason::Overspend)));
		assert_eq!(
			v.check_unsigned(&header(1, 75, BODY)),
			Err(Verdict::Ignore(Reason::BudgetExceeded))
		);
		assert!(v.evidenced.is_empty(), "asking convicts nobody");
		// What a publisher whose ledger was lost catches up to.
		assert_eq!(v.high_water(&agent().public().into(), EPOCH), Some((1, 12)));
		assert_eq!(v.high_water(&agent().public().into(), EPOCH + 1), None);
	}

	#[test]
	fn known_evidence_is_ignored_before_its_signatures_are_checked() {
		let mut v = validator();
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		let proof = Evidence::Equivocation(
			sign(&agent(), header(0, 0, BODY), &genesis()),
			sign(&agent(), header(1, 5, BODY), &genesis()),
		);
		assert!(v.precheck_evidence(topic, &proof.encode()).is_ok());
		assert_eq!(v.check_evidence(topic, &proof.encode()).verdict, Verdict::Accept);
		// Any other pair about the same offence costs no signature check.
		let mut forged = proof.clone();
		if let Evidence::Equivocation(_, second) = &mut forged {
			second.header.spent_before = 6;
		}
		assert_eq!(
			v.precheck_evidence(topic, &forged.encode()),
			Err(Verdict::Ignore(Reason::Duplicate))
		);
	}
}
