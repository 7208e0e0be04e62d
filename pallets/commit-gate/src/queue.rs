//! The queue of pending proposals: `(unlock_at, id)` entries kept strictly sorted, so that the
//! proposal to commit next is always the head (the earliest unlock, then the lowest id).
//!
//! Pure functions over the bounded vector the pallet stores in [`crate::Queue`]; the callers read
//! and write the storage around them.

use polkadot_sdk::frame_support::{traits::Get, BoundedVec};
use teo_primitives::BlockNumber;

use crate::ProposalId;

/// One pending proposal in the queue: the block it unlocks at, then its id. Tuples compare
/// field by field, so the queue's order is the commit order.
pub type QueueEntry = (BlockNumber, ProposalId);

/// Inserts `entry` where it keeps `queue` sorted. Gives `entry` back when `queue` is full.
pub(crate) fn insert<S: Get<u32>>(
	queue: &mut BoundedVec<QueueEntry, S>,
	entry: QueueEntry,
) -> Result<(), QueueEntry> {
	let position = queue.partition_point(|queued| *queued < entry);
	queue.try_insert(position, entry)
}

/// Takes proposal `id` off `queue`, wherever it is; returns whether it was there.
pub(crate) fn remove<S>(queue: &mut BoundedVec<QueueEntry, S>, id: ProposalId) -> bool {
	let before = queue.len();
	queue.retain(|(_, queued)| *queued != id);
	queue.len() < before
}

/// The head of `queue` if it may be committed at block `now`: the next proposal to commit.
pub(crate) fn due_head(queue: &[QueueEntry], now: BlockNumber) -> Option<QueueEntry> {
	queue.first().copied().filter(|(unlock_at, _)| *unlock_at <= now)
}

/// Takes the head off `queue`.
pub(crate) fn pop_head<S>(queue: &mut BoundedVec<QueueEntry, S>) -> Option<QueueEntry> {
	if queue.is_empty() {
		None
	} else {
		Some(queue.remove(0))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::frame_support::traits::ConstU32;

	type Queue = BoundedVec<QueueEntry, ConstU32<4>>;

	fn queue_of(entries: &[QueueEntry]) -> Queue {
		entries.to_vec().try_into().expect("at most four entries")
	}

	#[test]
	fn insert_keeps_commit_order_by_unlock_then_id() {
		let mut queue = queue_of(&[]);
		for entry in [(7, 3), (5, 4), (7, 1), (6, 0)] {
			assert_eq!(insert(&mut queue, entry), Ok(()));
		}
		assert_eq!(queue.to_vec(), vec![(5, 4), (6, 0), (7, 1), (7, 3)]);
	}

	#[test]
	fn insert_into_a_full_queue_gives_the_entry_back_and_changes_nothing() {
		let mut queue = queue_of(&[(1, 0), (2, 1), (3, 2), (4, 3)]);
		assert_eq!(insert(&mut queue, (0, 4)), Err((0, 4)));
		assert_eq!(queue.to_vec(), vec![(1, 0), (2, 1), (3, 2), (4, 3)]);
	}

	#[test]
	fn remove_takes_only_the_given_id() {
		let mut queue = queue_of(&[(1, 0), (2, 1), (2, 2)]);
		assert!(remove(&mut queue, 1));
		assert_eq!(queue.to_vec(), vec![(1, 0), (2, 2)]);
		assert!(!remove(&mut queue, 1), "an id no longer queued");
		assert_eq!(queue.to_vec(), vec![(1, 0), (2, 2)]);
	}

	#[test]
	fn the_head_is_due_from_its_unlock_block_on() {
		let queue = queue_of(&[(5, 2), (5, 3), (9, 0)]);
		assert_eq!(due_head(&queue, 4), None, "still locked");
		assert_eq!(due_head(&queue, 5), Some((5, 2)));
		assert_eq!(due_head(&queue, 100), Some((5, 2)));
		assert_eq!(due_head(&[], 100), None);
	}

	#[test]
	fn pop_head_takes_the_first_entry() {
		let mut queue = queue_of(&[(5, 2), (9, 0)]);
		assert_eq!(pop_head(&mut queue), Some((5, 2)));
		assert_eq!(pop_head(&mut queue), Some((9, 0)));
		assert_eq!(pop_head(&mut queue), None);
	}
}
