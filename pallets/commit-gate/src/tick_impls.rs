//! The block hook's work (after pallet-broker's `tick_impls.rs`): committing the due proposals
//! at the head of the queue within the block's commit budget, and the commit itself, which
//! [`Pallet::enact`] shares.

use codec::{DecodeLimit, Encode};
use polkadot_sdk::{
	frame_support::{
		defensive,
		dispatch::{extract_actual_weight, GetDispatchInfo},
		traits::Get,
		weights::{Weight, WeightMeter},
		MAX_EXTRINSIC_DEPTH,
	},
	sp_io::hashing::blake2_256,
	sp_runtime::traits::Dispatchable,
};
use teo_primitives::{BlockNumber, GroupId, Hash};

use crate::{
	queue, Commit, CommitCount, CommitRoot, Config, Event, Origin, Pallet, ProposalId, ProposalOf,
	ProposalPolicy, Proposals, Queue, RecentCommits, VoidReason, WeightInfo, LOG_TARGET,
};

impl<T: Config> Pallet<T> {
	/// The work of `on_initialize`: commits the due proposals within [`Config::MaxCommitWeight`];
	/// returns the hook's weight.
	pub(crate) fn commit_due() -> Weight {
		let mut meter = WeightMeter::new();
		meter.consume(T::WeightInfo::on_initialize_idle());
		let mut commit_budget = WeightMeter::with_limit(T::MaxCommitWeight::get());
		Self::commit_due_within(&mut commit_budget);
		meter.consume(commit_budget.consumed());
		meter.consumed()
	}

	/// Commits due proposals in queue order while they fit in `budget`. What does not fit waits
	/// for the next block; nothing is dropped.
	fn commit_due_within(budget: &mut WeightMeter) {
		let now = teo_pallet_support::now::<T>();
		let mut pending = Queue::<T>::get();
		let mut first = true;
		while let Some((_, id)) = queue::due_head(&pending, now) {
			let Some(proposal) = Proposals::<T>::get(id) else {
				defensive!("a queued proposal is stored");
				queue::pop_head(&mut pending);
				Queue::<T>::put(&pending);
				continue;
			};
			let overhead = T::WeightInfo::commit_one(proposal.call.len() as u32);
			let declared = if Self::vetoed_at_unlock(&proposal) {
				T::WeightInfo::veto_and_kill()
			} else {
				match proposal.withdrawn_by {
					Some(_) => Weight::zero(),
					None => Self::decode_call(&proposal.call)
						.map(|call| call.get_dispatch_info().total_weight())
						.unwrap_or_default(),
				}
			};
			// The first due proposal always runs: submission bounded its weight by the budget,
			// so the queue can never stall behind it.
			if !first && !budget.can_consume(overhead.saturating_add(declared)) {
				log::debug!(
					target: LOG_TARGET,
					"proposal {id} waits for the next block: the commit budget is spent"
				);
				break;
			}
			queue::pop_head(&mut pending);
			// The queue is written before the call runs, so the call sees itself gone.
			Queue::<T>::put(&pending);
			let used = overhead.saturating_add(Self::commit(id, proposal));
			if budget.try_consume(used).is_err() {
				// Only the first commit of the block can overrun the budget (a call never uses
				// more than it declared). Count it all the same: nothing else runs after it.
				*budget = WeightMeter::with_consumed_and_limit(
					budget.consumed().saturating_add(used),
					budget.limit(),
				);
			}
			first = false;
		}
	}

	/// Ends proposal `id`, already taken off the queue, whose window is over: runs its call with
	/// the `Committed` origin, settles its deposit and extends the commit chain. A withdrawn
	/// proposal only returns its deposit; a call a runtime upgrade has since reinterpreted or
	/// forbidden does not run. Returns the weight the call used.
	/// Whether `proposal`'s tally reached its threshold as capped now: its group shrank after
	/// the vetoes were cast (a removed member's veto still counts: it was cast by a member).
	fn vetoed_at_unlock(proposal: &ProposalOf<T>) -> bool {
		proposal.nullifiers.len() as u32 >= Self::veto_threshold(proposal)
	}

	pub(crate) fn commit(id: ProposalId, proposal: ProposalOf<T>) -> Weight {
		let group = proposal.group;
		if Self::vetoed_at_unlock(&proposal) {
			// The group shrank after the vetoes were cast, and those it has now already
			// vetoed: the proposal is vetoed, whoever comes first.
			Self::kill(id, proposal);
			return T::WeightInfo::veto_and_kill();
		}
		Self::forget(id, group);
		if proposal.withdrawn_by.is_some() {
			let released = Self::release_deposit(&proposal);
			Self::deposit_event(Event::Expired {
				id,
				group,
				proposer: proposal.proposer,
				released,
			});
			return Weight::zero();
		}
		let call = match Self::runnable_call(&proposal) {
			Ok(call) => call,
			Err(reason) => {
				log::warn!(target: LOG_TARGET, "proposal {id} is void: {reason:?}");
				Self::release_deposit(&proposal);
				Self::deposit_event(Event::Voided {
					id,
					group,
					call_hash: proposal.call_hash,
					reason,
				});
				return Weight::zero();
			},
		};
		let info = call.get_dispatch_info();
		let origin = <T as Config>::RuntimeOrigin::from(Origin::Committed { id, group }).into();
		let outcome = call.dispatch(origin);
		let weight = extract_actual_weight(&outcome, &info);
		let result = outcome.map(|_| ()).map_err(|e| e.error);
		if result.is_ok() {
			Self::release_deposit(&proposal);
		} else {
			Self::slash_deposit(&proposal);
		}
		let commit_root = Self::record_commit(id, group, proposal.call_hash, result.is_ok());
		Self::deposit_event(Event::Committed {
			id,
			group,
			call_hash: proposal.call_hash,
			result,
			commit_root,
		});
		weight
	}

	/// Appends a commit to the commit chain and to the recent commits, forgetting the one that
	/// falls out of [`Config::CommitHistory`]; returns the new root.
	fn record_commit(id: ProposalId, group: GroupId, call_hash: Hash, succeeded: bool) -> Hash {
		let block = teo_pallet_support::now::<T>();
		let root = next_commit_root(CommitRoot::<T>::get(), id, group, call_hash, succeeded, block);
		let index = CommitCount::<T>::get();
		CommitRoot::<T>::put(root);
		CommitCount::<T>::put(index.saturating_add(1));
		RecentCommits::<T>::insert(
			index,
			Commit { index, id, group, call_hash, succeeded, block, root },
		);
		if let Some(forgotten) = index.checked_sub(u64::from(T::CommitHistory::get())) {
			RecentCommits::<T>::remove(forgotten);
		}
		root
	}

	/// The call of a due proposal, if it still means what it meant at submission and the
	/// runtime's policy still allows it for its group.
	fn runnable_call(proposal: &ProposalOf<T>) -> Result<<T as Config>::RuntimeCall, VoidReason> {
		if proposal.transaction_version != Self::transaction_version() {
			return Err(VoidReason::RuntimeChanged);
		}
		let call = Self::decode_call(&proposal.call).ok_or(VoidReason::NoLongerDecodes)?;
		T::ProposalPolicy::classify(proposal.group, &call)
			.map_err(|_| VoidReason::NoLongerAllowed)?;
		Ok(call)
	}

	/// Decodes a stored call.
	fn decode_call(bytes: &[u8]) -> Option<<T as Config>::RuntimeCall> {
		<T as Config>::RuntimeCall::decode_all_with_depth_limit(
			MAX_EXTRINSIC_DEPTH,
			&mut &bytes[..],
		)
		.ok()
	}
}

/// The next head of the commit chain ([`crate::CommitRoot`]): the hash of the previous head and
/// of what was committed, in which block, with which outcome.
pub(crate) fn next_commit_root(
	previous: Hash,
	id: ProposalId,
	group: GroupId,
	call_hash: Hash,
	succeeded: bool,
	block: BlockNumber,
) -> Hash {
	Hash::from(blake2_256(&(previous, id, group, call_hash, succeeded, block).encode()))
}
