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
