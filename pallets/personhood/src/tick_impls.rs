//! The hooks' work: `on_initialize` starts the next verification period when the current one
//! is over, and `on_idle` removes the records of finished periods with the block's spare
//! weight. Both are metered with a [`WeightMeter`].

use super::*;
use polkadot_sdk::frame_support::{pallet_prelude::*, weights::WeightMeter};

impl<T: Config> Pallet<T> {
	/// Starts the next verification period if the current one is over, with the length
	/// `set_verification_period` scheduled, if any.
	pub(crate) fn start_next_period_if_due() -> Weight {
		let db = T::DbWeight::get();
		let mut meter = WeightMeter::new();
		// CurrentPeriod.
		meter.consume(db.reads(1));
		let period = CurrentPeriod::<T>::get();
		let now = teo_pallet_support::now::<T>();
		if !period.is_over_at(now) {
			return meter.consumed();
		}
		let length = NextPeriodLength::<T>::take().unwrap_or(period.length);
		let next = period.next(now, length);
		CurrentPeriod::<T>::put(next);
		Self::deposit_event(Event::PeriodStarted {
			index: next.index,
			start: next.start,
			length: next.length,
		});
		// NextPeriodLength taken; CurrentPeriod and the event written.
		meter.consume(db.reads_writes(1, 3));
		meter.consumed()
	}

	/// Removes records of finished periods, the oldest period first, within `limit`: at most
	/// `MaxCleanupPerBlock` of them per block, shared equally by the four per-period maps.
	pub(crate) fn clean_up_past_periods(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let mut meter = WeightMeter::with_limit(limit);
		// CurrentPeriod and OldestUncleanedPeriod.
		if meter.try_consume(db.reads(2)).is_err() {
			return meter.consumed();
		}
		let current = CurrentPeriod::<T>::get().index;
		let oldest = OldestUncleanedPeriod::<T>::get();
		if oldest >= current {
			return meter.consumed();
		}
		let per_item = db.writes(1);
		let affordable = (meter.remaining().ref_time() / per_item.ref_time().max(1))
			.min(T::MaxCleanupPerBlock::get().into());
		let share = u32::try_from(affordable / 4).unwrap_or(u32::MAX);
		if share == 0 {
			return meter.consumed();
		}
		let results = [
			Verified::<T>::clear_prefix((oldest,), share, None),
			Nullifiers::<T>::clear_prefix((oldest,), share, None),
			VerifiedHumans::<T>::clear_prefix(oldest, share, None),
			VerifiedCount::<T>::clear_prefix(oldest, share, None),
		];
		let removed = results.iter().fold(0u32, |sum, r| sum.saturating_add(r.backend));
		meter.consume(per_item.saturating_mul(removed.into()));
		// The period is clean once every map is; when the items took the whole limit, the
		// next block marks it.
		if results.iter().all(|r| r.maybe_cursor.is_none())
			&& meter.try_consume(db.writes(1)).is_ok()
		{
			OldestUncleanedPeriod::<T>::put(oldest.saturating_add(1));
			log::debug!(target: LOG_TARGET, "removed the last records of period {oldest}");
		}
		meter.consumed()
	}
}
