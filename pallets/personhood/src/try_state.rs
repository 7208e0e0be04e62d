//! The pallet's invariants, checked after every test (the mock's `build_and_execute`) and by
//! `try-runtime`.

use super::*;
use alloc::vec::Vec;
use polkadot_sdk::{frame_support::pallet_prelude::*, sp_runtime::TryRuntimeError};
use teo_zk::{
	groth16,
	lean_imt::{Frontier, PrunedTree},
};

impl<T: Config> Pallet<T> {
	/// The pallet's invariants: the period lengths lie within the constitution; every group's
	/// side nodes, leaves, subtree roots, member indices and current root agree; every key is prepared, and
	/// none is the insecure dev key unless the constitution allows insecure keys; the
	/// per-period records agree with each other.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let bounds = T::Constitution::get().verification_period;
		let period = CurrentPeriod::<T>::get();
		ensure!(
			!period.is_configured() || bounds.contains(&period.length),
			"the period length crosses the constitution"
		);
		ensure!(
			NextPeriodLength::<T>::get().is_none_or(|length| bounds.contains(&length)),
			"the next period length crosses the constitution"
		);
		let next = NextGroupId::<T>::get();
		for (group, info) in Groups::<T>::iter() {
			ensure!(group < next, "a group id is not below NextGroupId");
			ensure!(info.size <= T::MaxMembers::get(), "a group exceeds MaxMembers");
			let frontier = Self::frontier(&info).map_err(|_| "inconsistent side nodes")?;
			let leaves = (0..info.size)
				.map(|i| Leaves::<T>::get(group, i).ok_or("a leaf is missing"))
				.collect::<Result<Vec<_>, _>>()?;
			let mut rebuilt = Frontier::default();
			let values = leaves
				.iter()
				.map(Self::field)
				.collect::<Result<Vec<_>, _>>()
				.map_err(|_| "a leaf is not in the field")?;
			rebuilt.insert_many(&values).map_err(|_| "the leaves do not fit a tree")?;
			ensure!(rebuilt.root() == frontier.root(), "the root does not match the leaves");
			let subtrees = PrunedTree::from_leaves(values);
			for (subtree, root) in SubtreeRoots::<T>::iter_prefix(group) {
				ensure!(
					subtrees.subtree_roots().get(subtree as usize).map(groth16::fr_to_be_bytes)
						== Some(root),
					"a subtree root does not match the leaves"
				);
			}
			let current = Self::current_root(group);
			ensure!(
				current == frontier.root().map(|r| groth16::fr_to_be_bytes(&r)),
				"the current root is not the tree's"
			);
			for (index, leaf) in leaves.iter().enumerate() {
				if leaf != &[0u8; 32] {
					ensure!(
						MemberIndex::<T>::get(group, leaf) == Some(index as u32),
						"a member's index is wrong"
					);
				}
			}
		}
		for (group, commitment, index) in MemberIndex::<T>::iter() {
			ensure!(Leaves::<T>::get(group, index) == Some(commitment), "a stale member index");
		}
		for (group, _) in Groups::<T>::iter() {
			ensure!(
				MemberCount::<T>::get(group) as usize
					== MemberIndex::<T>::iter_prefix(group).count(),
				"a group's member count is not its members"
			);
		}
		for (depth, _) in VerifyingKeys::<T>::iter() {
			ensure!(PreparedKeys::<T>::contains_key(depth), "a key is not prepared");
		}
		if !T::Constitution::get().allows_insecure_keys {
			// What verification reads: the current keys and the retired ones in their grace.
			let prepared = PreparedKeys::<T>::iter_values().map(|key| key.into_inner()).chain(
				RetiredKeys::<T>::iter_values().map(|retired| retired.prepared.into_inner()),
			);
			for key in prepared {
				ensure!(
					groth16::decode_prepared_key(&key)
						.is_ok_and(|key| !teo_zk::dev::is_dev_key(&key)),
					"an insecure key where the constitution forbids them"
				);
			}
		}
		let period = CurrentPeriod::<T>::get().index;
		for ((p, group, who), nullifier) in Verified::<T>::iter() {
			ensure!(p <= period, "a verification in a future period");
			ensure!(
				Nullifiers::<T>::get((p, group, nullifier)) == Some(who),
				"a verification without its nullifier"
			);
		}
		for (p, who, groups) in VerifiedHumans::<T>::iter() {
			let actual = Verified::<T>::iter_prefix((p,)).filter(|((_, a), _)| a == &who).count();
			ensure!(actual as u32 == groups, "VerifiedHumans does not match the verifications");
		}
		for (p, group, count) in VerifiedCount::<T>::iter() {
			let actual = Verified::<T>::iter_prefix((p, group)).count() as u32;
			ensure!(actual == count, "VerifiedCount does not match the verifications");
			let nullifiers = Nullifiers::<T>::iter_prefix((p, group)).count() as u32;
			ensure!(nullifiers == count, "nullifiers do not match the verifications");
		}
		Ok(())
	}
}
