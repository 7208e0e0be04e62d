//! Budget arithmetic: what an agent may spend in an epoch, the budgets it fixes before a change,
//! its delegator buckets and its penalty.
//!
//! An agent's allowance in an epoch is `min(max_allowance, base_allowance +
//! per_delegator_allowance × delegators)`, counting the delegators still verified at the epoch's
//! first block, and scaled by `penalty_allowance` while the agent is under penalty. It follows
//! from the agent's state at the epoch's start: the first change to an agent within an epoch
//! fixes the budgets of the current and previous epoch before changing anything, so the chain
//! and every mesh peer agree on them.
//!
//! Pure functions: the pallet reads the agent and the parameter history from storage and passes
//! them in.

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{traits::DefensiveTruncateFrom, BoundedVec},
	sp_runtime::traits::Saturating,
};
use teo_primitives::{mesh::BudgetUnits, BlockNumber, EpochIndex};

use crate::{
	epochs::era_of_epoch, AgentInfo, BudgetParameters, DelegatorBucket, EpochBudget, ParameterEra,
};

impl BudgetParameters {
	/// The allowance of an agent with `delegators` verified delegators: the base allowance plus
	/// the per-delegator allowance for each, capped at the maximum, and scaled by
	/// `penalty_allowance` while the agent is `penalised`.
	pub fn allowance(&self, delegators: u32, penalised: bool) -> BudgetUnits {
		let earned = self
			.base_allowance
			.saturating_add(self.per_delegator_allowance.saturating_mul(delegators.into()))
			.min(self.max_allowance);
		if penalised {
			self.penalty_allowance.mul_floor(earned)
		} else {
			earned
		}
	}
}

impl EpochBudget {
	/// Units the agent can still spend on chain in the epoch.
	pub fn remaining(&self) -> BudgetUnits {
		self.allowance.saturating_sub(self.spent_on_chain)
	}
}

impl AgentInfo {
	/// The allowance the agent earns in epoch `e` from its current state, under the parameter
	/// history `eras`: nothing before its registration, once deregistered, or without parameters.
	pub fn allowance_in(&self, e: EpochIndex, eras: &[ParameterEra]) -> BudgetUnits {
		if e < self.registered_epoch || !self.is_active() {
			return 0;
		}
		let Some(era) = era_of_epoch(eras, e) else { return 0 };
		let delegators = self.delegators_at(era.first_block_of(e));
		era.parameters.allowance(delegators, e < self.penalised_until)
	}

	/// The budget of epoch `e`: the one fixed in the record, or else the one the agent's current
	/// state gives (no change happened in `e` yet, or it would be fixed).
	pub fn budget_in(&self, e: EpochIndex, eras: &[ParameterEra]) -> EpochBudget {
		self.budget(e).copied().unwrap_or_else(|| EpochBudget {
			epoch: e,
			allowance: self.allowance_in(e, eras),
			spent_on_chain: 0,
		})
	}

	/// Fixes the budgets of the previous and current epoch before the agent changes, so that a
	/// change within an epoch affects only the epochs after it.
	pub(crate) fn fix_budgets(&mut self, epoch: EpochIndex, eras: &[ParameterEra]) {
		let budgets: Vec<EpochBudget> = [epoch.checked_sub(1), Some(epoch)]
			.into_iter()
			.flatten()
			.map(|e| self.budget_in(e, eras))
			.collect();
		// Two epochs at most: the record's bound.
		self.budgets = BoundedVec::defensive_truncate_from(budgets);
	}

	/// Spends `units` of the fixed budget of `epoch` on chain; returns what remains, or `None`
	/// if that budget was not fixed.
	pub(crate) fn spend_fixed(
		&mut self,
		epoch: EpochIndex,
		units: BudgetUnits,
	) -> Option<BudgetUnits> {
		let budget = self.budgets.iter_mut().find(|b| b.epoch == epoch)?;
		budget.spent_on_chain.saturating_accrue(units);
		Some(budget.remaining())
	}

	/// Spends all that remains of the fixed budget of `epoch`.
	pub(crate) fn exhaust_fixed(&mut self, epoch: EpochIndex) {
		if let Some(budget) = self.budgets.iter_mut().find(|b| b.epoch == epoch) {
			budget.spent_on_chain = budget.allowance;
		}
	}

	/// Puts the agent under penalty for `penalty_epochs` epochs after `current`, unless an
	/// earlier penalty lasts longer; returns the first epoch after the penalty. The budgets are
	/// fixed first: the current epoch keeps the allowance it started with.
	pub(crate) fn penalise(
		&mut self,
		current: EpochIndex,
		penalty_epochs: EpochIndex,
		eras: &[ParameterEra],
	) -> EpochIndex {
		self.fix_budgets(current, eras);
		self.penalised_until =
			self.penalised_until.max(current.saturating_add(1).saturating_add(penalty_epochs));
		self.penalised_until
	}

	/// Counts one more delegator, verified until `verified_until`. Fails if every bucket is taken
	/// by delegators still verified at block `now` (lapsed ones count for nothing, so their
	/// bucket can go).
	pub(crate) fn add_delegator(
		&mut self,
		verified_until: BlockNumber,
		now: BlockNumber,
	) -> Result<(), ()> {
		if let Some(bucket) =
			self.delegators.iter_mut().find(|b| b.verified_until == verified_until)
		{
			bucket.count.saturating_inc();
			return Ok(());
		}
		if self.delegators.is_full() {
			self.delegators.retain(|b| b.verified_until >= now);
		}
		self.delegators.try_push(DelegatorBucket { verified_until, count: 1 }).map_err(|_| ())
	}

	/// Counts one delegator less. A bucket already dropped as lapsed has nothing to remove.
	pub(crate) fn remove_delegator(&mut self, verified_until: BlockNumber) {
		if let Some(bucket) =
			self.delegators.iter_mut().find(|b| b.verified_until == verified_until)
		{
			bucket.count.saturating_dec();
		}
		self.delegators.retain(|b| b.count > 0);
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{AgentStatus, MAX_DELEGATOR_BUCKETS};
	use teo_primitives::AccountId;

	/// The mock runtime's parameters: the pure functions see what the pallet's tests see.
	fn parameters() -> BudgetParameters {
		crate::mock::parameters()
	}

	fn eras() -> [ParameterEra; 1] {
		[ParameterEra { first_epoch: 0, first_block: 0, parameters: parameters() }]
	}

	/// An agent registered in epoch 0 with no delegators.
	fn agent() -> AgentInfo {
		AgentInfo {
			sponsor: AccountId::new([1; 32]),
			bond: 1_000,
			deposit: 1_000,
			registered_at: 0,
			registered_epoch: 0,
			status: AgentStatus::Active,
			delegators: Default::default(),
			penalised_until: 0,
			budgets: Default::default(),
			punished_epochs: Default::default(),
		}
	}

	#[test]
	fn the_allowance_grows_with_delegators_up_to_the_cap() {
		let p = parameters();
		assert_eq!(p.allowance(0, false), 1_000);
		assert_eq!(p.allowance(2, false), 1_200);
		// 1,000 + 4 × 100 = 1,400, capped at 1,250.
		assert_eq!(p.allowance(4, false), 1_250);
		assert_eq!(p.allowance(u32::MAX, false), 1_250);
	}

	#[test]
	fn a_penalty_scales_the_allowance() {
		let p = parameters();
		assert_eq!(p.allowance(0, true), 100);
		assert_eq!(p.allowance(4, true), 125);
		let p = BudgetParameters { per_delegator_allowance: BudgetUnits::MAX, ..parameters() };
		assert_eq!(p.allowance(3, true), 125, "saturates, then caps, then scales");
	}

	#[test]
	fn the_remaining_budget_never_underflows() {
		let budget = EpochBudget { epoch: 0, allowance: 100, spent_on_chain: 150 };
		assert_eq!(budget.remaining(), 0);
		assert_eq!(EpochBudget { spent_on_chain: 30, ..budget }.remaining(), 70);
	}

	#[test]
	fn an_agent_earns_nothing_before_registration_or_once_deregistered() {
		let mut info = AgentInfo { registered_epoch: 2, ..agent() };
		assert_eq!(info.allowance_in(1, &eras()), 0);
		assert_eq!(info.allowance_in(2, &eras()), 1_000);
		info.status = AgentStatus::Unbonding { release_epoch: 5 };
		assert_eq!(info.allowance_in(2, &eras()), 0);
		assert_eq!(agent().allowance_in(0, &[]), 0, "no parameters, no allowance");
	}

	#[test]
	fn delegators_count_if_verified_at_the_epochs_start() {
		let mut info = agent();
		// Verified until the middle of epoch 1 (blocks 10..=19), and for good.
		assert_eq!(info.add_delegator(15, 0), Ok(()));
		assert_eq!(info.add_delegator(1_000, 0), Ok(()));
		assert_eq!(info.allowance_in(1, &eras()), 1_200);
		assert_eq!(info.allowance_in(2, &eras()), 1_100);
	}

	#[test]
	fn a_penalty_covers_the_epochs_before_its_end() {
		let mut info = agent();
		assert_eq!(info.penalise(0, 5, &eras()), 6);
		assert_eq!(info.budget_in(0, &eras()).allowance, 1_000, "the current epoch is fixed");
		assert_eq!(info.allowance_in(1, &eras()), 100);
		assert_eq!(info.allowance_in(5, &eras()), 100);
		assert_eq!(info.allowance_in(6, &eras()), 1_000);
		// A shorter penalty later does not cut the running one short.
		assert_eq!(info.penalise(1, 0, &eras()), 6);
	}

	#[test]
	fn fixed_budgets_do_not_follow_later_changes() {
		let mut info = agent();
		info.fix_budgets(1, &eras());
		assert_eq!(info.budgets.iter().map(|b| b.epoch).collect::<Vec<_>>(), vec![0, 1]);
		assert_eq!(info.add_delegator(1_000, 10), Ok(()));
		assert_eq!(info.budget_in(1, &eras()).allowance, 1_000);
		assert_eq!(info.budget_in(2, &eras()).allowance, 1_100);
		// Epoch 0 has no previous epoch to fix.
		let mut first = agent();
		first.fix_budgets(0, &eras());
		assert_eq!(first.budgets.len(), 1);
	}

	#[test]
	fn on_chain_spending_draws_on_the_fixed_budget() {
		let mut info = agent();
		assert_eq!(info.spend_fixed(0, 1), None, "nothing fixed yet");
		info.fix_budgets(0, &eras());
		assert_eq!(info.spend_fixed(0, 600), Some(400));
		info.exhaust_fixed(0);
		assert_eq!(info.budget_in(0, &eras()).remaining(), 0);
	}

	#[test]
	fn delegators_with_the_same_verification_end_share_a_bucket() {
		let mut info = agent();
		assert_eq!(info.add_delegator(100, 0), Ok(()));
		assert_eq!(info.add_delegator(100, 0), Ok(()));
		assert_eq!(info.delegators.len(), 1);
		assert_eq!(info.delegation_records(), 2);
		info.remove_delegator(100);
		assert_eq!(info.delegation_records(), 1);
		info.remove_delegator(100);
		assert!(info.delegators.is_empty(), "an empty bucket goes");
		// A bucket dropped as lapsed has nothing to remove.
		info.remove_delegator(100);
		assert!(info.delegators.is_empty());
	}

	#[test]
	fn a_lapsed_bucket_makes_room() {
		let mut info = agent();
		for end in 0..MAX_DELEGATOR_BUCKETS {
			assert_eq!(info.add_delegator(100 + end, 0), Ok(()));
		}
		assert_eq!(info.add_delegator(200, 100), Err(()), "every bucket still verified");
		assert_eq!(info.add_delegator(200, 101), Ok(()), "the bucket ending at 100 lapsed");
		assert_eq!(info.delegators.len(), MAX_DELEGATOR_BUCKETS as usize);
		assert_eq!(info.delegators_at(101), MAX_DELEGATOR_BUCKETS);
	}
}
