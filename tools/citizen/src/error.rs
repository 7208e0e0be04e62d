//! The tool's errors: the chain client's (a transport failure to retry, a refusal, an answer it
//! cannot read), what the chain's state refuses (no such group, not a member, a call that failed
//! in its block), and bad input (an unreadable identity or key file, a bad secret URI).

use std::path::{Path, PathBuf};

use teo_client::DispatchFailure;
use teo_primitives::GroupId;

/// What the user should do about an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
	/// The node could not be reached or stopped answering: run the command again.
	Transport,
	/// A transaction was sent and its fate is unknown: look it up before sending it again.
	Unconfirmed,
	/// The chain (or a verifier) said no: the same command will be refused again.
	Refused,
	/// The node's answer could not be read, or the chain's state is inconsistent.
	Malformed,
	/// Bad input, or this machine failed: a file, an argument or a key to fix, or no
	/// randomness from the operating system.
	Input,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The chain client failed; [`teo_client::Error::kind`] tells how.
	#[error(transparent)]
	Chain(#[from] teo_client::Error),

	// Refused by the chain's state or by a verifier.
	/// The submitted call was included and failed in its block.
	#[error("the call failed: {0}")]
	CallFailed(DispatchFailure),
	/// The group does not exist on chain.
	#[error("group {0} does not exist")]
	NoSuchGroup(GroupId),
	/// No pending proposal has this id at the finalized head.
	#[error("no pending proposal {0} at the finalized head (ended, killed, or not final yet)")]
	NoSuchProposal(u32),
	/// The identity's commitment is not a leaf of the group.
	#[error(
		"this identity is not a member of the group (ask its registrar to add the commitment)"
	)]
	NotAMember,
	/// The commitment to remove is not a leaf of the group.
	#[error("not a member of the group")]
	CommitmentNotAMember,
	/// The snarkjs proof does not verify.
	#[error("invalid: the proof does not verify for these public signals")]
	InvalidProof,
	/// No proving key was given, and the chain's constitution refuses the insecure dev key.
	#[error(
		"this chain's constitution refuses the insecure dev key: pass --proving-key FILE \
		 --depth N, the proving key of the chain's trusted setup"
	)]
	DevKeyRefused,
	/// The proving key's verifying key is not the one the chain holds for its depth.
	#[error(
		"the proving key does not match the chain's verifying key for depth {depth}: use the \
		 chain's own ceremony key"
	)]
	KeyNotTheChains {
		/// The depth the key was given for.
		depth: u8,
	},

	// The chain's state, or the node's answer, is not what it should be.
	/// A leaf the group's size promises is missing.
	#[error("leaf {index} of group {group} is missing")]
	MissingLeaf {
		/// The group.
		group: GroupId,
		/// The leaf's index.
		index: usize,
	},
	/// A leaf does not decode.
	#[error("leaf {index}: {source}")]
	BadLeaf {
		/// The leaf's index.
		index: usize,
		/// The codec's error.
		#[source]
		source: codec::Error,
	},
	/// A leaf is not an element of the scalar field.
	#[error("a leaf is not a field element")]
	LeafNotInField,
	/// The leaves do not hash to the root the chain holds.
	#[error("the leaves read from the chain do not give the chain's root")]
	RootMismatch,
	/// The tree has no Merkle proof for a leaf it holds.
	#[error("no Merkle proof for the leaf")]
	NoMerkleProof,
	/// More siblings than the call can carry.
	#[error("too many siblings")]
	TooManySiblings,

	// Bad input.
	/// A file could not be created, read or written.
	#[error("cannot {action} {path}: {source}")]
	File {
		/// `create`, `read` or `write`.
		action: &'static str,
		/// The file.
		path: PathBuf,
		/// The system's error.
		#[source]
		source: std::io::Error,
	},
	/// An identity file that is not base64.
	#[error("{path} is not a base64 private key: {source}")]
	NotBase64 {
		/// The file.
		path: PathBuf,
		/// The decoder's error.
		#[source]
		source: base64::DecodeError,
	},
	/// An identity file with an empty key.
	#[error("{0} holds an empty key")]
	EmptyKey(PathBuf),
	/// A dev identity not named by a seed.
	#[error("dev identities are named like //Alice, not {0:?}")]
	BadDevIdentity(String),
	/// A secret URI that does not give a key.
	#[error("bad secret URI: {0}")]
	BadSecretUri(String),
	/// Text that is not an SS58 account.
	#[error("{text} is not an SS58 account: {reason}")]
	BadAccount {
		/// The text given.
		text: String,
		/// Why, in the codec's words.
		reason: String,
	},
	/// Text that is not hex.
	#[error("bad hex: {0}")]
	BadHex(#[from] hex::FromHexError),
	/// Hex of another length than 32 bytes.
	#[error("expected 32 bytes")]
	Not32Bytes,
	/// A commitment that is not an element of the scalar field.
	#[error("not a field element")]
	NotAFieldElement,
	/// Neither an account nor a signer.
	#[error("give --account or --suri")]
	NoAccount,
	/// A JSON file that does not parse.
	#[error("{path} is not JSON: {source}")]
	NotJson {
		/// The file.
		path: PathBuf,
		/// The parser's error.
		#[source]
		source: serde_json::Error,
	},
	/// A snarkjs file TEO's verifier cannot take.
	#[error(transparent)]
	Snarkjs(#[from] teo_zk::snarkjs::SnarkjsError),
	/// The prover failed, or a proving key file is not one.
	#[error(transparent)]
	Prove(#[from] teo_zk::prover::ProveError),
	/// A `.zkey` that is not a proving key of our circuit.
	#[error("{path}: {source}")]
	Zkey {
		/// The file.
		path: PathBuf,
		/// Why it was refused.
		#[source]
		source: teo_zk::prover::zkey::ZkeyError,
	},
	/// The operating system gave no randomness.
	#[error("no randomness: {0}")]
	Randomness(#[source] getrandom::Error),
}

impl Error {
	/// What the user should do about it.
	pub fn kind(&self) -> Kind {
		match self {
			Error::Chain(e) => match e.kind() {
				teo_client::ErrorKind::Transport => Kind::Transport,
				teo_client::ErrorKind::Unconfirmed => Kind::Unconfirmed,
				teo_client::ErrorKind::Refused => Kind::Refused,
				teo_client::ErrorKind::Malformed => Kind::Malformed,
			},
			Error::CallFailed(_)
			| Error::NoSuchGroup(_)
			| Error::NoSuchProposal(_)
			| Error::NotAMember
			| Error::CommitmentNotAMember
			| Error::InvalidProof
			| Error::DevKeyRefused
			| Error::KeyNotTheChains { .. } => Kind::Refused,
			Error::MissingLeaf { .. }
			| Error::BadLeaf { .. }
			| Error::LeafNotInField
			| Error::RootMismatch
			| Error::NoMerkleProof
			| Error::TooManySiblings => Kind::Malformed,
			Error::File { .. }
			| Error::NotBase64 { .. }
			| Error::EmptyKey(_)
			| Error::BadDevIdentity(_)
			| Error::BadSecretUri(_)
			| Error::BadAccount { .. }
			| Error::BadHex(_)
			| Error::Not32Bytes
			| Error::NotAFieldElement
			| Error::NoAccount
			| Error::NotJson { .. }
			| Error::Snarkjs(_)
			| Error::Prove(_)
			| Error::Zkey { .. }
			| Error::Randomness(_) => Kind::Input,
		}
	}

	/// A file error, for `map_err`.
	pub fn file(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
		let path = path.to_path_buf();
		move |source| Error::File { action, path, source }
	}
}
