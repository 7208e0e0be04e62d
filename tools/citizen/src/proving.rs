//! From a group's tree to a `personhood.verify` call: the Merkle path, the scope of the
//! current period, the proof.

use polkadot_sdk::sp_core::crypto::Ss58Codec;
use teo_primitives::{AccountId, GroupId};
use teo_runtime::RuntimeCall;
use teo_zk::{
	groth16::{self, ProofBytes},
	identity::Identity,
	prover::{self, Prover, ProvingKey, PublicInputs},
	semaphore,
};

use crate::{chain::GroupState, error::Error};

/// Where the proving key comes from.
#[derive(Clone)]
pub enum KeySource {
	/// The insecure dev setup, regenerated on the spot (dev and local chains).
	Dev,
	/// A key file for circuits of `depth`: a ceremony's `.zkey` (snarkjs), or arkworks'
	/// compressed encoding.
	File { path: std::path::PathBuf, depth: u8 },
}

impl KeySource {
	/// The key and the depth of its circuit.
	pub fn load(&self) -> Result<(ProvingKey, u8), Error> {
		match self {
			Self::Dev => {
				let depth = teo_zk::dev::DEV_KEY_DEPTH;
				Ok((prover::dev_setup(depth as usize)?, depth))
			},
			Self::File { path, depth } => {
				let bytes = std::fs::read(path).map_err(Error::file("read", path))?;
				let key = if path.extension().is_some_and(|ext| ext == "zkey") {
					prover::zkey::read_zkey_for(&bytes, *depth as usize)
						.map_err(|source| Error::Zkey { path: path.clone(), source })?
				} else {
					prover::decode_proving_key(&bytes)?
				};
				Ok((key, *depth))
			},
		}
	}
}

/// A proof ready to submit: `personhood.verify` or `commitGate.veto_anonymously`.
pub struct VerifyCall {
	pub call: RuntimeCall,
	pub proof: groth16::Proof,
	pub inputs: PublicInputs,
	pub leaf_index: usize,
}

/// An account from SS58 text.
pub fn parse_account(text: &str) -> Result<AccountId, Error> {
	AccountId::from_ss58check(text)
		.map_err(|e| Error::BadAccount { text: text.to_string(), reason: format!("{e:?}") })
}

/// A proof that `identity`, a member of the group whose tree `state` holds, says `message` in
/// `scope` (both before the hash to the field), from fresh OS randomness. Returns the proof, its
/// public inputs and the member's leaf index.
fn prove_signal(
	state: &GroupState,
	identity: &Identity,
	message: &[u8; 32],
	scope: &[u8; 32],
	prover: &Prover,
) -> Result<(groth16::Proof, PublicInputs, usize), Error> {
	let tree = &state.tree;
	if tree.index_of(&identity.commitment).is_none() {
		return Err(Error::NotAMember);
	}
	let mut seed = [0u8; 32];
	getrandom::getrandom(&mut seed).map_err(Error::Randomness)?;
	let mut rng = prover::rng_from_seed(seed);
	Ok(prover.prove_signal(tree, identity, message, scope, &mut rng)?)
}

/// `proof`, by `prover`'s key, as the chain takes it.
fn membership_proof(prover: &Prover, proof: &groth16::Proof) -> pallet_personhood::MembershipProof {
	<pallet_personhood::MembershipProof as pallet_personhood::ProofPoints>::from_points(
		prover.max_depth() as u8,
		ProofBytes::from_proof(proof),
	)
}

/// Proves that `identity` vouches for `account` in `group` this period.
pub fn prove_verify(
	state: &GroupState,
	group: GroupId,
	identity: &Identity,
	account: &AccountId,
	prover: &Prover,
) -> Result<VerifyCall, Error> {
	let scope = semaphore::personhood_scope(&state.genesis_hash, group, state.period.index);
	let (proof, inputs, leaf_index) =
		prove_signal(state, identity, account.as_ref(), &scope, prover)?;
	let call = RuntimeCall::Personhood(pallet_personhood::Call::verify {
		group,
		root: groth16::fr_to_be_bytes(&inputs.root),
		nullifier: groth16::fr_to_be_bytes(&inputs.nullifier),
		proof: membership_proof(prover, &proof),
	});
	Ok(VerifyCall { call, proof, inputs, leaf_index })
}

/// Proves that `identity`, a member of the proposal's group (whose tree `state` holds), vetoes
/// proposal `id` (whose call hash is `call_hash`) on this chain:
/// `commitGate.veto_anonymously`, which names no account.
pub fn prove_veto(
	state: &GroupState,
	identity: &Identity,
	id: u32,
	call_hash: &[u8; 32],
	prover: &Prover,
) -> Result<VerifyCall, Error> {
	let scope = semaphore::veto_scope(&state.genesis_hash, id, call_hash);
	let message = &semaphore::VETO_MESSAGE;
	let (proof, inputs, leaf_index) = prove_signal(state, identity, message, &scope, prover)?;
	let call = RuntimeCall::CommitGate(pallet_commit_gate::Call::veto_anonymously {
		id,
		veto: pallet_commit_gate::AnonymousVeto {
			root: groth16::fr_to_be_bytes(&inputs.root),
			nullifier: groth16::fr_to_be_bytes(&inputs.nullifier),
			proof: membership_proof(prover, &proof),
		},
	});
	Ok(VerifyCall { call, proof, inputs, leaf_index })
}

/// The siblings a registrar supplies to remove `commitment`.
pub fn removal_call(
	state: &GroupState,
	group: GroupId,
	commitment: [u8; 32],
) -> Result<RuntimeCall, Error> {
	let tree = &state.tree;
	let leaf = groth16::fr_from_be_bytes(&commitment).map_err(|_| Error::NotAFieldElement)?;
	let index = tree.index_of(&leaf).ok_or(Error::CommitmentNotAMember)?;
	let proof = tree.proof(index).ok_or(Error::NoMerkleProof)?;
	let siblings: Vec<[u8; 32]> = proof.siblings.iter().map(groth16::fr_to_be_bytes).collect();
	Ok(RuntimeCall::Personhood(pallet_personhood::Call::remove_member {
		group,
		commitment,
		siblings: siblings.try_into().map_err(|_| Error::TooManySiblings)?,
	}))
}
