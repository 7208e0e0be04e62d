//! The calls' work, and the set handed to the session pallet at each session boundary.
//!
//! Timing: pallet-session asks for the set of session `n + 2` when session `n` ends, so a change
//! decided during session `n` authors and votes from session `n + 2`. Two changes in one
//! session are handed over together.

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		ensure,
		traits::{EstimateNextSessionRotation, Get},
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor, RawOrigin},
	pallet_grandpa, pallet_session,
	sp_runtime::{
		traits::{One, Zero},
		DispatchResult,
	},
};

use crate::{Config, Error, Event, LastVoterChange, Pallet, Validators, LOG_TARGET};

impl<T: Config> Pallet<T> {
	/// A recovery of finality is declared or waiting to be enacted: a change of the set now
	/// would be handed over after it, and the forced change would go to the old set.
	fn ensure_no_recovery_pending() -> DispatchResult {
		let forced = pallet_grandpa::PendingChange::<T>::get().is_some_and(|c| c.forced.is_some());
		ensure!(!forced && !pallet_grandpa::Stalled::<T>::exists(), Error::<T>::RecoveryPending);
		Ok(())
	}

	pub(crate) fn do_add_validator(who: T::AccountId) -> DispatchResult {
		Self::ensure_no_recovery_pending()?;
		// Without keys the session pallet would skip it: a change that changes nothing.
		ensure!(pallet_session::NextKeys::<T>::contains_key(&who), Error::<T>::NoSessionKeys);
		Validators::<T>::try_mutate(|set| {
			ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
			set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Ok::<_, Error<T>>(())
		})?;
		Self::deposit_event(Event::ValidatorAdded { who });
		Ok(())
	}

	pub(crate) fn do_remove_validator(who: T::AccountId) -> DispatchResult {
		Self::ensure_no_recovery_pending()?;
		Validators::<T>::try_mutate(|set| {
			let position = set.iter().position(|v| v == &who).ok_or(Error::<T>::NotValidator)?;
			set.remove(position);
			// Only validators with keys author and vote.
			let keyed = set.iter().filter(|v| pallet_session::NextKeys::<T>::contains_key(v));
			ensure!(keyed.count() as u32 >= T::MinValidators::get(), Error::<T>::TooFewValidators);
			Ok::<_, Error<T>>(())
		})?;
		Self::deposit_event(Event::ValidatorRemoved { who });
		Ok(())
	}

	pub(crate) fn do_recover_finality(
		delay: BlockNumberFor<T>,
		best_finalized_block: BlockNumberFor<T>,
	) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		let session_length = T::NextSessionRotation::average_session_length();
		// A forced change is enacted `delay` blocks after the next boundary; at or past the
		// boundary after it, it would make GRANDPA drop that session's change of the set.
		ensure!(!delay.is_zero() && delay < session_length, Error::<T>::RecoveryDelayOutOfRange);
		ensure!(best_finalized_block <= now, Error::<T>::RecoveryBaseInFuture);
		let cooling = pallet_grandpa::NextForced::<T>::get().is_some_and(|at| at > now);
		ensure!(
			!cooling
				&& !pallet_grandpa::Stalled::<T>::exists()
				&& !pallet_grandpa::PendingChange::<T>::exists(),
			Error::<T>::RecoveryPending
		);
		let current = pallet_session::Validators::<T>::get();
		let queued: Vec<T::AccountId> =
			pallet_session::QueuedKeys::<T>::get().into_iter().map(|(who, _)| who).collect();
		ensure!(
			Self::keyed_validators() == current && queued == current,
			Error::<T>::ValidatorChangeInFlight
		);
		// GRANDPA's own call, with the root origin it asks for: the change origin stands in for
		// root for this one call only.
		// The stall left the last change of voters unfinalized (a removal of the missing ones
		// always makes one): voting on top of it or later would make every node refuse the
		// forced change, and the chain would stop. An older base is always safe: nodes vote on
		// top of the lower of it and their own finalized block.
		let base = match LastVoterChange::<T>::get() {
			Some(change) if !change.is_zero() => best_finalized_block.min(change - One::one()),
			_ => best_finalized_block,
		};
		pallet_grandpa::Pallet::<T>::note_stalled(RawOrigin::Root.into(), delay, base)?;
		Self::deposit_event(Event::FinalityRecoveryScheduled { delay, base });
		Ok(())
	}

	/// The set the session pallet would build from ours: the validators with session keys, in
	/// our order (it skips those without).
	fn keyed_validators() -> Vec<T::AccountId> {
		Validators::<T>::get()
			.into_iter()
			.filter(|who| pallet_session::NextKeys::<T>::contains_key(who))
			.collect()
	}

	/// Takes the session pallet's genesis validators as the set: chain specs name the first
	/// validators in the session pallet's `keys`.
	pub(crate) fn adopt_session_validators() {
		let validators = pallet_session::Validators::<T>::get();
		let bounded = BoundedVec::<_, T::MaxValidators>::truncate_from(validators.clone());
		if bounded.len() < validators.len() {
			log::error!(
				target: LOG_TARGET,
				"the genesis names {} validators, more than the {} allowed; the rest are dropped",
				validators.len(),
				T::MaxValidators::get(),
			);
		}
		Validators::<T>::put(bounded);
	}

	/// The set's invariants: within its bounds, without duplicates, and every member with
	/// session keys (they are required to join and cannot be purged while a member).
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		let set = Validators::<T>::get();
		ensure!(set.len() as u32 >= T::MinValidators::get(), "fewer validators than MinValidators");
		let distinct = set.iter().collect::<alloc::collections::BTreeSet<_>>().len();
		ensure!(distinct == set.len(), "a validator is listed twice");
		ensure!(
			set.iter().all(|who| pallet_session::NextKeys::<T>::contains_key(who)),
			"a validator has no session keys"
		);
		Ok(())
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	/// Our set, when it differs from the one the session pallet holds; `None` when it does not,
	/// so that an unchanged set does not move GRANDPA to a new set id. A validator that purged
	/// its keys is left out of both sides of the comparison: the session pallet skips it anyway.
	fn new_session(new_index: u32) -> Option<Vec<T::AccountId>> {
		let planned = Self::keyed_validators();
		if planned == pallet_session::Validators::<T>::get() {
			return None;
		}
		// Defence in depth, unreachable while the calls keep enough keyed validators and the
		// runtime forbids purging a validator's keys: an empty set would be a GRANDPA change
		// every node refuses to import, and the chain would stop for good. `None` makes the
		// session pallet keep the current validators that still have keys.
		if (planned.len() as u32) < T::MinValidators::get().max(1) {
			log::error!(
				target: LOG_TARGET,
				"only {} validators have session keys, fewer than the minimum: no change is handed over",
				planned.len(),
			);
			return None;
		}
		Self::deposit_event(Event::SetPlanned {
			session: new_index,
			validators: planned.len() as u32,
		});
		Some(planned)
	}

	/// At genesis the session pallet takes the set from its `keys`.
	fn new_session_genesis(_: u32) -> Option<Vec<T::AccountId>> {
		None
	}

	fn end_session(_: u32) {}

	/// Notes the block when the session that starts hands GRANDPA new voters: the session
	/// pallet still holds this rotation's `changed` flag when it calls this.
	fn start_session(_: u32) {
		if pallet_session::QueuedChanged::<T>::get() {
			LastVoterChange::<T>::put(frame_system::Pallet::<T>::block_number());
		}
	}
}
