//! Benchmarks of the validator-set calls (frame-benchmarking v2), each with the set at
//! `MaxValidators` (or one below, for an addition).

use super::*;
use alloc::vec::Vec;
use codec::Decode;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{traits::EnsureOrigin, BoundedVec},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::traits::TrailingZeroInput,
};

/// Gives `who` session keys (zeros: the benchmarks never author with them).
fn give_keys<T: Config>(who: &T::AccountId) {
	let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes()).expect("zeros decode as keys");
	pallet_session::NextKeys::<T>::insert(who, keys);
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
		let origin =
			T::ChangeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let delay: BlockNumberFor<T> = 10u32.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, delay, 1u32.into());

		assert!(pallet_grandpa::Stalled::<T>::exists());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
