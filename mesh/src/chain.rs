//! The mesh's view of the chain, through a node's JSON-RPC (`teo-client`): it follows finalized
//! blocks, reads epochs, prices and agents' budgets through the runtime APIs, feeds them to the
//! peer, and submits extrinsics.
//!
//! It can build exactly two kinds of extrinsic, the variants of [`Submission`]: a pull request
//! to the commit gate for one of its agents, and a fraud report. No other call is constructed
//! anywhere in the mesh.

use std::{
	collections::{HashSet, VecDeque},
	time::Duration,
};

use codec::Decode;
use pallet_action_budget::{runtime_api::AgentBudget, AgentInfo, EpochInfo};
use polkadot_sdk::sp_core::{sr25519, H256};
use teo_client::{Chain, Outcome};
use teo_primitives::{mesh::CostSchedule, AccountId, BlockNumber, GroupId};
use teo_runtime::RuntimeCall;
use tokio::sync::{mpsc, oneshot};

use crate::{
	message::Evidence,
	metrics::{Metrics, ReportLabels},
	node::{Command, NodeError, NodeHandle},
	validation::{AgentStanding, ChainView, EpochBudget},
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
	Ok(ChainView { genesis, finalized_number: number, recent, epoch: epoch.index, costs })
}

/// What the chain says about `agent` at `at`, keeping the budget of the previous epoch from
/// `known` (the runtime API reports the current and next epochs only).
pub async fn standing_at(
	chain: &Chain,
	agent: &AccountId,
	at: H256,
	known: Option<&AgentStanding>,
) -> Result<AgentStanding, ChainError> {
	let info: Option<AgentInfo> = chain.runtime_api("ActionBudgetApi_agent", agent, at).await?;
	let budget: Option<AgentBudget> =
		chain.runtime_api("ActionBudgetApi_budget", agent, at).await?;
	let mut standing = AgentStanding {
		registered: info.is_some(),
		active: info.as_ref().is_some_and(|info| info.is_active()),
		budgets: Default::default(),
	};
	if let Some(budget) = budget {
		if let Some(previous) =
			known.and_then(|k| k.budgets.get(&budget.epoch.saturating_sub(1)).copied())
		{
			standing.budgets.insert(budget.epoch.saturating_sub(1), previous);
		}
		standing.budgets.insert(
			budget.epoch,
			EpochBudget { allowance: budget.allowance, spent_on_chain: budget.spent_on_chain },
		);
		standing.budgets.insert(
			budget.epoch + 1,
			EpochBudget { allowance: budget.next_allowance, spent_on_chain: 0 },
		);
	}
	Ok(standing)
}

/// Follows the chain for a peer until the node handle closes: a new view at every finalized
/// block, local agents refreshed every block and others every epoch, agents looked up on
/// request, and evidence reported once per offence by `reporter`.
pub struct Follower {
	/// The node connection.
	pub chain: Chain,
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

impl Follower {
	/// Runs until the peer stops, or until the chain upgrades to a runtime whose encodings
	/// differ from the ones this mesh was built with: then it says why on [`Follower::halt`]
	/// and stops feeding the peer (whose view goes stale, so it relays nothing). Agent lookups
	/// and evidence arrive on the two channels.
	pub async fn run(
		self,
		mut lookups: mpsc::Receiver<AccountId>,
		mut evidence: mpsc::Receiver<Evidence>,
	) {
		let genesis = match self.chain.genesis_hash().await {
			Ok(genesis) => genesis,
			Err(e) => return tracing::error!("cannot read the genesis hash: {e}"),
		};
		let mut recent: VecDeque<(BlockNumber, H256)> = VecDeque::new();
		let mut tracked: HashSet<AccountId> = self.local_agents.iter().cloned().collect();
		let mut reported: HashSet<(AccountId, u32)> = HashSet::new();
		let mut last_epoch = None;
		let mut runtime = None;
		let mut ticker = tokio::time::interval(self.poll_interval);
		loop {
			tokio::select! {
				_ = ticker.tick() => {
					match self.poll(genesis, &mut recent, &tracked, &mut last_epoch, &mut runtime).await {
						Ok(()) => {},
						// The peer is gone: nothing left to follow the chain for.
						Err(ChainError::Node(NodeError::Stopped)) => return,
						Err(e) if e.is_incompatible_runtime() => {
							tracing::error!("following the chain: {e}");
							let _ = self.halt.send(e);
							return;
						},
						Err(e) => tracing::warn!("following the chain: {e}"),
					}
				},
				Some(agent) = lookups.recv() => {
					tracked.insert(agent.clone());
					// At the last block whose runtime was checked; the next poll reads it anyway.
					let Some(&(_, at)) = recent.back() else { continue };
					if let Err(e) = self.refresh(&agent, at).await {
						tracing::warn!("looking up an agent: {e}");
					}
				},
				Some(found) = evidence.recv() => {
					if reported.insert(found.offence()) {
						self.report(found).await;
					}
				},
			}
		}
	}

	async fn poll(
		&self,
		genesis: H256,
		recent: &mut VecDeque<(BlockNumber, H256)>,
		tracked: &HashSet<AccountId>,
		last_epoch: &mut Option<u32>,
		runtime: &mut Option<u32>,
	) -> Result<(), ChainError> {
		let (number, hash) = self.chain.finalized_block().await?;
		if recent.back().is_some_and(|(n, _)| *n >= number) {
			return Ok(());
		}
		// Every block's runtime is checked before anything of its state is read.
		let version = self.chain.checked_runtime(Some(hash)).await?;
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
		let view = view_at(&self.chain, genesis, number, hash, recent.clone()).await?;
		let new_epoch = *last_epoch != Some(view.epoch);
		*last_epoch = Some(view.epoch);
		self.node.send(Command::SetView { view }).await?;
		let refresh: Vec<&AccountId> =
			if new_epoch { tracked.iter().collect() } else { self.local_agents.iter().collect() };
		for agent in refresh {
			self.refresh(agent, hash).await?;
		}
		if let Ok(best) = self.chain.best_number().await {
			self.metrics.finality_lag.set(i64::from(best.saturating_sub(number)));
		}
		Ok(())
	}

	/// Reads `agent`'s standing at `at`, a block whose runtime was checked.
	async fn refresh(&self, agent: &AccountId, at: H256) -> Result<(), ChainError> {
		let (_, known) = self.node.standing(agent.clone()).await?;
		let standing = standing_at(&self.chain, agent, at, known.as_ref()).await?;
		Ok(self.node.send(Command::SetAgent { agent: agent.clone(), standing }).await?)
	}

	async fn report(&self, evidence: Evidence) {
		let Some(reporter) = &self.reporter else { return };
		let offence = evidence.offence();
		let result = match submit(
			&self.chain,
			Submission::FraudReport(Box::new(evidence)),
			reporter,
		)
		.await
		{
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
		self.metrics.evidence_reported.get_or_create(&ReportLabels { result }).inc();
	}
}
