//! # TEO pallet support
//!
//! What the three TEO pallets share, so that none of them carries its own copy.
//!
//! - [`now`] and [`genesis_hash`]: the chain's clock and identity in TEO's own types. The pallets
//!   are TEO-specific on purpose (docs/ARCHITECTURE.md, "Decisions"): they require
//!   `frame_system::Config<AccountId = AccountId, Hash = Hash>` and count blocks in
//!   [`BlockNumber`], the type the mesh's signed headers and the runtime APIs carry. These two
//!   functions are the one place that converts from FRAME's generic block number.
//!
//! - `terminology.md`: the glossary of the words the pallets share. Each pallet's README (its
//!   crate docs) carries it under "Terminology", and so does docs/ARCHITECTURE.md; a test holds
//!   all four to the same text.
//!
//! The fixtures the pallets' mock runtimes share live in `teo-pallet-test-utils`.

#![cfg_attr(not(feature = "std"), no_std)]

use polkadot_sdk::{
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::{traits::Zero, SaturatedConversion},
};
use teo_primitives::{BlockNumber, Hash};

/// The current block number, as TEO counts blocks.
///
/// FRAME's block number of a TEO runtime is a `u32` already; the conversion saturates so that a
/// test runtime with a wider type can never wrap.
pub fn now<T: frame_system::Config>() -> BlockNumber {
	frame_system::Pallet::<T>::block_number().saturated_into()
}

/// The hash of block 0: binds signatures and proofs to this chain, so that they cannot be
/// replayed on another chain that shares keys or groups.
pub fn genesis_hash<T: frame_system::Config<Hash = Hash>>() -> Hash {
	frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
}

#[cfg(test)]
mod tests {
	/// The glossary reads the same wherever a reader meets it: in each pallet's docs and in the
	/// architecture guide.
	#[test]
	fn every_guide_carries_the_same_glossary() {
		let glossary = include_str!("terminology.md");
		let guides = [
			("docs/ARCHITECTURE.md", include_str!("../../../docs/ARCHITECTURE.md")),
			("pallets/personhood/README.md", include_str!("../../personhood/README.md")),
			("pallets/action-budget/README.md", include_str!("../../action-budget/README.md")),
			("pallets/commit-gate/README.md", include_str!("../../commit-gate/README.md")),
		];
		for (path, text) in guides {
			assert!(text.contains(glossary), "{path} does not carry src/terminology.md verbatim");
		}
	}
}
