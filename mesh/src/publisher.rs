//! Publishing for the agents whose keys this service holds: the service picks the epoch, the
//! sequence number and the spend range (past any message of the agent the peer has seen, should
//! the ledger have been lost), refuses *before signing* when the budget would be exceeded or
//! the header would conflict with a message seen, writes the reservation to the ledger, and only
//! then signs and publishes.

use std::collections::BTreeMap;

use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519};
use serde::Serialize;
use teo_primitives::{
	mesh::{BudgetUnits, MeshHeader, MessageKind},
	AccountId, EpochIndex, GroupId,
};
use tokio::sync::Mutex;

use crate::{
	ledger::{Ledger, LedgerError},
	message::{body_hash, MeshMessage, Topic, TopicKind, MAX_BODY_LEN},
	metrics::{AgentLabels, Metrics},
	node::{NodeError, NodeHandle},
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

	/// The ledger refused the reservation: its epoch is past (retry once the chain view catches
	/// up) or it could not be written (nothing was reserved).
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
			PublisherError::NotReported | PublisherError::NoAnchor => true,
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
			| PublisherError::BudgetExceeded { .. } => false,
		}
	}
}

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

/// The local agents' keys and their ledger.
pub struct Publisher {
	node: NodeHandle,
	agents: BTreeMap<AccountId, sr25519::Pair>,
	ledger: Mutex<Ledger>,
	metrics: Metrics,
}

impl Publisher {
	/// A publisher for `agents`, with its ledger.
	pub fn new(
		node: NodeHandle,
		agents: Vec<sr25519::Pair>,
		ledger: Ledger,
		metrics: Metrics,
	) -> Self {
		let agents = agents.into_iter().map(|pair| (pair.public().into(), pair)).collect();
		Self { node, agents, ledger: Mutex::new(ledger), metrics }
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
		let headroom = budget.allowance.saturating_sub(budget.spent_on_chain);
		Ok(Budget {
			agent: agent.to_string(),
			epoch: view.epoch,
			allowance: budget.allowance,
			spent_on_chain: budget.spent_on_chain,
			spent_on_mesh,
			remaining: headroom.saturating_sub(spent_on_mesh),
		})
	}

	/// Signs and publishes `body` as a `kind` message of `agent` in `group`.
	pub async fn publish(
		&self,
		agent: Option<&AccountId>,
		group: GroupId,
		kind: MessageKind,
		body: Vec<u8>,
	) -> Result<Published, PublisherError> {
		let (agent, pair) = self.key(agent)?;
		if body.len() > MAX_BODY_LEN as usize {
			return Err(PublisherError::BodyTooLarge { len: body.len() });
		}
		let (view, standing) = self.node.standing(agent.clone()).await?;
		let standing = standing.ok_or(PublisherError::NotReported)?;
		if !standing.active {
			return Err(PublisherError::NotActive);
		}
		let budget = standing.budgets.get(&view.epoch).copied().ok_or(PublisherError::NoBudget)?;
		let (anchor_number, anchor_hash) = *view.recent.back().ok_or(PublisherError::NoAnchor)?;
		let body_len = body.len() as u32;
		let cost = view.costs.message_cost(kind, body_len);
		let headroom = budget.allowance.saturating_sub(budget.spent_on_chain);
		let mut ledger = self.ledger.lock().await;
		if let Some((next_seq, spent)) = self.node.high_water(agent.clone(), view.epoch).await? {
			ledger.catch_up(agent, view.epoch, next_seq, spent).map_err(PublisherError::Ledger)?;
		}
		let reservation =
			ledger.reserve(agent, view.epoch, cost, headroom).map_err(|e| match e {
				LedgerError::BudgetExhausted { cost, remaining } => {
					PublisherError::BudgetExceeded { cost, remaining }
				},
				other => PublisherError::Ledger(other),
			})?;
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
		};
		// The last check before a signature exists: a conflicting header, once signed, would
		// be evidence against the agent.
		self.node.check_unsigned(header.clone()).await?.map_err(NodeError::Refused)?;
		let message = MeshMessage::signed(pair, header, body, &view.genesis);
		// Published while the ledger is held, so the agent's messages leave in seq order.
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
