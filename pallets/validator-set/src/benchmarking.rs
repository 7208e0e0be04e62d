//! Benchmarks of the validator-set calls (frame-benchmarking v2), each with the set at
//! `MaxValidators` (or one below, for an addition).

use super::*;
use alloc::vec::Vec;
use codec::Decode;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{traits::EnsureOrigin, BoundedVec},
	frame_system::{self, pallet_prelude::BlockNumberFor, RawOrigin},
	sp_runtime::traits::TrailingZeroInput,
};

/// Gives `who` session keys (zeros: the benchmarks never author with them).
fn give_keys<T: Config>(who: &T::AccountId) {
	let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes()).expect("zeros decode as keys");
	pallet_session::NextKeys::<T>::insert(who, keys);
}

/// Registers session keys for `who` as `session.set_keys` would (deposit held, consumer
/// counted, key owners recorded), without the ownership proof a generic benchmark cannot make.
fn register_keys<T: Config>(who: &T::AccountId) -> Result<(), BenchmarkError> {
	use polkadot_sdk::{
		frame_support::traits::{
			fungible::{Inspect, Mutate, MutateHold},
			Get,
		},
		sp_runtime::{traits::OpaqueKeys, Saturating},
	};
	type Currency<T> = <T as pallet_session::Config>::Currency;
	let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes()).expect("zeros decode as keys");
	let deposit = <T as pallet_session::Config>::KeyDeposit::get();
	Currency::<T>::mint_into(who, deposit.saturating_add(Currency::<T>::minimum_balance()))?;
	Currency::<T>::hold(&pallet_session::HoldReason::Keys.into(), who, deposit)?;
	frame_system::Pallet::<T>::inc_consumers(who)?;
	for id in T::Keys::key_ids() {
		pallet_session::KeyOwner::<T>::insert((*id, keys.get_raw(*id).to_vec()), who.clone());
	}
	pallet_session::NextKeys::<T>::insert(who, keys);
	Ok(())
}

/// Fills the set with `n` validators that have keys.
fn fill<T: Config>(n: u32) -> Vec<T::AccountId> {
	let set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	set.iter().for_each(give_keys::<T>);
	Validators::<T>::put(BoundedVec::truncate_from(set.clone()));
	set
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		fill::<T>(T::MaxValidators::get() - 1);
		let newcomer: T::AccountId = account("newcomer", 0, 0);
		give_keys::<T>(&newcomer);
		let origin =
			T::ChangeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, newcomer.clone());

		assert!(Validators::<T>::get().contains(&newcomer));
		Ok(())
	}

	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let set = fill::<T>(T::MaxValidators::get());
		let leaving = set.last().expect("the set is full").clone();
		let origin =
			T::ChangeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, leaving.clone());

		assert!(!Validators::<T>::get().contains(&leaving));
		Ok(())
	}

	#[benchmark]
	fn recover_finality() -> Result<(), BenchmarkError> {
		// Every check reads as much as it can: a full set, handed over and queued.
		let set = fill::<T>(T::MaxValidators::get());
		pallet_session::Validators::<T>::put(set.clone());
		let queued = set
			.iter()
			.map(|who| (who.clone(), pallet_session::NextKeys::<T>::get(who).expect("filled")))
			.collect::<Vec<_>>();
		pallet_session::QueuedKeys::<T>::put(queued);
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		let origin =
			T::ChangeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let delay: BlockNumberFor<T> = 1u32.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, delay, 1u32.into());

		assert!(pallet_grandpa::Stalled::<T>::exists());
		Ok(())
	}

	#[benchmark]
	fn purge_keys() -> Result<(), BenchmarkError> {
		fill::<T>(T::MaxValidators::get());
		let former: T::AccountId = account("former", 0, 0);
		register_keys::<T>(&former)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(former.clone()));

		assert!(!pallet_session::NextKeys::<T>::contains_key(&former));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
