//! Verifying a citizen: the checks of `verify`, the cheap ones first and the pairing last, with
//! nothing written unless the proof holds; and the verifying keys the pairing uses, validated
//! and prepared when set, with a grace window for a replaced key.

use super::*;
use polkadot_sdk::{frame_support::pallet_prelude::*, sp_runtime::traits::Saturating};
use teo_primitives::{AccountId, GroupId};
use teo_zk::{groth16, semaphore, Fr};

impl<T: Config> Pallet<T> {
	/// The scope (before hashing to the field) of proofs for `group` in the current period.
	pub fn current_scope(group: GroupId) -> [u8; 32] {
		Self::scope(group, CurrentPeriod::<T>::get().index)
	}

	/// The scope of proofs for `group` in `period`: it binds them to this chain (its genesis
	/// hash), the group and the period.
	fn scope(group: GroupId, period: u32) -> [u8; 32] {
		let genesis: [u8; 32] = teo_pallet_support::genesis_hash::<T>().into();
		semaphore::personhood_scope(&genesis, group, period)
	}

	/// Verifies `who` as a member of `group` until the end of the current period. Returns the
	/// number of pairing checks that ran (1, or 2 when the retired key was tried), for the
	/// refund.
	pub(crate) fn do_verify(
		who: AccountId,
		group: GroupId,
		root: FieldBytes,
		nullifier: FieldBytes,
		proof: MembershipProof,
	) -> Result<u32, DispatchError> {
		// Cheap checks first: storage reads and field arithmetic.
		ensure!(Groups::<T>::contains_key(group), Error::<T>::UnknownGroup);
		ensure!(!T::Agents::is_agent(&who), Error::<T>::AgentCannotVerify);
		let period = CurrentPeriod::<T>::get();
		ensure!(period.is_configured(), Error::<T>::NotConfigured);
		ensure!(
			!Verified::<T>::contains_key((period.index, group, &who)),
			Error::<T>::AlreadyVerified
		);
		ensure!(
			!Nullifiers::<T>::contains_key((period.index, group, nullifier)),
			Error::<T>::NullifierAlreadyUsed
		);
		let pairings = Self::check_membership(
			group,
			&root,
			&nullifier,
			who.as_ref(),
			&Self::scope(group, period.index),
			&proof,
		)?;

		// Written only now that the proof holds.
		Self::record_verification(period.index, group, &who, nullifier);
		let until = period.last_block();
		Self::deposit_event(Event::Verified { group, who, period: period.index, nullifier, until });
		Ok(pairings)
	}

	/// Records `who` as verified in `group` for `period` with `nullifier`: the four records of
	/// every verification, which `try_state` checks agree.
	pub(crate) fn record_verification(
		period: u32,
		group: GroupId,
		who: &AccountId,
		nullifier: FieldBytes,
	) {
		Verified::<T>::insert((period, group, who), nullifier);
		Nullifiers::<T>::insert((period, group, nullifier), who);
		VerifiedCount::<T>::mutate(period, group, |count| count.saturating_inc());
		VerifiedHumans::<T>::mutate(period, who, |groups| groups.saturating_inc());
	}

	/// The nullifier recorded for an account verified at genesis: distinct per group and
	/// account, within the field (its first byte zero), and under a tag of its own, so no
	/// Semaphore identity's nullifier (a Poseidon hash) is expected to meet it.
	pub(crate) fn genesis_nullifier(group: GroupId, who: &AccountId) -> FieldBytes {
		let mut nullifier = polkadot_sdk::sp_io::hashing::blake2_256(
			&(b"teo/personhood/genesis-verified", group, who).encode(),
		);
		nullifier[0] = 0;
		nullifier
	}

	/// Checks that `proof` shows a member of `group`'s tree at `root` saying `message` in
	/// `scope` (both before the hash to the field) with `nullifier`: the field and the root
	/// first, the pairing last. Changes nothing; returns the number of pairing checks that ran.
	/// Whether the group exists is the caller's check.
	pub(crate) fn check_membership(
		group: GroupId,
		root: &FieldBytes,
		nullifier: &FieldBytes,
		message: &[u8; 32],
		scope: &[u8; 32],
		proof: &MembershipProof,
	) -> Result<u32, Error<T>> {
		let root_value = Self::field(root)?;
		let nullifier_value = Self::field(nullifier)?;
		Self::ensure_root_is_valid(group, root)?;
		let prepared = PreparedKeys::<T>::get(proof.depth).ok_or(Error::<T>::NoVerifyingKey)?;
		let points = proof.points().to_proof().map_err(|_| Error::<T>::MalformedProof)?;
		let inputs = [
			root_value,
			nullifier_value,
			semaphore::hash_to_field(message),
			semaphore::hash_to_field(scope),
		];
		Self::check_proof(proof.depth, &prepared, &points, &inputs)
	}

	/// Checks `proof` against `prepared`, the key in force for `depth`, then, if that fails,
	/// against the key it replaced while that is in its grace window. Returns the number of
	/// pairing checks that ran.
	fn check_proof(
		depth: u8,
		prepared: &[u8],
		proof: &groth16::Proof,
		inputs: &[Fr; groth16::PUBLIC_INPUTS],
	) -> Result<u32, Error<T>> {
		if Self::check_with(prepared, proof, inputs) {
			return Ok(1);
		}
		let now = teo_pallet_support::now::<T>();
		match RetiredKeys::<T>::get(depth).filter(|retired| now <= retired.valid_until) {
			Some(retired) if Self::check_with(&retired.prepared, proof, inputs) => Ok(2),
			_ => Err(Error::<T>::InvalidProof),
		}
	}

	/// One pairing check of `proof` against a stored prepared key.
	fn check_with(
		prepared: &[u8],
		proof: &groth16::Proof,
		inputs: &[Fr; groth16::PUBLIC_INPUTS],
	) -> bool {
		match groth16::decode_prepared_key(prepared) {
			Ok(key) => groth16::verify(&key, proof, inputs),
			Err(_) => {
				// Keys are validated and prepared when they are set.
				defensive!("a stored prepared verifying key does not decode");
				false
			},
		}
	}

	/// Sets the key for proofs of circuit `depth`, validated and stored prepared; the key it
	/// replaces stays valid for `KeyGracePeriod` blocks, unless it is an insecure key on a chain
	/// that forbids them (a chain born before the rule): that one goes at once.
	pub(crate) fn do_set_verifying_key(depth: u8, key: &[u8]) -> DispatchResult {
		ensure!((1..=MAX_TREE_DEPTH).contains(&depth), Error::<T>::InvalidDepth);
		let decoded =
			groth16::decode_verifying_key(key).map_err(|_| Error::<T>::MalformedVerifyingKey)?;
		let prepared = groth16::prepare(&decoded);
		let insecure_allowed = T::Constitution::get().allows_insecure_keys;
		ensure!(
			insecure_allowed || !teo_zk::dev::is_dev_key(&prepared),
			Error::<T>::InsecureVerifyingKey
		);
		let prepared = PreparedKeyBytes::try_from(groth16::encode_prepared_key(&prepared))
			.map_err(|_| Error::<T>::MalformedVerifyingKey)?;
		let key = VerifyingKeyBytes::try_from(key.to_vec())
			.map_err(|_| Error::<T>::MalformedVerifyingKey)?;
		let now = teo_pallet_support::now::<T>();
		let secure = |old: &PreparedKeyBytes| {
			insecure_allowed
				|| groth16::decode_prepared_key(old).is_ok_and(|old| !teo_zk::dev::is_dev_key(&old))
		};
		let previous_valid_until = PreparedKeys::<T>::get(depth).filter(secure).map(|old| {
			let valid_until = now.saturating_add(T::KeyGracePeriod::get());
			RetiredKeys::<T>::insert(depth, RetiredKey { prepared: old, valid_until });
			valid_until
		});
		if previous_valid_until.is_none() {
			RetiredKeys::<T>::remove(depth);
		}
		VerifyingKeys::<T>::insert(depth, VerifyingKeyRecord { key, set_at: now });
		PreparedKeys::<T>::insert(depth, prepared);
		Self::deposit_event(Event::VerifyingKeySet { depth, previous_valid_until });
		Ok(())
	}

	/// Removes the key for `depth` and its retired predecessor.
	pub(crate) fn do_remove_verifying_key(depth: u8) -> DispatchResult {
		ensure!(VerifyingKeys::<T>::contains_key(depth), Error::<T>::NoVerifyingKey);
		// At most 32 depths: a bounded count.
		ensure!(VerifyingKeys::<T>::iter_keys().nth(1).is_some(), Error::<T>::LastVerifyingKey);
		VerifyingKeys::<T>::remove(depth);
		PreparedKeys::<T>::remove(depth);
		RetiredKeys::<T>::remove(depth);
		Self::deposit_event(Event::VerifyingKeyRemoved { depth });
		Ok(())
	}
}
