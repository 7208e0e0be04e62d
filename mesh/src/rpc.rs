//! The agents' JSON-RPC (WebSocket and HTTP on one port, localhost by default): publish,
//! subscribe, read the budget, inspect the peer, and submit a pull request.
//!
//! Errors carry one of four codes ([`INVALID_PARAMS`], [`REFUSED`], [`UNAVAILABLE`],
//! [`INTERNAL`]), a message in words, and `data`: `{kind, reason, retry}` and, for some reasons,
//! details (docs/MESH.md has the table). `retry` is `true` exactly for [`UNAVAILABLE`].

use std::{net::SocketAddr, sync::Arc};

use jsonrpsee::{
	core::{async_trait, RpcResult, SubscriptionResult},
	proc_macros::rpc,
	server::{PendingSubscriptionSink, Server, ServerHandle, SubscriptionMessage},
	types::ErrorObjectOwned,
};
use polkadot_sdk::sp_core::crypto::Ss58Codec;
use serde::Serialize;
use serde_json::{Map, Value};
use teo_client::Chain;
use teo_primitives::{AccountId, GroupId};
use tokio::sync::broadcast::error::RecvError;

use crate::{
	chain::{submit, ChainError, Submission},
	ledger::LedgerError,
	message::{Topic, TopicKind, MAX_BODY_LEN},
	node::{Delivery, NodeError, NodeHandle, PeerInfo},
	publisher::{Budget, Published, Publisher, PublisherError},
	validation::Verdict,
};

/// A validated message or evidence, as subscribers receive it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Item {
	/// An agent's message.
	#[serde(rename_all = "camelCase")]
	Message {
		id: String,
		group: GroupId,
		kind: &'static str,
		agent: String,
		epoch: u32,
		seq: u64,
		cost: u64,
		anchor: u32,
		/// The body as text when it is UTF-8.
		body: Option<String>,
		/// The body as hex when it is not.
		body_hex: Option<String>,
	},
	/// Proof that an agent cheated.
	#[serde(rename_all = "camelCase")]
	Evidence { group: GroupId, agent: String, epoch: u32 },
}

impl Item {
	fn of(delivery: Delivery) -> (Topic, Item) {
		match delivery {
			Delivery::Message { topic, message, id } => {
				let h = message.header.header;
				let (body, body_hex) = match String::from_utf8(message.body) {
					Ok(text) => (Some(text), None),
					Err(e) => (None, Some(hex::encode(e.into_bytes()))),
				};
				let item = Item::Message {
					id,
					group: h.group,
					kind: topic.kind.name(),
					agent: h.agent.to_ss58check(),
					epoch: h.epoch,
					seq: h.seq,
					cost: h.cost,
					anchor: h.anchor_number,
					body,
					body_hex,
				};
				(topic, item)
			},
			Delivery::Evidence { topic, evidence } => {
				let (agent, epoch) = evidence.offence();
				(topic, Item::Evidence { group: topic.group, agent: agent.to_ss58check(), epoch })
			},
		}
	}
}

/// The peer's state.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
	/// This peer's libp2p id.
	pub peer_id: String,
	/// Connected peers.
	pub peers: usize,
	/// The finalized block validation uses.
	pub finalized_number: u32,
	/// The current budget epoch.
	pub epoch: u32,
	/// The agents this service signs for (SS58).
	pub agents: Vec<String>,
}

/// The fate of a submitted pull request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestStatus {
	/// The extrinsic's hash.
	pub tx_hash: String,
	/// The block it landed in.
	pub block: String,
	/// The proposal's id in the commit gate, when it was accepted.
	pub proposal_id: Option<u32>,
	/// The block from which it may be committed.
	pub unlock_at: Option<u32>,
	/// Why it failed, when it did.
	pub error: Option<String>,
}

/// The agents' API.
#[rpc(server)]
pub trait MeshApi {
	/// Signs and publishes `body` (text) as a `kind` message in `group`. `kind` is `poll`,
	/// `simulation`, `draft` or `pull-request`. Refused before signing when the budget would be
	/// exceeded.
	#[method(name = "mesh_publish")]
	async fn publish(
		&self,
		group: GroupId,
		kind: String,
		body: String,
		agent: Option<String>,
	) -> RpcResult<Published>;

	/// Validated messages and evidence, optionally only of one group and kind.
	#[subscription(name = "mesh_subscribe" => "mesh_message", unsubscribe = "mesh_unsubscribe", item = Item)]
	async fn subscribe(&self, group: Option<GroupId>, kind: Option<String>) -> SubscriptionResult;

	/// The agent's budget in the current epoch.
	#[method(name = "mesh_budget")]
	async fn budget(&self, agent: Option<String>) -> RpcResult<Budget>;

	/// The connected peers.
	#[method(name = "mesh_peers")]
	async fn peers(&self) -> RpcResult<Vec<PeerInfo>>;

	/// The peer's state.
	#[method(name = "mesh_health")]
	async fn health(&self) -> RpcResult<Health>;

	/// Submits `commitGate.submit(group, call, summary)` signed by the agent; `call` is the
	/// SCALE-encoded runtime call in hex. Returns once the extrinsic is in a block.
	#[method(name = "mesh_submitPullRequest")]
	async fn submit_pull_request(
		&self,
		group: GroupId,
		call: String,
		summary: String,
		agent: Option<String>,
	) -> RpcResult<PullRequestStatus>;
}

/// The server's state.
pub struct MeshRpc {
	/// The peer.
	pub node: NodeHandle,
	/// The local agents.
	pub publisher: Arc<Publisher>,
	/// The node connection for pull requests.
	pub chain: Arc<Chain>,
}

/// Invalid parameters (JSON-RPC's own code): a bad agent address, an unknown kind, a call that
/// is not hex or not a TEO runtime call. Do not retry.
pub const INVALID_PARAMS: i32 = -32602;
/// Refused: the service, its validation or the chain said no (over budget, not an active agent,
/// no key for the agent, a conflicting message, the pool refused the pull request). Do not
/// retry as is.
pub const REFUSED: i32 = 1;
/// Unavailable for now: the node connection failed, the peer stopped, the chain has not
/// reported the agent or a finalized block yet. Retry later.
pub const UNAVAILABLE: i32 = 2;
/// Internal: the ledger could not be written or is ahead of the chain, the node sent an answer
/// the service cannot read, the service lost its node connection or its peer stopped, gossip
/// failed. Do not retry; the operator should look at the service's log.
pub const INTERNAL: i32 = 3;
/// Unconfirmed: the pull request was sent to the node and the service lost track of it. It may
/// be in a block, or may yet be: look it up by `data.txHash` (or read the gate's pending
/// proposals) before submitting again, or the agent pays and proposes twice.
pub const UNCONFIRMED: i32 = 4;

/// An error of the API: its code, its message in words, and the `data` object.
struct Failure {
	code: i32,
	message: String,
	reason: &'static str,
	details: Map<String, Value>,
}

impl Failure {
	fn new(code: i32, message: impl ToString, reason: &'static str) -> Self {
		Self { code, message: message.to_string(), reason, details: Map::new() }
	}

	/// Adds a detail to `data`.
	fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
		self.details.insert(key.into(), value.into());
		self
	}

	/// The error object: `data` is `{kind, reason, retry, ...details}`.
	fn into_error(self) -> ErrorObjectOwned {
		let kind = match self.code {
			INVALID_PARAMS => "invalid_params",
			REFUSED => "refused",
			UNAVAILABLE => "unavailable",
			UNCONFIRMED => "unconfirmed",
			_ => "internal",
		};
		let mut data = Map::new();
		data.insert("kind".into(), kind.into());
		data.insert("reason".into(), self.reason.into());
		data.insert("retry".into(), (self.code == UNAVAILABLE).into());
		data.extend(self.details);
		ErrorObjectOwned::owned(self.code, self.message, Some(Value::Object(data)))
	}
}

fn node_failure(e: &NodeError) -> Failure {
	match e {
		NodeError::Stopped => Failure::new(INTERNAL, e, "node_stopped"),
		NodeError::Refused(verdict) => {
			let (verdict_name, check) = match verdict {
				Verdict::Reject(reason) => ("reject", reason.as_str()),
				Verdict::Ignore(reason) => ("ignore", reason.as_str()),
				Verdict::Accept => ("accept", ""),
			};
			Failure::new(REFUSED, e, "validation")
				.with("verdict", verdict_name)
				.with("validation", check)
		},
		NodeError::Gossip(_) if e.is_retryable() => {
			Failure::new(UNAVAILABLE, e, "gossip_queues_full")
		},
		NodeError::Gossip(_) => Failure::new(INTERNAL, e, "gossip"),
	}
}

fn publisher_failure(e: &PublisherError) -> Failure {
	match e {
		PublisherError::NoKeyFor(agent) => {
			Failure::new(REFUSED, e, "no_key_for_agent").with("agent", agent.to_ss58check())
		},
		PublisherError::NoKey => Failure::new(REFUSED, e, "no_agent_key"),
		PublisherError::AgentAmbiguous => Failure::new(REFUSED, e, "agent_ambiguous"),
		PublisherError::BodyTooLarge { len } => {
			Failure::new(REFUSED, e, "body_too_large").with("len", *len).with("limit", MAX_BODY_LEN)
		},
		PublisherError::NotActive => Failure::new(REFUSED, e, "agent_not_active"),
		PublisherError::NoBudget => Failure::new(REFUSED, e, "no_budget"),
		PublisherError::BudgetExceeded { cost, remaining } => {
			Failure::new(REFUSED, e, "budget_exceeded")
				.with("cost", *cost)
				.with("remaining", *remaining)
		},
		PublisherError::NotReported => Failure::new(UNAVAILABLE, e, "agent_not_reported"),
		PublisherError::NoAnchor => Failure::new(UNAVAILABLE, e, "no_anchor"),
		PublisherError::Ledger(LedgerError::EpochPassed { .. }) => {
			Failure::new(INTERNAL, e, "epoch_passed")
		},
		PublisherError::Ledger(_) => Failure::new(INTERNAL, e, "ledger"),
		PublisherError::Node(node) => node_failure(node),
	}
}

fn client_failure(e: &teo_client::Error) -> Failure {
	let code = match e.kind() {
		// This service connects once and does not reconnect: a lost connection stays lost.
		teo_client::ErrorKind::Transport
			if matches!(e, teo_client::Error::ConnectionLost { .. }) =>
		{
			INTERNAL
		},
		teo_client::ErrorKind::Transport => UNAVAILABLE,
		teo_client::ErrorKind::Unconfirmed => UNCONFIRMED,
		teo_client::ErrorKind::Refused => REFUSED,
		teo_client::ErrorKind::Malformed => INTERNAL,
	};
	let failure = Failure::new(code, e, e.reason());
	match e {
		teo_client::Error::Unconfirmed { hash, .. } => failure.with("txHash", format!("{hash:?}")),
		teo_client::Error::Pool(
			teo_client::PoolRefusal::Invalid { reason }
			| teo_client::PoolRefusal::Unknown { reason },
		) => failure.with("detail", reason.as_str()),
		teo_client::Error::Pool(
			teo_client::PoolRefusal::Other(error) | teo_client::PoolRefusal::Later(error),
		)
		| teo_client::Error::Rpc { error, .. } => failure.with("nodeCode", error.code),
		teo_client::Error::Dispatch(dispatch) => failure.with("error", dispatch.name.as_str()),
		_ => failure,
	}
}

fn chain_failure(e: &ChainError) -> Failure {
	match e {
		ChainError::Client(client) => client_failure(client),
		ChainError::UndecodableCall(_) => Failure::new(INVALID_PARAMS, e, "call"),
		ChainError::NoParameters => Failure::new(INTERNAL, e, "no_parameters"),
		ChainError::Node(node) => node_failure(node),
	}
}

fn agent_of(agent: Option<String>) -> RpcResult<Option<AccountId>> {
	agent
		.map(|a| {
			AccountId::from_ss58check(&a).map_err(|e| {
				Failure::new(INVALID_PARAMS, format!("agent: {e:?}"), "agent").into_error()
			})
		})
		.transpose()
}

fn unknown_kind(kind: &str, known: &str) -> ErrorObjectOwned {
	Failure::new(INVALID_PARAMS, format!("unknown kind {kind:?}: {known}"), "kind").into_error()
}

fn message_kind(kind: &str) -> RpcResult<teo_primitives::mesh::MessageKind> {
	match TopicKind::from_name(kind) {
		Some(TopicKind::Message(kind)) => Ok(kind),
		_ => Err(unknown_kind(kind, "poll, simulation, draft or pull-request")),
	}
}

#[async_trait]
impl MeshApiServer for MeshRpc {
	async fn publish(
		&self,
		group: GroupId,
		kind: String,
		body: String,
		agent: Option<String>,
	) -> RpcResult<Published> {
		let kind = message_kind(&kind)?;
		let agent = agent_of(agent)?;
		self.publisher
			.publish(agent.as_ref(), group, kind, body.into_bytes())
			.await
			.map_err(|e| publisher_failure(&e).into_error())
	}

	async fn subscribe(
		&self,
		pending: PendingSubscriptionSink,
		group: Option<GroupId>,
		kind: Option<String>,
	) -> SubscriptionResult {
		let kind = match kind {
			Some(name) => match TopicKind::from_name(&name) {
				Some(kind) => Some(kind),
				None => {
					let known = "poll, simulation, draft, pull-request or evidence";
					pending.reject(unknown_kind(&name, known)).await;
					return Ok(());
				},
			},
			None => None,
		};
		let mut deliveries = self.node.subscribe();
		let sink = pending.accept().await?;
		loop {
			let delivery = match deliveries.recv().await {
				Ok(delivery) => delivery,
				Err(RecvError::Lagged(missed)) => {
					tracing::warn!(missed, "a subscriber fell behind");
					continue;
				},
				Err(RecvError::Closed) => return Ok(()),
			};
			let (topic, item) = Item::of(delivery);
			if group.is_some_and(|g| g != topic.group) || kind.is_some_and(|k| k != topic.kind) {
				continue;
			}
			let message = SubscriptionMessage::from_json(&item)?;
			if sink.send(message).await.is_err() {
				return Ok(());
			}
		}
	}

	async fn budget(&self, agent: Option<String>) -> RpcResult<Budget> {
		let agent = agent_of(agent)?;
		self.publisher.budget(agent.as_ref()).await.map_err(|e| publisher_failure(&e).into_error())
	}

	async fn peers(&self) -> RpcResult<Vec<PeerInfo>> {
		self.node.peers().await.map_err(|e| node_failure(&e).into_error())
	}

	async fn health(&self) -> RpcResult<Health> {
		let peers = self.node.peers().await.map_err(|e| node_failure(&e).into_error())?;
		let agent =
			self.publisher.agents().next().cloned().unwrap_or_else(|| AccountId::new([0; 32]));
		let (view, _) =
			self.node.standing(agent).await.map_err(|e| node_failure(&e).into_error())?;
		Ok(Health {
			peer_id: self.node.peer_id.to_string(),
			peers: peers.len(),
			finalized_number: view.finalized_number,
			epoch: view.epoch,
			agents: self.publisher.agents().map(|a| a.to_ss58check()).collect(),
		})
	}

	async fn submit_pull_request(
		&self,
		group: GroupId,
		call: String,
		summary: String,
		agent: Option<String>,
	) -> RpcResult<PullRequestStatus> {
		let agent = agent_of(agent)?;
		let (_, pair) =
			self.publisher.key(agent.as_ref()).map_err(|e| publisher_failure(&e).into_error())?;
		let call = hex::decode(call.trim_start_matches("0x")).map_err(|e| {
			Failure::new(INVALID_PARAMS, format!("call: not hex: {e}"), "call").into_error()
		})?;
		let submission = Submission::pull_request(group, &call, summary.into_bytes())
			.map_err(|e| chain_failure(&e).into_error())?;
		let outcome = submit(&self.chain, submission, pair)
			.await
			.map_err(|e| chain_failure(&e).into_error())?;
		let submitted = outcome.events.iter().find_map(|event| match event {
			teo_runtime::RuntimeEvent::CommitGate(pallet_commit_gate::Event::Submitted {
				id,
				unlock_at,
				..
			}) => Some((*id, *unlock_at)),
			_ => None,
		});
		Ok(PullRequestStatus {
			tx_hash: format!("{:?}", outcome.hash),
			block: format!("{:?}", outcome.block),
			proposal_id: submitted.map(|(id, _)| id),
			unlock_at: submitted.map(|(_, unlock)| unlock),
			error: outcome.error.map(|failure| failure.name),
		})
	}
}

/// Why the RPC server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
	/// The address could not be bound.
	#[error("the RPC server cannot listen on {address}: {source}")]
	Listen {
		/// The address.
		address: SocketAddr,
		/// The system's error.
		#[source]
		source: std::io::Error,
	},
	/// The bound address could not be read.
	#[error("the RPC server's address: {0}")]
	LocalAddr(#[source] std::io::Error),
}

/// Starts the server on `address`.
pub async fn serve(
	address: SocketAddr,
	api: MeshRpc,
) -> Result<(SocketAddr, ServerHandle), ServeError> {
	let server = Server::builder()
		.build(address)
		.await
		.map_err(|source| ServeError::Listen { address, source })?;
	let bound = server.local_addr().map_err(ServeError::LocalAddr)?;
	Ok((bound, server.start(api.into_rpc())))
}
