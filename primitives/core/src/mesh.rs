//! The signed header of a Layer 1 (mesh) message, shared by `teo-mesh` and the chain.
//!
//! Every mesh message carries a [`MeshHeader`] signed by its agent's account key. The header
//! binds the message to a budget: within an epoch an agent numbers its messages (`seq`) and
//! declares, for each, the units it had spent before (`spent_before`) and the units this message
//! costs (`cost`), so each message occupies the spend range `[spent_before, spent_before + cost)`.
//! An honest agent's ranges follow each other without gaps or overlaps. Two signed headers of one
//! agent and epoch with the same `seq` or overlapping ranges are an *equivocation*; a header whose
//! range ends past the agent's allowance is an *overspend*. Both are provable on chain from the
//! signed headers alone, which is why the type lives here: the pallet and the mesh must encode
//! and sign exactly the same bytes.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::traits::Verify;
use scale_info::TypeInfo;

use crate::{AccountId, BlockNumber, EpochIndex, GroupId, Hash, Signature};

/// Units of an agent's action budget.
pub type BudgetUnits = u64;

/// Domain separator of header signatures: no other TEO or Substrate payload starts with it, so
/// a header signature can never be replayed as a transaction signature or vice versa.
pub const HEADER_SIGNING_CONTEXT: &[u8] = b"TEO/mesh-header/v2";

/// The kinds of Layer 1 messages. Each has its own gossip topic and price.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Hash,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum MessageKind {
	/// A question to other agents or their principals.
	Poll,
	/// The result of simulating a proposal.
	Simulation,
	/// A draft of a proposal under negotiation.
	Draft,
	/// The announcement of a pull request submitted (or about to be) to the commit gate.
	PullRequestAnnouncement,
}

impl MessageKind {
	/// Every kind, in encoding order.
	pub const ALL: [MessageKind; 4] =
		[Self::Poll, Self::Simulation, Self::Draft, Self::PullRequestAnnouncement];
}

/// The price of one message kind: a fixed part plus a part per started KiB of body.
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
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct MessageCost {
	/// Units every message of this kind costs.
	pub base: BudgetUnits,
	/// Units per started KiB (1,024 bytes) of body.
	pub per_kib: BudgetUnits,
}

impl MessageCost {
	/// The cost of a message with a body of `body_len` bytes. Saturates instead of overflowing:
	/// a saturated cost exceeds every allowance, so such a message is never affordable.
	pub fn of(&self, body_len: u32) -> BudgetUnits {
		let kib = BudgetUnits::from(body_len.div_ceil(1024));
		self.base.saturating_add(self.per_kib.saturating_mul(kib))
	}
}

/// What every action costs: the Layer 1 message kinds and a Layer 2 pull request.
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
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct CostSchedule {
	/// A poll.
	pub poll: MessageCost,
	/// A simulation result.
	pub simulation: MessageCost,
	/// A draft proposal.
	pub draft: MessageCost,
	/// A pull-request announcement.
	pub pull_request_announcement: MessageCost,
	/// Submitting a pull request to the commit gate on chain.
	pub pull_request: BudgetUnits,
}

impl CostSchedule {
	/// The schedule of every TEO preset (PROTOCOL.md section 6): about 100 one-KiB drafts in a
	/// lone agent's epoch of 1,000 units, and 100 units for a pull request.
	pub const REFERENCE: Self = Self {
		poll: MessageCost { base: 1, per_kib: 1 },
		simulation: MessageCost { base: 5, per_kib: 2 },
		draft: MessageCost { base: 8, per_kib: 2 },
		pull_request_announcement: MessageCost { base: 2, per_kib: 1 },
		pull_request: 100,
	};

	/// The price of one kind of message.
	pub fn message(&self, kind: MessageKind) -> MessageCost {
		match kind {
			MessageKind::Poll => self.poll,
			MessageKind::Simulation => self.simulation,
			MessageKind::Draft => self.draft,
			MessageKind::PullRequestAnnouncement => self.pull_request_announcement,
		}
	}

	/// The cost of a message of `kind` with a body of `body_len` bytes.
	pub fn message_cost(&self, kind: MessageKind, body_len: u32) -> BudgetUnits {
		self.message(kind).of(body_len)
	}
}

/// The header of a mesh message: what the agent commits to by signing.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct MeshHeader {
	/// The agent that sent the message and signed this header.
	pub agent: AccountId,
	/// The group whose topic carries the message.
	pub group: GroupId,
	/// The kind of message.
	pub kind: MessageKind,
	/// The budget epoch the message spends from.
	pub epoch: EpochIndex,
	/// Position of the message among the agent's messages of this epoch, from 0.
	pub seq: u64,
	/// Units the agent had spent in this epoch before this message.
	pub spent_before: BudgetUnits,
	/// Units this message costs; must equal the cost schedule's price for `kind` and `body_len`.
	pub cost: BudgetUnits,
	/// Length of the body in bytes.
	pub body_len: u32,
	/// Blake2-256 hash of the body.
	pub body_hash: Hash,
	/// Number of the finalized block the message was made against (rule C).
	pub anchor_number: BlockNumber,
	/// Hash of that block.
	pub anchor_hash: Hash,
	/// The head of the ledger of commits (`CommitRoot` of `pallet-commit-gate`) the message
	/// builds on: the ground truth every agent reasons from (rule C). Peers ignore messages
	/// built on a root the chain has moved past.
	pub commit_root: Hash,
}

impl MeshHeader {
	/// The end of the spend range, exclusive: `spent_before + cost`, or `None` on overflow
	/// (which no allowance can cover).
	pub fn spend_end(&self) -> Option<BudgetUnits> {
		self.spent_before.checked_add(self.cost)
	}

	/// Whether two headers are an equivocation: distinct headers of the same agent and epoch
	/// with the same sequence number or overlapping spend ranges. An empty range (cost 0)
	/// overlaps nothing, but two distinct headers with one `seq` still conflict.
	pub fn conflicts_with(&self, other: &MeshHeader) -> bool {
		if self == other || self.agent != other.agent || self.epoch != other.epoch {
			return false;
		}
		if self.seq == other.seq {
			return true;
		}
		// Exact ends in u128: a range running past `u64::MAX` still overlaps what it covers.
		let end = |h: &MeshHeader| u128::from(h.spent_before) + u128::from(h.cost);
		u128::from(self.spent_before) < end(other) && u128::from(other.spent_before) < end(self)
	}

	/// The exact bytes the agent signs: the context, the chain's genesis hash (so a header is
	/// valid on one chain only) and the SCALE-encoded header.
	pub fn signing_payload(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		let mut payload =
			alloc::vec::Vec::with_capacity(HEADER_SIGNING_CONTEXT.len() + 32 + self.encoded_size());
		payload.extend_from_slice(HEADER_SIGNING_CONTEXT);
		payload.extend_from_slice(genesis_hash.as_ref());
		self.encode_to(&mut payload);
		payload
	}
}

/// A header with its agent's signature.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct SignedMeshHeader {
	/// The header.
	pub header: MeshHeader,
	/// The agent's signature of [`MeshHeader::signing_payload`].
	pub signature: Signature,
}

impl SignedMeshHeader {
	/// Whether the signature is the agent's over this header on the chain with `genesis_hash`.
	pub fn verify(&self, genesis_hash: &Hash) -> bool {
		self.signature.verify(&self.header.signing_payload(genesis_hash)[..], &self.header.agent)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::{
		sp_core::{sr25519, Pair, H256},
		sp_runtime::MultiSignature,
	};

	fn header(agent: &sr25519::Pair, seq: u64, spent_before: BudgetUnits, cost: u64) -> MeshHeader {
		MeshHeader {
			agent: agent.public().into(),
			group: 0,
			kind: MessageKind::Draft,
			epoch: 7,
			seq,
			spent_before,
			cost,
			body_len: 100,
			body_hash: H256::repeat_byte(seq as u8),
			anchor_number: 42,
			anchor_hash: H256::repeat_byte(0xaa),
			commit_root: H256::repeat_byte(0xcc),
		}
	}

	fn sign(pair: &sr25519::Pair, header: MeshHeader, genesis: &Hash) -> SignedMeshHeader {
		let signature = MultiSignature::from(pair.sign(&header.signing_payload(genesis)));
		SignedMeshHeader { header, signature }
	}

	#[test]
	fn message_cost_charges_per_started_kib() {
		let cost = MessageCost { base: 10, per_kib: 3 };
		assert_eq!(cost.of(0), 10);
		assert_eq!(cost.of(1), 13);
		assert_eq!(cost.of(1024), 13);
		assert_eq!(cost.of(1025), 16);
		assert_eq!(MessageCost { base: u64::MAX, per_kib: 1 }.of(u32::MAX), u64::MAX);
	}

	#[test]
	fn schedule_prices_each_kind() {
		let schedule = CostSchedule {
			poll: MessageCost { base: 1, per_kib: 0 },
			simulation: MessageCost { base: 2, per_kib: 0 },
			draft: MessageCost { base: 3, per_kib: 1 },
			pull_request_announcement: MessageCost { base: 4, per_kib: 0 },
			pull_request: 100,
		};
		let prices: alloc::vec::Vec<_> =
			MessageKind::ALL.iter().map(|k| schedule.message_cost(*k, 2048)).collect();
		assert_eq!(prices, [1, 2, 5, 4]);
	}

	#[test]
	fn signatures_bind_the_header_and_the_chain() {
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let genesis = H256::repeat_byte(1);
		let signed = sign(&agent, header(&agent, 0, 0, 10), &genesis);
		assert!(signed.verify(&genesis));

		// Another chain, a changed field or another signer: all rejected.
		assert!(!signed.verify(&H256::repeat_byte(2)));
		let mut tampered = signed.clone();
		tampered.header.cost = 1;
		assert!(!tampered.verify(&genesis));
		let mallory = sr25519::Pair::from_string("//Mallory", None).unwrap();
		let mut forged = sign(&mallory, header(&agent, 0, 0, 10), &genesis);
		assert!(!forged.verify(&genesis));
		forged.header.agent = mallory.public().into();
		assert!(!forged.verify(&genesis), "the signature covered the original agent");
	}

	#[test]
	fn the_payload_starts_with_the_context_and_genesis() {
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let genesis = H256::repeat_byte(9);
		let h = header(&agent, 0, 0, 10);
		let payload = h.signing_payload(&genesis);
		assert!(payload.starts_with(HEADER_SIGNING_CONTEXT));
		assert_eq!(&payload[HEADER_SIGNING_CONTEXT.len()..][..32], genesis.as_bytes());
		assert_eq!(&payload[HEADER_SIGNING_CONTEXT.len() + 32..], &h.encode()[..]);
	}

	#[test]
	fn consecutive_ranges_do_not_conflict() {
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let first = header(&agent, 0, 0, 10);
		let second = header(&agent, 1, 10, 5);
		assert!(!first.conflicts_with(&second));
		assert!(!first.conflicts_with(&first.clone()), "a header does not conflict with itself");
	}

	#[test]
	fn same_seq_or_overlapping_ranges_conflict() {
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let first = header(&agent, 0, 0, 10);
		let mut same_seq = header(&agent, 0, 10, 5);
		same_seq.body_hash = H256::repeat_byte(0xee);
		assert!(first.conflicts_with(&same_seq));

		let overlapping = header(&agent, 1, 9, 5);
		assert!(first.conflicts_with(&overlapping));
		assert!(overlapping.conflicts_with(&first), "the relation is symmetric");
	}

	#[test]
	fn other_agents_or_epochs_never_conflict() {
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let other = sr25519::Pair::from_string("//Other", None).unwrap();
		let first = header(&agent, 0, 0, 10);
		assert!(!first.conflicts_with(&header(&other, 0, 0, 10)));
		let mut next_epoch = header(&agent, 0, 0, 10);
		next_epoch.epoch += 1;
		assert!(!first.conflicts_with(&next_epoch));
	}

	#[test]
	fn an_overflowing_range_has_no_end() {
		let agent = sr25519::Pair::from_string("//Agent", None).unwrap();
		let h = header(&agent, 0, u64::MAX, 1);
		assert_eq!(h.spend_end(), None);
		assert!(h.conflicts_with(&header(&agent, 1, u64::MAX - 1, 5)));
	}
}
