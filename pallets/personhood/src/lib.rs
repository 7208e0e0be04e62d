//! # Personhood Pallet
//!
//! Who is a human: groups of Semaphore v4 identity commitments, and zero-knowledge proofs
//! (Groth16 over BN254) that bind one account per person, group and verification period.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, storage, events and errors; [`Config`] for the
//! configuration. Other pallets ask it through [`PersonhoodInspect`].
//!
//! ## Overview
//!
//! - A **group** (created by the governance origin) has a *registrar*, who appends identity
//!   commitments ([`Pallet::add_member`], [`Pallet::add_members`]) after checking, off chain,
//!   that each belongs to a distinct human, and revokes them ([`Pallet::remove_member`]: the
//!   leaf becomes zero; the registrar supplies its siblings). The members form a LeanIMT
//!   (Poseidon, as Semaphore v4); the chain keeps only its side nodes and a short history of
//!   roots, and every change is an event from which any client rebuilds the tree.
//! - A citizen **verifies** ([`Pallet::verify`]) with a Semaphore proof: "I know the secret of
//!   a commitment in this group's tree", with public inputs `[root, nullifier, hash(message),
//!   hash(scope)]`, where the message is the caller's account and the scope is derived from
//!   the genesis hash, the group and the verification period. The proof reveals nothing about
//!   which member the caller is; the nullifier is the same for every proof of one person in
//!   one scope, so a person binds at most one account per group and period. The account stays
//!   verified until the period ends.
//! - **Verifying keys** (one per circuit depth) are set by the governance origin, validated
//!   when set, and stored prepared. A replaced key is still accepted for a grace window.
//!
//! The registrar guarantees uniqueness (one commitment per human); the proof gives
//! unlinkability between the human's identity and their account. docs/PERSONHOOD.md explains
//! the trust model and how to run a real trusted setup.
//!
//! ## Example
//!
//! A citizen's tool reads the group's leaves (storage [`Leaves`]), builds the Merkle path of
//! their commitment, proves for `(account, scope)` and submits
//! `personhood.verify(group, root, nullifier, proof)` from that account; the chain emits
//! [`Event::Verified`], and from then until the end of the period
//! `PersonhoodInspect::is_verified(account, group)` holds.
//!
//! ## Low-level details
//!
//! - Proof points are decoded with full validation (canonical coordinates, on the curve, in
//!   the prime-order subgroup, not the identity); roots and nullifiers at or above the field
//!   modulus are refused; the expensive pairing check runs last, after every cheap check, and
//!   nothing is written unless it passes.
//! - A replaced root stays valid for [`Config::RootValidity`] blocks; [`Config::MaxRoots`]
//!   bounds the history. An empty tree (root zero) proves nothing.
//! - Per-period records ([`Verified`], [`Nullifiers`], [`VerifiedCount`]) are keyed by period
//!   first and removed by `on_idle` once the period is over, so storage stays bounded by the
//!   members verified in the current period.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "runtime-benchmarks", test))]
pub mod benchmark_fixture;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod types;
pub use types::*;
pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use teo_primitives::traits::{AgentInspect, PersonhoodInspect};

const LOG_TARGET: &str = "runtime::personhood";

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use polkadot_sdk::{
		frame_support::{pallet_prelude::*, DefaultNoBound},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::{traits::Saturating, SaturatedConversion},
	};
	use teo_primitives::{AccountId, BlockNumber, GroupId, Hash};
	use teo_zk::{
		groth16,
		lean_imt::{Frontier, FrontierError},
		semaphore, Fr,
	};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<AccountId = AccountId, Hash = Hash>
	{
		/// Creates groups, appoints registrars, sets verifying keys and the period length.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

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

		/// Blocks a replaced root stays valid, so proofs made just before a change still verify.
		#[pallet::constant]
		type RootValidity: Get<BlockNumber>;

		/// Blocks a replaced verifying key stays valid.
		#[pallet::constant]
		type KeyGracePeriod: Get<BlockNumber>;

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

	/// The index of each current member's commitment.
	#[pallet::storage]
	pub type MemberIndex<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GroupId, Blake2_128Concat, Commitment, u32>;

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

	/// A group in the genesis configuration.
	#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
	#[serde(rename_all = "camelCase")]
	pub struct GenesisGroup {
		pub name: Vec<u8>,
		pub registrar: AccountId,
		pub members: Vec<Commitment>,
	}

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Groups, created with ids 0, 1, ... in order.
		pub groups: Vec<GenesisGroup>,
		/// Verifying keys: (circuit depth, uncompressed key).
		pub verifying_keys: Vec<(u8, Vec<u8>)>,
		/// Blocks in a verification period; must be set (non-zero) for a usable chain.
		pub verification_period: BlockNumber,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			CurrentPeriod::<T>::put(PeriodInfo {
				index: 0,
				start: 0,
				length: self.verification_period,
			});
			for group in &self.groups {
				let name = BoundedVec::try_from(group.name.clone())
					.expect("genesis group names fit MaxNameLength");
				let id = Pallet::<T>::do_create_group(group.registrar.clone(), name)
					.expect("genesis groups fit MaxGroups");
				for chunk in group.members.chunks(T::MaxBatch::get().max(1) as usize) {
					Pallet::<T>::do_add_members(id, chunk).expect("genesis members are valid");
				}
			}
			for (depth, key) in &self.verifying_keys {
				Pallet::<T>::do_set_verifying_key(*depth, key).expect("genesis keys are valid");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A group was created.
		GroupCreated { group: GroupId, registrar: AccountId },
		/// A group got a new registrar.
		RegistrarChanged { group: GroupId, registrar: AccountId },
		/// Commitments were appended to a group's tree at `first_index`, `first_index + 1`, ...;
		/// `root` is the new root.
		MembersAdded {
			group: GroupId,
			first_index: u32,
			commitments: Vec<Commitment>,
			root: FieldBytes,
		},
		/// The member at `index` was removed: its leaf is zero; `root` is the new root.
		MemberRemoved { group: GroupId, index: u32, commitment: Commitment, root: FieldBytes },
		/// `who` proved membership of `group` and is verified until block `until`.
		Verified {
			group: GroupId,
			who: AccountId,
			period: u32,
			nullifier: FieldBytes,
			until: BlockNumber,
		},
		/// A verifying key was set for proofs of `depth`; the key it replaced (if any) is still
		/// accepted until `previous_valid_until`.
		VerifyingKeySet { depth: u8, previous_valid_until: Option<BlockNumber> },
		/// The verifying key for `depth` was removed, its predecessor too.
		VerifyingKeyRemoved { depth: u8 },
		/// Periods after the current one will last `length` blocks.
		PeriodLengthScheduled { length: BlockNumber },
		/// A new verification period started.
		PeriodStarted { index: u32, start: BlockNumber, length: BlockNumber },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No group has this id.
		UnknownGroup,
		/// The most groups exist already.
		TooManyGroups,
		/// Only the group's registrar may change its members.
		NotRegistrar,
		/// The group cannot take that many more members.
		GroupFull,
		/// This commitment is a member of the group already.
		AlreadyMember,
		/// This commitment is not a member of the group.
		NotMember,
		/// A commitment, root or nullifier is not below the BN254 scalar field modulus.
		NotInField,
		/// Zero is not a commitment: it marks removed members.
		ZeroCommitment,
		/// The siblings do not lead from the member's leaf to the group's current root.
		WrongSiblings,
		/// The call would add no commitments.
		EmptyBatch,
		/// The root is not one of the group's recent roots.
		UnknownRoot,
		/// The root was replaced more than `RootValidity` blocks ago.
		ExpiredRoot,
		/// This nullifier was used in this group and period already: the person behind it has
		/// verified an account this period.
		NullifierAlreadyUsed,
		/// The caller is verified in this group for this period already.
		AlreadyVerified,
		/// Agents cannot verify as humans.
		AgentCannotVerify,
		/// No verifying key is set for the proof's depth.
		NoVerifyingKey,
		/// The proof's points are not valid curve points of their groups.
		MalformedProof,
		/// The proof does not verify for this caller, group, root, nullifier and period.
		InvalidProof,
		/// The verifying key does not decode to valid points for four public inputs.
		MalformedVerifyingKey,
		/// Depths go from 1 to 32.
		InvalidDepth,
		/// A verification period must last at least one block.
		InvalidPeriodLength,
		/// The chain has no verification period configured.
		NoVerificationPeriod,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			let now = Self::now();
			let period = CurrentPeriod::<T>::get();
			if period.length == 0 || now < period.start.saturating_add(period.length) {
				return T::DbWeight::get().reads(1);
			}
			let length = NextPeriodLength::<T>::take().unwrap_or(period.length);
			let next = PeriodInfo { index: period.index.saturating_add(1), start: now, length };
			CurrentPeriod::<T>::put(next);
			Self::deposit_event(Event::PeriodStarted {
				index: next.index,
				start: next.start,
				length: next.length,
			});
			T::DbWeight::get().reads_writes(2, 3)
		}

		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::clean_up_past_periods(remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a group with `registrar` and `name`; its id is [`NextGroupId`].
		///
		/// Origin: governance. Errors: `TooManyGroups`. Event: `GroupCreated`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_group())]
		pub fn create_group(
			origin: OriginFor<T>,
			registrar: AccountId,
			name: BoundedVec<u8, T::MaxNameLength>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_create_group(registrar, name).map(|_| ())
		}

		/// Appoints `registrar` for `group`.
		///
		/// Origin: governance. Errors: `UnknownGroup`. Event: `RegistrarChanged`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_registrar())]
		pub fn set_registrar(
			origin: OriginFor<T>,
			group: GroupId,
			registrar: AccountId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Groups::<T>::try_mutate(group, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::UnknownGroup)?;
				info.registrar = registrar.clone();
				Ok(())
			})?;
			Self::deposit_event(Event::RegistrarChanged { group, registrar });
			Ok(())
		}

		/// Appends `commitment` to `group`'s tree.
		///
		/// Origin: the group's registrar. Errors: `UnknownGroup`, `NotRegistrar`, `NotInField`,
		/// `ZeroCommitment`, `AlreadyMember`, `GroupFull`. Event: `MembersAdded`.
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

		/// Appends `commitments`, in order, to `group`'s tree (one new root for the batch).
		///
		/// Origin: the group's registrar. Errors: as `add_member`, and `EmptyBatch`.
		/// Event: `MembersAdded`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::add_members(commitments.len() as u32))]
		pub fn add_members(
			origin: OriginFor<T>,
			group: GroupId,
			commitments: BoundedVec<Commitment, T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_registrar(&who, group)?;
			Self::do_add_members(group, &commitments)
		}

		/// Removes the member `commitment` from `group`: its leaf becomes zero. `siblings` are
		/// its Merkle proof's siblings in the current tree (as zk-kit's `generateProof` gives
		/// them), from the leaf up.
		///
		/// Origin: the group's registrar. Errors: `UnknownGroup`, `NotRegistrar`, `NotMember`,
		/// `WrongSiblings`. Event: `MemberRemoved`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_member())]
		pub fn remove_member(
			origin: OriginFor<T>,
			group: GroupId,
			commitment: Commitment,
			siblings: Siblings,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Self::ensure_registrar(&who, group)?;
			let index = MemberIndex::<T>::get(group, commitment).ok_or(Error::<T>::NotMember)?;
			let mut frontier = Self::frontier(&info)?;
			let old_leaf = Self::field(&commitment)?;
			let siblings = siblings.iter().map(Self::field).collect::<Result<Vec<_>, _>>()?;
			let root = frontier.update(index.into(), old_leaf, Fr::from(0u64), &siblings).map_err(
				|e| match e {
					FrontierError::WrongSiblings => Error::<T>::WrongSiblings,
					FrontierError::UnknownLeaf | FrontierError::TreeFull => Error::<T>::NotMember,
				},
			)?;
			let root = groth16::fr_to_be_bytes(&root);
			Self::store_frontier(group, info, &frontier);
			Leaves::<T>::insert(group, index, [0u8; 32]);
			MemberIndex::<T>::remove(group, commitment);
			Self::push_root(group, root);
			Self::deposit_event(Event::MemberRemoved { group, index, commitment, root });
			Ok(())
		}

		/// Verifies the caller as a member of `group` until the end of the current period, with
		/// a Semaphore proof of membership in the tree with `root`, for the message "the
		/// caller's account" and the scope of (genesis hash, `group`, period).
		///
		/// Origin: signed, by the account being verified. Errors: `UnknownGroup`,
		/// `AgentCannotVerify`, `NoVerificationPeriod`, `AlreadyVerified`, `NotInField`,
		/// `UnknownRoot`, `ExpiredRoot`, `NullifierAlreadyUsed`, `NoVerifyingKey`,
		/// `MalformedProof`, `InvalidProof` (which is also what a proof made for another account
		/// gives). Event: `Verified`.
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
			ensure!(Groups::<T>::contains_key(group), Error::<T>::UnknownGroup);
			ensure!(!T::Agents::is_agent(&who), Error::<T>::AgentCannotVerify);
			let period = CurrentPeriod::<T>::get();
			ensure!(period.length > 0, Error::<T>::NoVerificationPeriod);
			ensure!(
				!Verified::<T>::contains_key((period.index, group, &who)),
				Error::<T>::AlreadyVerified
			);
			let root_value = Self::field(&root)?;
			let nullifier_value = Self::field(&nullifier)?;
			Self::ensure_root_is_valid(group, &root)?;
			ensure!(
				!Nullifiers::<T>::contains_key((period.index, group, nullifier)),
				Error::<T>::NullifierAlreadyUsed
			);
			let prepared = PreparedKeys::<T>::get(proof.depth).ok_or(Error::<T>::NoVerifyingKey)?;
			let points = proof.points().to_proof().map_err(|_| Error::<T>::MalformedProof)?;

			let scope = semaphore::personhood_scope(&Self::genesis_hash(), group, period.index);
			let inputs = [
				root_value,
				nullifier_value,
				semaphore::hash_to_field(who.as_ref()),
				semaphore::hash_to_field(&scope),
			];
			let mut checks = 1u32;
			let mut valid = Self::check_with(&prepared, &points, &inputs);
			if !valid {
				if let Some(retired) = RetiredKeys::<T>::get(proof.depth)
					.filter(|retired| Self::now() <= retired.valid_until)
				{
					checks = 2;
					valid = Self::check_with(&retired.prepared, &points, &inputs);
				}
			}
			ensure!(valid, Error::<T>::InvalidProof);

			Verified::<T>::insert((period.index, group, &who), nullifier);
			Nullifiers::<T>::insert((period.index, group, nullifier), &who);
			VerifiedCount::<T>::mutate(period.index, group, |count| count.saturating_inc());
			VerifiedHumans::<T>::mutate(period.index, &who, |groups| groups.saturating_inc());
			let until = period.last_block();
			Self::deposit_event(Event::Verified {
				group,
				who,
				period: period.index,
				nullifier,
				until,
			});
			// The weight covers a second pairing check against a retired key; refund it when
			// only one ran.
			Ok((checks == 1).then(|| T::WeightInfo::verify_one_key()).into())
		}

		/// Sets the verifying key for proofs of circuit depth `depth` (1 to 32). The key it
		/// replaces stays valid for `KeyGracePeriod` blocks.
		///
		/// Origin: governance. Errors: `InvalidDepth`, `MalformedVerifyingKey`.
		/// Event: `VerifyingKeySet`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_verifying_key())]
		pub fn set_verifying_key(
			origin: OriginFor<T>,
			depth: u8,
			key: VerifyingKeyBytes,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_verifying_key(depth, &key)
		}

		/// Removes the verifying key for `depth`, and its retired predecessor: no proof of that
		/// depth verifies any more (for a compromised key).
		///
		/// Origin: governance. Errors: `NoVerifyingKey`. Event: `VerifyingKeyRemoved`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::remove_verifying_key())]
		pub fn remove_verifying_key(origin: OriginFor<T>, depth: u8) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(VerifyingKeys::<T>::contains_key(depth), Error::<T>::NoVerifyingKey);
			VerifyingKeys::<T>::remove(depth);
			PreparedKeys::<T>::remove(depth);
			RetiredKeys::<T>::remove(depth);
			Self::deposit_event(Event::VerifyingKeyRemoved { depth });
			Ok(())
		}

		/// Sets the length of the periods after the current one (verifications in progress
		/// keep their end).
		///
		/// Origin: governance. Errors: `InvalidPeriodLength`. Event: `PeriodLengthScheduled`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_verification_period())]
		pub fn set_verification_period(
			origin: OriginFor<T>,
			length: BlockNumber,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(length > 0, Error::<T>::InvalidPeriodLength);
			let mut period = CurrentPeriod::<T>::get();
			if period.length == 0 {
				// No period was ever configured: start one now.
				period = PeriodInfo { index: period.index, start: Self::now(), length };
				CurrentPeriod::<T>::put(period);
			} else {
				NextPeriodLength::<T>::put(length);
			}
			Self::deposit_event(Event::PeriodLengthScheduled { length });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The current block number.
		pub fn now() -> BlockNumber {
			frame_system::Pallet::<T>::block_number().saturated_into()
		}

		/// The genesis hash, part of every scope.
		pub fn genesis_hash() -> [u8; 32] {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()).into()
		}

		/// The scope (before hashing to the field) of proofs for `group` in the current period.
		pub fn current_scope(group: GroupId) -> [u8; 32] {
			semaphore::personhood_scope(
				&Self::genesis_hash(),
				group,
				CurrentPeriod::<T>::get().index,
			)
		}

		/// The current root of `group`, if it has members.
		pub fn current_root(group: GroupId) -> Option<FieldBytes> {
			Roots::<T>::get(group).last().map(|record| record.root)
		}

		fn field(bytes: &FieldBytes) -> Result<Fr, Error<T>> {
			groth16::fr_from_be_bytes(bytes).map_err(|_| Error::<T>::NotInField)
		}

		fn check_with(
			prepared: &[u8],
			proof: &groth16::Proof,
			inputs: &[Fr; groth16::PUBLIC_INPUTS],
		) -> bool {
			match groth16::decode_prepared_key(prepared) {
				Ok(key) => groth16::verify(&key, proof, inputs),
				Err(_) => {
					log::error!(target: LOG_TARGET, "a stored prepared key does not decode");
					false
				},
			}
		}

		fn ensure_registrar(
			who: &AccountId,
			group: GroupId,
		) -> Result<GroupInfo<BoundedVec<u8, T::MaxNameLength>>, DispatchError> {
			let info = Groups::<T>::get(group).ok_or(Error::<T>::UnknownGroup)?;
			ensure!(&info.registrar == who, Error::<T>::NotRegistrar);
			Ok(info)
		}

		fn frontier(
			info: &GroupInfo<BoundedVec<u8, T::MaxNameLength>>,
		) -> Result<Frontier, DispatchError> {
			let nodes = info.side_nodes.iter().map(Self::field).collect::<Result<Vec<_>, _>>()?;
			Frontier::from_parts(info.size.into(), nodes)
				.ok_or_else(|| DispatchError::Other("group tree state is inconsistent"))
		}

		fn store_frontier(
			group: GroupId,
			mut info: GroupInfo<BoundedVec<u8, T::MaxNameLength>>,
			frontier: &Frontier,
		) {
			info.size = frontier.size().saturated_into();
			let nodes: Vec<FieldBytes> =
				frontier.side_nodes().iter().map(groth16::fr_to_be_bytes).collect();
			// A frontier has at most MAX_DEPTH + 1 nodes, the bound of `SideNodes`.
			info.side_nodes = BoundedVec::truncate_from(nodes);
			Groups::<T>::insert(group, info);
		}

		pub(crate) fn do_create_group(
			registrar: AccountId,
			name: BoundedVec<u8, T::MaxNameLength>,
		) -> Result<GroupId, DispatchError> {
			let group = NextGroupId::<T>::get();
			ensure!(group < T::MaxGroups::get(), Error::<T>::TooManyGroups);
			Groups::<T>::insert(
				group,
				GroupInfo {
					registrar: registrar.clone(),
					name,
					size: 0,
					side_nodes: Default::default(),
					created_at: Self::now(),
				},
			);
			NextGroupId::<T>::put(group.saturating_add(1));
			Self::deposit_event(Event::GroupCreated { group, registrar });
			Ok(group)
		}

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
			frontier.insert_many(&leaves).map_err(|_| Error::<T>::GroupFull)?;
			let root = frontier.root().map(|r| groth16::fr_to_be_bytes(&r)).unwrap_or_default();
			Self::store_frontier(group, info, &frontier);
			for (index, commitment) in (first_index..new_size).zip(commitments) {
				Leaves::<T>::insert(group, index, commitment);
				MemberIndex::<T>::insert(group, commitment, index);
			}
			Self::push_root(group, root);
			Self::deposit_event(Event::MembersAdded {
				group,
				first_index,
				commitments: commitments.to_vec(),
				root,
			});
			Ok(())
		}

		pub(crate) fn do_set_verifying_key(depth: u8, key: &[u8]) -> DispatchResult {
			ensure!((1..=MAX_TREE_DEPTH).contains(&depth), Error::<T>::InvalidDepth);
			let decoded = groth16::decode_verifying_key(key)
				.map_err(|_| Error::<T>::MalformedVerifyingKey)?;
			let prepared = PreparedKeyBytes::try_from(groth16::prepare_verifying_key(&decoded))
				.map_err(|_| Error::<T>::MalformedVerifyingKey)?;
			let key = VerifyingKeyBytes::try_from(key.to_vec())
				.map_err(|_| Error::<T>::MalformedVerifyingKey)?;
			let previous_valid_until = PreparedKeys::<T>::get(depth).map(|old| {
				let valid_until = Self::now().saturating_add(T::KeyGracePeriod::get());
				RetiredKeys::<T>::insert(depth, RetiredKey { prepared: old, valid_until });
				valid_until
			});
			if previous_valid_until.is_none() {
				RetiredKeys::<T>::remove(depth);
			}
			VerifyingKeys::<T>::insert(depth, VerifyingKeyRecord { key, set_at: Self::now() });
			PreparedKeys::<T>::insert(depth, prepared);
			Self::deposit_event(Event::VerifyingKeySet { depth, previous_valid_until });
			Ok(())
		}

		/// Records `root` as `group`'s current root, forgetting the oldest when full.
		fn push_root(group: GroupId, root: FieldBytes) {
			let record = RootRecord { root, since: Self::now() };
			Roots::<T>::mutate(group, |roots| {
				if let Some(last) = roots.last_mut().filter(|last| last.since == record.since) {
					// Several changes in one block: only the last root was ever current.
					*last = record;
					return;
				}
				if roots.is_full() {
					roots.remove(0);
				}
				// Room was made just above.
				let _ = roots.try_push(record);
			});
		}

		fn ensure_root_is_valid(group: GroupId, root: &FieldBytes) -> DispatchResult {
			ensure!(root != &[0u8; 32], Error::<T>::UnknownRoot);
			let roots = Roots::<T>::get(group);
			let position = roots
				.iter()
				.position(|record| &record.root == root)
				.ok_or(Error::<T>::UnknownRoot)?;
			match roots.get(position + 1) {
				None => Ok(()),
				Some(successor) => {
					let valid_until = successor.since.saturating_add(T::RootValidity::get());
					ensure!(Self::now() < valid_until, Error::<T>::ExpiredRoot);
					Ok(())
				},
			}
		}

		/// Removes records of finished periods, within `remaining` weight.
		fn clean_up_past_periods(remaining: Weight) -> Weight {
			let db = T::DbWeight::get();
			let mut used = db.reads(2);
			let current = CurrentPeriod::<T>::get().index;
			let oldest = OldestUncleanedPeriod::<T>::get();
			if oldest >= current || remaining.any_lt(used) {
				return used;
			}
			let per_item = db.writes(1);
			let affordable = remaining
				.saturating_sub(used)
				.ref_time()
				.checked_div(per_item.ref_time().max(1))
				.unwrap_or(0)
				.min(T::MaxCleanupPerBlock::get().into()) as u32;
			if affordable < 4 {
				return used;
			}
			let limit = affordable / 4;
			let results = [
				Verified::<T>::clear_prefix((oldest,), limit, None),
				Nullifiers::<T>::clear_prefix((oldest,), limit, None),
				VerifiedHumans::<T>::clear_prefix(oldest, limit, None),
				VerifiedCount::<T>::clear_prefix(oldest, limit, None),
			];
			let removed = results.iter().fold(0u32, |sum, r| sum.saturating_add(r.backend));
			used.saturating_accrue(per_item.saturating_mul(removed.into()));
			if results.iter().all(|r| r.maybe_cursor.is_none()) {
				OldestUncleanedPeriod::<T>::put(oldest.saturating_add(1));
				used.saturating_accrue(db.writes(1));
			}
			used
		}

		/// The pallet's invariants.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
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
			for (depth, _) in VerifyingKeys::<T>::iter() {
				ensure!(PreparedKeys::<T>::contains_key(depth), "a key is not prepared");
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
				let actual =
					Verified::<T>::iter_prefix((p,)).filter(|((_, a), _)| a == &who).count();
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
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Makes `who` a verified member of `group` until block `until` without a proof, by
	/// recording a verification in the current period and moving the period's end to `until`.
	/// For the benchmarks of pallets that need verified humans; never in a real runtime path.
	pub fn benchmark_verify(
		who: &teo_primitives::AccountId,
		group: teo_primitives::GroupId,
		until: teo_primitives::BlockNumber,
	) {
		let mut period = CurrentPeriod::<T>::get();
		period.start = 1;
		period.length = until.max(1);
		CurrentPeriod::<T>::put(period);
		// A distinct nullifier per account, below the field modulus.
		let mut nullifier: FieldBytes = *AsRef::<[u8; 32]>::as_ref(who);
		nullifier[0] = 0;
		if !Verified::<T>::contains_key((period.index, group, who)) {
			Verified::<T>::insert((period.index, group, who), nullifier);
			Nullifiers::<T>::insert((period.index, group, nullifier), who);
			VerifiedCount::<T>::mutate(period.index, group, |c| *c = c.saturating_add(1));
			VerifiedHumans::<T>::mutate(period.index, who, |g| *g = g.saturating_add(1));
		}
	}
}

impl<T: Config> PersonhoodInspect<teo_primitives::AccountId> for Pallet<T> {
	fn verified_until(
		who: &teo_primitives::AccountId,
		group: teo_primitives::GroupId,
	) -> Option<teo_primitives::BlockNumber> {
		let period = CurrentPeriod::<T>::get();
		Verified::<T>::contains_key((period.index, group, who)).then(|| period.last_block())
	}

	fn is_human(who: &teo_primitives::AccountId) -> bool {
		VerifiedHumans::<T>::get(CurrentPeriod::<T>::get().index, who) > 0
	}

	fn verified_count(group: teo_primitives::GroupId) -> u32 {
		VerifiedCount::<T>::get(CurrentPeriod::<T>::get().index, group)
	}
}
