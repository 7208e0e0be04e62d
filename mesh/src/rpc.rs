//! The agents' JSON-RPC (WebSocket and HTTP on one port, localhost by default): publish,
//! subscribe, read the budget, inspect the peer, and submit a pull request.

use std::{net::SocketAddr, sync::Arc};

use jsonrpsee::{
	core::{async_trait, RpcResult, SubscriptionResult},
	proc_macros::rpc,
	server::{PendingSubscriptionSink, Server, ServerHandle, SubscriptionMessage},
	types::ErrorObjectOwned,
};
use polkadot_sdk::sp_core::crypto::Ss58Codec;
use serde::Serialize;
use teo_client::Chain;
use teo_primitives::{AccountId, GroupId};
use tokio::sync::broadcast::error::RecvError;

use crate::{
	chain::{submit, Submission},
	message::{Topic, TopicKind},
	node::{Delivery, NodeHandle, PeerInfo},
	publisher::{Budget, Published, Publisher},
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

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

/// Invalid parameters.
const INVALID: i32 = -32602;
/// The service refused or failed.
const REFUSED: i32 = 1;

fn agent_of(agent: Option<String>) -> RpcResult<Option<AccountId>> {
	agent
		.map(|a| AccountId::from_ss58check(&a).map_err(|e| error(INVALID, format!("agent: {e:?}"))))
		.transpose()
}

fn message_kind(kind: &str) -> RpcResult<teo_primitives::mesh::MessageKind> {
	match TopicKind::from_name(kind) {
		Some(TopicKind::Message(kind)) => Ok(kind),
		_ => Err(error(
			INVALID,
			format!("unknown kind {kind:?}: poll, simulation, draft or pull-request"),
		)),
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
			.map_err(|e| error(REFUSED, e))
	}

	async fn subscribe(
		&self,
		pending: PendingSubscriptionSink,
		group: Option<GroupId>,
		kind: Option<String>,
	) -> SubscriptionResult {
		let kind = match kind {
			Some(name) => {
				Some(TopicKind::from_name(&name).ok_or_else(|| format!("unknown kind {name:?}"))?)
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
		self.publisher.budget(agent.as_ref()).await.map_err(|e| error(REFUSED, e))
	}

	async fn peers(&self) -> RpcResult<Vec<PeerInfo>> {
		self.node.peers().await.map_err(|e| error(REFUSED, e))
	}

	async fn health(&self) -> RpcResult<Health> {
		let peers = self.node.peers().await.map_err(|e| error(REFUSED, e))?;
		let agent =
			self.publisher.agents().next().cloned().unwrap_or_else(|| AccountId::new([0; 32]));
		let (view, _) = self.node.standing(agent).await.map_err(|e| error(REFUSED, e))?;
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
		let (_, pair) = self.publisher.key(agent.as_ref()).map_err(|e| error(REFUSED, e))?;
		let call = hex::decode(call.trim_start_matches("0x"))
			.map_err(|e| error(INVALID, format!("call: not hex: {e}")))?;
		let submission = Submission::pull_request(group, &call, summary.into_bytes())
			.map_err(|e| error(INVALID, e))?;
		let outcome = submit(&self.chain, submission, pair).await.map_err(|e| error(REFUSED, e))?;
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
			error: outcome.error,
		})
	}
}

/// Starts the server on `address`.
pub async fn serve(
	address: SocketAddr,
	api: MeshRpc,
) -> Result<(SocketAddr, ServerHandle), String> {
	let server = Server::builder()
		.build(address)
		.await
		.map_err(|e| format!("the RPC server cannot listen on {address}: {e}"))?;
	let bound = server.local_addr().map_err(|e| e.to_string())?;
	Ok((bound, server.start(api.into_rpc())))
}
