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

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use pallet_action_budget::EVIDENCE_EPOCHS;
use teo_primitives::{
	mesh::{BudgetUnits, CostSchedule, SignedMeshHeader},
	AccountId, BlockNumber, EpochIndex, Hash,
};

use crate::message::{
	body_hash, decode_bounded, DecodeError, Evidence, MeshMessage, Topic, TopicKind,
};

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
	/// The sender is not in this peer's cache of agents yet (it is looked up on chain).
	UnknownAgent,
	/// The chain has no record of the sender as an agent, at a finalized block at or after the
	/// message's anchor: an honest publisher anchors to a block at which it is registered, so
	/// every honest peer finds the same.
	NotAnAgent,
	/// The agent is deregistered.
	InactiveAgent,
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
	/// Within the allowance, but not within what the agent has left after its on-chain spend.
	BudgetExceeded,
	/// Conflicts with a message already seen: provable fraud.
	Equivocation,
	/// The agent was caught cheating in this epoch; its other messages are not forwarded.
	Convicted,
	/// Evidence that does not prove anything.
	InvalidEvidence,
	/// Too many messages of one agent in one epoch to track.
	LogFull,
	/// The signature workers are saturated.
	Busy,
}

impl Reason {
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
			Reason::UnknownAgent => "unknown_agent",
			Reason::NotAnAgent => "not_an_agent",
			Reason::InactiveAgent => "inactive_agent",
			Reason::BodyHash => "body_hash",
			Reason::WrongCost => "wrong_cost",
			Reason::Duplicate => "duplicate",
			Reason::BadSignature => "bad_signature",
			Reason::Overspend => "overspend",
			Reason::BudgetExceeded => "budget_exceeded",
			Reason::Equivocation => "equivocation",
			Reason::Convicted => "convicted",
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
		let h = &header.header;
		if let Some(same_seq) = self.by_seq.get(&h.seq) {
			// sr25519 signatures are randomised: the same header signed twice is no conflict.
			return (same_seq.header != header.header).then_some(same_seq);
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

/// Validation state of one peer: the chain view, agents' standings and the messages seen.
pub struct Validator {
	view: ChainView,
	max_anchor_lag: BlockNumber,
	max_log_len: usize,
	agents: HashMap<AccountId, AgentStanding>,
	logs: HashMap<(AccountId, EpochIndex), EpochLog>,
	/// Offences already turned into evidence: each is reported once.
	evidenced: HashSet<(AccountId, EpochIndex)>,
}

impl Validator {
	/// A validator against `view`, rejecting anchors more than `max_anchor_lag` blocks behind
	/// the finalized head and tracking at most `max_log_len` messages per agent and epoch.
	pub fn new(view: ChainView, max_anchor_lag: BlockNumber, max_log_len: usize) -> Self {
		Self {
			view,
			max_anchor_lag,
			max_log_len,
			agents: HashMap::new(),
			logs: HashMap::new(),
			evidenced: HashSet::new(),
		}
	}

	/// The chain view validation uses.
	pub fn view(&self) -> &ChainView {
		&self.view
	}

	/// Moves to a newer chain view; forgets what concerns epochs before the previous one.
	pub fn set_view(&mut self, view: ChainView) {
		let oldest = view.epoch.saturating_sub(1);
		self.logs.retain(|(_, epoch), _| *epoch >= oldest);
		self.evidenced.retain(|(_, epoch)| *epoch >= oldest);
		for standing in self.agents.values_mut() {
			standing.budgets.retain(|epoch, _| *epoch >= oldest);
		}
		self.view = view;
	}

	/// Records what the chain says about `agent`.
	pub fn set_agent(&mut self, agent: AccountId, standing: AgentStanding) {
		self.agents.insert(agent, standing);
	}

	/// What this peer knows about `agent`.
	pub fn agent(&self, agent: &AccountId) -> Option<&AgentStanding> {
		self.agents.get(agent)
	}

	/// The agents this peer tracks.
	pub fn agents(&self) -> impl Iterator<Item = &AccountId> {
		self.agents.keys()
	}

	/// Every check before the signature. Returns the decoded message, or the verdict.
	/// `Ignore(UnknownAgent)` means the agent is not in the cache: the caller may look it up on
	/// chain, [`Validator::set_agent`], and check again.
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
		let standing = self.agents.get(&h.agent).ok_or(Verdict::Ignore(Reason::UnknownAgent))?;
		if !standing.registered {
			// The anchor is at or behind this peer's finalized head (checked above), and the
			// chain has no record of the agent there: junk from a made-up account, which every
			// honest peer rejects alike.
			return Err(Verdict::Reject(Reason::NotAnAgent));
		}
		if !standing.active {
			// Deregistered: a peer a block behind has not seen it yet.
			return Err(Verdict::Ignore(Reason::InactiveAgent));
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
		if finalized - number > self.max_anchor_lag {
			return Err(Verdict::Ignore(Reason::StaleAnchor));
		}
		match self.view.recent.iter().find(|(n, _)| *n == number) {
			Some((_, known)) if *known != hash => Err(Verdict::Ignore(Reason::WrongAnchor)),
			_ => Ok(()),
		}
	}

	/// The checks after the signature: the budget and conflicts with what was seen. Records an
	/// accepted message.
	pub fn admit(&mut self, header: &SignedMeshHeader) -> Admission {
		let h = &header.header;
		let offence = (h.agent.clone(), h.epoch);
		let budget =
			self.agents.get(&h.agent).and_then(|standing| standing.budgets.get(&h.epoch)).copied();
		let Some(budget) = budget else {
			// Without the epoch's allowance nothing can be proven either way.
			return Admission::plain(Verdict::Ignore(Reason::UnknownAgent));
		};
		let end = h.spend_end();
		if end.is_none_or(|end| end > budget.allowance) {
			if !self.allowance_is_fixed(h.epoch) {
				// The next epoch's allowance is a projection: it may yet rise.
				return Admission::plain(Verdict::Ignore(Reason::Overspend));
			}
			let evidence = self.evidence_once(offence, || Evidence::Overspend(header.clone()));
			return Admission { verdict: Verdict::Reject(Reason::Overspend), evidence };
		}
		if end.is_none_or(|end| end > budget.allowance.saturating_sub(budget.spent_on_chain)) {
			// On-chain spending is seen at different blocks by different peers.
			return Admission::plain(Verdict::Ignore(Reason::BudgetExceeded));
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
		if log.by_seq.len() >= self.max_log_len {
			return Admission::plain(Verdict::Ignore(Reason::LogFull));
		}
		log.record(header);
		Admission::plain(Verdict::Accept)
	}

	/// `true` when the chain has fixed the allowance of `epoch` (it has started: an agent's
	/// allowance follows from its state at the epoch's first block), so that spending past it
	/// is provable fraud; the next epoch's is a projection.
	fn allowance_is_fixed(&self, epoch: EpochIndex) -> bool {
		epoch <= self.view.epoch
	}

	fn evidence_once(
		&mut self,
		offence: (AccountId, EpochIndex),
		build: impl FnOnce() -> Evidence,
	) -> Option<Evidence> {
		self.evidenced.insert(offence).then(build)
	}

	/// Checks evidence gossiped by another peer: decodes it and checks that it proves fraud
	/// (signatures included). Valid evidence about an offence not yet known is returned for
	/// reporting; the agent's other messages of that epoch are no longer forwarded.
	pub fn check_evidence(&mut self, topic: Topic, data: &[u8]) -> Admission {
		if topic.kind != TopicKind::Evidence {
			return Admission::plain(Verdict::Reject(Reason::WrongTopic));
		}
		let evidence: Evidence = match decode_bounded(data) {
			Ok(evidence) => evidence,
			Err(e) => return Admission::plain(Verdict::Reject(Reason::from(e))),
		};
		if evidence.group() != topic.group {
			return Admission::plain(Verdict::Reject(Reason::WrongTopic));
		}
		// Against the chain before any signature is checked: evidence the chain would refuse
		// (an epoch outside its window, an account that was no agent then) proves nothing
		// anyone can act on, and would otherwise be relayed mesh-wide and remembered.
		let (agent, epoch) = evidence.offence();
		let current = self.view.epoch;
		if epoch > current.saturating_add(1) || current.saturating_sub(epoch) >= EVIDENCE_EPOCHS {
			return Admission::plain(Verdict::Ignore(Reason::EpochOutOfRange));
		}
		let Some(standing) = self.agents.get(&agent) else {
			// The caller may look the agent up and check again.
			return Admission::plain(Verdict::Ignore(Reason::UnknownAgent));
		};
		if !standing.registered {
			// No record to punish. Ignored, not rejected: the headers' anchors are not checked
			// here, so the evidence may come from a peer ahead of this one, to which the agent
			// registered already.
			return Admission::plain(Verdict::Ignore(Reason::NotAnAgent));
		}
		let budget = standing.budgets.get(&epoch).copied();
		let genesis = self.view.genesis;
		let proves = match &evidence {
			Evidence::Equivocation(first, second) => {
				first.header.conflicts_with(&second.header)
					&& first.verify(&genesis)
					&& second.verify(&genesis)
			},
			Evidence::Overspend(header) => {
				let Some(budget) = budget.filter(|_| self.allowance_is_fixed(epoch)) else {
					// No allowance this peer knows as fixed to judge it by.
					return Admission::plain(Verdict::Ignore(Reason::Overspend));
				};
				header.header.spend_end().is_none_or(|end| end > budget.allowance)
					&& header.verify(&genesis)
			},
		};
		if !proves {
			return Admission::plain(Verdict::Reject(Reason::InvalidEvidence));
		}
		let offence = evidence.offence();
		self.logs.entry(offence.clone()).or_default().convicted = true;
		let fresh = self.evidenced.insert(offence);
		Admission {
			verdict: if fresh { Verdict::Accept } else { Verdict::Ignore(Reason::Duplicate) },
			evidence: fresh.then_some(evidence),
		}
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
		};
		let mut validator = Validator::new(view, 10, 4);
		let budgets = [(EPOCH, EpochBudget { allowance: ALLOWANCE, spent_on_chain: 20 })].into();
		let standing = AgentStanding { registered: true, active: true, budgets };
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
		// The epoch before and after are in range too (finality lag between peers).
		let mut next = header(0, 0, BODY);
		next.epoch = EPOCH + 1;
		let mut standing = v.agent(&agent().public().into()).unwrap().clone();
		standing.budgets.insert(EPOCH + 1, EpochBudget { allowance: ALLOWANCE, spent_on_chain: 0 });
		v.set_agent(agent().public().into(), standing);
		assert_eq!(verdict_of(&mut v, next, BODY), Verdict::Accept);
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

	#[test]
	fn only_active_agents_may_speak() {
		let mut v = validator();
		let stranger = sr25519::Pair::from_string("//Stranger", None).unwrap();
		let mut h = header(0, 0, BODY);
		h.agent = stranger.public().into();
		let data =
			MeshMessage { header: sign(&stranger, h, &genesis()), body: BODY.to_vec() }.encode();
		assert_eq!(v.validate(draft_topic(), &data).verdict, Verdict::Ignore(Reason::UnknownAgent));
		// Looked up: the chain has no record of it. Junk every honest peer rejects alike.
		v.set_agent(stranger.public().into(), AgentStanding::default());
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
		// 100 units, 20 spent on chain: [72, 84) is within the allowance but not the headroom.
		let h = header(0, 72, BODY);
		let admission = v.validate(draft_topic(), &encoded(h, BODY));
		assert_eq!(admission, Admission::plain(Verdict::Ignore(Reason::BudgetExceeded)));
		// [90, 102) ends past the allowance: provable.
		let over = header(1, 90, BODY);
		let admission = v.validate(draft_topic(), &encoded(over.clone(), BODY));
		assert_eq!(admission.verdict, Verdict::Reject(Reason::Overspend));
		let Some(Evidence::Overspend(proof)) = admission.evidence else { panic!("no evidence") };
		assert_eq!(proof.header, over);
		let again = v.validate(draft_topic(), &encoded(header(2, 95, BODY), BODY));
		assert_eq!(again, Admission::plain(Verdict::Reject(Reason::Overspend)), "reported once");
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
		standing.budgets.insert(EPOCH + 1, EpochBudget { allowance: 50, spent_on_chain: 0 });
		v.set_agent(agent().public().into(), standing);
		let mut next = header(0, 48, BODY);
		next.epoch = EPOCH + 1;
		let admission = v.validate(draft_topic(), &encoded(next.clone(), BODY));
		assert_eq!(admission, Admission::plain(Verdict::Ignore(Reason::Overspend)));
		let evidence = Evidence::Overspend(sign(&agent(), next.clone(), &genesis()));
		let topic = Topic { group: GROUP, kind: TopicKind::Evidence };
		assert_eq!(
			v.check_evidence(topic, &evidence.encode()),
			Admission::plain(Verdict::Ignore(Reason::Overspend)),
			"nor is another peer's evidence of it relayed"
		);
		// Once the epoch has started, its allowance is fixed: the same spend is fraud.
		let fixed = ChainView { epoch: EPOCH + 1, ..v.view().clone() };
		v.set_view(fixed);
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
		// up (and then finds nothing to punish) instead of relaying it.
		let stranger = sr25519::Pair::from_string("//Stranger", None).unwrap();
		let from_stranger = v.check_evidence(topic, &conflicting(&stranger, EPOCH));
		assert_eq!(from_stranger, Admission::plain(Verdict::Ignore(Reason::UnknownAgent)));
		v.set_agent(stranger.public().into(), AgentStanding::default());
		let looked_up = v.check_evidence(topic, &conflicting(&stranger, EPOCH));
		assert_eq!(looked_up, Admission::plain(Verdict::Ignore(Reason::NotAnAgent)));
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
		assert_eq!(verdict_of(&mut v, header(0, 0, BODY), BODY), Verdict::Accept);
		let mut view = v.view().clone();
		view.epoch = EPOCH + 2;
		v.set_view(view);
		assert!(v.logs.is_empty());
		assert!(v.agent(&agent().public().into()).unwrap().budgets.is_empty());
	}
}
