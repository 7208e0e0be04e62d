//! # TEO primitives
//!
//! The types every TEO component agrees on: the runtime, the pallets, the node and the
//! `teo-mesh` service. Keeping them in one `no_std` crate means the chain and the mesh cannot
//! disagree on an encoding: a signed mesh message header checked by a peer is the very type a
//! fraud proof carries on chain.
//!
//! This crate depends on `sp-core` and `sp-runtime` only, so the pallets and the mesh can use it
//! without pulling in any node code.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod constitution;
pub mod mesh;
pub mod personhood;
pub mod traits;

use polkadot_sdk::sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature, OpaqueExtrinsic,
};

pub use polkadot_sdk::sp_core::H256;

/// Block number: at 6-second blocks a `u32` lasts about 800 years.
pub type BlockNumber = u32;

/// The signature scheme of accounts: sr25519, ed25519 or ecdsa, as polkadot.js expects.
pub type Signature = MultiSignature;

/// An account id: the public key behind a [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// The address format of extrinsics, the standard `MultiAddress` for client compatibility.
pub type Address = MultiAddress<AccountId, ()>;

/// Balance of an account, in the smallest unit (10^-12 TEO).
pub type Balance = u128;

/// Index of a transaction in an account's history.
pub type Nonce = u32;

/// The hash of a block or an extrinsic.
pub type Hash = H256;

/// The hashing algorithm of blocks and the state trie.
pub type Hashing = BlakeTwo256;

/// Block header.
pub type Header = generic::Header<BlockNumber, Hashing>;

/// A block with opaque extrinsics: what the node sees without knowing the runtime's types.
pub type OpaqueBlock = generic::Block<Header, OpaqueExtrinsic>;

/// A community of humans (a town, a guild, the whole state). Group 0 holds every citizen.
pub type GroupId = u32;

/// Index of an action-budget epoch: `block_number / EpochLength`.
pub type EpochIndex = u32;

/// The token, as clients display it. The runtime and every chain spec use these values.
pub mod token {
	use super::Balance;

	/// Ticker shown by wallets.
	pub const SYMBOL: &str = "TEO";
	/// Number of decimal places of one TEO.
	pub const DECIMALS: u8 = 12;
	/// SS58 address prefix: the generic Substrate prefix.
	pub const SS58_PREFIX: u16 = 42;

	/// One TEO in the smallest unit.
	pub const UNIT: Balance = 10u128.pow(DECIMALS as u32);
	/// One thousandth of a TEO.
	pub const MILLI_UNIT: Balance = UNIT / 1_000;
	/// One millionth of a TEO.
	pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
}

/// Block timing: Aura slots and the block numbers derived from them.
pub mod time {
	use super::BlockNumber;

	/// Target time between blocks. Aura's slot duration equals it.
	pub const MILLISECS_PER_BLOCK: u64 = 6_000;
	/// One Aura slot.
	pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

	/// Blocks in a minute, an hour and a day at the target block time.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	pub const HOURS: BlockNumber = MINUTES * 60;
	pub const DAYS: BlockNumber = HOURS * 24;
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn one_teo_has_twelve_decimals() {
		assert_eq!(token::UNIT, 1_000_000_000_000);
		assert_eq!(token::MILLI_UNIT * 1_000, token::UNIT);
		assert_eq!(token::MICRO_UNIT * 1_000_000, token::UNIT);
	}

	#[test]
	fn time_units_follow_six_second_blocks() {
		assert_eq!(time::MINUTES, 10);
		assert_eq!(time::HOURS, 600);
		assert_eq!(time::DAYS, 14_400);
	}
}
