//! A proving key ready for many proofs: the circuit's constraint matrices, which are the same
//! for every proof with the key, computed once. ark-groth16's `create_random_proof` synthesizes
//! the whole constraint system and inlines its linear combinations on every proof; with the
//! matrices at hand a proof only computes the witness (the same synthesis without building
//! constraints) and goes straight to the QAP and the multi-scalar multiplications. The proof is
//! the same, bit for bit, as the one [`super::prove`] makes from the same randomness.
//!
//! A key comes from a file (a ceremony's `.zkey`, an arkworks encoding) the citizen did not
//! make, and a proof leaves the citizen's machine: a hostile key must not turn the proof into
//! a carrier of the identity's secret. The proof's `A` and `B` hide the witness behind `r·δ₁`
//! and `s·δ₂` for fresh `r` and `s`; once both masks are non-zero and the proof verifies, `C` is
//! fixed by `A`, `B` and the public inputs, so the proof tells nothing more. [`Prover::new`]
//! refuses a key whose masks are zero (or whose `δ` disagrees between the groups), and
//! [`Prover::prove`] returns only a proof that verifies with the key's verifying key, which the
//! clients compare with the chain's.

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr};
use ark_ff::UniformRand;
use ark_groth16::PreparedVerifyingKey;
use ark_relations::gr1cs::{Matrix, R1CS_PREDICATE_LABEL};
use ark_std::rand::{CryptoRng, RngCore};

use super::{
	checked_circuit, r1cs, semaphore, Identity, MembershipTree, MerkleProof, ProveError,
	ProvingKey, PublicInputs, Snark,
};
use crate::groth16::{self, Proof};

/// A proving key for the membership circuit of `max_depth`, with that circuit's constraint
/// matrices.
pub struct Prover {
	key: ProvingKey,
	/// The key's own verifying key, prepared: every proof is checked against it.
	verifying_key: PreparedVerifyingKey<Bn254>,
	max_depth: usize,
	/// A, B and C, as the generator synthesized them (constraints optimized, linear
	/// combinations inlined: [`r1cs::setup_system`]).
	matrices: Vec<Matrix<Fr>>,
	/// Instance variables, the constant one included.
	num_inputs: usize,
	num_constraints: usize,
}

impl Prover {
	/// Prepares `key`, a key for the circuit of `max_depth` (the caller's to know: a key from
	/// elsewhere is checked against the chain's verifying key, not here). One synthesis of the
	/// circuit, about what one proof used to spend on it, and two pairings.
	pub fn new(key: ProvingKey, max_depth: usize) -> Result<Self, ProveError> {
		check_masks(&key)?;
		let cs = r1cs::setup_system(max_depth)?;
		let (num_inputs, num_constraints) = (cs.num_instance_variables(), cs.num_constraints());
		let matrices = cs.to_matrices()?.remove(R1CS_PREDICATE_LABEL).ok_or_else(|| {
			ProveError::Synthesis("the constraint system has no R1CS matrices".into())
		})?;
		// Every query of the key must have this circuit's shape: a key of another shape would
		// index out of bounds (an empty query) or prove nothing (a short one is cut silently).
		let (witness, domain) =
			(cs.num_witness_variables(), (num_constraints + num_inputs).next_power_of_two());
		let variables = num_inputs + witness;
		let shape = [
			(key.a_query.len(), variables),
			(key.b_g1_query.len(), variables),
			(key.b_g2_query.len(), variables),
			(key.l_query.len(), witness),
			(key.h_query.len(), domain),
		];
		if shape.iter().any(|(found, expected)| found != expected) {
			return Err(ProveError::Synthesis(format!(
				"the proving key is not for the circuit of depth {max_depth}"
			)));
		}
		let verifying_key = groth16::prepare(&key.vk);
		Ok(Self { key, verifying_key, max_depth, matrices, num_inputs, num_constraints })
	}

	/// The key.
	pub fn key(&self) -> &ProvingKey {
		&self.key
	}

	/// The deepest tree the key proves.
	pub fn max_depth(&self) -> usize {
		self.max_depth
	}

	/// [`super::prove`], with the matrices computed once.
	pub fn prove<R: RngCore + CryptoRng>(
		&self,
		identity: &Identity,
		membership: &MerkleProof,
		message: Fr,
		scope: Fr,
		rng: &mut R,
	) -> Result<(Proof, PublicInputs), ProveError> {
		let circuit = checked_circuit(self.max_depth, identity, membership, message, scope)?;
		let inputs = circuit.public_inputs();
		let assignment = r1cs::assignment(circuit)?;
		// Drawn as ark-groth16's `create_random_proof` draws them, r then s.
		let (r, s) = (Fr::rand(rng), Fr::rand(rng));
		let proof = Snark::create_proof_with_reduction_and_matrices(
			&self.key,
			r,
			s,
			&self.matrices,
			self.num_inputs,
			self.num_constraints,
			&assignment,
		)?;
		// A key whose queries do not match its verifying key would make a proof whose `C` is
		// not fixed by the rest: it never leaves here.
		if !groth16::verify(&self.verifying_key, &proof, &inputs.to_array()) {
			return Err(ProveError::UnsafeKey(
				"its proof does not verify with its own verifying key",
			));
		}
		Ok((proof, inputs))
	}

	/// [`super::prove_signal`], with the matrices computed once.
	pub fn prove_signal<R: RngCore + CryptoRng>(
		&self,
		tree: &impl MembershipTree,
		identity: &Identity,
		message: &[u8; 32],
		scope: &[u8; 32],
		rng: &mut R,
	) -> Result<(Proof, PublicInputs, usize), ProveError> {
		let leaf_index = tree.index_of(&identity.commitment).ok_or(ProveError::NotAMember)?;
		let membership = tree.proof(leaf_index).ok_or(ProveError::NotAMember)?;
		let message = semaphore::hash_to_field(message);
		let scope = semaphore::hash_to_field(scope);
		let (proof, inputs) = self.prove(identity, &membership, message, scope, rng)?;
		Ok((proof, inputs, leaf_index))
	}
}

/// Refuses a key whose masks (`δ` in both groups) or fixed points are zero, or whose `δ`
/// disagrees between G1 and G2.
fn check_masks(key: &ProvingKey) -> Result<(), ProveError> {
	let vk = &key.vk;
	check_fixed_points(
		[vk.alpha_g1, key.beta_g1, key.delta_g1],
		[vk.beta_g2, vk.gamma_g2, vk.delta_g2],
	)
	.map_err(ProveError::UnsafeKey)
}

/// The checks of a key's fixed points, `[α₁, β₁, δ₁]` and `[β₂, γ₂, δ₂]`, that every key
/// passes whatever its encoding: none is zero (`δ` masks the proof), and δ₁ = δ·g₁, δ₂ = δ·g₂,
/// β₁ = β·g₁, β₂ = β·g₂ for the key's generators, so e(δ₁, β₂) = e(β₁, δ₂): a δ₁ changed apart
/// from δ₂ (or β₁ from β₂) breaks it.
pub(super) fn check_fixed_points(
	[alpha_g1, beta_g1, delta_g1]: [G1Affine; 3],
	[beta_g2, gamma_g2, delta_g2]: [G2Affine; 3],
) -> Result<(), &'static str> {
	let zero = [
		(alpha_g1.is_zero(), "alpha is zero"),
		(beta_g1.is_zero() || beta_g2.is_zero(), "beta is zero"),
		(gamma_g2.is_zero(), "gamma is zero"),
		(delta_g1.is_zero() || delta_g2.is_zero(), "delta is zero"),
	];
	if let Some((_, why)) = zero.iter().find(|(is_zero, _)| *is_zero) {
		return Err(why);
	}
	if Bn254::pairing(delta_g1, beta_g2) != Bn254::pairing(beta_g1, delta_g2) {
		return Err("delta and beta disagree between G1 and G2");
	}
	Ok(())
}
