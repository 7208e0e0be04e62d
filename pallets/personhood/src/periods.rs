//! Verification-period arithmetic, without storage: whether a period is configured, its last
//! block, whether it is over at a block, and the period that follows it.
//!
//! Periods are not a fixed grid of blocks: the admin origin may change the length of the next
//! period, and a chain without a period starts its first one when a length is set. So the
//! pallet keeps the period in progress in [`CurrentPeriod`](crate::CurrentPeriod), and these
//! functions work on that record rather than on a block number alone.

use crate::PeriodInfo;
use teo_primitives::BlockNumber;

impl PeriodInfo {
	/// Whether a length was ever set; without one nobody can verify and no period ends.
	pub fn is_configured(&self) -> bool {
		self.length > 0
	}

	/// Its last block, the last at which its verifications hold (at most the largest block
	/// number).
	pub fn last_block(&self) -> BlockNumber {
		let last = (u64::from(self.start) + u64::from(self.length)).saturating_sub(1);
		BlockNumber::try_from(last).unwrap_or(BlockNumber::MAX)
	}

	/// Whether it is over at block `now`, so that `now` starts the next period.
	pub fn is_over_at(&self, now: BlockNumber) -> bool {
		self.is_configured() && now >= self.start.saturating_add(self.length)
	}

	/// The period after it, starting at block `now` and lasting `length` blocks.
	pub fn next(&self, now: BlockNumber, length: BlockNumber) -> PeriodInfo {
		PeriodInfo { index: self.index.saturating_add(1), start: now, length }
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const PERIOD: PeriodInfo = PeriodInfo { index: 3, start: 100, length: 50 };

	#[test]
	fn the_last_block_is_the_one_before_the_next_period_starts() {
		assert_eq!(PERIOD.last_block(), 149);
		assert_eq!(PeriodInfo { index: 0, start: 0, length: 1 }.last_block(), 0);
		assert_eq!(PERIOD.last_block() + 1, PERIOD.next(150, 10).start);
	}

	#[test]
	fn the_last_block_saturates_at_the_largest_block_number() {
		let long = PeriodInfo { index: 0, start: BlockNumber::MAX - 1, length: 10 };
		assert_eq!(long.last_block(), BlockNumber::MAX);
	}

	#[test]
	fn a_period_is_over_once_its_length_has_passed() {
		assert!(!PERIOD.is_over_at(100));
		assert!(!PERIOD.is_over_at(149));
		assert!(PERIOD.is_over_at(150));
		assert!(PERIOD.is_over_at(1_000));
	}

	#[test]
	fn a_chain_without_a_period_length_never_starts_a_period() {
		let unconfigured = PeriodInfo::default();
		assert!(!unconfigured.is_configured());
		assert!(!unconfigured.is_over_at(0));
		assert!(!unconfigured.is_over_at(BlockNumber::MAX));
		assert!(PERIOD.is_configured());
	}

	#[test]
	fn the_next_period_takes_the_next_index_the_given_start_and_length() {
		assert_eq!(PERIOD.next(150, 10), PeriodInfo { index: 4, start: 150, length: 10 });
		// A period noticed late (a chain that stalled) starts when it is noticed.
		assert_eq!(PERIOD.next(170, 50), PeriodInfo { index: 4, start: 170, length: 50 });
	}
}
