//! # TEO's prover in the browser
//!
//! The citizen's veto desk (`tools/veto-desk`) proves in the page, with the very code
//! `teo-citizen` proves with (`teo-zk`), compiled to WebAssembly and bound to JavaScript by
//! wasm-bindgen:
//! - [`identityCommitment`](identity_commitment): a Semaphore identity's commitment, what a
//!   registrar adds to a group;
//! - [`Group`]: a group's tree, built from its leaves in the page, so that the node never
//!   learns which leaf is the citizen's;
//! - [`Prover`]: a proving key (the dev chains' insecure one, or a ceremony's `.zkey`), and
//!   [`Prover::prove_veto`], which returns `commitGate.vetoAnonymously`'s argument, SCALE
//!   encoded.
//!
//! Byte strings cross the boundary as `Uint8Array`s; field elements as 32 big-endian bytes, as
//! the chain stores them. Every refusal is a [`Refusal`]: in the page, a JavaScript `Error` with
//! a sentence a citizen can read.

use teo_zk::{
	dev, groth16,
	identity::Identity,
	lean_imt::{PrunedTree, SUBTREE_DEPTH},
	prover::{self, ProveError, ProvingKey},
	semaphore, Fr,
};
use wasm_bindgen::prelude::*;

/// Why a request was refused, in a sentence for the citizen; a JavaScript `Error` in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(String);

impl Refusal {
	fn new(reason: &str) -> Self {
		Self(reason.to_string())
	}
}

impl core::fmt::Display for Refusal {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(&self.0)
	}
}

impl From<Refusal> for JsValue {
	fn from(refusal: Refusal) -> JsValue {
		JsError::new(&refusal.0).into()
	}
}

/// The commitment (32 bytes, big-endian) of the Semaphore identity whose private key is
/// `private_key`: Semaphore's export holds the private key, base64-encoded.
#[wasm_bindgen(js_name = identityCommitment)]
pub fn identity_commitment(private_key: &[u8]) -> Vec<u8> {
	groth16::fr_to_be_bytes(&Identity::from_private_key(private_key).commitment).to_vec()
}

/// The nullifier the identity's veto of proposal `id` would carry: the page finds by it
/// whether the citizen has vetoed a proposal already (from this browser or another).
#[wasm_bindgen(js_name = vetoNullifier)]
pub fn veto_nullifier(
	private_key: &[u8],
	genesis_hash: &[u8],
	id: u32,
	call_hash: &[u8],
) -> Result<Vec<u8>, Refusal> {
	let scope = veto_scope(genesis_hash, id, call_hash)?;
	let identity = Identity::from_private_key(private_key);
	Ok(groth16::fr_to_be_bytes(&identity.nullifier(semaphore::hash_to_field(&scope))).to_vec())
}

/// A group's membership tree, as the chain holds it (a LeanIMT), kept as its leaves and its
/// subtrees' roots ([`PrunedTree`]): a proof hashes the member's own subtree and the tree above
/// the roots, not the whole tree.
#[wasm_bindgen]
pub struct Group {
	tree: PrunedTree,
}

#[wasm_bindgen]
impl Group {
	/// The tree of `leaves` (32-byte big-endian commitments, concatenated, in the chain's order)
	/// with `roots`, the chain's roots of its subtrees of 2^10 leaves (32 bytes each, in
	/// order). A root left out, or zero, is hashed here from the leaves. The roots are not
	/// checked: the caller compares [`Group::root`] with the chain's.
	#[wasm_bindgen(constructor)]
	pub fn new(leaves: &[u8], roots: &[u8]) -> Result<Group, Refusal> {
		let given = given_roots(roots)?;
		Ok(Group { tree: PrunedTree::new(field_elements(leaves, "leaf")?, &given) })
	}

	/// The roots of the subtrees of `leaves` (as in the constructor), the first leaf starting a
	/// subtree: a part of a large group hashed beside the others (`tree-builder.js`).
	#[wasm_bindgen(js_name = subtreeRoots)]
	pub fn subtree_roots(leaves: &[u8]) -> Result<Vec<u8>, Refusal> {
		let tree = PrunedTree::from_leaves(field_elements(leaves, "leaf")?);
		Ok(concat(tree.subtree_roots()))
	}

	/// The leaves, then the subtrees' roots, 32 big-endian bytes each: what the page keeps
	/// (IndexedDB) so that it need not read the group again next time.
	#[wasm_bindgen(js_name = toBytes)]
	pub fn to_bytes(&self) -> Vec<u8> {
		concat(self.tree.leaves().iter().chain(self.tree.subtree_roots()))
	}

	/// The tree [`Group::to_bytes`] wrote for `size` leaves; refused if the bytes do not have
	/// that shape. The roots are not hashed again: the caller compares the root with the
	/// chain's, and a wrong one gives its subtree's members no proof.
	#[wasm_bindgen(js_name = fromBytes)]
	pub fn from_bytes(size: u32, bytes: &[u8]) -> Result<Group, Refusal> {
		let mut nodes = field_elements(bytes, "node")?;
		let subtrees = (size as usize).div_ceil(1 << SUBTREE_DEPTH);
		if nodes.len() != size as usize + subtrees {
			return Err(Refusal::new("the stored tree does not have the shape of its size"));
		}
		let roots: Vec<Option<Fr>> = nodes.split_off(size as usize).into_iter().map(Some).collect();
		Ok(Group { tree: PrunedTree::new(nodes, &roots) })
	}

	/// Brings the tree up to date: `leaves` are the chain's from index `from` (a multiple of
	/// 2^10, at most the tree's size) on, `roots` its roots of the subtrees from `from`'s on (as
	/// in the constructor). Refused, and the tree unchanged, when the leaves read again are not
	/// this tree's: the page then reads the whole group.
	pub fn update(&mut self, from: u32, leaves: &[u8], roots: &[u8]) -> Result<(), Refusal> {
		let (leaves, given) = (field_elements(leaves, "leaf")?, given_roots(roots)?);
		// Taken out for the update and put back either way: no copy of a million leaves.
		let tree = core::mem::replace(&mut self.tree, PrunedTree::from_leaves(Vec::new()));
		match tree.updated(from as usize, &leaves, &given) {
			Ok(updated) => {
				self.tree = updated;
				Ok(())
			},
			Err(unchanged) => {
				self.tree = unchanged;
				Err(Refusal::new(
					"the leaves read again are not the stored tree's: read the group again",
				))
			},
		}
	}

	/// Whether each of `subtrees` (indices) hashes to the root the tree holds for it: the page
	/// checks a few at random after every read, so that a node serving the chain's roots over
	/// changed leaves is caught whichever subtree the citizen is in.
	#[wasm_bindgen(js_name = subtreesMatch)]
	pub fn subtrees_match(&self, subtrees: &[u32]) -> bool {
		self.tree.subtrees_match(subtrees.iter().map(|j| *j as usize))
	}

	/// The number of leaves.
	pub fn size(&self) -> u32 {
		self.tree.size() as u32
	}

	/// How many subtrees' roots were hashed in the page rather than read, when the tree was
	/// last made or brought up to date.
	#[wasm_bindgen(js_name = hashedSubtrees)]
	pub fn hashed_subtrees(&self) -> u32 {
		self.tree.hashed_subtrees() as u32
	}

	/// The root, 32 big-endian bytes; `undefined` for an empty group.
	pub fn root(&self) -> Option<Vec<u8>> {
		self.tree.root().map(|root| groth16::fr_to_be_bytes(&root).to_vec())
	}

	/// The index of `commitment` among the leaves, if it is one.
	#[wasm_bindgen(js_name = indexOf)]
	pub fn index_of(&self, commitment: &[u8]) -> Result<Option<u32>, Refusal> {
		let leaf = field_element(&bytes32(commitment, "commitment")?, "commitment")?;
		Ok(self.tree.index_of(&leaf).map(|index| index as u32))
	}
}

/// Subtree roots as the page passes them: 32 bytes each, zero for one to hash here. One that
/// is not a field element (a node's, never the chain's) is hashed here too.
fn given_roots(bytes: &[u8]) -> Result<Vec<Option<Fr>>, Refusal> {
	if bytes.len() % 32 != 0 {
		return Err(Refusal::new("the subtree roots are not a whole number of 32-byte values"));
	}
	Ok(bytes
		.chunks_exact(32)
		.map(|root| groth16::fr_from_be_bytes(root.try_into().expect("32 bytes")).ok())
		.map(|root| root.filter(|root| *root != Fr::from(0u64)))
		.collect())
}

/// Field elements as 32 big-endian bytes each, concatenated.
fn concat<'a>(nodes: impl IntoIterator<Item = &'a Fr>) -> Vec<u8> {
	nodes.into_iter().flat_map(groth16::fr_to_be_bytes).collect()
}

/// A proving key and the depth of its circuit.
#[wasm_bindgen]
pub struct Prover {
	/// The key with its circuit's constraint matrices, computed once when the key is loaded.
	prover: prover::Prover,
}

#[wasm_bindgen]
impl Prover {
	/// The insecure development key, regenerated here from its published seed: what dev and
	/// local chains verify with, and nothing else does.
	#[wasm_bindgen(js_name = devKey)]
	pub fn dev_key() -> Result<Prover, Refusal> {
		let depth = dev::DEV_KEY_DEPTH as usize;
		Prover::prepared(prover::dev_setup(depth).map_err(prove_error)?, depth)
	}

	/// A key file for the circuit of `depth`: a ceremony's `.zkey` (snarkjs; recognised by its
	/// magic bytes) or arkworks' compressed encoding.
	#[wasm_bindgen(js_name = fromKeyFile)]
	pub fn from_key_file(bytes: &[u8], depth: u8) -> Result<Prover, Refusal> {
		let key = if bytes.starts_with(b"zkey") {
			prover::zkey::read_zkey_for(bytes, depth as usize)
				.map_err(|e| Refusal::new(&format!("not a proving key of depth {depth}: {e}")))?
		} else {
			prover::decode_proving_key(bytes).map_err(prove_error)?
		};
		Prover::prepared(key, depth as usize)
	}

	/// The depth of the key's circuit: trees of up to `2^depth` members.
	pub fn depth(&self) -> u8 {
		self.prover.max_depth() as u8
	}

	/// The verifying key, in the encoding the chain stores (`personhood.verifyingKeys`): the
	/// page compares the two before it proves anything.
	#[wasm_bindgen(js_name = verifyingKey)]
	pub fn verifying_key(&self) -> Vec<u8> {
		groth16::encode_verifying_key(&self.prover.key().vk)
	}

	/// An anonymous veto of proposal `id` (whose call hash is `call_hash`) on the chain of
	/// `genesis_hash`, by the identity of `private_key`, a member of `group`: the argument of
	/// `commitGate.vetoAnonymously(id, veto)`, SCALE-encoded (root, nullifier, then the proof:
	/// depth and points). Fresh randomness from the browser for every proof.
	#[wasm_bindgen(js_name = proveVeto)]
	pub fn prove_veto(
		&self,
		group: &Group,
		private_key: &[u8],
		genesis_hash: &[u8],
		id: u32,
		call_hash: &[u8],
	) -> Result<Vec<u8>, Refusal> {
		let scope = veto_scope(genesis_hash, id, call_hash)?;
		let identity = Identity::from_private_key(private_key);
		let mut seed = [0u8; 32];
		getrandom::getrandom(&mut seed)
			.map_err(|e| Refusal::new(&format!("no randomness for the proof: {e}")))?;
		let (proof, inputs, _) = self
			.prover
			.prove_signal(
				&group.tree,
				&identity,
				&semaphore::VETO_MESSAGE,
				&scope,
				&mut prover::rng_from_seed(seed),
			)
			.map_err(prove_error)?;
		Ok(encode_anonymous_veto(
			&groth16::fr_to_be_bytes(&inputs.root),
			&groth16::fr_to_be_bytes(&inputs.nullifier),
			self.depth(),
			&groth16::ProofBytes::from_proof(&proof),
		))
	}
}

impl Prover {
	/// `key`, for the circuit of `depth`, with its matrices.
	fn prepared(key: ProvingKey, depth: usize) -> Result<Prover, Refusal> {
		Ok(Prover { prover: prover::Prover::new(key, depth).map_err(prove_error)? })
	}
}

/// `pallet_commit_gate::AnonymousVeto` in SCALE: fixed-size arrays encode as their bytes, so
/// the encoding is the fields one after another.
fn encode_anonymous_veto(
	root: &[u8; 32],
	nullifier: &[u8; 32],
	depth: u8,
	proof: &groth16::ProofBytes,
) -> Vec<u8> {
	[&root[..], &nullifier[..], &[depth], &proof.a[..], &proof.b[..], &proof.c[..]].concat()
}

/// The scope of a veto of proposal `id` from the page's bytes.
fn veto_scope(genesis_hash: &[u8], id: u32, call_hash: &[u8]) -> Result<[u8; 32], Refusal> {
	Ok(semaphore::veto_scope(
		&bytes32(genesis_hash, "genesis hash")?,
		id,
		&bytes32(call_hash, "call hash")?,
	))
}

fn prove_error(error: ProveError) -> Refusal {
	match error {
		ProveError::NotAMember => Refusal::new("this identity is not a member of the group"),
		other => Refusal::new(&other.to_string()),
	}
}

fn bytes32(bytes: &[u8], what: &str) -> Result<[u8; 32], Refusal> {
	bytes
		.try_into()
		.map_err(|_| Refusal::new(&format!("a {what} has 32 bytes, not {}", bytes.len())))
}

fn field_element(bytes: &[u8; 32], what: &str) -> Result<Fr, Refusal> {
	groth16::fr_from_be_bytes(bytes)
		.map_err(|_| Refusal::new(&format!("a {what} is not a field element")))
}

fn field_elements(bytes: &[u8], what: &str) -> Result<Vec<Fr>, Refusal> {
	if bytes.len() % 32 != 0 {
		return Err(Refusal::new(&format!(
			"{what}s come in 32 bytes each, not {} in all",
			bytes.len()
		)));
	}
	bytes
		.chunks_exact(32)
		.map(|chunk| field_element(chunk.try_into().expect("chunks of 32; qed"), what))
		.collect()
}

#[cfg(test)]
mod tests;
