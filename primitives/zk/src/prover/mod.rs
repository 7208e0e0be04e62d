//! Proving membership (`prover` feature, std): the circuit, Groth16 key generation and proofs.
//!
//! [`dev_setup`] is the *openly insecure* development setup: its randomness comes from a fixed,
//! published seed, so anyone can regenerate the proving key, and anyone can forge proofs for
//! its verifying key. Dev and local chains use it so that tests and tools need no downloads;
//! a real chain uses the keys of a multi-party ceremony (docs/PERSONHOOD.md).

mod circuit;
mod prepared;
mod qap;
pub mod r1cs;
pub mod zkey;

pub use circuit::MembershipCircuit;
pub use prepared::Prover;
pub use qap::CircomReduction;

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, VerifyingKey};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisError};
use ark_std::rand::{CryptoRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::{
	groth16::Proof,
	identity::Identity,
	lean_imt::{MembershipTree, MerkleProof},
	poseidon::poseidon2,
	semaphore,
};

/// A Groth16 proving key for the membership circuit.
pub type ProvingKey = ark_groth16::ProvingKey<Bn254>;

/// The published seed of the insecure development setup.
pub const DEV_SETUP_SEED: [u8; 32] = *b"TEO insecure dev setup; public!!";

/// The tree depth dev and local chains accept proofs for (trees of up to 2^20 members).
pub const DEV_MAX_DEPTH: usize = 20;

/// Why no proof could be made.
#[derive(Debug, PartialEq, Eq)]
pub enum ProveError {
	/// The Merkle proof does not lead from the identity's commitment to its root.
	NotAMember,
	/// The tree is deeper than the proving key's circuit.
	TreeTooDeep { depth: usize, max_depth: usize },
	/// Constraint synthesis or proving failed.
	Synthesis(String),
	/// The proving key would not hide the identity, or its proofs would not verify with its
	/// own verifying key: a damaged or hostile key, refused before it proves anything.
	UnsafeKey(&'static str),
}

impl core::fmt::Display for ProveError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Self::NotAMember => write!(f, "the Merkle proof is not for this identity and root"),
			Self::TreeTooDeep { depth, max_depth } => {
				write!(f, "the tree has depth {depth}, the key proves at most {max_depth}")
			},
			Self::Synthesis(e) => write!(f, "proving failed: {e}"),
			Self::UnsafeKey(why) => write!(f, "the proving key is refused: {why}"),
		}
	}
}

impl std::error::Error for ProveError {}

impl From<SynthesisError> for ProveError {
	fn from(e: SynthesisError) -> Self {
		Self::Synthesis(e.to_string())
	}
}

/// Groth16 over BN254 with snarkjs' QAP reduction: the same prover for our own setups and for
/// a ceremony's `.zkey`.
type Snark = Groth16<Bn254, CircomReduction>;

/// Generates a proving key (and its verifying key) for trees up to `max_depth` from `rng`.
pub fn setup<R: RngCore + CryptoRng>(
	max_depth: usize,
	rng: &mut R,
) -> Result<ProvingKey, ProveError> {
	Ok(Snark::generate_random_parameters_with_reduction(MembershipCircuit::blank(max_depth), rng)?)
}

/// The insecure development proving key for `max_depth`: the same bytes on every machine.
pub fn dev_setup(max_depth: usize) -> Result<ProvingKey, ProveError> {
	setup(max_depth, &mut ChaCha20Rng::from_seed(DEV_SETUP_SEED))
}

/// The number of R1CS constraints of the circuit for `max_depth`.
pub fn constraint_count(max_depth: usize) -> Result<usize, ProveError> {
	let cs = ConstraintSystem::<Fr>::new_ref();
	MembershipCircuit::blank(max_depth).generate_constraints(cs.clone())?;
	cs.finalize();
	Ok(cs.num_constraints())
}

/// The public inputs of a proof, in Semaphore's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicInputs {
	pub root: Fr,
	pub nullifier: Fr,
	/// `hash(message)`.
	pub message: Fr,
	/// `hash(scope)`.
	pub scope: Fr,
}

impl PublicInputs {
	/// As the verifier takes them.
	pub fn to_array(&self) -> [Fr; 4] {
		[self.root, self.nullifier, self.message, self.scope]
	}
}

/// Proves that `identity` is the member `membership` proves, for `message` and `scope`
/// (both already hashed to the field). Returns the proof and its public inputs.
pub fn prove<R: RngCore + CryptoRng>(
	key: &ProvingKey,
	max_depth: usize,
	identity: &Identity,
	membership: &MerkleProof,
	message: Fr,
	scope: Fr,
	rng: &mut R,
) -> Result<(Proof, PublicInputs), ProveError> {
	let circuit = checked_circuit(max_depth, identity, membership, message, scope)?;
	let inputs = circuit.public_inputs();
	let proof = Snark::create_random_proof_with_reduction(circuit, key, rng)?;
	Ok((proof, inputs))
}

/// The circuit for `identity`'s membership, once the Merkle proof is known to be theirs and to
/// fit the circuit.
fn checked_circuit(
	max_depth: usize,
	identity: &Identity,
	membership: &MerkleProof,
	message: Fr,
	scope: Fr,
) -> Result<MembershipCircuit, ProveError> {
	if membership.leaf != identity.commitment || !membership.verify() {
		return Err(ProveError::NotAMember);
	}
	let depth = membership.siblings.len();
	if depth > max_depth {
		return Err(ProveError::TreeTooDeep { depth, max_depth });
	}
	Ok(membership_circuit(max_depth, identity, membership, message, scope))
}

/// Proves that `identity`, a member of `tree`, says `message` in `scope`, both given before
/// Semaphore's hash to the field (a personhood proof, an anonymous veto). Returns the proof, its
/// public inputs and the member's leaf index.
pub fn prove_signal<R: RngCore + CryptoRng>(
	key: &ProvingKey,
	max_depth: usize,
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
	let (proof, inputs) = prove(key, max_depth, identity, &membership, message, scope, rng)?;
	Ok((proof, inputs, leaf_index))
}

/// The statement and witness that `identity` is the member `membership` proves, for `message`
/// and `scope`, in the circuit of `max_depth` (whose depth the caller has checked).
pub fn membership_circuit(
	max_depth: usize,
	identity: &Identity,
	membership: &MerkleProof,
	message: Fr,
	scope: Fr,
) -> MembershipCircuit {
	let mut siblings = membership.siblings.clone();
	siblings.resize(max_depth, Fr::from(0u64));
	MembershipCircuit {
		max_depth,
		secret: identity.secret,
		path_length: membership.siblings.len(),
		path_index: membership.index,
		siblings,
		root: membership.root,
		nullifier: poseidon2(scope, identity.secret),
		message,
		scope,
	}
}

/// The prover's randomness: ChaCha20 from a seed (32 bytes from the operating system, or fixed
/// in tests).
pub fn rng_from_seed(seed: [u8; 32]) -> ChaCha20Rng {
	ChaCha20Rng::from_seed(seed)
}

/// Reads a proving key in arkworks' compressed encoding (as [`encode_proving_key`] writes
/// it), validating every point: a key from a ceremony arrives as such a file.
pub fn decode_proving_key(bytes: &[u8]) -> Result<ProvingKey, ProveError> {
	use ark_serialize::CanonicalDeserialize;
	ProvingKey::deserialize_compressed(bytes)
		.map_err(|e| ProveError::Synthesis(format!("not a proving key: {e}")))
}

/// Writes a proving key in arkworks' compressed encoding.
pub fn encode_proving_key(key: &ProvingKey) -> Vec<u8> {
	use ark_serialize::CanonicalSerialize;
	let mut out = Vec::new();
	key.serialize_compressed(&mut out).expect("writing to a Vec cannot fail; qed");
	out
}

/// The verifying key of a proving key.
pub fn verifying_key(key: &ProvingKey) -> VerifyingKey<Bn254> {
	key.vk.clone()
}

#[cfg(test)]
mod tests;
