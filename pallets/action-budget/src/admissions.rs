//! The human-bandwidth cap, priced and shared: what the next admission into a group's veto
//! window costs, and how many of a group's admissions one person's agents may take.
//!
//! A group's citizens can review `max_admissions_per_epoch` pull requests per epoch. Two rules
//! keep one person from taking that attention from everyone else:
//!
//! - **The price rises with each admission of the epoch.** The `k`-th admission of a group in an
//!   epoch (counting from 0) costs `(k + 1) × costs.pull_request` budget units. The first pull
//!   request of an epoch is as cheap as before; taking the whole window costs
//!   `D (D + 1) / 2` times the base price for `D` admissions, a quadratic price for a linear
//!   good. Budgets grow with delegations, so the last slots of a busy epoch go to the agents
//!   that many citizens back, not to whoever is first. The constitution requires
//!   `D × costs.pull_request ≤ max_allowance`, so that every slot stays within reach of a fully
//!   backed agent.
//! - **One person's agents share one quota.** All agents of one sponsor (a verified citizen:
//!   one person within a verification period) take at most
//!   `max(1, ⌈person_admission_share × D⌉)` of a group's admissions per epoch.
//!
//! Pure functions over the group's [`AdmissionCount`]; the pallet reads and writes the storage
//! around them.

use polkadot_sdk::sp_runtime::{traits::Saturating, Perbill};
use teo_primitives::{mesh::BudgetUnits, AccountId, EpochIndex};

use crate::AdmissionCount;

/// What the next admission costs in a group that admitted `admitted` pull requests this epoch.
pub fn price(base: BudgetUnits, admitted: u32) -> BudgetUnits {
	base.saturating_mul(BudgetUnits::from(admitted).saturating_add(1))
}

/// The most admissions per epoch that one person's agents may take in a group that admits
/// `max_admissions`: at least one, so that every person can be heard.
pub fn person_quota(share: Perbill, max_admissions: u32) -> u32 {
	share.mul_ceil(max_admissions).max(1)
}

impl AdmissionCount {
	/// The record as it stands in `epoch`: an older record counts nothing.
	pub fn in_epoch(self, epoch: EpochIndex) -> Self {
		if self.epoch == epoch {
			self
		} else {
			Self { epoch, ..Default::default() }
		}
	}

	/// The admissions the agents of `person` took.
	pub fn taken_by(&self, person: &AccountId) -> u32 {
		self.by_person.iter().find(|(who, _)| who == person).map_or(0, |(_, n)| *n)
	}

	/// Counts one admission for `person`. Fails, changing nothing, when the record already holds
	/// [`teo_primitives::constitution::MAX_ADMISSIONS_PER_EPOCH`] people.
	pub fn record(&mut self, person: &AccountId) -> Result<(), ()> {
		match self.by_person.iter_mut().find(|(who, _)| who == person) {
			Some((_, n)) => n.saturating_inc(),
			None => self.by_person.try_push((person.clone(), 1)).map_err(|_| ())?,
		}
		self.admitted.saturating_inc();
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_runtime::AccountId32;

	fn person(n: u8) -> AccountId {
		AccountId32::new([n; 32])
	}

	#[test]
	fn the_price_rises_linearly_with_the_admissions_taken() {
		assert_eq!(price(300, 0), 300, "the first admission costs the base price");
		assert_eq!(price(300, 1), 600);
		assert_eq!(price(300, 4), 1_500);
		assert_eq!(price(u64::MAX, 3), u64::MAX, "saturates");
		// Taking a window of D slots costs D (D + 1) / 2 base prices.
		let whole_window: BudgetUnits = (0..5).map(|k| price(10, k)).sum();
		assert_eq!(whole_window, 10 * 5 * 6 / 2);
	}

	#[test]
	fn every_person_may_take_at_least_one_admission() {
		assert_eq!(person_quota(Perbill::from_percent(50), 2), 1);
		assert_eq!(person_quota(Perbill::from_percent(50), 5), 3, "rounds up");
		assert_eq!(person_quota(Perbill::from_percent(10), 2), 1, "never zero");
		assert_eq!(person_quota(Perbill::one(), 4), 4);
	}

	#[test]
	fn a_record_of_an_older_epoch_counts_nothing() {
		let mut count = AdmissionCount::default().in_epoch(3);
		count.record(&person(1)).unwrap();
		assert_eq!(count.clone().in_epoch(3).admitted, 1);
		let next = count.in_epoch(4);
		assert_eq!((next.epoch, next.admitted, next.taken_by(&person(1))), (4, 0, 0));
	}

	#[test]
	fn admissions_are_counted_per_person() {
		let mut count = AdmissionCount::default();
		for p in [1, 2, 1, 1] {
			count.record(&person(p)).unwrap();
		}
		assert_eq!(count.admitted, 4);
		assert_eq!(count.taken_by(&person(1)), 3);
		assert_eq!(count.taken_by(&person(2)), 1);
		assert_eq!(count.taken_by(&person(3)), 0);
	}
}
