//! A proving key ready for many proofs: the circuit's constraint matrices, which are the same
//! for every proof with the key, computed once. ark-groth16's `create_random_proof` synthesizes
//! the whole constraint system and inlines its linear combinations on every proof; with the
//! matrices at hand a proof only computes the witness (the same synthesis without building
//! constraints) and goes straight to the QAP and the multi-scalar multiplications. The proof is
//! the same, bit for bit, as the one [`super::prove`] makes from the same randomness.

use ark_bn254::Fr;
use ark_ff::UniformRand;
use ark_relations::gr1cs::{Matrix, R1CS_PREDICATE_LABEL};
use ark_std::rand::{CryptoRng, RngCore};

use super::{
	checked_circuit, r1cs, semaphore, Identity, MembershipTree, MerkleProof, ProveError,
	ProvingKey, PublicInputs, Snark,
};
use crate::groth16::Proof;

/// A proving key for the membership circuit of `max_depth`, with that circuit's constraint
/// matrices.
pub struct Prover {
	key: ProvingKey,
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
	/// circuit, about what one proof used to spend on it.
	pub fn new(key: ProvingKey, max_depth: usize) -> Result<Self, ProveError> {
		let cs = r1cs::setup_system(max_depth)?;
		let (num_inputs, num_constraints) = (cs.num_instance_variables(), cs.num_constraints());
		let matrices = cs.to_matrices()?.remove(R1CS_PREDICATE_LABEL).ok_or_else(|| {
			ProveError::Synthesis("the constraint system has no R1CS matrices".into())
		})?;
		// A key whose queries do not have one point per variable would index out of bounds.
		let variables = num_inputs + cs.num_witness_variables();
		if key.a_query.len() != variables || key.b_g2_query.len() != variables {
			return Err(ProveError::Synthesis(format!(
				"the proving key is not for the circuit of depth {max_depth}"
			)));
		}
		Ok(Self { key, max_depth, matrices, num_inputs, num_constraints })
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
