//! What other pallets use of personhood: [`PersonhoodInspect`], and, for their benchmarks,
//! verified humans without proofs.

use super::*;
use polkadot_sdk::sp_runtime::Weight;
use teo_primitives::{
	personhood::{Signal, SignalRefusal},
	traits::PersonhoodInspect,
	AccountId, BlockNumber, GroupId,
};

impl<T: Config> PersonhoodInspect<AccountId> for Pallet<T> {
	fn verified_until(who: &AccountId, group: GroupId) -> Option<BlockNumber> {
		let period = CurrentPeriod::<T>::get();
		Verified::<T>::contains_key((period.index, group, who)).then(|| period.last_block())
	}

	fn is_human(who: &AccountId) -> bool {
		VerifiedHumans::<T>::get(CurrentPeriod::<T>::get().index, who) > 0
	}

	fn verified_count(group: GroupId) -> u32 {
		VerifiedCount::<T>::get(CurrentPeriod::<T>::get().index, group)
	}

	fn member_count(group: GroupId) -> u32 {
		MemberCount::<T>::get(group)
	}

	fn check_signal(group: GroupId, signal: &Signal) -> Result<(), SignalRefusal> {
		if !Groups::<T>::contains_key(group) {
			return Err(SignalRefusal::UnknownGroup);
		}
		let Signal { root, nullifier, message, scope, proof } = signal;
		Self::check_membership(group, root, nullifier, message, scope, proof)
			.map(|_pairings| ())
			.map_err(|error| match error {
				Error::UnknownRoot => SignalRefusal::UnknownRoot,
				Error::ExpiredRoot => SignalRefusal::ExpiredRoot,
				Error::NotInField => SignalRefusal::NotInField,
				Error::NoVerifyingKey => SignalRefusal::NoVerifyingKey,
				Error::MalformedProof => SignalRefusal::MalformedProof,
				_ => SignalRefusal::InvalidProof,
			})
	}

	fn check_signal_weight() -> Weight {
		T::WeightInfo::check_signal()
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Makes `who` a verified member of `group` until block `until` without a proof, by
	/// recording a verification in the current period and moving the period's end to `until`.
	/// For the benchmarks of pallets that need verified humans; never in a real runtime path.
	pub fn benchmark_verify(who: &AccountId, group: GroupId, until: BlockNumber) {
		let mut period = CurrentPeriod::<T>::get();
		period.start = 1;
		period.length = until.max(1);
		CurrentPeriod::<T>::put(period);
		// A distinct nullifier per account, below the field modulus.
		let mut nullifier: FieldBytes = *AsRef::<[u8; 32]>::as_ref(who);
		nullifier[0] = 0;
		if !Verified::<T>::contains_key((period.index, group, who)) {
			Self::record_verification(period.index, group, who, nullifier);
		}
	}
}
