//! Epochs and eras: which epoch every block belongs to under the history of parameter eras.
//!
//! An era numbers its epochs on from where the previous era stopped, at its own epoch length, so
//! that an epoch index never repeats and every block has exactly one epoch even when the epoch
//! length changes. These are pure functions over the history that
//! [`ParameterEras`](crate::ParameterEras) stores, oldest era first; the pallet reads the history
//! and passes it in.

use teo_primitives::{BlockNumber, EpochIndex};

use crate::{BudgetParameters, EpochInfo, ParameterEra, ParameterHistory, EVIDENCE_EPOCHS};

impl ParameterEra {
	/// The epoch of block `n` (which must not precede the era).
	pub fn epoch_of(&self, n: BlockNumber) -> EpochIndex {
		let length = self.parameters.epoch_length.max(1);
		self.first_epoch.saturating_add(n.saturating_sub(self.first_block) / length)
	}

	/// The first block of epoch `e` (which must not precede the era).
	pub fn first_block_of(&self, e: EpochIndex) -> BlockNumber {
		let offset = e.saturating_sub(self.first_epoch);
		self.first_block.saturating_add(offset.saturating_mul(self.parameters.epoch_length))
	}

	/// Where epoch `e` lies (which must not precede the era).
	pub fn epoch_info(&self, e: EpochIndex) -> EpochInfo {
		let first_block = self.first_block_of(e);
		let last_block = first_block.saturating_add(self.parameters.epoch_length.saturating_sub(1));
		EpochInfo { index: e, first_block, last_block }
	}
}

/// The era that governs block `n`: the latest one that has begun by then.
pub fn era_at(eras: &[ParameterEra], n: BlockNumber) -> Option<&ParameterEra> {
	eras.iter().rev().find(|era| era.first_block <= n)
}

/// The era that governs epoch `e`.
pub fn era_of_epoch(eras: &[ParameterEra], e: EpochIndex) -> Option<&ParameterEra> {
	eras.iter().rev().find(|era| era.first_epoch <= e)
}

/// The epoch of block `n`; `None` before the first era (an unconfigured chain).
pub fn epoch_at(eras: &[ParameterEra], n: BlockNumber) -> Option<EpochIndex> {
	era_at(eras, n).map(|era| era.epoch_of(n))
}

/// Where epoch `e` lies; `None` before the first era.
pub fn epoch_info(eras: &[ParameterEra], e: EpochIndex) -> Option<EpochInfo> {
	era_of_epoch(eras, e).map(|era| era.epoch_info(e))
}

/// Where parameters set at block `now` take effect, as (first epoch, first block): the start of
/// a pending era, which they replace; else the epoch after the current one; on an unconfigured
/// chain, this very block as epoch 0.
pub fn next_era_start(eras: &[ParameterEra], now: BlockNumber) -> (EpochIndex, BlockNumber) {
	match eras.last() {
		Some(pending) if pending.first_block > now => (pending.first_epoch, pending.first_block),
		// The last era has begun, so it governs `now`.
		Some(current) => {
			let next = current.epoch_of(now).saturating_add(1);
			(next, current.first_block_of(next))
		},
		None => (0, now),
	}
}

/// Schedules `parameters` from block `now` on (see [`next_era_start`]) and forgets the eras that
/// neither the previous nor the current epoch needs any more. Returns where the new era starts.
///
/// `None` only if the history were full, and it never is: after the trim at most two eras
/// remain.
pub fn schedule(
	eras: &mut ParameterHistory,
	now: BlockNumber,
	parameters: BudgetParameters,
) -> Option<(EpochIndex, BlockNumber)> {
	let (first_epoch, first_block) = next_era_start(eras, now);
	eras.retain(|era| era.first_epoch < first_epoch);
	// Keep only what the previous and current epochs still need.
	let previous = first_epoch.saturating_sub(EVIDENCE_EPOCHS);
	while eras.len() >= 2 && eras[1].first_epoch <= previous {
		eras.remove(0);
	}
	eras.try_push(ParameterEra { first_epoch, first_block, parameters }).ok()?;
	Some((first_epoch, first_block))
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The mock runtime's parameters with another epoch length.
	fn parameters(epoch_length: BlockNumber) -> BudgetParameters {
		BudgetParameters { epoch_length, ..crate::mock::parameters() }
	}

	fn era(first_epoch: EpochIndex, first_block: BlockNumber, length: BlockNumber) -> ParameterEra {
		ParameterEra { first_epoch, first_block, parameters: parameters(length) }
	}

	/// Epochs of 10 blocks from block 0, then of 100 blocks from epoch 3 (block 30).
	fn two_eras() -> ParameterHistory {
		ParameterHistory::truncate_from(vec![era(0, 0, 10), era(3, 30, 100)])
	}

	fn first_epochs(eras: &ParameterHistory) -> Vec<EpochIndex> {
		eras.iter().map(|era| era.first_epoch).collect()
	}

	#[test]
	fn an_era_counts_its_epochs_from_its_first_block() {
		let longer = era(3, 30, 100);
		assert_eq!(longer.epoch_of(30), 3);
		assert_eq!(longer.epoch_of(129), 3);
		assert_eq!(longer.epoch_of(130), 4);
		assert_eq!(longer.first_block_of(3), 30);
		assert_eq!(longer.first_block_of(5), 230);
		assert_eq!(longer.epoch_info(4), EpochInfo { index: 4, first_block: 130, last_block: 229 });
	}

	#[test]
	fn an_epoch_length_of_zero_divides_nothing() {
		// Never valid parameters, but the arithmetic must not panic on them.
		let empty = era(0, 0, 0);
		assert_eq!(empty.epoch_of(7), 7);
		assert_eq!(empty.first_block_of(7), 0);
		assert_eq!(empty.epoch_info(7).last_block, 0);
	}

	#[test]
	fn the_arithmetic_saturates() {
		let late = era(EpochIndex::MAX - 1, 0, 10);
		assert_eq!(late.epoch_of(BlockNumber::MAX), EpochIndex::MAX);
		assert_eq!(late.first_block_of(EpochIndex::MAX), 10);
		let early = era(0, 0, 10);
		assert_eq!(early.first_block_of(EpochIndex::MAX), BlockNumber::MAX);
		assert_eq!(early.epoch_info(EpochIndex::MAX).last_block, BlockNumber::MAX);
	}

	#[test]
	fn every_block_and_epoch_finds_its_era() {
		let eras = two_eras();
		assert_eq!(epoch_at(&eras, 0), Some(0));
		assert_eq!(epoch_at(&eras, 29), Some(2));
		assert_eq!(epoch_at(&eras, 30), Some(3));
		assert_eq!(epoch_at(&eras, 130), Some(4));
		assert_eq!(era_of_epoch(&eras, 2).map(|e| e.first_epoch), Some(0));
		assert_eq!(era_of_epoch(&eras, 3).map(|e| e.first_epoch), Some(3));
		assert_eq!(
			epoch_info(&eras, 2),
			Some(EpochInfo { index: 2, first_block: 20, last_block: 29 })
		);
		assert_eq!(
			epoch_info(&eras, 3),
			Some(EpochInfo { index: 3, first_block: 30, last_block: 129 })
		);
	}

	#[test]
	fn without_eras_there_are_no_epochs() {
		assert_eq!(epoch_at(&[], 5), None);
		assert_eq!(epoch_info(&[], 0), None);
		assert!(era_at(&[], 0).is_none());
	}

	#[test]
	fn a_block_before_a_later_history_has_no_epoch() {
		// A chain configured at block 5: blocks before it belong to no epoch.
		let eras = [era(0, 5, 10)];
		assert_eq!(epoch_at(&eras, 4), None);
		assert_eq!(epoch_at(&eras, 5), Some(0));
	}

	#[test]
	fn new_parameters_start_at_the_next_epoch() {
		let eras = [era(0, 0, 10)];
		assert_eq!(next_era_start(&eras, 0), (1, 10));
		assert_eq!(next_era_start(&eras, 13), (2, 20));
		assert_eq!(next_era_start(&eras, 19), (2, 20));
		assert_eq!(next_era_start(&eras, 20), (3, 30));
	}

	#[test]
	fn new_parameters_replace_a_pending_era_in_its_place() {
		let eras = two_eras();
		assert_eq!(next_era_start(&eras, 25), (3, 30));
		assert_eq!(next_era_start(&eras, 30), (4, 130));
	}

	#[test]
	fn the_first_parameters_apply_at_once_as_epoch_zero() {
		assert_eq!(next_era_start(&[], 42), (0, 42));
	}

	#[test]
	fn scheduling_replaces_the_pending_era() {
		let mut eras = two_eras();
		assert_eq!(schedule(&mut eras, 25, parameters(50)), Some((3, 30)));
		assert_eq!(eras.len(), 2);
		assert_eq!(eras[1].parameters.epoch_length, 50);
	}

	#[test]
	fn scheduling_keeps_only_what_evidence_needs() {
		let mut eras = two_eras();
		// In epoch 3 the next era starts at epoch 4; epoch 2's era still serves evidence.
		assert_eq!(schedule(&mut eras, 30, parameters(10)), Some((4, 130)));
		assert_eq!(first_epochs(&eras), vec![0, 3, 4]);
		// In epoch 4 the oldest era governs neither epoch 4 nor epoch 3.
		assert_eq!(schedule(&mut eras, 135, parameters(10)), Some((5, 140)));
		assert_eq!(first_epochs(&eras), vec![3, 4, 5]);
		// Much later only the era that governs the current epoch stays.
		assert_eq!(schedule(&mut eras, 1_000, parameters(10)), Some((92, 1_010)));
		assert_eq!(first_epochs(&eras), vec![5, 92]);
	}

	#[test]
	fn the_first_schedule_starts_the_history() {
		let mut eras = ParameterHistory::default();
		assert_eq!(schedule(&mut eras, 7, parameters(10)), Some((0, 7)));
		assert_eq!(eras.into_inner(), vec![era(0, 7, 10)]);
	}
}
