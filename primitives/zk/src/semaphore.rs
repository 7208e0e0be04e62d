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

/// The message of an anonymous veto, before Semaphore's hash to the field: the decision, in
/// words, so that a proof made for any other statement in the same scope cannot count as a veto.
pub const VETO_MESSAGE: [u8; 32] = *b"TEO/veto/v1: kill this proposal\0";

/// Domain separator of the anonymous veto's scope.
pub const VETO_SCOPE_CONTEXT: &[u8] = b"TEO/veto/v1";

/// The scope (before hashing to the field) of an anonymous veto of proposal `id`: one
/// nullifier per person per chain and proposal, so a person vetoes a proposal once, and their
/// vetoes of different proposals (or chains) cannot be linked. The proposal's call hash is part
/// of it, so a proof can never count against another proposal that happens to get the same id.
///
/// `keccak256(context ‖ genesis hash ‖ id (u32, big-endian) ‖ call hash)`.
pub fn veto_scope(genesis_hash: &[u8; 32], id: u32, call_hash: &[u8; 32]) -> [u8; 32] {
	let mut hasher = Keccak256::new();
	hasher.update(VETO_SCOPE_CONTEXT);
	hasher.update(genesis_hash);
	hasher.update(id.to_be_bytes());
	hasher.update(call_hash);
	hasher.finalize().into()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_veto_scope_binds_chain_proposal_and_call() {
		let scope = veto_scope(&[1; 32], 7, &[2; 32]);
		assert_ne!(scope, veto_scope(&[3; 32], 7, &[2; 32]), "another chain");
		assert_ne!(scope, veto_scope(&[1; 32], 8, &[2; 32]), "another proposal");
		assert_ne!(scope, veto_scope(&[1; 32], 7, &[4; 32]), "another call under the same id");
		// The layout, byte for byte, hashed by another implementation (@polkadot/util-crypto's
		// `keccakAsHex` of "TEO/veto/v1" ‖ [1; 32] ‖ 7 as u32 big-endian ‖ [2; 32]): what the
		// chain and every citizen's tool must agree on.
		assert_eq!(
			scope,
			[
				0x0f, 0x21, 0x53, 0xe4, 0x83, 0xc4, 0xa7, 0xca, 0xdd, 0x61, 0x7a, 0xec, 0x24, 0xd5,
				0x83, 0x3e, 0x78, 0x4f, 0xe3, 0x75, 0x64, 0x6d, 0xbe, 0x57, 0x1c, 0xe0, 0x05, 0xb2,
				0x39, 0x5a, 0xbc, 0x54,
			]
		);
	}
}
