//! Semaphore v4 identities, derived exactly as `@semaphore-protocol/identity` (through
//! `@zk-kit/eddsa-poseidon`) derives them:
//!
//! 1. `hash = BLAKE-512(private key)` (the original BLAKE, "blake-1");
//! 2. prune its first 32 bytes as EdDSA does, read them little-endian, shift right by 3 and
//!    reduce modulo the Baby Jubjub subgroup order: the *secret scalar*;
//! 3. public key = secret × Base8 on Baby Jubjub (circom's form, a = 168700, d = 168696);
//! 4. commitment = Poseidon(public key x, y).
//!
//! Tool-side code (`std`): the chain only ever sees commitments, nullifiers and proofs. The
//! scalar multiplication is not constant-time; it runs on the citizen's own machine.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use blake512_hash::{Blake512, Digest};

use crate::{
	babyjubjub::{self, Point, BASE8},
	poseidon::poseidon2,
};

/// A Semaphore identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
	/// The secret scalar: the private input of proofs, and what nullifiers hash.
	pub secret: Fr,
	/// The Baby Jubjub public key.
	pub public_key: Point,
	/// Poseidon of the public key: what a registrar adds to a group.
	pub commitment: Fr,
}

impl Identity {
	/// The identity of a private key (any bytes; Semaphore uses UTF-8 text or 32 random bytes).
	pub fn from_private_key(private_key: &[u8]) -> Self {
		let hash = Blake512::digest(private_key);
		let mut bytes = [0u8; 32];
		bytes.copy_from_slice(&hash[..32]);
		bytes[0] &= 0xf8;
		bytes[31] &= 0x7f;
		bytes[31] |= 0x40;
		let limbs: [u64; 4] = core::array::from_fn(|i| {
			u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes; qed"))
		});
		let shifted = ark_ff::BigInt::<4>::new(limbs) >> 3;
		// Baby Jubjub's scalar field has the subgroup order as its modulus.
		let secret_ed = ark_ed_on_bn254::Fr::from_le_bytes_mod_order(&shifted.to_bytes_le());
		let secret =
			Fr::from_bigint(secret_ed.into_bigint()).expect("subOrder < BN254 modulus; qed");
		let public_key = babyjubjub::mul(BASE8, &secret_ed.into_bigint().to_bits_le());
		let commitment = poseidon2(public_key.0, public_key.1);
		Identity { secret, public_key, commitment }
	}

	/// The nullifier of this identity in `scope`: Poseidon(scope, secret).
	pub fn nullifier(&self, scope: Fr) -> Fr {
		poseidon2(scope, self.secret)
	}
}
