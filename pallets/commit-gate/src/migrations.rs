//! Storage migrations.

/// Version 1: proposals count anonymous vetoes by nullifier.
///
/// A version-0 proposal counted signed vetoes per verification period (`vetoes`,
/// `tally_period_end`, `vetoers`). Those tallies are dropped, not carried over: from version 1
/// a signed veto counts only where it kills at once, and a person whose signed veto was
/// counted could otherwise count a second time anonymously. A member whose signed veto is
/// dropped vetoes again, anonymously; proposals whose threshold is one never held a tally.
pub mod v1 {
	use crate::{Config, Pallet, Proposal, ProposalOf, Proposals};
	use codec::{Decode, Encode};
	use polkadot_sdk::{
		frame_support::{
			migrations::VersionedMigration,
			traits::{Get, UncheckedOnRuntimeUpgrade},
			weights::Weight,
			BoundedVec,
		},
		sp_runtime::traits::ConstU32,
	};
	use teo_primitives::{AccountId, Balance, BlockNumber, EpochIndex, GroupId, Hash};

	/// A proposal as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct ProposalV0<T: Config> {
		pub proposer: AccountId,
		pub sponsor: AccountId,
		pub group: GroupId,
		pub call: BoundedVec<u8, T::MaxCallSize>,
		pub call_hash: Hash,
		pub summary: BoundedVec<u8, T::MaxSummaryLength>,
		pub deposit: Balance,
		pub submitted_at: BlockNumber,
		pub epoch: EpochIndex,
		pub unlock_at: BlockNumber,
		pub veto_threshold: u32,
		pub withdrawn_by: Option<AccountId>,
		pub transaction_version: u32,
		pub vetoes: u32,
		pub tally_period_end: BlockNumber,
		pub vetoers: BoundedVec<AccountId, ConstU32<{ u32::MAX }>>,
	}

	impl<T: Config> ProposalV0<T> {
		fn upgraded(self) -> ProposalOf<T> {
			Proposal {
				proposer: self.proposer,
				sponsor: self.sponsor,
				group: self.group,
				call: self.call,
				call_hash: self.call_hash,
				summary: self.summary,
				deposit: self.deposit,
				submitted_at: self.submitted_at,
				epoch: self.epoch,
				unlock_at: self.unlock_at,
				veto_threshold: self.veto_threshold,
				withdrawn_by: self.withdrawn_by,
				transaction_version: self.transaction_version,
				nullifiers: BoundedVec::new(),
			}
		}
	}

	/// Rewrites every pending proposal (at most `MaxPending`) without its signed tally.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Proposals::<T>::translate::<ProposalV0<T>, _>(|_, old| {
				count += 1;
				Some(old.upgraded())
			});
			T::DbWeight::get().reads_writes(count, count)
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
	use super::v1::{MigrateV0ToV1, ProposalV0};
	use crate::{mock::*, Pallet, Proposals};
	use polkadot_sdk::frame_support::{
		storage::unhashed,
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		BoundedVec,
	};

	/// A chain upgraded from version 0 keeps its pending proposals, without their signed
	/// tallies (a person whose signed veto counted could otherwise count again anonymously),
	/// and the migration runs once.
	#[test]
	fn version_0_proposals_are_kept_without_their_signed_tally() {
		// Not `build_and_execute`: proposal 7 sits in no queue, which the invariants would flag.
		ExtBuilder::default().build().execute_with(|| {
			StorageVersion::new(0).put::<Pallet<Test>>();
			let old = ProposalV0::<Test> {
				proposer: bob(),
				sponsor: alice(),
				group: TOWN,
				call: BoundedVec::truncate_from(vec![0, 1, 2]),
				call_hash: [3; 32].into(),
				summary: BoundedVec::truncate_from(b"why".to_vec()),
				deposit: 5,
				submitted_at: 1,
				epoch: 0,
				unlock_at: 11,
				veto_threshold: 2,
				withdrawn_by: None,
				transaction_version: 1,
				vetoes: 1,
				tally_period_end: 100,
				vetoers: BoundedVec::truncate_from(vec![charlie()]),
			};
			unhashed::put(&Proposals::<Test>::hashed_key_for(7), &old);
			assert!(Proposals::<Test>::try_get(7).is_err(), "version 0 does not decode as 1");
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			let new = Proposals::<Test>::get(7).expect("kept");
			assert_eq!((new.proposer, new.unlock_at, new.veto_threshold), (bob(), 11, 2));
			assert!(new.nullifiers.is_empty());
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
			// Run again, it changes nothing.
			unhashed::put(&Proposals::<Test>::hashed_key_for(8), &old);
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert!(Proposals::<Test>::try_get(8).is_err());
			unhashed::kill(&Proposals::<Test>::hashed_key_for(8));
		});
	}
}
