#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod session_impls;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use polkadot_sdk::{
	frame_support::{pallet_prelude::*, traits::Get, BoundedVec},
	frame_system, pallet_grandpa, pallet_session,
};

/// The log target of this pallet.
const LOG_TARGET: &str = "runtime::validator-set";

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config
		+ pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
		+ pallet_grandpa::Config
	{
		/// Adds and removes validators and recovers stalled finality: on a TEO chain, a
		/// committed constitutional proposal of the citizens' group.
		type ChangeOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The most validators the set may hold (Aura's and GRANDPA's `MaxAuthorities`).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The fewest the set may hold after a removal.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// The calls' weights.
		type WeightInfo: WeightInfo;
	}

	/// The validators as the citizens last decided them, in the order they joined. The session
	/// pallet is handed this set at the next session boundary (see [`Pallet::new_session`]); a
	/// validator without session keys is skipped there but stays here.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// The block in which GRANDPA was last handed a new set of voters (the block that signals
	/// the change). Until that change is finalized, a forced change must vote on top of a block
	/// before it, or every node refuses to import the forced change.
	#[pallet::storage]
	pub type LastVoterChange<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the validators from the session after the next one.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the validators from the session after the next one.
		ValidatorRemoved { who: T::AccountId },
		/// The changed set was handed to the session pallet: it authors blocks and votes on
		/// finality from session `session`.
		SetPlanned { session: u32, validators: u32 },
		/// Finality was declared stalled: GRANDPA's voters are replaced by the current set
		/// `delay` blocks after the next session boundary, voting on top of `base`: the
		/// proposal's `best_finalized_block`, or the block before the last change of voters if
		/// that is lower.
		FinalityRecoveryScheduled { delay: BlockNumberFor<T>, base: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account has no session keys: its operator registers them with `session.setKeys`
		/// first (keys made by `author_rotateKeysWithOwner` on the validator's node).
		NoSessionKeys,
		/// The account is already a validator.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The set would exceed `MaxValidators`.
		TooManyValidators,
		/// The set would fall below `MinValidators` validators with session keys.
		TooFewValidators,
		/// A validator's keys stay until the citizens remove it: purging them would take it out
		/// of block production and finality without a proposal.
		StillValidator,
		/// The recovery's delay is zero or reaches the next session boundary (where it would
		/// block the next change of the set).
		RecoveryDelayOutOfRange,
		/// `best_finalized_block` is in the future.
		RecoveryBaseInFuture,
		/// A forced change of GRANDPA's voters is already pending or cooling down.
		RecoveryPending,
		/// The session pallet has not yet handed over the set the citizens decided: recovering
		/// now would force GRANDPA onto the old set.
		ValidatorChangeInFlight,
	}

	/// Nothing to configure: the set starts as the session pallet's genesis `keys`, which is
	/// where chain specs (and zombienet) name the first validators.
	#[pallet::genesis_config]
	#[derive(polkadot_sdk::frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::adopt_session_validators();
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds `who`, whose session keys are registered, to the validators: it authors blocks
		/// and votes on finality from the session after the next one.
		///
		/// ## Dispatch Origin
		/// [`Config::ChangeOrigin`].
		///
		/// ## Events
		/// [`Event::ValidatorAdded`].
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::ChangeOrigin::ensure_origin(origin)?;
			Self::do_add_validator(who)
		}

		/// Removes `who` from the validators from the session after the next one. Its node
		/// keeps running until then, and must: GRANDPA needs its vote to finalize the change.
		///
		/// ## Dispatch Origin
		/// [`Config::ChangeOrigin`].
		///
		/// ## Events
		/// [`Event::ValidatorRemoved`].
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::ChangeOrigin::ensure_origin(origin)?;
			Self::do_remove_validator(who)
		}

		/// Declares finality stalled: at the next session boundary GRANDPA's voters are forced
		/// to the session's validators, `delay` blocks later, voting on top of
		/// `best_finalized_block` (the highest block every new voter has finalized). The way
		/// out when too many voters are gone for any vote to pass, including the vote that
		/// would remove them; GRANDPA's own `note_stalled` takes root, which a TEO chain lacks.
		///
		/// Refused unless `0 < delay < ` a session's length, `best_finalized_block` is not in
		/// the future, no forced change is pending or cooling down, and the set the citizens
		/// decided is the session's (first remove the missing voters, wait until the session
		/// pallet has handed that over, then recover). A base at or after the last change of
		/// voters, which the stall left unfinalized, is lowered to the block before it: nodes
		/// refuse a forced change on top of an unfinalized standard one.
		///
		/// ## Dispatch Origin
		/// [`Config::ChangeOrigin`].
		///
		/// ## Events
		/// [`Event::FinalityRecoveryScheduled`].
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::recover_finality())]
		pub fn recover_finality(
			origin: OriginFor<T>,
			delay: BlockNumberFor<T>,
			best_finalized_block: BlockNumberFor<T>,
		) -> DispatchResult {
			T::ChangeOrigin::ensure_origin(origin)?;
			Self::do_recover_finality(delay, best_finalized_block)
		}

		/// Removes the caller's session keys and frees their deposit, once the caller is no
		/// longer a validator. The runtime forbids the session pallet's own `purge_keys`, which
		/// would let a validator leave (and the set shrink to nothing) without a proposal.
		///
		/// ## Dispatch Origin
		/// Signed, by an account that is not in the set.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::purge_keys())]
		pub fn purge_keys(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin.clone())?;
			ensure!(!Validators::<T>::get().contains(&who), Error::<T>::StillValidator);
			pallet_session::Pallet::<T>::purge_keys(origin)
		}
	}
}
