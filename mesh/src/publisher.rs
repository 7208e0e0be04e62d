//! Publishing for the agents whose keys this service holds: the service picks the epoch, the
//! sequence number and the spend range (past any message of the agent its peer has seen, and,
//! the first time after it starts, past those other peers have seen: should the ledger have
//! been lost), refuses *before signing* when the budget would be exceeded or the header would
//! conflict with a message seen, writes the reservation to the ledger, and only then signs and
//! publishes.

use std::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	time::{Duration, Instant},
};

use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use serde::Serialize;
use teo_primitives::{
	mesh::{BudgetUnits, MeshHeader, MessageKind},
	AccountId, BlockNumber, EpochIndex, GroupId, Hash,
};
use tokio::sync::Mutex;

use crate::{
	ledger::{Ledger, LedgerError, PendingPullRequest, SharedLedger},
	message::{body_hash, MeshMessage, Topic, TopicKind, MAX_BODY_LEN},
	metrics::{AgentLabels, Metrics},
	node::{NodeError, NodeHandle},
	validation::{AgentStanding, ChainView, CommitHead},
};

/// Why the publisher did not sign, or could not answer.
#[derive(Debug, thiserror::Error)]
pub enum PublisherError {
	// The caller named no agent this service can sign for.
	/// The named agent's key is not held by this service.
	#[error("this service holds no key for {0}")]
	NoKeyFor(AccountId),
	/// No agent was named and this service holds no agent key.
	#[error("this service holds no agent key")]
	NoKey,
	/// No agent was named and this service holds several agent keys.
	#[error("this service holds several agent keys: name the agent")]
	AgentAmbiguous,

	// Refusals: do not retry.
	/// The body is longer than a message may carry.
	#[error("the body has {len} bytes; the limit is {}", MAX_BODY_LEN)]
	BodyTooLarge {
		/// The body's length.
		len: usize,
	},
	/// The agent is not registered, or deregistered, on chain.
	#[error("the agent is not registered and active on chain")]
	NotActive,
	/// The chain reports no budget for the agent in the current epoch.
	#[error("the chain reports no budget for this agent in this epoch")]
	NoBudget,
	/// The message costs more than the agent has left this epoch: refused before signing.
	#[error(
		"refused before signing: the message costs {cost} units and the agent has {remaining} \
		 left this epoch"
	)]
	BudgetExceeded {
		/// What the message would cost.
		cost: BudgetUnits,
		/// What the agent has left for messages in the epoch.
		remaining: BudgetUnits,
	},

	// Not yet: retry.
	/// The chain has not reported the agent to this service yet.
	#[error("the chain has not reported this agent yet")]
	NotReported,
	/// The service has no finalized block to anchor to yet.
	#[error("no finalized block to anchor to yet")]
	NoAnchor,
	/// A pull request of the agent is on its way to the chain (one at a time), or one sent in
	/// an epoch's last blocks may land in this epoch at a price nobody knew: the agent's mesh
	/// spending waits here until its fate is known.
	#[error("a pull request of this agent is on its way to the chain; retry once it is final")]
	PullRequestInFlight,
	/// No peer has answered yet whether it saw messages the agent signed earlier in the epoch
	/// (the ledger may have been lost): signing now could repeat them.
	#[error(
		"no peer has answered for the agent's latest messages yet; retry once peers are connected"
	)]
	PeersUnanswered,

	/// The agent built the message on a commit root the chain has moved past (rule C): read
	/// the commits since it, reconsider, and publish on the new head.
	#[error(
		"refused before signing: the message builds on commit root {built_on:?}, which the \
		 ledger of commits has moved past (head {:?} after {} commits)",
		head.root,
		head.count
	)]
	StaleCommitRoot {
		/// The root the agent named.
		built_on: Hash,
		/// The head of the ledger of commits in this service's view.
		head: CommitHead,
	},

	/// The ledger refused the reservation: its epoch is past (retry once the chain view catches
	/// up) or it could not be written (nothing was signed; the slot is skipped).
	#[error(transparent)]
	Ledger(LedgerError),
	/// The peer refused the message or could not answer.
	#[error(transparent)]
	Node(#[from] NodeError),
}

impl PublisherError {
	/// `true` when the same request may succeed later: the chain has not reported the agent or
	/// a finalized block yet, the ledger's epoch is ahead of the chain view, or the peer could
	/// not answer. A refusal, or an agent this service holds no key for, would only repeat.
	pub fn is_retryable(&self) -> bool {
		match self {
			PublisherError::NotReported
			| PublisherError::NoAnchor
			| PublisherError::PullRequestInFlight
			| PublisherError::PeersUnanswered => true,
			// A ledger ahead of the chain view is not a lag that passes: its base path may hold
			// another chain's ledger (a reset dev chain). The operator must look.
			PublisherError::Ledger(_) => false,
			PublisherError::Node(e) => e.is_retryable(),
			PublisherError::NoKeyFor(_)
			| PublisherError::NoKey
			| PublisherError::AgentAmbiguous
			| PublisherError::BodyTooLarge { .. }
			| PublisherError::NotActive
			| PublisherError::NoBudget
			| PublisherError::BudgetExceeded { .. }
			| PublisherError::StaleCommitRoot { .. } => false,
		}
	}
}

/// How many finalized blocks behind its head a service anchors its agents' messages: peers
/// follow different nodes and learn of finality up to a poll or a block apart, and a message
/// anchored past a peer's head is ignored there (gossipsub offers it once). Behind the head by
/// this much, it reads as fresh at every peer up to this many blocks behind; it stays fresh for
/// `max_anchor_lag` less this (18 blocks with the defaults).
pub const ANCHOR_DEPTH: BlockNumber = 2;

/// How long a service with bootnodes waits for a first peer before an agent's first publication
/// after it starts, to ask for the agent's latest messages: enough to dial and handshake.
pub const ASK_PATIENCE: Duration = Duration::from_secs(10);

/// What a publication cost and left.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Published {
	/// The gossip id (hex).
	pub id: String,
	/// The epoch it spent from.
	pub epoch: EpochIndex,
	/// Its sequence number in the epoch.
	pub seq: u64,
	/// What it cost.
	pub cost: BudgetUnits,
	/// Units left to the agent in the epoch.
	pub remaining: BudgetUnits,
}

/// An agent's budget as the service sees it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
	/// The agent (SS58).
	pub agent: String,
	/// The current epoch.
	pub epoch: EpochIndex,
	/// Its allowance in the epoch.
	pub allowance: BudgetUnits,
	/// Spent on chain (pull requests).
	pub spent_on_chain: BudgetUnits,
	/// Spent on the mesh by this service.
	pub spent_on_mesh: BudgetUnits,
	/// What is left for messages.
	pub remaining: BudgetUnits,
}

/// Until when a pull request holds its agent's mesh spending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
	/// It is being sent: its fate is not known yet.
	Sending,
	/// It is in block `number` (hash `hash`), which may yet be left off the finalized chain (a
	/// fork), and then it goes back to a pool and may land again, or first, until `lands_by`.
	/// Held until the agent's standing is read at `number` or later *and* the finalized chain
	/// has that block there (its spend, or its failure, is then final); if the finalized chain
	/// has another block there, until the standing is read at `lands_by`.
	Landed {
		/// The block's number.
		number: teo_primitives::BlockNumber,
		/// The block's hash.
		hash: Hash,
		/// The last block it may land in.
		lands_by: teo_primitives::BlockNumber,
	},
	/// Until the agent's standing is read at this block or later: the last block it could land
	/// in (its fate is unknown: the pool dropped it, or the service lost track of it).
	UntilRead(teo_primitives::BlockNumber),
}

impl Hold {
	/// The block a standing must be read at, or later, to count this pull request's fate,
	/// given the finalized blocks `finalized` (number, hash) the reader knows; `None` while it
	/// is being sent.
	fn until(
		self,
		finalized: &VecDeque<(teo_primitives::BlockNumber, Hash)>,
	) -> Option<teo_primitives::BlockNumber> {
		match self {
			Hold::Sending => None,
			Hold::UntilRead(block) => Some(block),
			Hold::Landed { number, hash, lands_by } => {
				match finalized.iter().find(|(n, _)| *n == number) {
					Some((_, final_hash)) if *final_hash == hash => Some(number),
					// Left off the finalized chain, or too old to tell: until its era is over.
					_ => Some(lands_by),
				}
			},
		}
	}
}

/// A pull request of an agent on its way, and what it may still take from the agent's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InFlight {
	/// Until when it holds the agent's budget.
	hold: Hold,
	/// The epoch it is priced in (at the best block it was sent at): where it lands, if it
	/// lands before that epoch ends.
	epoch: EpochIndex,
	/// The most it can cost there.
	worst_price: BudgetUnits,
}

/// The local agents' keys and their ledger.
///
/// One budget covers both layers: the mesh spends an epoch's units from the bottom, pull
/// requests on chain from the top, and a mesh header that ends past what the on-chain spending
/// leaves is an overspend the chain punishes. So a pull request is sent only if its price fits
/// beside what the agent spent on the mesh (at the price of the group's last admission of the
/// epoch, the most it can cost however many are admitted before it), and while one is in
/// flight, until the finalized chain shows it, it certainly failed, or it can no longer land
/// (its transaction is mortal), that price stays reserved: the agent's mesh spending goes on in
/// the epoch the pull request is priced in, within the allowance less the reservation, and
/// waits in any other epoch (a pull request sent in an epoch's last blocks may land in the
/// next, at a price nobody knew).
pub struct Publisher {
	node: NodeHandle,
	agents: BTreeMap<AccountId, sr25519::Pair>,
	/// Locked while a slot is reserved (in memory) and while a pull request is checked against
	/// the mesh spending: the order of the two layers' spends. Written in groups.
	ledger: SharedLedger,
	/// Per agent, held from the reservation to the publication: its messages leave in `seq`
	/// order, while other agents' reservations share the ledger's writes.
	turns: BTreeMap<AccountId, Mutex<()>>,
	/// Per agent, the latest block a released pull request held it to ([`Hold::UntilRead`]): a
	/// standing read before it misses that pull request's spend, and is too old to judge the
	/// agent's budget by.
	held_to: std::sync::Mutex<BTreeMap<AccountId, teo_primitives::BlockNumber>>,
	in_flight: std::sync::Mutex<BTreeMap<AccountId, InFlight>>,
	metrics: Metrics,
	/// Per agent, the epochs in which other peers were asked for its latest messages since the
	/// service started. An agent's lock is held while they are asked, so that nothing is signed
	/// for it meanwhile; other agents go on.
	asked: BTreeMap<AccountId, Mutex<BTreeSet<EpochIndex>>>,
	/// How long to wait for a first answer: zero without bootnodes (nobody to ask).
	ask_patience: Duration,
}

impl Publisher {
	/// A publisher for `agents`, with its ledger.
	pub fn new(
		node: NodeHandle,
		agents: Vec<sr25519::Pair>,
		ledger: Ledger,
		metrics: Metrics,
	) -> Self {
		let agents: BTreeMap<AccountId, sr25519::Pair> =
			agents.into_iter().map(|pair| (pair.public().into(), pair)).collect();
		let asked = agents.keys().map(|agent| (agent.clone(), Mutex::default())).collect();
		let turns = agents.keys().map(|agent| (agent.clone(), Mutex::default())).collect();
		// Pull requests handed over before a restart may still land: in flight until the chain
		// is read at the last block they may land in.
		let handed_over: Vec<_> = ledger
			.pull_requests()
			.into_iter()
			.filter(|(agent, _)| agents.contains_key(agent))
			.collect();
		let in_flight = handed_over
			.iter()
			.map(|(agent, pending)| {
				let hold = Hold::UntilRead(pending.lands_by);
				let pull_request =
					InFlight { hold, epoch: pending.epoch, worst_price: pending.worst_price };
				(agent.clone(), pull_request)
			})
			.collect();
		Self {
			node,
			agents,
			ledger: SharedLedger::new(ledger),
			turns,
			in_flight: std::sync::Mutex::new(in_flight),
			held_to: Default::default(),
			metrics,
			asked,
			ask_patience: Duration::ZERO,
		}
	}

	/// Waits up to `patience` for a first peer to answer before an agent's first publication in
	/// an epoch, to ask it for the agent's latest messages: for a service with bootnodes, which
	/// then refuses to sign (retryably) while no peer answers.
	pub fn with_ask_patience(mut self, patience: Duration) -> Self {
		self.ask_patience = patience;
		self
	}

	/// The chain view and `agent`'s standing, once other peers have been asked for the agent's
	/// latest messages in the view's epoch (the first time in each epoch after the service
	/// started: see [`Publisher::ask_peers`]). Read again after asking, which takes time.
	async fn view_after_asking(
		&self,
		agent: &AccountId,
	) -> Result<(ChainView, Option<AgentStanding>), PublisherError> {
		loop {
			let (view, standing) = self.node.standing(agent.clone()).await?;
			let Some(asked) = self.asked.get(agent) else { return Ok((view, standing)) };
			let mut asked = asked.lock().await;
			if asked.contains(&view.epoch) {
				return Ok((view, standing));
			}
			self.ask_peers(agent, view.epoch, &view.genesis).await?;
			asked.retain(|epoch| epoch.saturating_add(1) >= view.epoch);
			asked.insert(view.epoch);
		}
	}

	/// Asks other peers for `agent`'s latest messages in `epoch` and moves the ledger past them:
	/// a lost ledger whose own peer restarted too would otherwise start at `seq` 0 and sign
	/// headers conflicting with the agent's earlier ones. Every header an answer carries is
	/// checked to be the agent's, so a lying peer can only withhold. A service with bootnodes
	/// waits for at least one answer ([`Publisher::with_ask_patience`]), and refuses for now
	/// without one; a service without any (a lone development mesh) goes on unasked.
	async fn ask_peers(
		&self,
		agent: &AccountId,
		epoch: EpochIndex,
		genesis: &Hash,
	) -> Result<(), PublisherError> {
		let deadline = Instant::now() + self.ask_patience;
		let latest = loop {
			match self.node.ask_latest(agent.clone(), epoch).await? {
				Some(latest) if latest.answered > 0 => break latest,
				_ if Instant::now() < deadline => {
					tokio::time::sleep(Duration::from_millis(250)).await
				},
				_ if self.ask_patience.is_zero() => {
					tracing::debug!(%agent, "no peer to ask for the agent's latest messages");
					return Ok(());
				},
				_ => return Err(PublisherError::PeersUnanswered),
			}
		};
		let high = crate::scan::high_water(&latest.headers, agent, epoch, genesis);
		if let Some((next_seq, spent)) = high {
			tracing::info!(%agent, epoch, next_seq, spent, answered = latest.answered, "peers have seen the agent's messages");
			let change = self.ledger.lock().await.catch_up(agent, epoch, next_seq, spent);
			if let Some(change) = change {
				self.ledger.make_durable(change).await.map_err(PublisherError::Ledger)?;
			}
		}
		Ok(())
	}

	/// What a pull request of `agent` in flight reserves from its budget in `epoch` (`None`
	/// when none is), or `Err(PullRequestInFlight)` while one holds its mesh spending there
	/// (priced in another epoch). It ends once the agent's standing, read at block `read_at`,
	/// is read late enough.
	fn check_in_flight(
		&self,
		agent: &AccountId,
		view: &ChainView,
		read_at: teo_primitives::BlockNumber,
	) -> Result<Option<BudgetUnits>, PublisherError> {
		let epoch = view.epoch;
		let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
		let mut held_to = self.held_to.lock().unwrap_or_else(|e| e.into_inner());
		let until = in_flight.get(agent).and_then(|p| p.hold.until(&view.recent));
		let reserved = match in_flight.get(agent) {
			Some(_) if until.is_some_and(|block| read_at >= block) => {
				let block = until.unwrap_or_default();
				let at_least = held_to.entry(agent.clone()).or_default();
				*at_least = (*at_least).max(block);
				in_flight.remove(agent);
				None
			},
			// Its price stays reserved in the epoch it can land in, whatever the read misses
			// of it: it costs at most that.
			Some(pull_request) if pull_request.epoch == epoch => Some(pull_request.worst_price),
			Some(_) => return Err(PublisherError::PullRequestInFlight),
			None => None,
		};
		// A standing read before the block a released pull request held the agent to misses
		// its spend, even once another call (read later) has released the hold.
		if held_to.get(agent).is_some_and(|block| read_at < *block) {
			return Err(PublisherError::PullRequestInFlight);
		}
		Ok(reserved)
	}

	/// Checks that a pull request of `agent` that costs at most `worst_price` in epoch
	/// `priced_in` fits beside its mesh spending in the current epoch, and reserves that price
	/// from the agent's mesh spending until [`Publisher::end_pull_request`] says how it ended.
	/// One pull request of an agent is in flight at a time. Returns once the reservation is
	/// in the ledger, with `lands_by` (the last block it may land in): a service restarted
	/// meanwhile keeps it until the chain is read there.
	pub async fn begin_pull_request(
		&self,
		agent: &AccountId,
		worst_price: BudgetUnits,
		priced_in: EpochIndex,
		lands_by: teo_primitives::BlockNumber,
	) -> Result<(), PublisherError> {
		let (view, standing) = self.view_after_asking(agent).await?;
		let standing = standing.ok_or(PublisherError::NotReported)?;
		let budget = standing.budgets.get(&view.epoch).copied().ok_or(PublisherError::NoBudget)?;
		let high_water = self.node.high_water(agent.clone(), view.epoch).await?;
		let mut ledger = self.ledger.lock().await;
		if self.check_in_flight(agent, &view, standing.read_at)?.is_some() {
			return Err(PublisherError::PullRequestInFlight);
		}
		if let Some((next_seq, spent)) = high_water {
			// In memory: it protects no slot until the agent's next reservation, whose write
			// carries it.
			ledger.catch_up(agent, view.epoch, next_seq, spent);
		}
		let spent_on_mesh = ledger.entry(agent, view.epoch).spent;
		let remaining =
			budget.allowance.saturating_sub(budget.spent_on_chain).saturating_sub(spent_on_mesh);
		if worst_price > remaining {
			return Err(PublisherError::BudgetExceeded { cost: worst_price, remaining });
		}
		let pull_request = InFlight { hold: Hold::Sending, epoch: priced_in, worst_price };
		self.in_flight
			.lock()
			.unwrap_or_else(|e| e.into_inner())
			.insert(agent.clone(), pull_request);
		let pending = PendingPullRequest { epoch: priced_in, worst_price, lands_by };
		let change = ledger.hand_over(agent, pending);
		drop(ledger);
		// The caller releases the hold: on an error here, this does (nothing was handed over).
		if let Err(e) = self.ledger.make_durable(change).await {
			self.end_pull_request(agent, None);
			return Err(PublisherError::Ledger(e));
		}
		Ok(())
	}

	/// Says how a pull request of `agent` ended: `None` when it certainly did not land (the pool
	/// refused it as invalid, or it failed in its block), which releases the agent's mesh
	/// spending at once; otherwise the hold until its spend shows in the finalized standing
	/// ([`Hold::UntilRead`]).
	pub fn end_pull_request(&self, agent: &AccountId, hold: Option<Hold>) {
		let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
		match (hold, in_flight.get_mut(agent)) {
			(Some(hold), Some(pull_request)) => pull_request.hold = hold,
			// Not begun here (never so today): held in every epoch, as nothing is reserved.
			(Some(hold), None) => {
				let unpriced = InFlight { hold, epoch: EpochIndex::MAX, worst_price: 0 };
				in_flight.insert(agent.clone(), unpriced);
			},
			(None, _) => {
				in_flight.remove(agent);
			},
		}
	}

	/// The agents this service signs for.
	pub fn agents(&self) -> impl Iterator<Item = &AccountId> {
		self.agents.keys()
	}

	/// The key of `agent`, or of the only agent when `agent` is `None`.
	pub fn key(
		&self,
		agent: Option<&AccountId>,
	) -> Result<(&AccountId, &sr25519::Pair), PublisherError> {
		match agent {
			Some(agent) => self
				.agents
				.get_key_value(agent)
				.ok_or_else(|| PublisherError::NoKeyFor(agent.clone())),
			None if self.agents.len() == 1 => {
				Ok(self.agents.iter().next().expect("one agent; qed"))
			},
			None if self.agents.is_empty() => Err(PublisherError::NoKey),
			None => Err(PublisherError::AgentAmbiguous),
		}
	}

	/// The budget of `agent` in the current epoch.
	pub async fn budget(&self, agent: Option<&AccountId>) -> Result<Budget, PublisherError> {
		let (agent, _) = self.key(agent)?;
		let (view, standing) = self.node.standing(agent.clone()).await?;
		let standing = standing.ok_or(PublisherError::NotReported)?;
		let budget = standing.budgets.get(&view.epoch).copied().ok_or(PublisherError::NoBudget)?;
		let spent_on_mesh = self.ledger.lock().await.entry(agent, view.epoch).spent;
		// As a publication would find it: a hold due for release is released here too (an
		// agent that waits for its budget to come back reads it here), and while the mesh
		// waits for a pull request priced in another epoch, nothing is left for messages.
		let set_aside = match self.check_in_flight(agent, &view, standing.read_at) {
			Ok(reserved) => reserved.unwrap_or(0),
			Err(_) => BudgetUnits::MAX,
		};
		let headroom =
			budget.allowance.saturating_sub(budget.spent_on_chain).saturating_sub(set_aside);
		Ok(Budget {
			agent: agent.to_string(),
			epoch: view.epoch,
			allowance: budget.allowance,
			spent_on_chain: budget.spent_on_chain,
			spent_on_mesh,
			remaining: headroom.saturating_sub(spent_on_mesh),
		})
	}

	/// Signs and publishes `body` as a `kind` message of `agent` in `group`, on the head of the
	/// ledger of commits, which the agent may name (`builds_on`) to have the message refused
	/// before signing if the head has moved since it read it.
	pub async fn publish(
		&self,
		agent: Option<&AccountId>,
		group: GroupId,
		kind: MessageKind,
		body: Vec<u8>,
		builds_on: Option<Hash>,
	) -> Result<Published, PublisherError> {
		let (agent, pair) = self.key(agent)?;
		if body.len() > MAX_BODY_LEN as usize {
			return Err(PublisherError::BodyTooLarge { len: body.len() });
		}
		// The agent's turn, until its message has left: its messages leave in `seq` order, and
		// each is judged on the standing read in its turn (a pull request's hold released while
		// it waited is seen).
		let _turn = match self.turns.get(agent) {
			Some(turn) => Some(turn.lock().await),
			None => None,
		};
		let (view, standing) = self.view_after_asking(agent).await?;
		let standing = standing.ok_or(PublisherError::NotReported)?;
		if !standing.active {
			return Err(PublisherError::NotActive);
		}
		let budget = standing.budgets.get(&view.epoch).copied().ok_or(PublisherError::NoBudget)?;
		if !budget.fixed {
			// The epoch has just begun and the agent is not read in it yet.
			return Err(PublisherError::NotReported);
		}
		let floor = standing.registered_at.max(view.state_since);
		let (anchor_number, anchor_hash) =
			view.anchor(ANCHOR_DEPTH, floor).ok_or(PublisherError::NoAnchor)?;
		if let Some(built_on) = builds_on.filter(|root| *root != view.commits.root) {
			return Err(PublisherError::StaleCommitRoot { built_on, head: view.commits });
		}
		let body_len = body.len() as u32;
		let cost = view.costs.message_cost(kind, body_len);
		let high_water = self.node.high_water(agent.clone(), view.epoch).await?;
		let (reservation, change, headroom) = {
			let mut ledger = self.ledger.lock().await;
			// Less the worst price of a pull request in flight, which the chain may yet take.
			let reserved = self.check_in_flight(agent, &view, standing.read_at)?;
			let headroom = budget
				.allowance
				.saturating_sub(budget.spent_on_chain)
				.saturating_sub(reserved.unwrap_or(0));
			if let Some((next_seq, spent)) = high_water {
				ledger.catch_up(agent, view.epoch, next_seq, spent);
			}
			let (reservation, change) =
				ledger.reserve(agent, view.epoch, cost, headroom).map_err(|e| match e {
					LedgerError::BudgetExhausted { cost, remaining } => {
						PublisherError::BudgetExceeded { cost, remaining }
					},
					other => PublisherError::Ledger(other),
				})?;
			(reservation, change, headroom)
		};
		// On disk before anything is signed in the slot, in one write with the reservations
		// of the service's other agents made meanwhile.
		self.ledger.make_durable(change).await.map_err(PublisherError::Ledger)?;
		let header = MeshHeader {
			agent: agent.clone(),
			group,
			kind,
			epoch: view.epoch,
			seq: reservation.seq,
			spent_before: reservation.spent_before,
			cost,
			body_len,
			body_hash: body_hash(&body),
			anchor_number,
			anchor_hash,
			commit_root: view.commits.root,
		};
		// The last check before a signature exists: a conflicting header, once signed, would
		// be evidence against the agent.
		self.node.check_unsigned(header.clone()).await?.map_err(NodeError::Refused)?;
		let message = MeshMessage::signed(pair, header, body, &view.genesis);
		// Published in the agent's turn, so its messages leave in seq order.
		let id =
			self.node.publish(Topic { group, kind: TopicKind::Message(kind) }, message).await?;
		let remaining = headroom.saturating_sub(reservation.spent_before + cost);
		self.metrics
			.budget_remaining
			.get_or_create(&AgentLabels { agent: agent.to_string() })
			.set(remaining as i64);
		Ok(Published { id, epoch: view.epoch, seq: reservation.seq, cost, remaining })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{
		node::{self, Command, NodeConfig},
		validation::EpochBudget,
	};
	use prometheus_client::registry::Registry;
	use teo_primitives::{mesh::CostSchedule, Hash};

	const EPOCH: EpochIndex = 2;

	fn standing(allowance: BudgetUnits, spent_on_chain: BudgetUnits) -> AgentStanding {
		let budget = EpochBudget { allowance, spent_on_chain, fixed: true };
		AgentStanding {
			registered: true,
			active: true,
			budgets: [(EPOCH, budget)].into(),
			punished: Default::default(),
			read_at: 9,
			registered_at: 1,
		}
	}

	async fn publisher(dir: &std::path::Path) -> (Publisher, NodeHandle, AccountId) {
		let pair = sr25519::Pair::from_string("//Agent", None).unwrap();
		let agent: AccountId = pair.public().into();
		let view = ChainView {
			genesis: Hash::repeat_byte(1),
			finalized_number: 9,
			recent: [(9, Hash::repeat_byte(9))].into(),
			epoch: EPOCH,
			costs: CostSchedule::REFERENCE,
			commits: CommitHead::default(),
			state_since: 0,
		};
		let mut registry = Registry::default();
		let metrics = Metrics::register(&mut registry);
		let (evidence, _) = tokio::sync::mpsc::channel(4);
		let (lookups, _) = tokio::sync::mpsc::channel(4);
		let config = NodeConfig { local_agents: vec![agent.clone()], ..Default::default() };
		let key = libp2p::identity::Keypair::generate_ed25519();
		let node = node::start(
			key,
			config,
			view.clone(),
			metrics.clone(),
			&mut registry,
			evidence,
			lookups,
		)
		.unwrap();
		let ledger = Ledger::open(dir.join("ledger.json"), view.genesis).unwrap();
		let publisher = Publisher::new(node.clone(), vec![pair], ledger, metrics);
		(publisher, node, agent)
	}

	async fn set(node: &NodeHandle, agent: &AccountId, standing: AgentStanding) {
		node.send(Command::SetAgent { agent: agent.clone(), standing }).await.unwrap();
	}

	/// One budget across both layers: a pull request must fit beside the mesh spending, and its
	/// worst price stays reserved while it is in flight, so that the agent's own mesh headers
	/// never prove an overspend once it lands.
	#[tokio::test]
	async fn a_pull_request_and_the_mesh_share_one_budget() {
		let dir = tempfile::tempdir().unwrap();
		let (publisher, node, agent) = publisher(dir.path()).await;
		set(&node, &agent, standing(300, 0)).await;
		let spent =
			publisher.publish(None, 0, MessageKind::Draft, vec![1; 100], None).await.unwrap();
		let on_mesh = 300 - spent.remaining;

		// The worst-case price does not fit beside what the mesh spent.
		match publisher.begin_pull_request(&agent, 300, EPOCH, 100).await {
			Err(PublisherError::BudgetExceeded { cost: 300, remaining }) => {
				assert_eq!(remaining, 300 - on_mesh)
			},
			other => panic!("expected the budget to be exceeded, got {other:?}"),
		}
		// It fits: its worst price is reserved until the finalized chain shows the spend, and
		// the mesh goes on beside it, one pull request at a time.
		publisher.begin_pull_request(&agent, 250, EPOCH, 100).await.unwrap();
		assert_eq!(publisher.budget(None).await.unwrap().remaining, 300 - on_mesh - 250);
		let beside =
			publisher.publish(None, 0, MessageKind::Poll, vec![2; 10], None).await.unwrap();
		let on_mesh = on_mesh + beside.cost;
		assert_eq!(beside.remaining, 300 - on_mesh - 250);
		let too_much = publisher.publish(None, 0, MessageKind::Draft, vec![2; 30_000], None).await;
		assert!(
			matches!(too_much, Err(PublisherError::BudgetExceeded { remaining, .. }) if remaining == 300 - on_mesh - 250),
			"the reservation is not the mesh's: {too_much:?}"
		);
		assert!(matches!(
			publisher.begin_pull_request(&agent, 100, EPOCH, 100).await,
			Err(PublisherError::PullRequestInFlight)
		));
		// It landed in block 12: reserved until the standing is read there, then counted.
		publisher.end_pull_request(&agent, Some(Hold::UntilRead(12)));
		set(&node, &agent, AgentStanding { read_at: 11, ..standing(300, 0) }).await;
		assert_eq!(publisher.budget(None).await.unwrap().remaining, 300 - on_mesh - 250);
		let landed =
			publisher.publish(None, 0, MessageKind::Poll, vec![2; 10], None).await.unwrap();
		let on_mesh = on_mesh + landed.cost;
		assert_eq!(landed.remaining, 300 - on_mesh - 250, "landed, not read there yet: reserved");
		set(&node, &agent, AgentStanding { read_at: 12, ..standing(300, 100) }).await;
		let after = publisher.publish(None, 0, MessageKind::Poll, vec![2; 10], None).await.unwrap();
		assert_eq!(
			after.remaining,
			300 - 100 - on_mesh - after.cost,
			"the chain's units are not the mesh's"
		);

		// A pull request that certainly failed releases its reservation at once.
		publisher.begin_pull_request(&agent, 50, EPOCH, 100).await.unwrap();
		publisher.end_pull_request(&agent, None);
		publisher.publish(None, 0, MessageKind::Poll, vec![3; 10], None).await.unwrap();

		// One priced in the next epoch (sent at its first best block while the finalized chain
		// is still in this one) may land there at a price nobody reserved here: the mesh waits.
		publisher.begin_pull_request(&agent, 10, EPOCH + 1, 100).await.unwrap();
		let waiting = publisher.publish(None, 0, MessageKind::Poll, vec![2; 10], None).await;
		assert!(matches!(waiting, Err(PublisherError::PullRequestInFlight)), "{waiting:?}");
		assert!(waiting.unwrap_err().is_retryable());
		publisher.end_pull_request(&agent, None);

		// One lands in block 20; a second, on a standing read there, releases the hold and then
		// certainly fails. A call judged on a standing read before block 20 (taken before the
		// release) would miss the first one's spend: refused.
		publisher.begin_pull_request(&agent, 10, EPOCH, 100).await.unwrap();
		publisher.end_pull_request(&agent, Some(Hold::UntilRead(20)));
		set(&node, &agent, AgentStanding { read_at: 20, ..standing(300, 110) }).await;
		publisher.begin_pull_request(&agent, 10, EPOCH, 100).await.unwrap();
		publisher.end_pull_request(&agent, None);
		let view = node.standing(agent.clone()).await.unwrap().0;
		let stale = publisher.check_in_flight(&agent, &view, 19);
		assert!(matches!(stale, Err(PublisherError::PullRequestInFlight)), "{stale:?}");
		// Nor does the node go back to a read before block 20 when one finishes last.
		set(&node, &agent, AgentStanding { read_at: 19, ..standing(300, 100) }).await;
		assert_eq!(publisher.budget(None).await.unwrap().spent_on_chain, 110);
		publisher.publish(None, 0, MessageKind::Poll, vec![4; 10], None).await.unwrap();
	}

	/// A pull request is in a block only once that block is final: one in a block the
	/// finalized chain left off (a fork) goes back to a pool and may land later in its era, so
	/// its price stays reserved past a read at that block's height, until its era is over.
	#[tokio::test]
	async fn a_pull_request_counts_once_its_block_is_final() {
		let dir = tempfile::tempdir().unwrap();
		let (publisher, node, agent) = publisher(dir.path()).await;
		set(&node, &agent, standing(300, 0)).await;
		let poll = || publisher.publish(None, 0, MessageKind::Poll, vec![1; 10], None);
		// In the finalized block 9 (the view's): counted once read there.
		publisher.begin_pull_request(&agent, 50, EPOCH, 40).await.unwrap();
		let final_block = Hold::Landed { number: 9, hash: Hash::repeat_byte(9), lands_by: 40 };
		publisher.end_pull_request(&agent, Some(final_block));
		set(&node, &agent, AgentStanding { read_at: 9, ..standing(300, 20) }).await;
		let counted = poll().await.unwrap();
		assert_eq!(counted.remaining, 300 - 20 - counted.cost, "its price counted, not reserved");
		let on_mesh = counted.cost;
		// In a block at height 9 that the finalized chain does not have: reserved until 40.
		publisher.begin_pull_request(&agent, 50, EPOCH, 40).await.unwrap();
		let left_off = Hold::Landed { number: 9, hash: Hash::repeat_byte(0xee), lands_by: 40 };
		publisher.end_pull_request(&agent, Some(left_off));
		set(&node, &agent, AgentStanding { read_at: 20, ..standing(300, 20) }).await;
		let reserved = poll().await.unwrap();
		let on_mesh = on_mesh + reserved.cost;
		assert_eq!(reserved.remaining, 300 - 20 - on_mesh - 50, "still reserved after a fork");
		set(&node, &agent, AgentStanding { read_at: 40, ..standing(300, 20) }).await;
		let released = poll().await.unwrap();
		assert_eq!(released.remaining, 300 - 20 - on_mesh - released.cost, "its era is over");
	}

	/// A service restarted while its agent's pull request is in a pool keeps its worst price
	/// aside until the chain is read where it can no longer land: otherwise the agent's mesh
	/// spending after the restart would prove an overspend once it lands.
	#[tokio::test]
	async fn a_pull_request_handed_over_before_a_restart_stays_reserved() {
		let dir = tempfile::tempdir().unwrap();
		{
			let (publisher, node, agent) = publisher(dir.path()).await;
			set(&node, &agent, standing(300, 0)).await;
			publisher.begin_pull_request(&agent, 250, EPOCH, 30).await.unwrap();
		}
		let (publisher, node, agent) = publisher(dir.path()).await;
		set(&node, &agent, AgentStanding { read_at: 29, ..standing(300, 0) }).await;
		assert_eq!(publisher.budget(None).await.unwrap().remaining, 50);
		let large = || vec![5; 30_000];
		let refused = publisher.publish(None, 0, MessageKind::Draft, large(), None).await;
		assert!(
			matches!(refused, Err(PublisherError::BudgetExceeded { remaining: 50, .. })),
			"{refused:?}"
		);
		// Read where it can no longer land: the units are the agent's again.
		set(&node, &agent, AgentStanding { read_at: 30, ..standing(300, 0) }).await;
		publisher.publish(None, 0, MessageKind::Draft, large(), None).await.unwrap();
	}

	/// Rule C from the agent's side: an agent that names the root it reasoned from is refused
	/// before signing once the ledger has moved on, with the new head, and spends nothing;
	/// what it publishes carries the head.
	#[tokio::test]
	async fn a_message_built_on_a_superseded_root_is_refused_before_signing() {
		let dir = tempfile::tempdir().unwrap();
		let (publisher, node, agent) = publisher(dir.path()).await;
		set(&node, &agent, standing(300, 0)).await;
		let head = CommitHead { root: Hash::repeat_byte(0xc1), count: 1 };
		let view = ChainView { commits: head, ..node.standing(agent.clone()).await.unwrap().0 };
		node.send(Command::SetView { view }).await.unwrap();

		let old = Hash::repeat_byte(0xc0);
		match publisher.publish(None, 0, MessageKind::Poll, vec![1; 10], Some(old)).await {
			Err(PublisherError::StaleCommitRoot { built_on, head: told }) => {
				assert_eq!((built_on, told), (old, head))
			},
			other => panic!("expected a stale root, got {other:?}"),
		}
		assert_eq!(publisher.budget(None).await.unwrap().spent_on_mesh, 0, "nothing reserved");
		let sent = publisher.publish(None, 0, MessageKind::Poll, vec![1; 10], Some(head.root));
		assert_eq!(sent.await.unwrap().seq, 0);
		let sent = publisher.publish(None, 0, MessageKind::Poll, vec![1; 10], None).await.unwrap();
		assert_eq!(sent.seq, 1);
	}

	/// Peers learn of finality a poll or a block apart, and one behind ignores a message
	/// anchored past its head: the service anchors behind its head, but never before the block
	/// that registered the agent (a peer that read no agent there rejects the message) nor
	/// before it reached the state the message is judged on (a peer that has not seen the
	/// commit root, the epoch or the prices must find the anchor ahead, and wait).
	#[tokio::test]
	async fn a_message_is_anchored_behind_the_head_and_after_what_it_rests_on() {
		let dir = tempfile::tempdir().unwrap();
		let (publisher, node, agent) = publisher(dir.path()).await;
		let mut deliveries = node.subscribe();
		let base = node.standing(agent.clone()).await.unwrap().0;
		let at = |head: BlockNumber, commits: CommitHead| ChainView {
			finalized_number: head,
			recent: (5..=head).map(|n| (n, Hash::repeat_byte(n as u8))).collect(),
			commits,
			..base.clone()
		};
		let mut anchor_of_next = async |registered_at: BlockNumber| {
			let standing = AgentStanding { registered_at, ..standing(300, 0) };
			set(&node, &agent, standing).await;
			publisher.publish(None, 0, MessageKind::Poll, vec![1; 10], None).await.unwrap();
			loop {
				let delivery = deliveries.recv().await.expect("the node delivers what it published");
				if let node::Delivery::Message { message, .. } = delivery {
					let h = message.header.header;
					assert_eq!(h.anchor_hash, Hash::repeat_byte(h.anchor_number as u8));
					return h.anchor_number;
				}
			}
		};
		let old = base.commits;
		for head in [10, 13] {
			node.send(Command::SetView { view: at(head, old) }).await.unwrap();
		}
		assert_eq!(anchor_of_next(1).await, 13 - ANCHOR_DEPTH, "behind the head");
		assert_eq!(anchor_of_next(12).await, 12, "not before the agent's registration");
		let new = CommitHead { root: Hash::repeat_byte(0xc1), count: old.count + 1 };
		node.send(Command::SetView { view: at(14, new) }).await.unwrap();
		assert_eq!(anchor_of_next(1).await, 14, "the root is new at the head");
		node.send(Command::SetView { view: at(17, new) }).await.unwrap();
		assert_eq!(anchor_of_next(1).await, 17 - ANCHOR_DEPTH);
		// Registered after the view's head (the standing was read at a later block): no anchor
		// until the view gets there, and nothing spent.
		set(&node, &agent, AgentStanding { registered_at: 18, ..standing(300, 0) }).await;
		let early = publisher.publish(None, 0, MessageKind::Poll, vec![1; 10], None).await;
		assert!(matches!(early, Err(PublisherError::NoAnchor)), "{early:?}");
	}
}
