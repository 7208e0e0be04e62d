#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
use polkadot_sdk::frame_support::pallet_macros::import_section;

#[cfg(any(feature = "runtime-benchmarks", test))]
pub mod benchmark_fixture;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
mod errors;
mod events;
mod impls;
pub mod migrations;
mod periods;
mod tick_impls;
mod tree;
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state;
mod types;
mod verification;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use teo_primitives::traits::AgentInspect;

/// The target of the pallet's log lines.
pub(crate) const LOG_TARGET: &str = "runtime::personhood";

#[import_section(events::events)]
#[import_section(errors::errors)]
#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;
	use polkadot_sdk::{
		frame_support::{pallet_prelude::*, DefaultNoBound},
		frame_system::pallet_prelude::*,
	};
	use teo_primitives::{AccountId, BlockNumber, GroupId, Hash};

	/// 1: groups count their members ([`crate::migrations::v1`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<AccountId = AccountId, Hash = Hash>
	{
		/// May create groups, appoint their registrars, set and remove verifying keys and set
		/// the length of verification periods.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who is an agent: agents can never verify as humans.
		type Agents: AgentInspect<AccountId>;

		/// The most groups that can exist.
		#[pallet::constant]
		type MaxGroups: Get<u32>;

		/// The most members one group can ever have appended (removed ones included).
		#[pallet::constant]
		type MaxMembers: Get<u32>;

		/// The most commitments in one `add_members` call.
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// The longest group name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// How many recent roots of a group are remembered.
		#[pallet::constant]
		type MaxRoots: Get<u32>;

		/// Blocks a replaced root stays valid, so proofs made just before a change still verify
		/// (after a removal too, though the root holds the removed member: otherwise a registrar
		/// could void every proof in flight by removing someone in every block).
		#[pallet::constant]
		type RootValidity: Get<BlockNumber>;

		/// Blocks a replaced verifying key stays valid.
		#[pallet::constant]
		type KeyGracePeriod: Get<BlockNumber>;

		/// The bounds no parameter may cross (`pallet-constitution`).
		type Constitution: Get<teo_primitives::constitution::Bounds>;

		/// The most per-period records `on_idle` removes in one block.
		#[pallet::constant]
		type MaxCleanupPerBlock: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The groups, by id.
	#[pallet::storage]
	pub type Groups<T: Config> =
		StorageMap<_, Twox64Concat, GroupId, GroupInfo<BoundedVec<u8, T::MaxNameLength>>>;

	/// The id the next group gets.
	#[pallet::storage]
	pub type NextGroupId<T: Config> = StorageValue<_, GroupId, ValueQuery>;

	/// Every leaf of every group's tree, by index (zero for a removed member): what clients
	/// read to build Merkle paths.
	#[pallet::storage]
	pub type Leaves<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GroupId, Twox64Concat, u32, Commitment>;

	/// The root of every aligned subtree of 2^[`teo_zk::lean_imt::SUBTREE_DEPTH`] leaves of every
	/// group's tree, by subtree index (a subtree not yet full: the root of its leaves so far).
	/// Written with the path every change hashes anyway; a client hashes the tree above them
	/// and its own subtree instead of the whole tree, and checks the result against the root.
	/// Subtrees filled before this map existed have none, and clients hash them.
	#[pallet::storage]
	pub type SubtreeRoots<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GroupId, Twox64Concat, u32, FieldBytes>;

	/// The index of each current member's commitment.
	#[pallet::storage]
	pub type MemberIndex<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GroupId, Blake2_128Concat, Commitment, u32>;

	/// How many current members each group has (its leaves not removed): everyone who can
	/// prove membership of it, and so the most anonymous vetoes its proposals can gather.
	#[pallet::storage]
	pub type MemberCount<T: Config> = StorageMap<_, Twox64Concat, GroupId, u32, ValueQuery>;

	/// Recent roots of each group, oldest first; the last is current.
	#[pallet::storage]
	pub type Roots<T: Config> =
		StorageMap<_, Twox64Concat, GroupId, BoundedVec<RootRecord, T::MaxRoots>, ValueQuery>;

	/// The verifying key in force for each circuit depth.
	#[pallet::storage]
	pub type VerifyingKeys<T: Config> = StorageMap<_, Twox64Concat, u8, VerifyingKeyRecord>;

	/// The prepared form of each key in [`VerifyingKeys`], what verification reads.
	#[pallet::storage]
	pub type PreparedKeys<T: Config> = StorageMap<_, Twox64Concat, u8, PreparedKeyBytes>;

	/// Replaced keys in their grace window.
	#[pallet::storage]
	pub type RetiredKeys<T: Config> = StorageMap<_, Twox64Concat, u8, RetiredKey>;

	/// The verification period in progress.
	#[pallet::storage]
	pub type CurrentPeriod<T: Config> = StorageValue<_, PeriodInfo, ValueQuery>;

	/// The length the next period will have, when governance changed it.
	#[pallet::storage]
	pub type NextPeriodLength<T: Config> = StorageValue<_, BlockNumber>;

	/// The oldest period whose records may still be in storage.
	#[pallet::storage]
	pub type OldestUncleanedPeriod<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Verified accounts: (period, group, account) -> the nullifier they verified with.
	#[pallet::storage]
	pub type Verified<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, u32>,
			NMapKey<Twox64Concat, GroupId>,
			NMapKey<Blake2_128Concat, AccountId>,
		),
		FieldBytes,
	>;

	/// Used nullifiers: (period, group, nullifier) -> the account it verified.
	#[pallet::storage]
	pub type Nullifiers<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, u32>,
			NMapKey<Twox64Concat, GroupId>,
			NMapKey<Blake2_128Concat, FieldBytes>,
		),
		AccountId,
	>;

	/// Accounts verified in any group per period: (period, account) -> number of groups.
	#[pallet::storage]
	pub type VerifiedHumans<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Blake2_128Concat, AccountId, u32, ValueQuery>;

	/// Verified members per (period, group).
	#[pallet::storage]
	pub type VerifiedCount<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Twox64Concat, GroupId, u32, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Groups, created with ids 0, 1, ... in order.
		pub groups: Vec<GenesisGroup>,
		/// Verifying keys: (circuit depth, uncompressed key).
		pub verifying_keys: Vec<(u8, Vec<u8>)>,
		/// Blocks in a verification period; must be set (non-zero) for a usable chain.
		pub verification_period: BlockNumber,
		/// Accounts verified in the first period without a proof, as (group, account): for
		/// harnesses that need thousands of verified citizens at once (`tools/swarm`).
		/// Development chains only (the constitution must allow insecure keys, whose public
		/// secrets would let anyone verify anyway).
		pub verified: Vec<(GroupId, AccountId)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				self.verification_period == 0
					|| T::Constitution::get()
						.verification_period
						.contains(&self.verification_period),
				"the genesis verification period must lie within the constitution"
			);
			if !self.verified.is_empty() {
				assert!(
					T::Constitution::get().allows_insecure_keys,
					"accounts verified at genesis, without a proof, are for development chains only"
				);
				assert!(
					self.verification_period != 0,
					"accounts verified at genesis need a verification period"
				);
			}
			CurrentPeriod::<T>::put(PeriodInfo {
				index: 0,
				start: 0,
				length: self.verification_period,
			});
			for group in &self.groups {
				let name = BoundedVec::try_from(group.name.clone())
					.expect("a genesis group's name must fit MaxNameLength");
				let id = Pallet::<T>::do_create_group(group.registrar.clone(), name)
					.expect("the genesis groups must fit MaxGroups");
				for chunk in group.members.chunks(T::MaxBatch::get().max(1) as usize) {
					Pallet::<T>::do_add_members(id, chunk).expect(
						"genesis members must be distinct non-zero field elements within MaxMembers",
					);
				}
			}
			for (depth, key) in &self.verifying_keys {
				Pallet::<T>::do_set_verifying_key(*depth, key).expect(
					"a genesis verifying key must be well formed, for a depth from 1 to 32, and \
					 not the insecure dev key unless the constitution allows insecure keys",
				);
			}
			for (group, who) in &self.verified {
				assert!(
					Groups::<T>::contains_key(group),
					"an account verified at genesis must name a genesis group"
				);
				assert!(
					!Verified::<T>::contains_key((0, *group, who)),
					"an account is verified at genesis once per group"
				);
				let nullifier = Pallet::<T>::genesis_nullifier(*group, who);
				Pallet::<T>::record_verification(0, *group, who, nullifier);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Starts the next verification period when the current one is over.
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::start_next_period_if_due()
		}

		/// Removes the records of finished periods with the block's spare weight.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::clean_up_past_periods(remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a group with `registrar` and `name`.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// The group starts empty and gets the id in [`NextGroupId`].
		///
		/// ## Errors
		/// [`Error::TooManyGroups`] when [`Config::MaxGroups`] groups exist.
		///
		/// ## Events
		/// [`Event::GroupCreated`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_group())]
		pub fn create_group(
			origin: OriginFor<T>,
			registrar: AccountId,
			name: BoundedVec<u8, T::MaxNameLength>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_create_group(registrar, name).map(|_| ())
		}

		/// Appoints `registrar` for `group`.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// From now on only `registrar` may add and remove the group's members.
		///
		/// ## Errors
		/// [`Error::UnknownGroup`].
		///
		/// ## Events
		/// [`Event::RegistrarChanged`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_registrar())]
		pub fn set_registrar(
			origin: OriginFor<T>,
			group: GroupId,
			registrar: AccountId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_registrar(group, registrar)
		}

		/// Appends `commitment` to `group`'s tree.
		///
		/// ## Dispatch Origin
		/// Signed, by the group's registrar.
		///
		/// ## Details
		/// The commitment becomes the tree's next leaf, and the tree has a new root.
		///
		/// ## Errors
		/// [`Error::UnknownGroup`], [`Error::NotRegistrar`], [`Error::NotInField`],
		/// [`Error::ZeroCommitment`], [`Error::AlreadyMember`], [`Error::GroupFull`].
		///
		/// ## Events
		/// [`Event::MembersAdded`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::add_members(1))]
		pub fn add_member(
			origin: OriginFor<T>,
			group: GroupId,
			commitment: Commitment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_registrar(&who, group)?;
			Self::do_add_members(group, &[commitment])
		}

		/// Appends `commitments`, in order, to `group`'s tree.
		///
		/// ## Dispatch Origin
		/// Signed, by the group's registrar.
		///
		/// ## Details
		/// One new root for the whole batch: proofs made against the roots in between would
		/// never verify.
		///
		/// ## Errors
		/// As [`Pallet::add_member`], and [`Error::EmptyBatch`].
		///
		/// ## Events
		/// [`Event::MembersAdded`].
		#[pallet::call_index(3)]
		// The subtree roots' writes came after the last measurement: they are added here until
		// `scripts/benchmark-pallets.sh personhood` measures them with the rest.
		#[pallet::weight(T::WeightInfo::add_members(commitments.len() as u32).saturating_add(
			T::DbWeight::get().writes(crate::tree::subtrees_spanned(commitments.len())),
		))]
		pub fn add_members(
			origin: OriginFor<T>,
			group: GroupId,
			commitments: BoundedVec<Commitment, T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_registrar(&who, group)?;
			Self::do_add_members(group, &commitments)
		}

		/// Removes the member `commitment` from `group`.
		///
		/// ## Dispatch Origin
		/// Signed, by the group's registrar.
		///
		/// ## Details
		/// The member's leaf becomes zero, and the group counts one member fewer at once.
		/// `siblings` are its Merkle proof's siblings in the current tree (as zk-kit's
		/// `generateProof` gives them), from the leaf up. The roots it replaces stay valid for
		/// `RootValidity`, so the removed member can still prove against them until then.
		///
		/// ## Errors
		/// [`Error::UnknownGroup`], [`Error::NotRegistrar`], [`Error::NotMember`],
		/// [`Error::NotInField`], [`Error::WrongSiblings`].
		///
		/// ## Events
		/// [`Event::MemberRemoved`].
		#[pallet::call_index(4)]
		// With its subtree root's write, as for `add_members`.
		#[pallet::weight(T::WeightInfo::remove_member().saturating_add(T::DbWeight::get().writes(1)))]
		pub fn remove_member(
			origin: OriginFor<T>,
			group: GroupId,
			commitment: Commitment,
			siblings: Siblings,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Self::ensure_registrar(&who, group)?;
			Self::do_remove_member(group, info, commitment, &siblings)
		}

		/// Verifies the caller as a member of `group` until the end of the current period.
		///
		/// ## Dispatch Origin
		/// Signed, by the account being verified.
		///
		/// ## Details
		/// `proof` is a Semaphore proof of membership in the tree with `root`, for the message
		/// "the caller's account" and the scope of (genesis hash, `group`, period), with
		/// `nullifier`. The weight covers a second pairing check, against a retired key; it is
		/// refunded when one check sufficed.
		///
		/// ## Errors
		/// [`Error::UnknownGroup`], [`Error::AgentCannotVerify`], [`Error::NotConfigured`],
		/// [`Error::AlreadyVerified`], [`Error::NotInField`], [`Error::UnknownRoot`],
		/// [`Error::ExpiredRoot`], [`Error::NullifierAlreadyUsed`], [`Error::NoVerifyingKey`],
		/// [`Error::MalformedProof`], [`Error::InvalidProof`] (which is also what a proof made
		/// for another account gives).
		///
		/// ## Events
		/// [`Event::Verified`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::verify_against_retired_key())]
		pub fn verify(
			origin: OriginFor<T>,
			group: GroupId,
			root: FieldBytes,
			nullifier: FieldBytes,
			proof: MembershipProof,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let pairings = Self::do_verify(who, group, root, nullifier, proof)?;
			Ok((pairings == 1).then(T::WeightInfo::verify_one_key).into())
		}

		/// Sets the verifying key for proofs of circuit depth `depth` (1 to 32).
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// The key is validated and stored prepared. The key it replaces stays valid for
		/// [`Config::KeyGracePeriod`] blocks.
		///
		/// ## Errors
		/// [`Error::InvalidDepth`], [`Error::MalformedVerifyingKey`].
		///
		/// ## Events
		/// [`Event::VerifyingKeySet`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_verifying_key())]
		pub fn set_verifying_key(
			origin: OriginFor<T>,
			depth: u8,
			key: VerifyingKeyBytes,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_verifying_key(depth, &key)
		}

		/// Removes the verifying key for `depth`, and its retired predecessor.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// No proof of that depth verifies any more (for a compromised key). The last key cannot
		/// go: replace it instead.
		///
		/// ## Errors
		/// [`Error::NoVerifyingKey`], [`Error::LastVerifyingKey`].
		///
		/// ## Events
		/// [`Event::VerifyingKeyRemoved`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::remove_verifying_key())]
		pub fn remove_verifying_key(origin: OriginFor<T>, depth: u8) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_verifying_key(depth)
		}

		/// Sets the length of the periods after the current one.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// Verifications in progress keep their end. On a chain without a period, the first
		/// one starts now, with this length. The length must lie within the constitution (at
		/// least a day on a production chain).
		///
		/// ## Errors
		/// [`Error::InvalidPeriodLength`], [`Error::Unconstitutional`].
		///
		/// ## Events
		/// [`Event::PeriodLengthScheduled`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_verification_period())]
		pub fn set_verification_period(
			origin: OriginFor<T>,
			length: BlockNumber,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_verification_period(length)
		}
	}
}
