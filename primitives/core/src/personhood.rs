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
