//! Group membership: appending and removing members' identity commitments, the LeanIMT
//! frontier the chain keeps instead of the whole tree, the roots of its subtrees that clients
//! prove from, and the history of recent roots that proofs may be made against.

use super::*;
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{pallet_prelude::*, traits::Defensive},
	sp_runtime::SaturatedConversion,
};
use teo_primitives::{AccountId, GroupId};
use teo_zk::{
	groth16,
	lean_imt::{Frontier, FrontierError, SUBTREE_DEPTH},
	Fr,
};

/// The most subtrees of 2^[`SUBTREE_DEPTH`] leaves that a batch of `leaves` new members
/// changes: the one it starts in and those it fills.
pub(crate) fn subtrees_spanned(leaves: usize) -> u64 {
	(leaves as u64).div_ceil(1 << SUBTREE_DEPTH) + 1
}

/// A group as stored.
pub(crate) type GroupInfoOf<T> = GroupInfo<BoundedVec<u8, <T as Config>::MaxNameLength>>;

impl<T: Config> Pallet<T> {
	/// The current root of `group`, if it has members.
	pub fn current_root(group: GroupId) -> Option<FieldBytes> {
		Roots::<T>::get(group).last().map(|record| record.root)
	}

	/// The group, if `who` is its registrar: the one who may change its members.
	pub(crate) fn ensure_registrar(
		who: &AccountId,
		group: GroupId,
	) -> Result<GroupInfoOf<T>, DispatchError> {
		let info = Groups::<T>::get(group).ok_or(Error::<T>::UnknownGroup)?;
		ensure!(&info.registrar == who, Error::<T>::NotRegistrar);
		Ok(info)
	}

	/// Appends `commitments`, in order, to `group`'s tree: one new root for the whole batch.
	pub(crate) fn do_add_members(group: GroupId, commitments: &[Commitment]) -> DispatchResult {
		ensure!(!commitments.is_empty(), Error::<T>::EmptyBatch);
		let info = Groups::<T>::get(group).ok_or(Error::<T>::UnknownGroup)?;
		let first_index = info.size;
		let new_size = first_index
			.checked_add(commitments.len() as u32)
			.filter(|size| *size <= T::MaxMembers::get())
			.ok_or(Error::<T>::GroupFull)?;
		let mut leaves = Vec::with_capacity(commitments.len());
		for (offset, commitment) in commitments.iter().enumerate() {
			let leaf = Self::field(commitment)?;
			ensure!(leaf != Fr::from(0u64), Error::<T>::ZeroCommitment);
			ensure!(
				!MemberIndex::<T>::contains_key(group, commitment)
					&& !commitments[..offset].contains(commitment),
				Error::<T>::AlreadyMember
			);
			leaves.push(leaf);
		}
		let mut frontier = Self::frontier(&info)?;
		let subtrees = frontier.insert_many(&leaves).map_err(|_| Error::<T>::GroupFull)?;
		// The batch is not empty, so the tree has a root.
		let root =
			frontier.root().map(|r| groth16::fr_to_be_bytes(&r)).defensive_unwrap_or_default();
		Self::store_frontier(group, info, &frontier);
		for (index, commitment) in (first_index..new_size).zip(commitments) {
			Leaves::<T>::insert(group, index, commitment);
			MemberIndex::<T>::insert(group, commitment, index);
		}
		for (subtree, root) in (subtrees.first..).zip(&subtrees.roots) {
			SubtreeRoots::<T>::insert(group, subtree as u32, groth16::fr_to_be_bytes(root));
		}
		MemberCount::<T>::mutate(group, |count| {
			*count = count.saturating_add(commitments.len() as u32)
		});
		Self::push_root(group, root);
		Self::deposit_event(Event::MembersAdded {
			group,
			first_index,
			commitments: commitments.to_vec(),
			root,
		});
		Ok(())
	}

	/// Zeroes the leaf of the member `commitment` of `group` (`info`, as the registrar check
	/// read it), given its `siblings` in the current tree, from the leaf up.
	pub(crate) fn do_remove_member(
		group: GroupId,
		info: GroupInfoOf<T>,
		commitment: Commitment,
		siblings: &[FieldBytes],
	) -> DispatchResult {
		let index = MemberIndex::<T>::get(group, commitment).ok_or(Error::<T>::NotMember)?;
		let mut frontier = Self::frontier(&info)?;
		let old_leaf = Self::field(&commitment)?;
		let siblings = siblings.iter().map(Self::field).collect::<Result<Vec<_>, _>>()?;
		let updated = frontier.update(index.into(), old_leaf, Fr::from(0u64), &siblings).map_err(
			|e| match e {
				FrontierError::WrongSiblings => Error::<T>::WrongSiblings,
				FrontierError::UnknownLeaf | FrontierError::TreeFull => Error::<T>::NotMember,
			},
		)?;
		let root = groth16::fr_to_be_bytes(&updated.root);
		Self::store_frontier(group, info, &frontier);
		SubtreeRoots::<T>::insert(
			group,
			index >> SUBTREE_DEPTH,
			groth16::fr_to_be_bytes(&updated.subtree_root),
		);
		Leaves::<T>::insert(group, index, [0u8; 32]);
		MemberIndex::<T>::remove(group, commitment);
		MemberCount::<T>::mutate(group, |count| *count = count.saturating_sub(1));
		// The earlier roots keep their grace, though they hold the removed member: dropping them
		// at once would let a registrar invalidate every proof in flight (vetoes included) by
		// removing someone in every block. docs/PERSONHOOD.md, "Trust model".
		Self::push_root(group, root);
		Self::deposit_event(Event::MemberRemoved { group, index, commitment, root });
		Ok(())
	}

	/// Fails with `UnknownRoot` unless `root` is `group`'s current root or one replaced less
	/// than `RootValidity` blocks ago (`ExpiredRoot` if longer). Zero, the root of an empty
	/// tree, is never valid.
	pub(crate) fn ensure_root_is_valid(group: GroupId, root: &FieldBytes) -> Result<(), Error<T>> {
		ensure!(root != &[0u8; 32], Error::<T>::UnknownRoot);
		let roots = Roots::<T>::get(group);
		let position =
			roots.iter().position(|record| &record.root == root).ok_or(Error::<T>::UnknownRoot)?;
		match roots.get(position + 1) {
			None => Ok(()),
			Some(successor) => {
				let valid_until = successor.since.saturating_add(T::RootValidity::get());
				ensure!(teo_pallet_support::now::<T>() < valid_until, Error::<T>::ExpiredRoot);
				Ok(())
			},
		}
	}

	/// A field element from its 32 big-endian bytes, or `NotInField`.
	pub(crate) fn field(bytes: &FieldBytes) -> Result<Fr, Error<T>> {
		groth16::fr_from_be_bytes(bytes).map_err(|_| Error::<T>::NotInField)
	}

	/// The frontier of a group's tree, from its stored side nodes.
	pub(crate) fn frontier(info: &GroupInfoOf<T>) -> Result<Frontier, DispatchError> {
		let nodes = info.side_nodes.iter().map(Self::field).collect::<Result<Vec<_>, _>>()?;
		Frontier::from_parts(info.size.into(), nodes)
			.ok_or(DispatchError::Other("group tree state is inconsistent"))
	}

	/// Stores `frontier` as `group`'s tree.
	fn store_frontier(group: GroupId, mut info: GroupInfoOf<T>, frontier: &Frontier) {
		info.size = frontier.size().saturated_into();
		let nodes: Vec<FieldBytes> =
			frontier.side_nodes().iter().map(groth16::fr_to_be_bytes).collect();
		// A frontier has at most MAX_DEPTH + 1 nodes, the bound of `SideNodes`.
		info.side_nodes = BoundedVec::truncate_from(nodes);
		Groups::<T>::insert(group, info);
	}

	/// Records `root` as `group`'s current root, forgetting the oldest when full.
	fn push_root(group: GroupId, root: FieldBytes) {
		let record = RootRecord { root, since: teo_pallet_support::now::<T>() };
		Roots::<T>::mutate(group, |roots| {
			if let Some(last) = roots.last_mut().filter(|last| last.since == record.since) {
				// Several changes in one block: only the last root was ever current.
				*last = record;
				return;
			}
			if roots.is_full() {
				roots.remove(0);
			}
			let _ = roots.try_push(record).defensive_proof("room was made just above");
		});
	}
}
