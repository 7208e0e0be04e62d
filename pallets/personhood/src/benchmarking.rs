//! Benchmarks of the personhood calls (frame-benchmarking v2), with a real proof from
//! [`crate::benchmark_fixture`] against the dev key ([`teo_zk::dev`], depth 20).

use super::*;
use crate::benchmark_fixture as fixture;
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		traits::{EnsureOrigin, Get},
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor, RawOrigin},
	sp_runtime::traits::Zero,
};
use teo_primitives::{AccountId, GroupId, Hash};
use teo_zk::{dev, groth16, Fr};

/// A group with the fixture's members, registered by `registrar`; returns its id.
fn fixture_group<T: Config>(registrar: &AccountId) -> GroupId {
	let group = Pallet::<T>::do_create_group(registrar.clone(), Default::default()).unwrap();
	for chunk in dev::DEV_IDENTITY_COMMITMENTS.chunks(T::MaxBatch::get().max(1) as usize) {
		Pallet::<T>::do_add_members(group, chunk).unwrap();
	}
	group
}

/// Distinct commitments that are valid field elements.
fn commitments(n: u32, offset: u64) -> Vec<Commitment> {
	(0..n as u64).map(|i| groth16::fr_to_be_bytes(&Fr::from(offset + i + 1))).collect()
}

/// Makes the fixture's group id (1) free and the genesis hash the fixture's.
fn prepare_for_fixture<T: Config>() -> AccountId {
	let hash = Hash::from(fixture::GENESIS_HASH);
	frame_system::BlockHash::<T>::insert(BlockNumberFor::<T>::zero(), hash);
	if CurrentPeriod::<T>::get().length == 0 {
		CurrentPeriod::<T>::put(PeriodInfo { index: 0, start: 0, length: 1_000_000 });
	}
	// The fixture's proof is for group 1 in period 0.
	while NextGroupId::<T>::get() < 1 {
		Pallet::<T>::do_create_group(whitelisted_caller(), Default::default()).unwrap();
	}
	NextGroupId::<T>::put(1);
	Groups::<T>::remove(1);
	Roots::<T>::remove(1);
	let _ = Leaves::<T>::clear_prefix(1, u32::MAX, None);
	let _ = MemberIndex::<T>::clear_prefix(1, u32::MAX, None);
	let _ = SubtreeRoots::<T>::clear_prefix(1, u32::MAX, None);
	MemberCount::<T>::remove(1);
	CurrentPeriod::<T>::mutate(|p| p.index = 0);
	AccountId::from(fixture::CALLER)
}

/// Submits the fixture's proof for `caller` in `group`.
fn verify_fixture<T: Config>(caller: &AccountId, group: GroupId) -> Result<(), BenchmarkError> {
	Pallet::<T>::verify(
		RawOrigin::Signed(caller.clone()).into(),
		group,
		fixture::ROOT,
		fixture::NULLIFIER,
		fixture::proof(),
	)
	.map(|_| ())
	.map_err(|e| e.error.into())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_group() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let registrar: AccountId = whitelisted_caller();
		let name: BoundedVec<u8, T::MaxNameLength> =
			alloc::vec![b'x'; T::MaxNameLength::get() as usize].try_into().unwrap();
		let group = NextGroupId::<T>::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, registrar, name);
		assert!(Groups::<T>::contains_key(group));
		Ok(())
	}

	#[benchmark]
	fn set_registrar() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let group = Pallet::<T>::do_create_group(whitelisted_caller(), Default::default())?;
		let new: AccountId = account("registrar", 0, 0);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, group, new.clone());
		assert_eq!(Groups::<T>::get(group).unwrap().registrar, new);
		Ok(())
	}

	/// Appending `n` commitments to a group that then holds `MaxMembers` (at most 2^20, the
	/// deepest tree the dev key proves), so the tree is as deep as it gets.
	#[benchmark]
	fn add_members(n: Linear<1, { T::MaxBatch::get() }>) -> Result<(), BenchmarkError> {
		let registrar: AccountId = whitelisted_caller();
		let group = Pallet::<T>::do_create_group(registrar.clone(), Default::default())?;
		let full = T::MaxMembers::get().min(1 << 20);
		let size = full.saturating_sub(n);
		// Only the side nodes matter for appending: stand in for the earlier members with
		// arbitrary side nodes rather than writing up to 2^20 leaves.
		let depth = if size <= 1 { 0 } else { 32 - (size - 1).leading_zeros() };
		let mut info = Groups::<T>::get(group).unwrap();
		info.size = size;
		info.side_nodes = BoundedVec::truncate_from(commitments(depth + 1, 1_000_000));
		Groups::<T>::insert(group, info);
		let new: BoundedVec<Commitment, T::MaxBatch> = commitments(n, 0).try_into().unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(registrar), group, new);
		assert_eq!(Groups::<T>::get(group).unwrap().size, full);
		Ok(())
	}

	#[benchmark]
	fn remove_member() -> Result<(), BenchmarkError> {
		let registrar: AccountId = whitelisted_caller();
		let group = Pallet::<T>::do_create_group(registrar.clone(), Default::default())?;
		// 2^k + 1 members: removing the first needs the most siblings for its size.
		let leaves = commitments(T::MaxBatch::get().min(32) + 1, 0);
		for chunk in leaves.chunks(T::MaxBatch::get().max(1) as usize) {
			Pallet::<T>::do_add_members(group, chunk)?;
		}
		let tree = teo_zk::lean_imt::LeanImt::from_leaves(
			leaves.iter().map(|l| groth16::fr_from_be_bytes(l).unwrap()),
		);
		let siblings: Siblings = tree
			.proof(0)
			.unwrap()
			.siblings
			.iter()
			.map(groth16::fr_to_be_bytes)
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(registrar), group, leaves[0], siblings);
		assert_eq!(Leaves::<T>::get(group, 0), Some([0; 32]));
		Ok(())
	}

	/// The worst case: the current key rejects the proof, the retired key accepts it.
	#[benchmark]
	fn verify_against_retired_key() -> Result<(), BenchmarkError> {
		let caller = prepare_for_fixture::<T>();
		let group = fixture_group::<T>(&whitelisted_caller());
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, dev::DEV_VERIFYING_KEY)?;
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, fixture::OTHER_VERIFYING_KEY)?;
		#[block]
		{
			verify_fixture::<T>(&caller, group)?;
		}
		assert!(Verified::<T>::contains_key((0, group, caller)));
		Ok(())
	}

	/// An anonymous signal at its heaviest: checked against the key in force, then the retired
	/// one (the fixture's proof is for the retired key).
	#[benchmark]
	fn check_signal() -> Result<(), BenchmarkError> {
		prepare_for_fixture::<T>();
		let group = fixture_group::<T>(&whitelisted_caller());
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, dev::DEV_VERIFYING_KEY)?;
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, fixture::OTHER_VERIFYING_KEY)?;
		let scope = Pallet::<T>::current_scope(group);
		let proof = fixture::proof();
		let signal = teo_primitives::personhood::Signal {
			root: &fixture::ROOT,
			nullifier: &fixture::NULLIFIER,
			message: &fixture::CALLER,
			scope: &scope,
			proof: &proof,
		};
		let result;
		#[block]
		{
			result =
				<Pallet<T> as teo_primitives::traits::PersonhoodInspect<AccountId>>::check_signal(
					group, &signal,
				);
		}
		assert_eq!(result, Ok(()));
		Ok(())
	}

	#[benchmark]
	fn verify_one_key() -> Result<(), BenchmarkError> {
		let caller = prepare_for_fixture::<T>();
		let group = fixture_group::<T>(&whitelisted_caller());
		RetiredKeys::<T>::remove(dev::DEV_KEY_DEPTH);
		PreparedKeys::<T>::remove(dev::DEV_KEY_DEPTH);
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, dev::DEV_VERIFYING_KEY)?;
		#[block]
		{
			verify_fixture::<T>(&caller, group)?;
		}
		assert!(Verified::<T>::contains_key((0, group, caller)));
		Ok(())
	}

	#[benchmark]
	fn set_verifying_key() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, fixture::OTHER_VERIFYING_KEY)?;
		let key: VerifyingKeyBytes = dev::DEV_VERIFYING_KEY.to_vec().try_into().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, dev::DEV_KEY_DEPTH, key);
		assert!(RetiredKeys::<T>::contains_key(dev::DEV_KEY_DEPTH));
		Ok(())
	}

	#[benchmark]
	fn remove_verifying_key() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, fixture::OTHER_VERIFYING_KEY)?;
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH, dev::DEV_VERIFYING_KEY)?;
		// Another depth keeps a key: the last one cannot be removed.
		Pallet::<T>::do_set_verifying_key(dev::DEV_KEY_DEPTH - 1, fixture::OTHER_VERIFYING_KEY)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, dev::DEV_KEY_DEPTH);
		assert!(!VerifyingKeys::<T>::contains_key(dev::DEV_KEY_DEPTH));
		Ok(())
	}

	#[benchmark]
	fn set_verification_period() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		CurrentPeriod::<T>::put(PeriodInfo { index: 0, start: 0, length: 100 });
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 200);
		assert_eq!(NextPeriodLength::<T>::get(), Some(200));
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
