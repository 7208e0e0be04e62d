//! The pallet's data types: parameters and their history, agents, delegations, budgets.
//!
//! The arithmetic on them lives with its concern: epochs and eras in `epochs.rs`, allowances,
//! budgets and delegator buckets in `allowance.rs`.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{pallet_prelude::ConstU32, BoundedVec},
	sp_runtime::Perbill,
};
use scale_info::TypeInfo;
use teo_primitives::{
	constitution::{Bounds, MAX_ADMISSIONS_PER_EPOCH},
	mesh::{BudgetUnits, CostSchedule},
	AccountId, Balance, BlockNumber, EpochIndex,
};

/// The protocol parameters of rule A. Changed only by the admin origin, and only from the start
/// of the next epoch, so that every mesh peer and the chain agree on an epoch's numbers.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct BudgetParameters {
	/// Blocks in an epoch.
	pub epoch_length: BlockNumber,
	/// Allowance of an agent with no delegators.
	pub base_allowance: BudgetUnits,
	/// Allowance added per verified delegator.
	pub per_delegator_allowance: BudgetUnits,
	/// Upper bound of any agent's allowance.
	pub max_allowance: BudgetUnits,
	/// Epochs an agent stays under penalty after proven fraud.
	pub penalty_epochs: EpochIndex,
	/// Share of its normal allowance an agent keeps while under penalty.
	pub penalty_allowance: Perbill,
	/// What each action costs.
	pub costs: CostSchedule,
	/// Pull requests admitted into the veto window per group and epoch: the human bandwidth.
	/// The `k`-th admission of an epoch (from 0) costs `(k + 1) × costs.pull_request`.
	pub max_admissions_per_epoch: u32,
	/// The share of a group's admissions per epoch that the agents of one sponsor (one person)
	/// may take together; at least one admission.
	pub person_admission_share: Perbill,
	/// Deposit a sponsor holds for each agent.
	pub agent_deposit: Balance,
	/// Share of an agent's bond (its deposit at registration) slashed for one proven fraud. An
	/// agent whose remaining deposit cannot pay another such slash is expelled.
	pub fraud_slash: Perbill,
	/// Share of the slashed amount paid to the reporter.
	pub reporter_share: Perbill,
	/// Epochs between deregistration and the release of the deposit. At least
	/// [`crate::EVIDENCE_EPOCHS`], so evidence about the last epochs can still be punished.
	pub unbonding_epochs: EpochIndex,
}

impl BudgetParameters {
	/// Whether the parameters are consistent: an epoch needs a block, the base allowance must not
	/// exceed the maximum, unbonding must cover the evidence window, and a pull request must cost
	/// something.
	pub fn is_valid(&self) -> bool {
		self.epoch_length > 0
			&& self.base_allowance <= self.max_allowance
			&& self.unbonding_epochs >= crate::EVIDENCE_EPOCHS
			&& self.costs.pull_request > 0
	}

	/// Whether the parameters stay within the constitution's `bounds`, among them: at least
	/// one admission per epoch, every admission's price within a fully backed agent's reach
	/// (`max_admissions_per_epoch × costs.pull_request ≤ max_allowance`), a lone agent able to
	/// pay the first admission of an epoch (`base_allowance ≥ costs.pull_request`, so no
	/// parameter set can silence every agent), deposits, slashes, penalties and unbonding in
	/// their ranges.
	pub fn is_constitutional(&self, bounds: &Bounds) -> bool {
		let last_price = crate::admissions::price(
			self.costs.pull_request,
			self.max_admissions_per_epoch.saturating_sub(1),
		);
		bounds.epoch_length.contains(&self.epoch_length)
			&& bounds.admissions_per_epoch.contains(&self.max_admissions_per_epoch)
			&& bounds.person_admission_share.contains(&self.person_admission_share)
			&& bounds.agent_deposit.contains(&self.agent_deposit)
			&& bounds.penalty_epochs.contains(&self.penalty_epochs)
			&& bounds.penalty_allowance.contains(&self.penalty_allowance)
			&& bounds.unbonding_epochs.contains(&self.unbonding_epochs)
			&& self.base_allowance >= self.costs.pull_request
			&& bounds.fraud_slash.contains(&self.fraud_slash)
			&& bounds.reporter_share.contains(&self.reporter_share)
			&& last_price <= self.max_allowance
	}
}

/// One set of parameters and the epoch from which it applies.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct ParameterEra {
	/// The first epoch these parameters govern.
	pub first_epoch: EpochIndex,
	/// The first block of that epoch.
	pub first_block: BlockNumber,
	/// The parameters.
	pub parameters: BudgetParameters,
}

/// The eras of the previous, current and scheduled epochs, oldest first: all that budgets and
/// evidence still need (see [`crate::epochs`]).
pub type ParameterHistory = BoundedVec<ParameterEra, ConstU32<3>>;

/// Where an epoch lies: what the mesh needs to tag and check messages.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct EpochInfo {
	/// The epoch's index.
	pub index: EpochIndex,
	/// Its first block.
	pub first_block: BlockNumber,
	/// Its last block.
	pub last_block: BlockNumber,
}

/// Whether an agent may act.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum AgentStatus {
	/// Registered and acting.
	Active,
	/// Deregistered: it can no longer act, and its deposit is released from `release_epoch` on.
	Unbonding {
		/// The first epoch in which the deposit can be released.
		release_epoch: EpochIndex,
	},
}

/// How many delegators of an agent stay verified until a given block. Delegators are grouped by
/// the end of their verification, so that lapsed ones stop counting without iterating over them.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct DelegatorBucket {
	/// The last block at which these delegators are verified.
	pub verified_until: BlockNumber,
	/// How many delegators.
	pub count: u32,
}

/// The most distinct verification ends an agent's delegators may have. Personhood aligns every
/// verification to its period, so live delegations have one or two distinct ends.
pub const MAX_DELEGATOR_BUCKETS: u32 = 4;

/// An agent's budget in one epoch: its allowance, fixed when first needed, and what it spent on
/// chain.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct EpochBudget {
	/// The epoch.
	pub epoch: EpochIndex,
	/// Units the agent may spend in the epoch, on the mesh and on chain together.
	pub allowance: BudgetUnits,
	/// Units spent on chain (pull requests) in the epoch.
	pub spent_on_chain: BudgetUnits,
}

/// A registered agent.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct AgentInfo {
	/// The verified citizen who registered the agent and holds its deposit.
	pub sponsor: AccountId,
	/// The deposit held from the sponsor at registration: each proven fraud slashes a share of
	/// it.
	pub bond: Balance,
	/// The deposit still held from the sponsor for this agent.
	pub deposit: Balance,
	/// The block of registration. Delegations made before it belong to an earlier
	/// registration of the same account and count for nothing here.
	pub registered_at: BlockNumber,
	/// The epoch of registration; the agent has no allowance before it.
	pub registered_epoch: EpochIndex,
	/// Whether the agent may act.
	pub status: AgentStatus,
	/// Its delegators, grouped by the end of their verification.
	pub delegators: BoundedVec<DelegatorBucket, ConstU32<MAX_DELEGATOR_BUCKETS>>,
	/// Epochs before this one are under penalty (reduced allowance).
	pub penalised_until: EpochIndex,
	/// Budgets of the current and the previous epoch, once fixed.
	pub budgets: BoundedVec<EpochBudget, ConstU32<2>>,
	/// Epochs for which the agent was already punished (at most the last two).
	pub punished_epochs: BoundedVec<EpochIndex, ConstU32<2>>,
}

impl AgentInfo {
	/// Delegators that are verified at block `at`.
	pub fn delegators_at(&self, at: BlockNumber) -> u32 {
		self.delegators
			.iter()
			.filter(|bucket| bucket.verified_until >= at)
			.fold(0u32, |sum, bucket| sum.saturating_add(bucket.count))
	}

	/// Delegators counted in storage, lapsed or not.
	pub fn delegation_records(&self) -> u32 {
		self.delegators.iter().fold(0u32, |sum, bucket| sum.saturating_add(bucket.count))
	}

	/// The stored budget of epoch `e`, if it was fixed.
	pub fn budget(&self, e: EpochIndex) -> Option<&EpochBudget> {
		self.budgets.iter().find(|b| b.epoch == e)
	}

	/// Whether the agent may act.
	pub fn is_active(&self) -> bool {
		self.status == AgentStatus::Active
	}
}

/// A citizen's delegation.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct Delegation {
	/// The agent the citizen delegates to.
	pub agent: AccountId,
	/// The end of the citizen's verification when they delegated: the bucket they count in.
	pub verified_until: BlockNumber,
	/// The block of the delegation.
	pub since: BlockNumber,
}

/// Admissions of pull requests into a group's veto window in one epoch.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Default,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct AdmissionCount {
	/// The epoch counted.
	pub epoch: EpochIndex,
	/// Pull requests admitted in it.
	pub admitted: u32,
	/// How many of them each sponsor's agents took: one entry per person, at most one per
	/// admission.
	pub by_person: BoundedVec<(AccountId, u32), ConstU32<MAX_ADMISSIONS_PER_EPOCH>>,
}

/// Why an agent is punished.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Offence {
	/// Two signed headers of one epoch with the same sequence number or overlapping spends.
	Equivocation,
	/// A signed header that spends past the epoch's allowance.
	Overspend,
}
