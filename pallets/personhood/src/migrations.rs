//! Storage migrations.

/// Version 1: each group counts its current members ([`crate::MemberCount`]), which the commit
/// gate caps a veto threshold with. The count is taken once from the member index.
///
/// Its weight grows with the members of every group (one read each): run it while groups are
/// small. Every chain that runs version 0 is a test network.
pub mod v1 {
	use crate::{Config, Groups, MemberCount, MemberIndex, Pallet};
	use polkadot_sdk::frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// Counts every group's members.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			for group in Groups::<T>::iter_keys() {
				let members = MemberIndex::<T>::iter_prefix(group).count();
				reads = reads.saturating_add(1 + members as u64);
				MemberCount::<T>::insert(group, members as u32);
				writes = writes.saturating_add(1);
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}
	}

	/// The migration, run once: from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as polkadot_sdk::frame_system::Config>::DbWeight,
	>;
}

#[cfg(test)]
mod tests {
	use super::v1::MigrateV0ToV1;
	use crate::{mock::*, MemberCount, Pallet};
	use polkadot_sdk::frame_support::traits::{
		GetStorageVersion, OnRuntimeUpgrade, StorageVersion,
	};

	#[test]
	fn version_0_groups_get_their_member_count() {
		ExtBuilder::default().build_and_execute(|| {
			let before = MemberCount::<Test>::get(CITIZENS);
			assert!(before > 0);
			MemberCount::<Test>::remove(CITIZENS);
			StorageVersion::new(0).put::<Pallet<Test>>();
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(MemberCount::<Test>::get(CITIZENS), before);
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
		});
	}
}
