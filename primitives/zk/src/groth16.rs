//! Groth16 over BN254 for Semaphore-style membership proofs: what the runtime needs to check a
//! proof, `no_std`.
//!
//! Encodings (arkworks' canonical, uncompressed, little-endian): a G1 point is 64 bytes, a G2
//! point 128 bytes, a proof `a ‖ b ‖ c` 256 bytes, a verifying key 776 bytes. Field elements that
//! users see (roots, nullifiers, commitments) are 32 bytes big-endian, as Semaphore and the EVM
//! write a `uint256`.
//!
//! Every point that comes from outside is decoded with full validation (coordinates below the
//! modulus, on the curve, in the prime-order subgroup, not the identity), public inputs at or
//! above the scalar field modulus are refused, and verification uses a *prepared* verifying key,
//! computed once when the key is set.

use alloc::vec::Vec;
use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, PreparedVerifyingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};

/// A Groth16 proof over BN254.
pub type Proof = ark_groth16::Proof<Bn254>;

/// Semaphore's public inputs: root, nullifier, hash(message), hash(scope).
pub const PUBLIC_INPUTS: usize = 4;
/// An uncompressed G1 point.
pub const G1_BYTES: usize = 64;
/// An uncompressed G2 point.
pub const G2_BYTES: usize = 128;
/// An uncompressed verifying key with [`PUBLIC_INPUTS`] inputs.
pub const VERIFYING_KEY_BYTES: usize = G1_BYTES + 3 * G2_BYTES + 8 + (PUBLIC_INPUTS + 1) * G1_BYTES;

/// Why a key, a proof or an input was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Groth16Error {
	/// A proof point is not a valid, non-identity point of its group.
	MalformedProof,
	/// The verifying key does not decode to valid points, is the identity somewhere, or is not
	/// for [`PUBLIC_INPUTS`] public inputs.
	MalformedVerifyingKey,
	/// A stored prepared key does not decode (it was not made by [`prepare_verifying_key`]).
	MalformedPreparedKey,
	/// A public input is not below the scalar field modulus.
	InputNotInField,
}

/// A proof's three points as they travel: `a` and `c` in G1, `b` in G2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofBytes {
	pub a: [u8; G1_BYTES],
	pub b: [u8; G2_BYTES],
	pub c: [u8; G1_BYTES],
}

impl ProofBytes {
	/// The encoding of a proof.
	pub fn from_proof(proof: &Proof) -> Self {
		let mut bytes = Self { a: [0; G1_BYTES], b: [0; G2_BYTES], c: [0; G1_BYTES] };
		write_point(&proof.a, &mut bytes.a);
		write_point(&proof.b, &mut bytes.b);
		write_point(&proof.c, &mut bytes.c);
		bytes
	}

	/// Decodes and validates the three points.
	pub fn to_proof(&self) -> Result<Proof, Groth16Error> {
		let a = read_point::<G1Affine>(&self.a).ok_or(Groth16Error::MalformedProof)?;
		let b = read_point::<G2Affine>(&self.b).ok_or(Groth16Error::MalformedProof)?;
		let c = read_point::<G1Affine>(&self.c).ok_or(Groth16Error::MalformedProof)?;
		Ok(Proof { a, b, c })
	}
}

fn write_point<P: CanonicalSerialize>(point: &P, out: &mut [u8]) {
	point.serialize_uncompressed(out).expect("the buffer has the point's uncompressed size; qed");
}

/// A validated point that is not the identity.
fn read_point<P: AffineRepr>(bytes: &[u8]) -> Option<P> {
	let point = P::deserialize_with_mode(bytes, Compress::No, Validate::Yes).ok()?;
	(!point.is_zero()).then_some(point)
}

/// Decodes and validates a verifying key for [`PUBLIC_INPUTS`] public inputs.
pub fn decode_verifying_key(bytes: &[u8]) -> Result<VerifyingKey<Bn254>, Groth16Error> {
	let key = VerifyingKey::<Bn254>::deserialize_with_mode(bytes, Compress::No, Validate::Yes)
		.map_err(|_| Groth16Error::MalformedVerifyingKey)?;
	let g2_ok = [key.beta_g2, key.gamma_g2, key.delta_g2].iter().all(|p| !p.is_zero());
	let g1_ok = !key.alpha_g1.is_zero() && key.gamma_abc_g1.iter().all(|p| !p.is_zero());
	if !g1_ok || !g2_ok || key.gamma_abc_g1.len() != PUBLIC_INPUTS + 1 {
		return Err(Groth16Error::MalformedVerifyingKey);
	}
	Ok(key)
}

/// The uncompressed encoding of a verifying key.
pub fn encode_verifying_key(key: &VerifyingKey<Bn254>) -> Vec<u8> {
	let mut out = Vec::with_capacity(key.uncompressed_size());
	key.serialize_uncompressed(&mut out).expect("writing to a Vec cannot fail; qed");
	out
}

/// A (validated) verifying key prepared in memory, for one-off checks off chain.
pub fn prepare(key: &VerifyingKey<Bn254>) -> PreparedVerifyingKey<Bn254> {
	ark_groth16::prepare_verifying_key(key)
}

/// Prepares a (validated) verifying key for verification: the pairing `e(alpha, beta)` and the
/// line coefficients of `-gamma` and `-delta`, computed once, encoded for storage.
pub fn prepare_verifying_key(key: &VerifyingKey<Bn254>) -> Vec<u8> {
	encode_prepared_key(&prepare(key))
}

/// The encoding of a prepared key for storage ([`decode_prepared_key`] reads it).
pub fn encode_prepared_key(prepared: &PreparedVerifyingKey<Bn254>) -> Vec<u8> {
	let mut out = Vec::with_capacity(prepared.uncompressed_size());
	prepared.serialize_uncompressed(&mut out).expect("writing to a Vec cannot fail; qed");
	out
}

/// A prepared key as stored, decoded without re-validation: it was validated when set.
pub fn decode_prepared_key(bytes: &[u8]) -> Result<PreparedVerifyingKey<Bn254>, Groth16Error> {
	PreparedVerifyingKey::deserialize_with_mode(bytes, Compress::No, Validate::No)
		.map_err(|_| Groth16Error::MalformedPreparedKey)
}

/// Checks `proof` for `inputs` (in Semaphore's order) against a prepared key.
pub fn verify(
	key: &PreparedVerifyingKey<Bn254>,
	proof: &Proof,
	inputs: &[Fr; PUBLIC_INPUTS],
) -> bool {
	Groth16::<Bn254>::verify_proof(key, proof, inputs).unwrap_or(false)
}

/// A field element from 32 big-endian bytes; `None` unless it is below the modulus.
pub fn fr_from_be_bytes(bytes: &[u8; 32]) -> Result<Fr, Groth16Error> {
	let mut limbs = [0u64; 4];
	for (i, limb) in limbs.iter_mut().enumerate() {
		let start = 32 - 8 * (i + 1);
		*limb = u64::from_be_bytes(bytes[start..start + 8].try_into().expect("8 bytes; qed"));
	}
	Fr::from_bigint(ark_ff::BigInt::new(limbs)).ok_or(Groth16Error::InputNotInField)
}

/// The 32 big-endian bytes of a field element.
pub fn fr_to_be_bytes(value: &Fr) -> [u8; 32] {
	let mut out = [0u8; 32];
	out.copy_from_slice(&value.into_bigint().to_bytes_be());
	out
}
