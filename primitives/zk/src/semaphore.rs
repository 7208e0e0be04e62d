//! Semaphore v4's mapping of messages and scopes to the field: `keccak256` of the value as a
//! 32-byte big-endian integer, shifted right by 8 bits so that it is below the BN254 modulus
//! (`packages/proof/src/hash.ts`; `Semaphore.sol::_hash` on chain).

use ark_bn254::Fr;
use ark_ff::PrimeField;
use sha3::{Digest, Keccak256};

/// Semaphore's hash of a 256-bit value given as 32 big-endian bytes (an account id, a scope).
pub fn hash_to_field(value: &[u8; 32]) -> Fr {
	let digest: [u8; 32] = Keccak256::digest(value).into();
	// Shift right by 8 bits: drop the last byte of the big-endian digest.
	let mut shifted = [0u8; 32];
	shifted[1..].copy_from_slice(&digest[..31]);
	Fr::from_be_bytes_mod_order(&shifted)
}

/// Domain separator of TEO's personhood scopes.
pub const PERSONHOOD_SCOPE_CONTEXT: &[u8] = b"TEO/personhood/v1";

/// The scope (before hashing to the field) of a personhood proof: one nullifier per person per
/// chain, group and verification period, so a person can bind one account per period, and
/// nullifiers of different chains, groups or periods cannot be linked.
///
/// `keccak256(context ‖ genesis hash ‖ group (u32, big-endian) ‖ period (u32, big-endian))`.
pub fn personhood_scope(genesis_hash: &[u8; 32], group: u32, period: u32) -> [u8; 32] {
	let mut hasher = Keccak256::new();
	hasher.update(PERSONHOOD_SCOPE_CONTEXT);
	hasher.update(genesis_hash);
	hasher.update(group.to_be_bytes());
	hasher.update(period.to_be_bytes());
	hasher.finalize().into()
}
