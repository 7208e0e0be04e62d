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
use ark_ff::{AdditiveGroup, BigInteger, Field, MontFp, PrimeField};
use blake_hash::{digest::Digest, Blake512};

use crate::poseidon::poseidon2;

/// Baby Jubjub's `a` in circom's twisted Edwards form.
const A: Fr = MontFp!("168700");
/// Baby Jubjub's `d` in circom's twisted Edwards form.
const D: Fr = MontFp!("168696");
/// The generator of the prime-order subgroup (circomlib's `Base8`).
pub const BASE8: (Fr, Fr) = (
	MontFp!("5299619240641551281634865583518297030282874472190772894086521144482721001553"),
	MontFp!("16950150798460657717958625567821834550301663161624707787222815936182638968203"),
);

/// A point of Baby Jubjub in affine coordinates.
pub type Point = (Fr, Fr);

fn add(p: Point, q: Point) -> Point {
	let (x1, y1) = p;
	let (x2, y2) = q;
	let dxy = D * x1 * x2 * y1 * y2;
	// The denominators vanish only for points outside the curve; every input here is on it.
	let x = (x1 * y2 + y1 * x2) * (Fr::ONE + dxy).inverse().expect("1 + dxy != 0 on the curve");
	let y = (y1 * y2 - A * x1 * x2) * (Fr::ONE - dxy).inverse().expect("1 - dxy != 0 on the curve");
	(x, y)
}

fn mul(point: Point, scalar: &[bool]) -> Point {
	let mut acc = (Fr::ZERO, Fr::ONE);
	for bit in scalar.iter().rev() {
		acc = add(acc, acc);
		if *bit {
			acc = add(acc, point);
		}
	}
	acc
}

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
		let public_key = mul(BASE8, &secret_ed.into_bigint().to_bits_le());
		let commitment = poseidon2(public_key.0, public_key.1);
		Identity { secret, public_key, commitment }
	}

	/// The nullifier of this identity in `scope`: Poseidon(scope, secret).
	pub fn nullifier(&self, scope: Fr) -> Fr {
		poseidon2(scope, self.secret)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn base8_is_on_the_curve() {
		let (x, y) = BASE8;
		let (x2, y2) = (x.square(), y.square());
		assert_eq!(A * x2 + y2, Fr::ONE + D * x2 * y2);
	}

	#[test]
	fn the_neutral_element_is_neutral() {
		assert_eq!(add(BASE8, (Fr::ZERO, Fr::ONE)), BASE8);
		assert_eq!(mul(BASE8, &[true]), BASE8);
		assert_eq!(mul(BASE8, &[false, true]), add(BASE8, BASE8));
	}
}
