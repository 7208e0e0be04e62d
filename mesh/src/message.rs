//! What travels on the mesh: signed messages, evidence, and the topics that carry them.
//!
//! A [`MeshMessage`] is the agent's [`SignedMeshHeader`] (the very type the chain's fraud proofs
//! carry) and a body of at most [`MAX_BODY_LEN`] bytes, SCALE-encoded. [`Evidence`] is what a
//! peer gossips when it catches an agent cheating: the signed headers alone, which the chain
//! can check. Every topic names the chain (the first bytes of its genesis hash), the protocol
//! version, the group and the kind, so messages of one chain or group never reach another.

use codec::{Decode, DecodeLimit, Encode};
use polkadot_sdk::{
	sp_core::{crypto::Pair as _, sr25519},
	sp_runtime::{
		traits::{BlakeTwo256, Hash as _},
		MultiSignature,
	},
};
use teo_primitives::{
	mesh::{MeshHeader, MessageKind, SignedMeshHeader},
	GroupId, Hash,
};

/// The largest body a message may carry: bigger artefacts are announced by hash.
pub const MAX_BODY_LEN: u32 = 64 * 1024;

/// The largest encoded message: the body plus room for the header and its signature.
pub const MAX_MESSAGE_LEN: usize = MAX_BODY_LEN as usize + 1024;

/// How deep SCALE decoding of network input may nest.
const DECODE_DEPTH_LIMIT: u32 = 16;

/// The mesh protocol version in topic names.
pub const PROTOCOL_VERSION: u8 = 2;

/// A message as agents publish it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct MeshMessage {
	/// The agent's signed header: kind, group, epoch, seq, spend range, body hash, anchor.
	pub header: SignedMeshHeader,
	/// The body: free-form bytes for the agents (JSON by convention).
	pub body: Vec<u8>,
}

impl MeshMessage {
	/// `header` signed with the agent's key for the chain with `genesis`, and `body`.
	pub fn signed(pair: &sr25519::Pair, header: MeshHeader, body: Vec<u8>, genesis: &Hash) -> Self {
		Self { header: sign(pair, header, genesis), body }
	}
}

/// Signs `header` with the agent's key for the chain with `genesis`.
pub fn sign(pair: &sr25519::Pair, header: MeshHeader, genesis: &Hash) -> SignedMeshHeader {
	let signature = MultiSignature::from(pair.sign(&header.signing_payload(genesis)));
	SignedMeshHeader { header, signature }
}

/// Proof that an agent cheated, built from signed headers only.
// Short-lived values, passed by move: boxing the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Evidence {
	/// Two conflicting headers of one agent and epoch (same seq or overlapping spend ranges).
	Equivocation(SignedMeshHeader, SignedMeshHeader),
	/// A header whose spend range ends past the agent's allowance.
	Overspend(SignedMeshHeader),
}

impl Evidence {
	/// The agent and epoch the evidence is about: the chain punishes each pair once.
	pub fn offence(&self) -> (teo_primitives::AccountId, teo_primitives::EpochIndex) {
		let header = match self {
			Evidence::Equivocation(first, _) => &first.header,
			Evidence::Overspend(header) => &header.header,
		};
		(header.agent.clone(), header.epoch)
	}

	/// `true` when every header it holds carries its agent's signature for the chain of
	/// `genesis`: the expensive part of checking evidence, run on the signature workers.
	pub fn signatures_valid(&self, genesis: &teo_primitives::Hash) -> bool {
		match self {
			Evidence::Equivocation(first, second) => {
				first.verify(genesis) && second.verify(genesis)
			},
			Evidence::Overspend(header) => header.verify(genesis),
		}
	}

	/// The latest anchor among its headers: the block at which its agent claims to have been
	/// an agent.
	pub fn latest_anchor(&self) -> teo_primitives::BlockNumber {
		match self {
			Evidence::Equivocation(first, second) => {
				first.header.anchor_number.max(second.header.anchor_number)
			},
			Evidence::Overspend(header) => header.header.anchor_number,
		}
	}

	/// The group whose evidence topic carries it.
	pub fn group(&self) -> GroupId {
		match self {
			Evidence::Equivocation(first, _) => first.header.group,
			Evidence::Overspend(header) => header.header.group,
		}
	}
}

/// Why network input could not be read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DecodeError {
	/// Longer than [`MAX_MESSAGE_LEN`].
	Oversized,
	/// Not a SCALE-encoded value of the expected type, or trailing bytes.
	Malformed,
}

/// Decodes network input of at most [`MAX_MESSAGE_LEN`] bytes, refusing trailing bytes.
pub fn decode_bounded<T: Decode>(data: &[u8]) -> Result<T, DecodeError> {
	if data.len() > MAX_MESSAGE_LEN {
		return Err(DecodeError::Oversized);
	}
	T::decode_all_with_depth_limit(DECODE_DEPTH_LIMIT, &mut &data[..])
		.map_err(|_| DecodeError::Malformed)
}

/// The gossip message id: the first 20 bytes of the content's blake2-256, so the same content
/// relayed by different peers is one message.
pub fn message_id(data: &[u8]) -> Vec<u8> {
	BlakeTwo256::hash(data).as_bytes()[..20].to_vec()
}

/// The hash of a body, as headers commit to it.
pub fn body_hash(body: &[u8]) -> Hash {
	BlakeTwo256::hash(body)
}

/// What a topic carries: one kind of agent message, or evidence.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TopicKind {
	/// Agent messages of one kind.
	Message(MessageKind),
	/// Evidence of cheating.
	Evidence,
}

impl TopicKind {
	/// Every topic kind of a group.
	pub const ALL: [TopicKind; 5] = [
		TopicKind::Message(MessageKind::Poll),
		TopicKind::Message(MessageKind::Simulation),
		TopicKind::Message(MessageKind::Draft),
		TopicKind::Message(MessageKind::PullRequestAnnouncement),
		TopicKind::Evidence,
	];

	/// The name in topic strings and in the JSON-RPC API.
	pub fn name(self) -> &'static str {
		match self {
			TopicKind::Message(MessageKind::Poll) => "poll",
			TopicKind::Message(MessageKind::Simulation) => "simulation",
			TopicKind::Message(MessageKind::Draft) => "draft",
			TopicKind::Message(MessageKind::PullRequestAnnouncement) => "pull-request",
			TopicKind::Evidence => "evidence",
		}
	}

	/// The topic kind named `name`.
	pub fn from_name(name: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|kind| kind.name() == name)
	}
}

/// A gossip topic: one chain, one group, one kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Topic {
	/// The group.
	pub group: GroupId,
	/// What it carries.
	pub kind: TopicKind,
}

impl Topic {
	/// The topic string, e.g. `/teo/91b171bb/2/0/draft` for group 0 on the chain whose genesis
	/// hash starts with `91b171bb`.
	pub fn name(&self, genesis: &Hash) -> String {
		format!(
			"/teo/{}/{PROTOCOL_VERSION}/{}/{}",
			hex::encode(&genesis.as_bytes()[..4]),
			self.group,
			self.kind.name()
		)
	}

	/// The topic a topic string names on the chain with `genesis`, if any.
	pub fn parse(name: &str, genesis: &Hash) -> Option<Self> {
		let rest = name.strip_prefix(&format!(
			"/teo/{}/{PROTOCOL_VERSION}/",
			hex::encode(&genesis.as_bytes()[..4])
		))?;
		let (group, kind) = rest.split_once('/')?;
		Some(Topic { group: group.parse().ok()?, kind: TopicKind::from_name(kind)? })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn topics_round_trip_and_separate_chains() {
		let genesis = Hash::repeat_byte(0x91);
		for kind in TopicKind::ALL {
			let topic = Topic { group: 7, kind };
			let name = topic.name(&genesis);
			assert!(name.starts_with("/teo/91919191/2/7/"));
			assert_eq!(Topic::parse(&name, &genesis), Some(topic));
			assert_eq!(Topic::parse(&name, &Hash::repeat_byte(0x92)), None, "another chain");
		}
		assert_eq!(Topic::parse("/teo/91919191/2/7/gossip", &genesis), None);
		assert_eq!(Topic::parse("/teo/91919191/2/x/poll", &genesis), None);
	}

	#[test]
	fn decoding_refuses_oversized_and_trailing_input() {
		let big = vec![0u8; MAX_MESSAGE_LEN + 1];
		assert_eq!(decode_bounded::<Vec<u8>>(&big), Err(DecodeError::Oversized));
		let mut encoded = vec![1u8, 2, 3].encode();
		assert_eq!(decode_bounded::<Vec<u8>>(&encoded), Ok(vec![1, 2, 3]));
		encoded.push(0);
		assert_eq!(decode_bounded::<Vec<u8>>(&encoded), Err(DecodeError::Malformed));
		assert_eq!(decode_bounded::<MeshMessage>(&[0xff; 40]), Err(DecodeError::Malformed));
	}

	/// Peers of two releases that disagree on what decodes, fits or is signed (a header field, a
	/// kind of message, evidence or topic, a size limit, the signed bytes) reject each other's
	/// messages and ban each other
	/// (`crate::offenders`). Such a change must raise [`PROTOCOL_VERSION`], which is in every
	/// topic name so that the two never share a topic, and update this fixture with it.
	#[test]
	fn the_wire_format_changes_only_with_the_protocol_version() {
		use teo_primitives::{mesh::HEADER_SIGNING_CONTEXT, AccountId};
		let header = MeshHeader {
			agent: AccountId::from([1; 32]),
			group: 2,
			kind: MessageKind::Draft,
			epoch: 3,
			seq: 4,
			spent_before: 5,
			cost: 6,
			body_len: 7,
			body_hash: Hash::repeat_byte(8),
			anchor_number: 9,
			anchor_hash: Hash::repeat_byte(10),
			commit_root: Hash::repeat_byte(11),
		};
		let signature = MultiSignature::Sr25519(sr25519::Signature::from_raw([12; 64]));
		let genesis = Hash::repeat_byte(14);
		let mut wire = header.signing_payload(&genesis);
		let signed = SignedMeshHeader { header, signature };
		wire.extend(MeshMessage { header: signed.clone(), body: vec![13; 7] }.encode());
		wire.extend(Evidence::Equivocation(signed.clone(), signed.clone()).encode());
		wire.extend(Evidence::Overspend(signed.clone()).encode());
		// Which leading bytes decode as a message kind, a kind of evidence or a signature: a
		// new variant changes what old peers reject even when no old encoding changes.
		let two_headers = [signed.encode(), signed.encode()].concat();
		for tag in 0..=u8::MAX {
			let decodes = [
				MessageKind::decode(&mut &[tag][..]).is_ok(),
				Evidence::decode(&mut &[&[tag][..], &two_headers].concat()[..]).is_ok(),
				MultiSignature::decode(&mut &[&[tag][..], &[0; 65][..]].concat()[..]).is_ok(),
			];
			wire.extend(decodes.map(u8::from));
		}
		for kind in TopicKind::ALL {
			wire.extend(kind.name().as_bytes());
		}
		wire.extend(MAX_BODY_LEN.to_le_bytes());
		wire.extend((MAX_MESSAGE_LEN as u64).to_le_bytes());
		wire.extend(DECODE_DEPTH_LIMIT.to_le_bytes());
		wire.extend(HEADER_SIGNING_CONTEXT);
		assert_eq!(
			(PROTOCOL_VERSION, hex::encode(BlakeTwo256::hash(&wire))),
			(2, "7a9bd9ab94e98b188190a5dfe14c50eaab3061a65c914c7aab9d411944b6b819".to_string()),
			"the wire format changed: raise PROTOCOL_VERSION and pin the new hash"
		);
	}

	#[test]
	fn message_ids_depend_on_content_only() {
		assert_eq!(message_id(b"a"), message_id(b"a"));
		assert_ne!(message_id(b"a"), message_id(b"b"));
		assert_eq!(message_id(b"a").len(), 20);
	}
}
