//! Signature checks in batches: the mesh's most expensive step per message.
//!
//! sr25519 signatures (every agent key the chain issues is one) are checked together with
//! schnorrkel's batch verification, about twice as fast per signature as one by one on a batch
//! of a few dozen. A batch is accepted only when every signature in it is valid, as checked one
//! by one (Ristretto has no cofactor, so the batch equation holds exactly when each does); when
//! it fails, its signatures are checked one by one to find the bad ones.
//!
//! The batch's random weights come from the thread's CSPRNG (schnorrkel's `std` feature), so a
//! sender cannot choose signatures whose errors cancel out.
//!
//! Batches are formed per sending peer: a peer sending bad signatures makes only its own batch
//! fall back to single checks (and is rejected and scored down for them), never an honest
//! peer's. Signatures of another scheme (ed25519, ecdsa accounts) are checked one by one, by
//! the same `MultiSignature::verify` the chain uses, and so is every signature whose bytes do
//! not decode as schnorrkel's.

use std::{cell::RefCell, num::NonZeroUsize};

use lru::LruCache;
use polkadot_sdk::sp_runtime::MultiSignature;
use schnorrkel::{signing_context, PublicKey, Signature};
use teo_primitives::{mesh::SignedMeshHeader, Hash};

/// Agents' keys each worker thread keeps decompressed: decompressing a Ristretto point costs
/// about a sixth of a signature's check in a batch. Only keys whose messages passed the
/// prechecks (registered agents) get this far.
const KEY_CACHE: NonZeroUsize = NonZeroUsize::new(4096).expect("not zero; qed");

thread_local! {
	static KEYS: RefCell<LruCache<[u8; 32], PublicKey>> = RefCell::new(LruCache::new(KEY_CACHE));
}

/// Substrate's signing context for sr25519 (`sp_core::sr25519`): the chain's and this
/// module's checks must accept exactly the same signatures.
const SUBSTRATE_CONTEXT: &[u8] = b"substrate";

/// Whether each header's signature is its agent's, for the chain with `genesis`, in order.
pub fn verify_headers(headers: &[&SignedMeshHeader], genesis: &Hash) -> Vec<bool> {
	let mut valid = vec![false; headers.len()];
	let mut batch = Batch::default();
	for (i, signed) in headers.iter().enumerate() {
		match sr25519_parts(signed, genesis) {
			Some((payload, public, signature)) => batch.push(i, payload, public, signature),
			None => valid[i] = signed.verify(genesis),
		}
	}
	if batch.is_empty() {
		return valid;
	}
	if batch.verify() {
		for &i in &batch.indices {
			valid[i] = true;
		}
	} else {
		for &i in &batch.indices {
			valid[i] = headers[i].verify(genesis);
		}
	}
	valid
}

/// The signed payload, the agent's key and the signature, when the signature is sr25519 and
/// both decode; `None` for anything the single check must judge.
fn sr25519_parts(
	signed: &SignedMeshHeader,
	genesis: &Hash,
) -> Option<(Vec<u8>, PublicKey, Signature)> {
	let MultiSignature::Sr25519(signature) = &signed.signature else { return None };
	let public = decompressed(signed.header.agent.as_ref())?;
	let signature = Signature::from_bytes(signature.as_ref()).ok()?;
	Some((signed.header.signing_payload(genesis), public, signature))
}

/// The agent's key as a point, from this thread's cache or decompressed; `None` when the bytes
/// are no point (the single check then refuses the signature).
fn decompressed(agent: &[u8; 32]) -> Option<PublicKey> {
	KEYS.with(|keys| {
		let mut keys = keys.borrow_mut();
		if let Some(public) = keys.get(agent) {
			return Some(*public);
		}
		let public = PublicKey::from_bytes(agent).ok()?;
		keys.put(*agent, public);
		Some(public)
	})
}

/// sr25519 signatures to check together, with their places in the caller's list.
#[derive(Default)]
struct Batch {
	indices: Vec<usize>,
	payloads: Vec<Vec<u8>>,
	publics: Vec<PublicKey>,
	signatures: Vec<Signature>,
}

impl Batch {
	fn push(&mut self, index: usize, payload: Vec<u8>, public: PublicKey, signature: Signature) {
		self.indices.push(index);
		self.payloads.push(payload);
		self.publics.push(public);
		self.signatures.push(signature);
	}

	fn is_empty(&self) -> bool {
		self.indices.is_empty()
	}

	/// `true` when every signature is valid.
	fn verify(&self) -> bool {
		if let [signature] = &self.signatures[..] {
			// One signature: the single check, without the batch's random weights.
			return self.publics[0]
				.verify_simple(SUBSTRATE_CONTEXT, &self.payloads[0], signature)
				.is_ok();
		}
		let context = signing_context(SUBSTRATE_CONTEXT);
		let transcripts = self.payloads.iter().map(|payload| context.bytes(payload));
		// Messages from one peer are mostly one agent's: deduplicating its key saves work.
		schnorrkel::verify_batch(transcripts, &self.signatures, &self.publics, true).is_ok()
	}
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;
	use crate::message::sign;
	use polkadot_sdk::sp_core::{crypto::Pair as _, ed25519, sr25519};
	use teo_primitives::mesh::{MeshHeader, MessageKind};

	/// A poll header of `agent` at `seq`, for tests of signature checks.
	pub(crate) fn header(agent: teo_primitives::AccountId, seq: u64) -> MeshHeader {
		MeshHeader {
			agent,
			group: 0,
			kind: MessageKind::Poll,
			epoch: 1,
			seq,
			spent_before: seq * 10,
			cost: 10,
			body_len: 0,
			body_hash: Hash::zero(),
			anchor_number: 1,
			anchor_hash: Hash::repeat_byte(1),
			commit_root: Hash::zero(),
		}
	}

	fn sr25519_signed(name: &str, seq: u64, genesis: &Hash) -> SignedMeshHeader {
		let pair = sr25519::Pair::from_string(&format!("//{name}"), None).unwrap();
		sign(&pair, header(pair.public().into(), seq), genesis)
	}

	#[test]
	fn a_batch_judges_every_signature_as_the_single_check_does() {
		let genesis = Hash::repeat_byte(7);
		let mut headers: Vec<SignedMeshHeader> = (0..12)
			.map(|seq| sr25519_signed(["Alice", "Bob"][seq as usize % 2], seq, &genesis))
			.collect();
		// Forged: a valid signature over another header, a signature for another chain, a
		// header claimed by another agent, and bytes that are no schnorrkel signature.
		headers[3].header.seq += 100;
		headers[5] = sr25519_signed("Alice", 5, &Hash::repeat_byte(8));
		headers[7].header.agent =
			sr25519::Pair::from_string("//Eve", None).unwrap().public().into();
		if let MultiSignature::Sr25519(signature) = &mut headers[9].signature {
			signature.0[63] &= 0x7f;
		}
		// An "agent" whose bytes are no point on the curve.
		headers[11].header.agent = teo_primitives::AccountId::new([0xff; 32]);
		// Another scheme, valid and forged: checked one by one.
		let ed = ed25519::Pair::from_string("//Ferdie", None).unwrap();
		let ed_header = header(ed.public().into(), 0);
		let ed_signature = ed.sign(&ed_header.signing_payload(&genesis));
		headers
			.push(SignedMeshHeader { header: ed_header.clone(), signature: ed_signature.into() });
		let mut forged = ed_header;
		forged.seq = 1;
		headers.push(SignedMeshHeader { header: forged, signature: ed_signature.into() });

		let refs: Vec<&SignedMeshHeader> = headers.iter().collect();
		let one_by_one: Vec<bool> = headers.iter().map(|h| h.verify(&genesis)).collect();
		assert_eq!(verify_headers(&refs, &genesis), one_by_one);
		assert_eq!(one_by_one.iter().filter(|valid| !**valid).count(), 6, "{one_by_one:?}");
		assert!(one_by_one[12], "the valid ed25519 signature");
	}

	#[test]
	fn a_valid_batch_and_a_single_signature_pass() {
		let genesis = Hash::repeat_byte(7);
		let headers: Vec<SignedMeshHeader> =
			(0..40).map(|seq| sr25519_signed("Alice", seq, &genesis)).collect();
		let refs: Vec<&SignedMeshHeader> = headers.iter().collect();
		assert_eq!(verify_headers(&refs, &genesis), vec![true; 40]);
		assert_eq!(verify_headers(&refs[..1], &genesis), vec![true]);
		assert_eq!(verify_headers(&refs[..1], &Hash::repeat_byte(8)), vec![false]);
		assert!(verify_headers(&[], &genesis).is_empty());
	}
}
