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
	lean_imt::LeanImt,
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

/// A group's membership tree, as the chain holds it (a LeanIMT).
#[wasm_bindgen]
pub struct Group {
	tree: LeanImt,
}

#[wasm_bindgen]
impl Group {
	/// The tree of `leaves`: 32-byte big-endian commitments, concatenated, in the chain's
	/// order. One hash per inner node.
	#[wasm_bindgen(constructor)]
	pub fn new(leaves: &[u8]) -> Result<Group, Refusal> {
		Ok(Group { tree: LeanImt::from_leaves(field_elements(leaves, "leaf")?) })
	}

	/// Every node of the tree, 32 big-endian bytes each, level after level from the leaves up:
	/// what the page keeps (IndexedDB) so that it need not hash the tree again next time.
	#[wasm_bindgen(js_name = toBytes)]
	pub fn to_bytes(&self) -> Vec<u8> {
		let nodes: usize = self.tree.levels().iter().map(Vec::len).sum();
		let mut bytes = Vec::with_capacity(nodes * 32);
		for node in self.tree.levels().iter().flatten() {
			bytes.extend_from_slice(&groth16::fr_to_be_bytes(node));
		}
		bytes
	}

	/// The tree [`Group::to_bytes`] wrote for `size` leaves; refused if the bytes do not have
	/// that shape. Its nodes are not hashed again: the caller compares the root with the
	/// chain's, and a proof through a wrong node fails to verify before it is made.
	#[wasm_bindgen(js_name = fromBytes)]
	pub fn from_bytes(size: u32, bytes: &[u8]) -> Result<Group, Refusal> {
		let nodes = field_elements(bytes, "node")?;
		let mut levels = Vec::new();
		let (mut width, mut rest) = (size as usize, &nodes[..]);
		loop {
			if rest.len() < width {
				return Err(Refusal::new("the stored tree is cut short"));
			}
			let (level, above) = rest.split_at(width);
			levels.push(level.to_vec());
			rest = above;
			if width <= 1 {
				break;
			}
			width = width.div_ceil(2);
		}
		if !rest.is_empty() {
			return Err(Refusal::new("the stored tree has nodes beyond its root"));
		}
		LeanImt::from_levels(levels)
			.map(|tree| Group { tree })
			.ok_or_else(|| Refusal::new("the stored tree does not have the shape of its size"))
	}

	/// Appends `leaves` (as in the constructor): the members added since the last sync.
	pub fn append(&mut self, leaves: &[u8]) -> Result<(), Refusal> {
		for leaf in field_elements(leaves, "leaf")? {
			self.tree.insert(leaf);
		}
		Ok(())
	}

	/// Replaces leaf `index` (with zero where a member was removed).
	pub fn update(&mut self, index: u32, leaf: &[u8]) -> Result<(), Refusal> {
		let leaf = field_element(&bytes32(leaf, "leaf")?, "leaf")?;
		if !self.tree.update(index as usize, leaf) {
			return Err(Refusal::new(&format!("the group has no leaf {index}")));
		}
		Ok(())
	}

	/// The number of leaves.
	pub fn size(&self) -> u32 {
		self.tree.size() as u32
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

/// A proving key and the depth of its circuit.
#[wasm_bindgen]
pub struct Prover {
	key: ProvingKey,
	depth: u8,
}

#[wasm_bindgen]
impl Prover {
	/// The insecure development key, regenerated here from its published seed: what dev and
	/// local chains verify with, and nothing else does.
	#[wasm_bindgen(js_name = devKey)]
	pub fn dev_key() -> Result<Prover, Refusal> {
		let depth = dev::DEV_KEY_DEPTH;
		Ok(Prover { key: prover::dev_setup(depth as usize).map_err(prove_error)?, depth })
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
		Ok(Prover { key, depth })
	}

	/// The depth of the key's circuit: trees of up to `2^depth` members.
	pub fn depth(&self) -> u8 {
		self.depth
	}

	/// The verifying key, in the encoding the chain stores (`personhood.verifyingKeys`): the
	/// page compares the two before it proves anything.
	#[wasm_bindgen(js_name = verifyingKey)]
	pub fn verifying_key(&self) -> Vec<u8> {
		groth16::encode_verifying_key(&self.key.vk)
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
		let (proof, inputs, _) = prover::prove_signal(
			&self.key,
			self.depth as usize,
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
			self.depth,
			&groth16::ProofBytes::from_proof(&proof),
		))
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
