//! The anonymous membership signal other pallets accept from personhood: a Semaphore proof that
//! someone whose identity commitment is in a group's tree says `message` within `scope`, with one
//! nullifier per person and scope. The commit gate's anonymous veto is one.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A BN254 scalar as 32 big-endian bytes, as Semaphore writes a `uint256`: identity
/// commitments, Merkle roots and nullifiers. Values at or above the field modulus are refused.
pub type FieldBytes = [u8; 32];

/// An uncompressed G1 point (arkworks' encoding). `pallet-personhood` checks it is `teo-zk`'s.
pub const G1_BYTES: usize = 64;

/// An uncompressed G2 point (arkworks' encoding).
pub const G2_BYTES: usize = 128;

/// A Groth16 membership proof: the depth of the circuit it was made for (which picks the
/// verifying key; trees up to that depth) and its points, uncompressed (arkworks' encoding).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct MembershipProof {
	pub depth: u8,
	pub a: [u8; G1_BYTES],
	pub b: [u8; G2_BYTES],
	pub c: [u8; G1_BYTES],
}

/// A statement made anonymously by a member of a group: the public inputs of a Semaphore proof
/// and the proof. `message` and `scope` are given before Semaphore's hash to the field; the
/// pallet that accepts the signal computes them from what it means (the scope names what the
/// nullifier is unique to, the message what is said).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Signal<'a> {
	/// A recent root of the group's tree.
	pub root: &'a FieldBytes,
	/// `Poseidon(scope, secret)`: the same for every signal of one person in one scope.
	pub nullifier: &'a FieldBytes,
	/// What is said.
	pub message: &'a [u8; 32],
	/// What the nullifier is unique to.
	pub scope: &'a [u8; 32],
	/// The proof.
	pub proof: &'a MembershipProof,
}

/// Why a [`Signal`] was refused, cheapest check first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SignalRefusal {
	/// No such group.
	UnknownGroup,
	/// The root is not one of the group's recent roots.
	UnknownRoot,
	/// The root was replaced too long ago.
	ExpiredRoot,
	/// The root or the nullifier is not a field element.
	NotInField,
	/// No verifying key is set for the proof's depth.
	NoVerifyingKey,
	/// The proof's points do not decode to points on the curve.
	MalformedProof,
	/// The pairing check failed: not a member, or another message, scope or nullifier.
	InvalidProof,
}

/// The message of an anonymous veto, before Semaphore's hash to the field: the decision, in
/// words, so that a proof made for any other statement in the same scope cannot count as a veto.
pub const VETO_MESSAGE: [u8; 32] = *b"TEO/veto/v1: kill this proposal\0";

/// Domain separator of the anonymous veto's scope.
pub const VETO_SCOPE_CONTEXT: &[u8] = b"TEO/veto/v1";

/// The scope (before Semaphore's hash to the field) of an anonymous veto of proposal `id`: one
/// nullifier per person per chain and proposal, so a person vetoes a proposal once, and their
/// vetoes of different proposals (or chains) cannot be linked. The proposal's call hash is part
/// of it, so a proof can never count against another proposal that happens to get the same id.
///
/// `keccak256(context ‖ genesis hash ‖ id (u32, big-endian) ‖ call hash)`.
pub fn veto_scope(genesis_hash: &[u8; 32], id: u32, call_hash: &[u8; 32]) -> [u8; 32] {
	let mut preimage = [0u8; VETO_SCOPE_CONTEXT.len() + 32 + 4 + 32];
	let (context, rest) = preimage.split_at_mut(VETO_SCOPE_CONTEXT.len());
	context.copy_from_slice(VETO_SCOPE_CONTEXT);
	rest[..32].copy_from_slice(genesis_hash);
	rest[32..36].copy_from_slice(&id.to_be_bytes());
	rest[36..].copy_from_slice(call_hash);
	polkadot_sdk::sp_crypto_hashing::keccak_256(&preimage)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_veto_scope_binds_chain_proposal_and_call() {
		let scope = veto_scope(&[1; 32], 7, &[2; 32]);
		assert_ne!(scope, veto_scope(&[3; 32], 7, &[2; 32]), "another chain");
		assert_ne!(scope, veto_scope(&[1; 32], 8, &[2; 32]), "another proposal");
		assert_ne!(scope, veto_scope(&[1; 32], 7, &[4; 32]), "another call under the same id");
		// The layout, byte for byte: what the citizen's tools compute in other languages.
		let mut preimage = b"TEO/veto/v1".to_vec();
		preimage.extend([1; 32]);
		preimage.extend(7u32.to_be_bytes());
		preimage.extend([2; 32]);
		assert_eq!(scope, polkadot_sdk::sp_crypto_hashing::keccak_256(&preimage));
	}
}
