//! The pallet's data types: groups, their trees and roots, verifying keys, periods, proofs, and
//! the groups of the genesis configuration.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use teo_primitives::{AccountId, BlockNumber};
use teo_zk::groth16::{G1_BYTES, G2_BYTES, VERIFYING_KEY_BYTES};

pub use teo_primitives::personhood::{FieldBytes, MembershipProof};

// The proof's sizes are stated in `teo-primitives`, which does not depend on `teo-zk`.
const _: () = assert!(
	teo_primitives::personhood::G1_BYTES == G1_BYTES
		&& teo_primitives::personhood::G2_BYTES == G2_BYTES
);

/// An identity commitment: Poseidon of a Semaphore identity's public key.
pub type Commitment = FieldBytes;

/// The deepest tree any verifying key can be set for (Semaphore v4 supports 1 to 32).
pub const MAX_TREE_DEPTH: u8 = teo_zk::lean_imt::MAX_DEPTH as u8;

/// Side nodes of a tree: one per level, the root last.
pub type SideNodes = BoundedVec<FieldBytes, ConstU32<{ MAX_TREE_DEPTH as u32 + 1 }>>;

/// The siblings of a leaf, from the leaf up.
pub type Siblings = BoundedVec<FieldBytes, ConstU32<{ MAX_TREE_DEPTH as u32 }>>;

/// A verifying key as `set_verifying_key` takes it: arkworks' uncompressed encoding.
pub type VerifyingKeyBytes = BoundedVec<u8, ConstU32<{ VERIFYING_KEY_BYTES as u32 }>>;

/// The size of a prepared verifying key: the key, `e(alpha, beta)` in Fq12 and the line
/// coefficients of `-gamma` and `-delta` (measured; a test checks it).
pub const PREPARED_KEY_BYTES: u32 = 36_000;

/// A prepared verifying key, as stored.
pub type PreparedKeyBytes = BoundedVec<u8, ConstU32<PREPARED_KEY_BYTES>>;

/// A group: a registrar and the tree of its members' identity commitments.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct GroupInfo<Name> {
	/// Adds and removes members.
	pub registrar: AccountId,
	/// A human-readable name, such as "citizens".
	pub name: Name,
	/// Leaves ever appended (removed members stay as zero leaves).
	pub size: u32,
	/// The LeanIMT's side nodes, the current root last; empty while the group is empty.
	pub side_nodes: SideNodes,
	/// The block the group was created in.
	pub created_at: BlockNumber,
}

/// A root of a group's tree and the block it became current.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct RootRecord {
	pub root: FieldBytes,
	pub since: BlockNumber,
}

/// A verifying key in force for proofs of one tree depth.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct VerifyingKeyRecord {
	/// The key as set, so anyone can read and check it.
	pub key: VerifyingKeyBytes,
	/// The block it was set in.
	pub set_at: BlockNumber,
}

/// A replaced verifying key, still accepted until `valid_until` (inclusive) so proofs made
/// shortly before the change still verify.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct RetiredKey {
	pub prepared: PreparedKeyBytes,
	pub valid_until: BlockNumber,
}

/// The verification period in progress: verified members stay verified until it ends. Its
/// arithmetic (its last block, when it is over, the next one) is in `periods.rs`.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct PeriodInfo {
	/// Counts from 0 at genesis; part of every personhood scope.
	pub index: u32,
	/// Its first block.
	pub start: BlockNumber,
	/// Its length in blocks.
	pub length: BlockNumber,
}

/// A [`MembershipProof`] from `teo-zk`'s encoded points, and back.
pub trait ProofPoints {
	/// A proof for circuit `depth` from its encoded points.
	fn from_points(depth: u8, points: teo_zk::groth16::ProofBytes) -> Self;

	/// The points as [`teo_zk`] decodes them.
	fn points(&self) -> teo_zk::groth16::ProofBytes;
}

impl ProofPoints for MembershipProof {
	fn from_points(depth: u8, points: teo_zk::groth16::ProofBytes) -> Self {
		Self { depth, a: points.a, b: points.b, c: points.c }
	}

	fn points(&self) -> teo_zk::groth16::ProofBytes {
		teo_zk::groth16::ProofBytes { a: self.a, b: self.b, c: self.c }
	}
}

/// A group in the genesis configuration.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisGroup {
	/// A human-readable name, at most `MaxNameLength` bytes.
	pub name: Vec<u8>,
	/// Adds and removes members.
	pub registrar: AccountId,
	/// The identity commitments of its first members, in order.
	pub members: Vec<Commitment>,
}
