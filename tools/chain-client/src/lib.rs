//! # teo-client
//!
//! A TEO node seen through its standard JSON-RPC alone: storage reads and runtime API calls at a
//! block, finalized heads, nonces, and signed extrinsics submitted and followed to their block.
//! Values decode with the runtime's own types, so TEO's tools (`teo-citizen`, `teo-mesh`) and
//! the chain cannot disagree on an encoding, and transactions are signed with the runtime's own
//! transaction extensions, custom ones included ([`teo_runtime::tx_extension`], the runtime's one
//! constructor).
//!
//! A client built for one runtime must not read or sign against another: before it serves a
//! runtime it has not seen, [`Chain`] compares the runtime's metadata with its own
//! ([`compatibility`]) and refuses a runtime whose encodings differ
//! ([`Error::IncompatibleRuntime`]); an upgrade that changes nothing a client encodes passes.
//!
//! Errors are an [`Error`] enum whose [`ErrorKind`] tells a transport failure (retry: the node
//! could not be reached, stopped answering or was too busy) from a transaction whose fate is
//! unknown (it was sent, then the client lost track of it: look it up, never resubmit blindly),
//! from a refusal (do not retry: the pool refused the transaction, the call failed in its block,
//! the node answered with an error) and from an answer this client cannot read.

pub mod compatibility;

use std::{collections::HashMap, fmt, sync::Mutex};

use codec::{Decode, Encode};
use futures::{StreamExt as _, TryStreamExt as _};
use jsonrpsee::{
	core::client::{ClientT, Error as ClientError, SubscriptionClientT},
	rpc_params,
	types::{
		error::{SERVER_IS_BUSY_CODE, TOO_MANY_SUBSCRIPTIONS_CODE},
		ErrorObjectOwned,
	},
	ws_client::{WsClient, WsClientBuilder},
};
use polkadot_sdk::{
	frame_system::{self, EventRecord, Phase},
	sp_core::{crypto::Pair as _, sr25519, H256},
	sp_runtime::{generic::Era, DispatchError, MultiSignature},
};
use serde_json::Value;
use teo_primitives::AccountId;
use teo_runtime::{Runtime, RuntimeCall, RuntimeEvent, SignedPayload, UncheckedExtrinsic};

/// Keys per `state_queryStorageAt` request in [`Chain::storage_many`]: about 120 KB asked and
/// 200 KB answered, far below the node's default limits (15 MB and 10 MB).
const KEYS_PER_QUERY: usize = 1024;

/// Requests [`Chain::storage_many`] keeps in flight: enough to keep the node's storage reads and
/// the connection busy at once, few enough not to crowd out other users of the node.
const QUERIES_IN_FLIGHT: usize = 4;

/// What the caller should do about an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
	/// The node could not be reached, stopped answering, or was too busy: the request may
	/// succeed if made again (later, or on another node).
	Transport,
	/// A transaction was sent and the client lost track of it before learning its fate: it may
	/// be in a block, or may yet be. Submitting it again could do the action twice; look it up
	/// by its hash instead.
	Unconfirmed,
	/// The node or the chain said no (the pool refused the transaction, the call failed in its
	/// block, the node answered a request with an error): the same request will be refused
	/// again.
	Refused,
	/// The node answered something this client cannot read (a version mismatch or a bug): not
	/// worth retrying either.
	Malformed,
}

impl ErrorKind {
	/// A machine-readable name: `transport`, `unconfirmed`, `refused` or `malformed`.
	pub fn as_str(self) -> &'static str {
		match self {
			ErrorKind::Transport => "transport",
			ErrorKind::Unconfirmed => "unconfirmed",
			ErrorKind::Refused => "refused",
			ErrorKind::Malformed => "malformed",
		}
	}
}

/// Errors of the chain client. [`Error::kind`] sorts them into transport failures (retry),
/// refusals (do not) and malformed answers (do not); [`Error::is_retryable`] is the short form.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	// Transport failures: retry.
	/// The connection to the node could not be opened.
	#[error("cannot connect to {url}: {source}")]
	Connect {
		/// The node's address.
		url: String,
		/// Why.
		#[source]
		source: ClientError,
	},
	/// A request got no answer: the connection dropped or timed out, or the node was too busy
	/// (or rate-limited the connection) to serve it.
	#[error("{method}: {source}")]
	Transport {
		/// The JSON-RPC method.
		method: String,
		/// The client's error.
		#[source]
		source: ClientError,
	},
	/// The connection's background task has ended (the node closed the connection, or it
	/// broke): this connection serves nothing more. Connect again.
	#[error("{method}: the connection to the node is lost")]
	ConnectionLost {
		/// The JSON-RPC method.
		method: String,
	},
	/// The node closed the subscription that followed a submitted transaction before it
	/// reached a block.
	#[error("the node stopped reporting the transaction")]
	SubscriptionClosed,
	/// The pool dropped the transaction (its limits) before it reached a block.
	#[error("the transaction was dropped")]
	Dropped,
	/// The transaction left the pool without a block of its own: another transaction of the same
	/// sender and nonce took its place (`usurped`), or its block was not finalized in time
	/// (`finalityTimeout`).
	#[error("the transaction did not land: {status}")]
	NotLanded {
		/// The node's last status of the transaction.
		status: Value,
	},

	// The fate of a sent transaction is unknown: look it up, do not resubmit.
	/// The transaction was sent and then the client lost track of it (the connection or the
	/// subscription failed, its status could not be read, or its block could not be read after
	/// the node reported it in one).
	#[error("transaction {hash:?} was sent and its fate is unknown: {source}")]
	Unconfirmed {
		/// The transaction's hash (blake2-256 of its encoding), to look it up.
		hash: H256,
		/// What went wrong after it was sent.
		#[source]
		source: Box<Error>,
	},

	// Refusals: do not retry.
	/// The node answered a request with a JSON-RPC error (an unknown block, a failed runtime
	/// API call, ...).
	#[error("{method}: {error}")]
	Rpc {
		/// The JSON-RPC method.
		method: String,
		/// The node's error.
		error: RpcError,
	},
	/// The transaction pool refused the transaction when it was submitted.
	#[error("the node refused the transaction: {0}")]
	Pool(PoolRefusal),
	/// The transaction entered the pool, then became invalid before it reached a block (its
	/// nonce was used, or a check of the runtime now fails).
	#[error("the transaction was invalid")]
	InvalidInPool,
	/// The call was included in a block and failed there. [`Chain::submit`] reports this in
	/// [`Outcome::error`]; [`Outcome::result`] turns it into this error.
	#[error("the call failed: {0}")]
	Dispatch(DispatchFailure),
	/// The chain runs a runtime whose encodings differ from those of the runtime this client
	/// was built with (an upgrade changed a call, an event, a storage item, a runtime API or
	/// the transaction extensions), or is not a TEO chain: what the client would read or sign
	/// could mean something else. Install the release built for the chain's runtime.
	#[error(
		"the chain runs runtime {spec_name} {spec_version}, whose encodings differ from those of \
		 {built_name} {built_version}, the runtime this tool was built with: install the release \
		 of this tool built for the chain's runtime"
	)]
	IncompatibleRuntime {
		/// The chain's `specName`.
		spec_name: String,
		/// The chain's `specVersion`.
		spec_version: u32,
		/// The `specName` this client was built with.
		built_name: String,
		/// The `specVersion` this client was built with.
		built_version: u32,
	},
	/// The node serves another chain than the one expected ([`Chain::connect_expecting`]): its
	/// database was replaced, or the address leads to another node. Nothing it says is read.
	#[error("the node at {url} serves the chain of genesis {found:?}, not {expected:?}")]
	AnotherChain {
		/// The node's address.
		url: String,
		/// The genesis hash expected.
		expected: H256,
		/// The genesis hash the node reports.
		found: H256,
	},

	// Malformed answers: do not retry.
	/// Bytes from the node that are not hex.
	#[error("bad hex from the node: {0}")]
	Hex(#[from] hex::FromHexError),
	/// A value from the node that does not decode as the runtime's type.
	#[error("cannot decode {what}: {source}")]
	Decode {
		/// What was decoded.
		what: String,
		/// The codec's error.
		#[source]
		source: codec::Error,
	},
	/// An answer that is not JSON-RPC this client can parse.
	#[error("{method}: {source}")]
	BadAnswer {
		/// The JSON-RPC method.
		method: String,
		/// The client's error.
		#[source]
		source: ClientError,
	},
	/// A status of a watched transaction that is not what the node's API defines.
	#[error("watching the transaction: {0}")]
	Watch(#[source] serde_json::Error),
	/// An answer without the fields or shape the node's API defines.
	#[error("{0}")]
	Malformed(String),
}

impl Error {
	/// Whether this is a transport failure, a refusal or a malformed answer.
	pub fn kind(&self) -> ErrorKind {
		match self {
			Error::Connect { .. }
			| Error::Transport { .. }
			| Error::ConnectionLost { .. }
			| Error::SubscriptionClosed
			| Error::Dropped
			| Error::NotLanded { .. }
			| Error::Pool(PoolRefusal::Later(_)) => ErrorKind::Transport,
			Error::Unconfirmed { .. } => ErrorKind::Unconfirmed,
			Error::Rpc { .. }
			| Error::Pool(_)
			| Error::InvalidInPool
			| Error::Dispatch(_)
			| Error::IncompatibleRuntime { .. }
			| Error::AnotherChain { .. } => ErrorKind::Refused,
			Error::Hex(_)
			| Error::Decode { .. }
			| Error::BadAnswer { .. }
			| Error::Watch(_)
			| Error::Malformed(_) => ErrorKind::Malformed,
		}
	}

	/// `true` for transport failures only: the same request may succeed if made again. A
	/// refusal by the node or the chain, or an answer this client cannot read, would only
	/// repeat; a transaction of unknown fate must be looked up, not sent again.
	pub fn is_retryable(&self) -> bool {
		self.kind() == ErrorKind::Transport
	}

	/// A machine-readable name of the error: `connect`, `transport`, `connection_lost`,
	/// `subscription_closed`, `dropped`, `not_landed`, `pool_busy` (transport); `unconfirmed`;
	/// `node_error`, `transaction_invalid`, `transaction_unknown`, `transaction_refused`,
	/// `invalid_in_pool`, `dispatch_failed`, `incompatible_runtime`, `another_chain` (refused); `bad_hex`, `undecodable`, `bad_answer`,
	/// `bad_status`, `malformed` (malformed).
	pub fn reason(&self) -> &'static str {
		match self {
			Error::Connect { .. } => "connect",
			Error::Transport { .. } => "transport",
			Error::ConnectionLost { .. } => "connection_lost",
			Error::Unconfirmed { .. } => "unconfirmed",
			Error::Pool(PoolRefusal::Later(_)) => "pool_busy",
			Error::SubscriptionClosed => "subscription_closed",
			Error::Dropped => "dropped",
			Error::NotLanded { .. } => "not_landed",
			Error::Rpc { .. } => "node_error",
			Error::Pool(PoolRefusal::Invalid { .. }) => "transaction_invalid",
			Error::Pool(PoolRefusal::Unknown { .. }) => "transaction_unknown",
			Error::Pool(PoolRefusal::Other(_)) => "transaction_refused",
			Error::InvalidInPool => "invalid_in_pool",
			Error::Dispatch(_) => "dispatch_failed",
			Error::IncompatibleRuntime { .. } => "incompatible_runtime",
			Error::AnotherChain { .. } => "another_chain",
			Error::Hex(_) => "bad_hex",
			Error::Decode { .. } => "undecodable",
			Error::BadAnswer { .. } => "bad_answer",
			Error::Watch(_) => "bad_status",
			Error::Malformed(_) => "malformed",
		}
	}

	fn malformed(text: impl Into<String>) -> Self {
		Error::Malformed(text.into())
	}

	/// A failed request of `method`, sorted by what the client saw.
	fn request(method: &str, error: ClientError) -> Self {
		let method = method.to_string();
		match error {
			ClientError::Call(object) if is_busy(&object) => {
				Error::Transport { method, source: ClientError::Call(object) }
			},
			ClientError::Call(object) => Error::Rpc { method, error: RpcError::of(&object) },
			source @ (ClientError::ParseError(_)
			| ClientError::InvalidRequestId(_)
			| ClientError::InvalidSubscriptionId) => Error::BadAnswer { method, source },
			ClientError::RestartNeeded(_) => Error::ConnectionLost { method },
			source => Error::Transport { method, source },
		}
	}

	/// `self`, which happened after the transaction `hash` was sent, as an error of unknown
	/// fate; unless it tells the fate for certain (a refusal, a drop, a usurper).
	fn after_sending(self, hash: H256) -> Self {
		match self {
			Error::Pool(_) |
			Error::InvalidInPool |
			Error::Dropped |
			Error::NotLanded { .. } |
			// The node answered the submission itself: too busy to take it.
			Error::Transport { source: ClientError::Call(_), .. } => self,
			other => Error::Unconfirmed { hash, source: Box::new(other) },
		}
	}
}

/// sc-rpc-server's code for a call over the connection's rate limit.
pub const RPC_RATE_LIMITED: i32 = -32999;

/// Errors a node answers when it is overloaded rather than when the request is wrong.
fn is_busy(object: &ErrorObjectOwned) -> bool {
	matches!(object.code(), SERVER_IS_BUSY_CODE | TOO_MANY_SUBSCRIPTIONS_CODE | RPC_RATE_LIMITED)
}

/// A JSON-RPC error object from the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcError {
	/// The error code.
	pub code: i32,
	/// The message.
	pub message: String,
	/// The data, as JSON text, if any.
	pub data: Option<String>,
}

impl RpcError {
	fn of(object: &ErrorObjectOwned) -> Self {
		Self {
			code: object.code(),
			message: object.message().to_string(),
			data: object.data().map(|raw| raw.get().to_string()),
		}
	}

	/// The data when it is a JSON string (as the author RPC's reasons are), else its JSON text.
	fn data_text(&self) -> String {
		match &self.data {
			None => String::new(),
			Some(json) => serde_json::from_str::<String>(json).unwrap_or_else(|_| json.clone()),
		}
	}
}

impl fmt::Display for RpcError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "{} (code {})", self.message, self.code)?;
		if self.data.is_some() {
			write!(f, ": {}", self.data_text())?;
		}
		Ok(())
	}
}

/// The author RPC's code for a transaction the runtime's validation refused
/// (`InvalidTransaction`).
pub const POOL_INVALID_TX: i32 = 1010;
/// The author RPC's code for a transaction whose validity the runtime could not tell
/// (`UnknownTransaction`).
pub const POOL_UNKNOWN_VALIDITY: i32 = 1011;
/// The author RPC's codes for refusals that depend on the pool's state now, not on the
/// transaction: recently invalid and banned for a while (1012), a transaction of the same sender
/// and nonce with a higher priority is in the pool (1014), the pool is full (1016), the nonce is
/// ahead of the account's (1020).
pub const POOL_LATER: [i32; 4] = [1012, 1014, 1016, 1020];

/// Why the node refused a transaction on submission, from the author RPC's error codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolRefusal {
	/// `InvalidTransaction` (code 1010): the runtime's validation refused it, such as a bad
	/// signature, a stale nonce, fees it cannot pay, or a `Custom` code of one of TEO's
	/// transaction extensions (a duplicate fraud report, a pull request that would fail).
	Invalid {
		/// The node's reason, e.g. `Transaction has a bad signature` or `Custom error: 3`.
		reason: String,
	},
	/// `UnknownTransaction` (code 1011): the runtime could not tell whether it is valid.
	Unknown {
		/// The node's reason.
		reason: String,
	},
	/// A refusal that depends on the pool's state now ([`POOL_LATER`]): the same transaction,
	/// or the same call signed again, may be accepted later.
	Later(RpcError),
	/// Any other refusal by the node (already imported, an invalid format, ...).
	Other(RpcError),
}

impl PoolRefusal {
	fn of(object: &ErrorObjectOwned) -> Self {
		let error = RpcError::of(object);
		match error.code {
			POOL_INVALID_TX => PoolRefusal::Invalid { reason: error.data_text() },
			POOL_UNKNOWN_VALIDITY => PoolRefusal::Unknown { reason: error.data_text() },
			code if POOL_LATER.contains(&code) => PoolRefusal::Later(error),
			_ => PoolRefusal::Other(error),
		}
	}
}

impl fmt::Display for PoolRefusal {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self {
			PoolRefusal::Invalid { reason } => write!(f, "invalid transaction: {reason}"),
			PoolRefusal::Unknown { reason } => write!(f, "unknown transaction validity: {reason}"),
			PoolRefusal::Later(error) | PoolRefusal::Other(error) => write!(f, "{error}"),
		}
	}
}

/// A call that was included in a block and failed there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchFailure {
	/// The runtime's error.
	pub error: DispatchError,
	/// The error in words, as [`describe`] gives it: `CommitGate.AdmissionsExhausted` for TEO's
	/// pallets, the debug form for the others.
	pub name: String,
}

impl DispatchFailure {
	/// The failure `error`, named.
	pub fn of(error: DispatchError) -> Self {
		Self { name: describe(&error), error }
	}
}

impl fmt::Display for DispatchFailure {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		f.write_str(&self.name)
	}
}

/// A connection to a node.
pub struct Chain {
	client: WsClient,
	/// Held from reading a signer's nonce until its transaction is in the pool (the node's
	/// next nonce counts it from then on), so that concurrent submissions through this
	/// connection never sign two transactions with one nonce.
	nonces: tokio::sync::Mutex<()>,
	/// The verdicts on the runtimes seen, by the hash of their code: a few at most (one per
	/// upgrade), so an agent asking again and again costs one storage-hash read each time.
	verdicts: Mutex<HashMap<H256, Verdict>>,
}

/// Whether a runtime passed [`Chain::checked_runtime`]: its version, or why not.
#[derive(Clone)]
enum Verdict {
	Compatible(RuntimeVersion),
	Incompatible { spec_name: String, spec_version: u32 },
}

/// At most this many verdicts are kept; past it the cache starts again.
const MAX_VERDICTS: usize = 16;

/// The version of the runtime a block runs, as `state_getRuntimeVersion` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeVersion {
	/// `specName`.
	pub spec_name: String,
	/// `specVersion`.
	pub spec_version: u32,
	/// `transactionVersion`.
	pub transaction_version: u32,
}

/// How a submitted extrinsic ended.
pub struct Outcome {
	/// The extrinsic's hash (blake2-256 of its encoding).
	pub hash: H256,
	/// The block it landed in.
	pub block: H256,
	pub events: Vec<RuntimeEvent>,
	/// `None` when the call succeeded.
	pub error: Option<DispatchFailure>,
}

impl Outcome {
	/// `Ok` when the call succeeded, [`Error::Dispatch`] when it failed in its block.
	pub fn result(&self) -> Result<(), Error> {
		match &self.error {
			None => Ok(()),
			Some(failure) => Err(Error::Dispatch(failure.clone())),
		}
	}
}

/// `0x`-prefixed hex, as the JSON-RPC API writes bytes.
pub fn hex_of(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes from the JSON-RPC API's hex.
pub fn bytes_of(text: &str) -> Result<Vec<u8>, Error> {
	Ok(hex::decode(text.trim_start_matches("0x"))?)
}

fn h256_of(value: &Value) -> Result<H256, Error> {
	let bytes =
		bytes_of(value.as_str().ok_or_else(|| Error::malformed("expected a hash from the node"))?)?;
	(bytes.len() == 32)
		.then(|| H256::from_slice(&bytes))
		.ok_or_else(|| Error::malformed("not a hash"))
}

/// The number in a header from the node.
fn number_of(header: &Value) -> Result<teo_primitives::BlockNumber, Error> {
	header
		.get("number")
		.and_then(Value::as_str)
		.and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
		.ok_or_else(|| Error::malformed("the node sent a header without a number"))
}

impl Chain {
	/// Connects to `url` (ws:// or wss://) and checks that the chain's runtime is one this
	/// client can speak to ([`Chain::checked_runtime`]).
	pub async fn connect(url: &str) -> Result<Self, Error> {
		Self::connect_expecting(url, None).await
	}

	/// [`Chain::connect`] to a node that must serve the chain of genesis `expected` (when
	/// given): its genesis hash is read first, before its runtime is judged, so that a node of
	/// another chain is told apart from a runtime upgrade ([`Error::AnotherChain`]).
	pub async fn connect_expecting(url: &str, expected: Option<H256>) -> Result<Self, Error> {
		let client = WsClientBuilder::default()
			.build(url)
			.await
			.map_err(|source| Error::Connect { url: url.to_string(), source })?;
		let chain = Self {
			client,
			nonces: tokio::sync::Mutex::new(()),
			verdicts: Mutex::new(HashMap::new()),
		};
		if let Some(expected) = expected {
			let found = chain.genesis_hash().await?;
			if found != expected {
				return Err(Error::AnotherChain { url: url.to_string(), expected, found });
			}
		}
		chain.checked_runtime(None).await?;
		Ok(chain)
	}

	/// `false` once the connection to the node is lost: every request fails from then on, and
	/// only a new connection ([`Chain::connect`]) reads the chain again.
	pub fn is_connected(&self) -> bool {
		self.client.is_connected()
	}

	/// The version of the runtime of block `at` (the best block when `None`), once its
	/// metadata has matched this client's ([`compatibility`]): [`Error::IncompatibleRuntime`]
	/// for a runtime whose encodings differ, or that is not TEO's. Read and sign only at blocks
	/// checked this way. A runtime already judged costs one request (the hash of its code); a
	/// new one costs a metadata download.
	pub async fn checked_runtime(&self, at: Option<H256>) -> Result<RuntimeVersion, Error> {
		let at = match at {
			Some(at) => at,
			None => h256_of(&self.call("chain_getBlockHash", rpc_params![]).await?)?,
		};
		let code =
			h256_of(&self.call("state_getStorageHash", rpc_params![hex_of(b":code"), at]).await?)?;
		let known = self.verdicts.lock().unwrap_or_else(|e| e.into_inner()).get(&code).cloned();
		let verdict = match known {
			Some(verdict) => verdict,
			None => {
				let verdict = self.judge_runtime(at).await?;
				let mut verdicts = self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
				if verdicts.len() >= MAX_VERDICTS {
					verdicts.clear();
				}
				verdicts.insert(code, verdict.clone());
				verdict
			},
		};
		match verdict {
			Verdict::Compatible(version) => Ok(version),
			Verdict::Incompatible { spec_name, spec_version } => Err(Error::IncompatibleRuntime {
				spec_name,
				spec_version,
				built_name: teo_runtime::VERSION.spec_name.to_string(),
				built_version: teo_runtime::VERSION.spec_version,
			}),
		}
	}

	/// Reads the version and the metadata of the runtime of block `at` and compares them with
	/// this client's.
	async fn judge_runtime(&self, at: H256) -> Result<Verdict, Error> {
		let version = self.call("state_getRuntimeVersion", rpc_params![at]).await?;
		let field = |name: &str| {
			version[name]
				.as_u64()
				.and_then(|n| u32::try_from(n).ok())
				.ok_or_else(|| Error::malformed(format!("the runtime version has no {name}")))
		};
		let version = RuntimeVersion {
			spec_name: version["specName"]
				.as_str()
				.ok_or_else(|| Error::malformed("the runtime version has no specName"))?
				.to_string(),
			spec_version: field("specVersion")?,
			transaction_version: field("transactionVersion")?,
		};
		let incompatible = Verdict::Incompatible {
			spec_name: version.spec_name.clone(),
			spec_version: version.spec_version,
		};
		if version.spec_name != teo_runtime::VERSION.spec_name {
			return Ok(incompatible);
		}
		let metadata = self
			.call(
				"state_call",
				rpc_params![
					"Metadata_metadata_at_version",
					hex_of(&compatibility::METADATA_VERSION.encode()),
					at
				],
			)
			.await?;
		let metadata = bytes_of(
			metadata
				.as_str()
				.ok_or_else(|| Error::malformed("state_call answered without bytes"))?,
		)?;
		Ok(match compatibility::fingerprint(&metadata) {
			Ok(fingerprint) if fingerprint == compatibility::built_in() => {
				Verdict::Compatible(version)
			},
			// Metadata this client cannot even read is a runtime it cannot speak to.
			_ => incompatible,
		})
	}

	/// A raw JSON-RPC request.
	pub async fn call(
		&self,
		method: &str,
		params: jsonrpsee::core::params::ArrayParams,
	) -> Result<Value, Error> {
		self.client.request(method, params).await.map_err(|e| Error::request(method, e))
	}

	/// The hash of block 0.
	pub async fn genesis_hash(&self) -> Result<H256, Error> {
		h256_of(&self.call("chain_getBlockHash", rpc_params![0]).await?)
	}

	/// The hash of block `number` of the best chain (which holds every finalized block), or
	/// `None` past its head.
	pub async fn block_hash(
		&self,
		number: teo_primitives::BlockNumber,
	) -> Result<Option<H256>, Error> {
		match self.call("chain_getBlockHash", rpc_params![number]).await? {
			Value::Null => Ok(None),
			hash => h256_of(&hash).map(Some),
		}
	}

	/// The events of `block`, in the order they were deposited.
	pub async fn events(&self, block: H256) -> Result<Vec<EventRecord<RuntimeEvent, H256>>, Error> {
		Ok(self.storage(&system_events_key(), block).await?.unwrap_or_default())
	}

	/// The latest finalized block.
	pub async fn finalized_head(&self) -> Result<H256, Error> {
		h256_of(&self.call("chain_getFinalizedHead", rpc_params![]).await?)
	}

	/// The latest finalized block, once its runtime has passed [`Chain::checked_runtime`]: the
	/// block to read state at.
	pub async fn checked_finalized_head(&self) -> Result<H256, Error> {
		let hash = self.finalized_head().await?;
		self.checked_runtime(Some(hash)).await?;
		Ok(hash)
	}

	/// The latest finalized block: its number and hash.
	pub async fn finalized_block(&self) -> Result<(teo_primitives::BlockNumber, H256), Error> {
		let hash = self.finalized_head().await?;
		let header = self.call("chain_getHeader", rpc_params![hash]).await?;
		Ok((number_of(&header)?, hash))
	}

	/// The chain's type: `Development`, `Local`, `Live` or a custom name.
	pub async fn chain_type(&self) -> Result<String, Error> {
		let answer = self.call("system_chainType", rpc_params![]).await?;
		match answer {
			Value::String(name) => Ok(name),
			Value::Object(map) => {
				map.keys().next().cloned().ok_or_else(|| Error::malformed("no chain type"))
			},
			other => Err(Error::malformed(format!("unexpected chain type {other}"))),
		}
	}

	/// The best block, once its runtime has passed [`Chain::checked_runtime`].
	pub async fn checked_best_head(&self) -> Result<H256, Error> {
		let hash = h256_of(&self.call("chain_getBlockHash", rpc_params![]).await?)?;
		self.checked_runtime(Some(hash)).await?;
		Ok(hash)
	}

	/// The number of block `hash`.
	pub async fn block_number(&self, hash: H256) -> Result<teo_primitives::BlockNumber, Error> {
		let header = self.call("chain_getHeader", rpc_params![hash]).await?;
		number_of(&header)
	}

	/// The number of the best block.
	pub async fn best_number(&self) -> Result<teo_primitives::BlockNumber, Error> {
		let header = self.call("chain_getHeader", rpc_params![]).await?;
		number_of(&header)
	}

	/// Calls the runtime API function `method` (e.g. `ActionBudgetApi_budget`) with the
	/// SCALE-encoded `args` in the state of block `at`, and decodes the answer as `T`.
	pub async fn runtime_api<T: Decode>(
		&self,
		method: &str,
		args: &impl Encode,
		at: H256,
	) -> Result<T, Error> {
		let answer =
			self.call("state_call", rpc_params![method, hex_of(&args.encode()), at]).await?;
		let bytes = bytes_of(
			answer.as_str().ok_or_else(|| Error::malformed("state_call answered without bytes"))?,
		)?;
		T::decode(&mut &bytes[..])
			.map_err(|source| Error::Decode { what: format!("the answer of {method}"), source })
	}

	/// The raw value at `key` in the state of block `at`.
	pub async fn storage_raw(&self, key: &[u8], at: H256) -> Result<Option<Vec<u8>>, Error> {
		match self.call("state_getStorage", rpc_params![hex_of(key), at]).await? {
			Value::Null => Ok(None),
			Value::String(text) => bytes_of(&text).map(Some),
			other => Err(Error::malformed(format!("unexpected storage value {other}"))),
		}
	}

	/// The value at `key`, decoded as `T`.
	pub async fn storage<T: Decode>(&self, key: &[u8], at: H256) -> Result<Option<T>, Error> {
		self.storage_raw(key, at)
			.await?
			.map(|bytes| {
				T::decode(&mut &bytes[..])
					.map_err(|source| Error::Decode { what: "storage".into(), source })
			})
			.transpose()
	}

	/// The values of many keys at one block, in order.
	///
	/// In requests of [`KEYS_PER_QUERY`] keys, [`QUERIES_IN_FLIGHT`] at a time: a million-member
	/// group's leaves are about a thousand requests, and waiting out each round trip before the
	/// next would leave the node idle most of the time.
	pub async fn storage_many(
		&self,
		keys: &[Vec<u8>],
		at: H256,
	) -> Result<Vec<Option<Vec<u8>>>, Error> {
		let queries = keys.chunks(KEYS_PER_QUERY).map(|chunk| self.query_storage_at(chunk, at));
		let answers: Vec<Vec<Option<Vec<u8>>>> =
			futures::stream::iter(queries).buffered(QUERIES_IN_FLIGHT).try_collect().await?;
		Ok(answers.into_iter().flatten().collect())
	}

	/// One `state_queryStorageAt` request: the values of `keys` at `at`, in order.
	async fn query_storage_at(
		&self,
		keys: &[Vec<u8>],
		at: H256,
	) -> Result<Vec<Option<Vec<u8>>>, Error> {
		let hex_keys: Vec<String> = keys.iter().map(|k| hex_of(k)).collect();
		let result = self.call("state_queryStorageAt", rpc_params![hex_keys.clone(), at]).await?;
		let changes = result
			.get(0)
			.and_then(|set| set.get("changes"))
			.and_then(Value::as_array)
			.ok_or_else(|| Error::malformed("unexpected state_queryStorageAt answer"))?;
		let by_key: HashMap<String, Option<Vec<u8>>> = changes
			.iter()
			.filter_map(|pair| {
				let key = pair.get(0)?.as_str()?.to_lowercase();
				let value = pair.get(1)?.as_str().and_then(|v| bytes_of(v).ok());
				Some((key, value))
			})
			.collect();
		Ok(hex_keys.iter().map(|key| by_key.get(&key.to_lowercase()).cloned().flatten()).collect())
	}

	/// Signs `call` with `signer` (immortal, no tip), submits it, and follows it into a block.
	/// A call that fails in its block is `Ok`, with the failure in [`Outcome::error`]; a
	/// transaction refused by the pool is [`Error::Pool`].
	pub async fn submit(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
	) -> Result<Outcome, Error> {
		self.submit_with_era(call, signer, None, 0).await
	}

	/// [`Chain::submit`] with a `tip` to the block author: the pool orders transactions by it,
	/// so a tipped transaction goes before untipped ones that compete for the same thing.
	pub async fn submit_with_tip(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		tip: teo_primitives::Balance,
	) -> Result<Outcome, Error> {
		self.submit_with_era(call, signer, None, tip).await
	}

	/// [`Chain::submit`] for a transaction valid for about `period` blocks (rounded up to a
	/// power of two, at least 4) from the best block: past its era it can never land, so a
	/// sender that lost track of it knows when it is certainly not spent. Returns the last
	/// block it may land in beside the outcome.
	pub async fn submit_mortal(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		period: u64,
	) -> (teo_primitives::BlockNumber, Result<Outcome, Error>) {
		let best = match self.best_number().await {
			Ok(best) => best,
			Err(e) => return (0, Err(e)),
		};
		let era = Era::mortal(period, u64::from(best));
		// Valid from its birth (at or before `best`) for its period.
		let last = era.death(u64::from(best)).saturating_sub(1);
		let last =
			teo_primitives::BlockNumber::try_from(last).unwrap_or(teo_primitives::BlockNumber::MAX);
		(last, self.submit_with_era(call, signer, Some((era, best)), 0).await)
	}

	async fn submit_with_era(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
		mortal: Option<(Era, teo_primitives::BlockNumber)>,
		tip: teo_primitives::Balance,
	) -> Result<Outcome, Error> {
		let account: AccountId = signer.public().into();
		let RuntimeVersion { spec_version, transaction_version: tx_version, .. } =
			self.checked_runtime(None).await?;
		let nonce_guard = self.nonces.lock().await;
		let nonce = self
			.call("system_accountNextIndex", rpc_params![account.to_string()])
			.await?
			.as_u64()
			.ok_or_else(|| Error::malformed("no nonce"))? as teo_primitives::Nonce;
		let genesis = self.genesis_hash().await?;
		// An immortal transaction's era begins at the genesis block.
		let (era, birth_hash) = match mortal {
			None => (Era::Immortal, genesis),
			Some((era, best)) => {
				let birth = era.birth(u64::from(best));
				let hash = h256_of(&self.call("chain_getBlockHash", rpc_params![birth]).await?)?;
				(era, hash)
			},
		};
		let extension = teo_runtime::tx_extension(nonce, era, tip);
		let implicit =
			teo_runtime::tx_extension_implicit(spec_version, tx_version, genesis, birth_hash);
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes)));
		let extrinsic =
			UncheckedExtrinsic::new_signed(call, account.clone().into(), signature, extension);
		let bytes = extrinsic.encode();
		let hash = <polkadot_sdk::sp_runtime::traits::BlakeTwo256 as polkadot_sdk::sp_runtime::traits::Hash>::hash(&bytes);
		let encoded = hex_of(&bytes);
		// From here on the node may have the transaction: what goes wrong is of unknown fate
		// unless it says the fate for certain.
		self.follow(&encoded, Some(nonce_guard)).await.map_err(|e| e.after_sending(hash))
	}

	/// Submits `call` as a bare extrinsic (version 4, no signer, no fee), and follows it into a
	/// block: what the runtime takes without an account, such as an anonymous veto. The node
	/// still sees the address this connection comes from.
	pub async fn submit_bare(&self, call: RuntimeCall) -> Result<Outcome, Error> {
		self.checked_runtime(None).await?;
		let bytes = UncheckedExtrinsic::new_bare_legacy(call).encode();
		let hash = <polkadot_sdk::sp_runtime::traits::BlakeTwo256 as polkadot_sdk::sp_runtime::traits::Hash>::hash(&bytes);
		self.follow(&hex_of(&bytes), None).await.map_err(|e| e.after_sending(hash))
	}

	/// Submits `encoded` (hex) and follows it into a block; `nonce_guard` (a signed
	/// transaction's) is released once the pool has the transaction (or refused it).
	async fn follow(
		&self,
		encoded: &str,
		nonce_guard: Option<tokio::sync::MutexGuard<'_, ()>>,
	) -> Result<Outcome, Error> {
		let subscription = self
			.client
			.subscribe::<Value, _>(
				"author_submitAndWatchExtrinsic",
				rpc_params![encoded],
				"author_unwatchExtrinsic",
			)
			.await
			.map_err(|e| match e {
				ClientError::Call(object) if !is_busy(&object) => {
					Error::Pool(PoolRefusal::of(&object))
				},
				other => Error::request("author_submitAndWatchExtrinsic", other),
			});
		drop(nonce_guard);
		let mut subscription = subscription?;
		let block = loop {
			let status = match subscription.next().await {
				Some(Ok(status)) => status,
				Some(Err(e)) => return Err(Error::Watch(e)),
				None => return Err(Error::SubscriptionClosed),
			};
			if let Some(hash) = status.get("inBlock").or_else(|| status.get("finalized")) {
				break h256_of(hash)?;
			}
			// The statuses of the author RPC (`TransactionStatus`), not error text.
			match status.as_str() {
				Some("invalid") => return Err(Error::InvalidInPool),
				Some("dropped") => return Err(Error::Dropped),
				_ => {},
			}
			if status.get("usurped").is_some() || status.get("finalityTimeout").is_some() {
				return Err(Error::NotLanded { status });
			}
		};
		self.outcome(block, encoded).await
	}

	/// The events of `extrinsic` (hex) in `block`, and its error if it failed.
	async fn outcome(&self, block: H256, extrinsic: &str) -> Result<Outcome, Error> {
		let body = self.call("chain_getBlock", rpc_params![block]).await?;
		let index = body["block"]["extrinsics"]
			.as_array()
			.and_then(|all| all.iter().position(|x| x.as_str() == Some(extrinsic)))
			.ok_or_else(|| {
				Error::malformed("the transaction is not in the block that reported it")
			})? as u32;
		let records: Vec<EventRecord<RuntimeEvent, H256>> =
			self.storage(&system_events_key(), block).await?.unwrap_or_default();
		let events: Vec<RuntimeEvent> = records
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect();
		let error = events.iter().find_map(|event| match event {
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error, ..
			}) => Some(DispatchFailure::of(*dispatch_error)),
			_ => None,
		});
		let hash = <polkadot_sdk::sp_runtime::traits::BlakeTwo256 as polkadot_sdk::sp_runtime::traits::Hash>::hash(&bytes_of(extrinsic)?);
		Ok(Outcome { hash, block, events, error })
	}
}

/// The key of `System.Events` (the storage item is private to frame-system).
fn system_events_key() -> Vec<u8> {
	use polkadot_sdk::frame_support::{StorageHasher, Twox128};
	[Twox128::hash(b"System"), Twox128::hash(b"Events")].concat()
}

/// A dispatch error in words: `CommitGate.AdmissionsExhausted` rather than indices, for TEO's
/// pallets; the debug form for the others.
pub fn describe(error: &DispatchError) -> String {
	use polkadot_sdk::frame_support::traits::PalletInfoAccess;
	if let DispatchError::Module(module) = error {
		let index = module.index as usize;
		let bytes = &module.error[..];
		macro_rules! named {
			($($pallet:ty => $name:literal, $error:ty;)*) => {$(
				if index == <$pallet as PalletInfoAccess>::index() {
					if let Ok(e) = <$error>::decode(&mut &bytes[..]) {
						return format!(concat!($name, ".{:?}"), e);
					}
				}
			)*};
		}
		named! {
			teo_runtime::Personhood => "Personhood", pallet_personhood::Error<Runtime>;
			teo_runtime::ActionBudget => "ActionBudget", pallet_action_budget::Error<Runtime>;
			teo_runtime::CommitGate => "CommitGate", pallet_commit_gate::Error<Runtime>;
		}
	}
	format!("{error:?}")
}

#[cfg(test)]
mod tests {
	use super::*;

	fn object(code: i32, message: &str, data: Option<&str>) -> ErrorObjectOwned {
		ErrorObjectOwned::owned(code, message, data)
	}

	#[test]
	fn a_pool_refusal_is_not_retried_and_keeps_the_nodes_reason() {
		let refused = object(POOL_INVALID_TX, "Invalid Transaction", Some("Custom error: 3"));
		let e = Error::Pool(PoolRefusal::of(&refused));
		assert_eq!(e.kind(), ErrorKind::Refused);
		assert!(!e.is_retryable());
		assert_eq!(e.reason(), "transaction_invalid");
		assert!(
			matches!(&e, Error::Pool(PoolRefusal::Invalid { reason }) if reason == "Custom error: 3")
		);
		assert_eq!(
			e.to_string(),
			"the node refused the transaction: invalid transaction: Custom error: 3"
		);
		let unknown =
			object(POOL_UNKNOWN_VALIDITY, "Unknown Transaction Validity", Some("CannotLookup"));
		assert!(matches!(PoolRefusal::of(&unknown), PoolRefusal::Unknown { .. }));
		let imported = object(1013, "Transaction Already Imported", None);
		let e = Error::Pool(PoolRefusal::of(&imported));
		assert!(matches!(&e, Error::Pool(PoolRefusal::Other(RpcError { code: 1013, .. }))));
		assert!(!e.is_retryable());
	}

	#[test]
	fn a_refusal_that_depends_on_the_pools_state_now_is_retried_later() {
		for code in POOL_LATER {
			let e = Error::Pool(PoolRefusal::of(&object(code, "the pool's state", None)));
			assert!(matches!(&e, Error::Pool(PoolRefusal::Later(_))), "code {code}");
			assert!(e.is_retryable(), "code {code}");
			assert_eq!(e.reason(), "pool_busy");
		}
		let limited = ClientError::Call(object(RPC_RATE_LIMITED, "RPC rate limit exceeded", None));
		assert!(Error::request("author_submitAndWatchExtrinsic", limited).is_retryable());
	}

	/// Once a transaction is sent, losing track of it must never read as "retry": resubmitting
	/// would sign it again with a fresh nonce and do the action twice (two pull requests, two
	/// deposits, two of the group's admissions).
	#[test]
	fn a_sent_transaction_whose_fate_is_unknown_is_not_retried() {
		let hash = H256::repeat_byte(7);
		let lost = [
			Error::SubscriptionClosed,
			Error::request("author_submitAndWatchExtrinsic", ClientError::RequestTimeout),
			Error::request(
				"chain_getBlock",
				ClientError::RestartNeeded(std::sync::Arc::new(ClientError::Custom(
					"the connection closed".into(),
				))),
			),
			Error::malformed("the transaction is not in the block that reported it"),
		];
		for cause in lost {
			let e = cause.after_sending(hash);
			assert_eq!(e.kind(), ErrorKind::Unconfirmed, "{e}");
			assert!(!e.is_retryable());
			assert_eq!(e.reason(), "unconfirmed");
			assert!(matches!(e, Error::Unconfirmed { hash: h, .. } if h == hash));
		}
		// What tells the fate for certain stays as it is.
		let invalid = object(POOL_INVALID_TX, "Invalid Transaction", Some("Custom error: 10"));
		let certain = [
			Error::Pool(PoolRefusal::of(&invalid)),
			Error::InvalidInPool,
			Error::Dropped,
			Error::NotLanded { status: serde_json::json!({ "usurped": "0x00" }) },
			Error::request(
				"author_submitAndWatchExtrinsic",
				ClientError::Call(object(SERVER_IS_BUSY_CODE, "Server is busy", None)),
			),
		];
		for cause in certain {
			let reason = cause.reason();
			assert_eq!(cause.after_sending(hash).reason(), reason);
		}
	}

	#[test]
	fn a_lost_connection_is_named() {
		let closed = ClientError::RestartNeeded(std::sync::Arc::new(ClientError::Custom(
			"the connection closed".into(),
		)));
		let e = Error::request("chain_getHeader", closed);
		assert!(matches!(&e, Error::ConnectionLost { .. }));
		assert_eq!(e.reason(), "connection_lost");
	}

	#[test]
	fn transport_failures_are_retried_and_answers_are_not() {
		let timeout = Error::request("chain_getHeader", ClientError::RequestTimeout);
		assert!(matches!(timeout, Error::Transport { .. }));
		assert!(timeout.is_retryable());

		let busy = ClientError::Call(object(SERVER_IS_BUSY_CODE, "Server is busy", None));
		assert!(Error::request("state_call", busy).is_retryable());

		let failed = ClientError::Call(object(4003, "Client error: Execution failed", None));
		let e = Error::request("state_call", failed);
		assert!(matches!(&e, Error::Rpc { error: RpcError { code: 4003, .. }, .. }));
		assert_eq!(e.kind(), ErrorKind::Refused);

		let unparsable = serde_json::from_str::<Value>("{").unwrap_err();
		let e = Error::request("chain_getHeader", ClientError::ParseError(unparsable));
		assert_eq!(e.kind(), ErrorKind::Malformed);
		assert!(!e.is_retryable());

		assert!(Error::SubscriptionClosed.is_retryable());
		assert!(!Error::InvalidInPool.is_retryable());
	}

	#[test]
	fn bad_hex_is_a_malformed_answer() {
		let e = bytes_of("0xzz").unwrap_err();
		assert!(matches!(e, Error::Hex(_)));
		assert_eq!(e.kind(), ErrorKind::Malformed);
		assert!(e.to_string().starts_with("bad hex from the node: "));
	}

	#[test]
	fn a_dispatch_failure_reads_as_describe_names_it() {
		let failure = DispatchFailure::of(DispatchError::BadOrigin);
		assert_eq!(failure.to_string(), describe(&DispatchError::BadOrigin));
		let outcome = Outcome {
			hash: H256::zero(),
			block: H256::zero(),
			events: Vec::new(),
			error: Some(failure.clone()),
		};
		match outcome.result() {
			Err(e @ Error::Dispatch(_)) => {
				assert_eq!(e.kind(), ErrorKind::Refused);
				assert_eq!(e.to_string(), format!("the call failed: {}", failure.name));
			},
			other => panic!("expected a dispatch failure, got {other:?}"),
		}
	}
}
