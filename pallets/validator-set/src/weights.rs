//! Weights for `pallet_validator_set`.
//!
//! **Not yet measured on the compiled runtime**: these are the benchmarks' storage accesses
//! (read from `benchmarking.rs`, with the set at `MaxValidators`) priced with the runtime's
//! database weights, plus a compute allowance of 25 µs per call, ten times what the calls'
//! loops over 32 accounts cost natively. Replace them with `scripts/benchmark-pallets.sh
//! validator-set`, which writes this file.

#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{traits::Get, weights::Weight};

/// Weights of the calls of `pallet_validator_set`.
pub trait WeightInfo {
	fn add_validator() -> Weight;
	fn remove_validator() -> Weight;
	fn recover_finality() -> Weight;
	fn purge_keys() -> Weight;
}

/// Storage proof sizes: `Session::NextKeys` (one entry: account and two keys, 96 bytes and its
/// key) and `ValidatorSet::Validators` (32 accounts).
const NEXT_KEYS_PROOF: u64 = 3_600;
const VALIDATORS_PROOF: u64 = 1_600;
const GRANDPA_STALLED_PROOF: u64 = 1_500;
const COMPUTE: u64 = 25_000_000;
/// The runtime's `MaxValidators`.
const MAX_VALIDATORS: u64 = 32;

/// Estimated weights (see the module's docs), priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads GRANDPA's `PendingChange` and `Stalled`, `Session::NextKeys` and
	/// `ValidatorSet::Validators`; writes the set.
	fn add_validator() -> Weight {
		Weight::from_parts(COMPUTE, GRANDPA_STALLED_PROOF + NEXT_KEYS_PROOF + VALIDATORS_PROOF)
			.saturating_add(T::DbWeight::get().reads_writes(4, 1))
	}
	/// Reads GRANDPA's `PendingChange` and `Stalled`, the set and each member's
	/// `Session::NextKeys`; writes the set.
	fn remove_validator() -> Weight {
		Weight::from_parts(
			COMPUTE,
			GRANDPA_STALLED_PROOF + VALIDATORS_PROOF + MAX_VALIDATORS * NEXT_KEYS_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(3 + MAX_VALIDATORS, 1))
	}
	/// Reads GRANDPA's `NextForced`, `Stalled` and `PendingChange`, the session's `Validators`,
	/// `QueuedKeys` and each validator's `NextKeys`, the set and `LastVoterChange`; writes
	/// `Grandpa::Stalled`.
	fn recover_finality() -> Weight {
		Weight::from_parts(
			COMPUTE,
			GRANDPA_STALLED_PROOF + VALIDATORS_PROOF + MAX_VALIDATORS * NEXT_KEYS_PROOF,
		)
		.saturating_add(T::DbWeight::get().reads_writes(6 + MAX_VALIDATORS, 1))
	}
	/// Reads the set, then the session pallet's `purge_keys`: its `NextKeys`, two `KeyOwner`
	/// entries, the hold and the account; writes them.
	fn purge_keys() -> Weight {
		Weight::from_parts(COMPUTE, VALIDATORS_PROOF + NEXT_KEYS_PROOF + 3_000)
			.saturating_add(T::DbWeight::get().reads_writes(6, 5))
	}
}

/// The same estimates priced with no database weight, for tests.
impl WeightInfo for () {
	fn add_validator() -> Weight {
		Weight::from_parts(COMPUTE, GRANDPA_STALLED_PROOF + NEXT_KEYS_PROOF + VALIDATORS_PROOF)
	}
	fn remove_validator() -> Weight {
		Weight::from_parts(
			COMPUTE,
			GRANDPA_STALLED_PROOF + VALIDATORS_PROOF + MAX_VALIDATORS * NEXT_KEYS_PROOF,
		)
	}
	fn recover_finality() -> Weight {
		Weight::from_parts(
			COMPUTE,
			GRANDPA_STALLED_PROOF + VALIDATORS_PROOF + MAX_VALIDATORS * NEXT_KEYS_PROOF,
		)
	}
	fn purge_keys() -> Weight {
		Weight::from_parts(COMPUTE, VALIDATORS_PROOF + NEXT_KEYS_PROOF + 3_000)
	}
}
