//! The agents' JSON-RPC (WebSocket and HTTP on one port, localhost by default): publish,
//! subscribe, read the budget and the ledger of commits (its head, the commits since a root,
//! the pending proposals), inspect the peer, and submit a pull request.
//!
//! Every request passes the [`Gatekeeper`] first (a token, the Host, the Origin: see
//! [`crate::access`]); a method then acts only for the one agent the caller's token names.
//!
//! Errors carry one of four codes ([`INVALID_PARAMS`], [`REFUSED`], [`UNAVAILABLE`],
//! [`INTERNAL`]), a message in words, and `data`: `{kind, reason, retry}` and, for some reasons,
//! details (docs/MESH.md has the table). `retry` is `true` exactly for [`UNAVAILABLE`].

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use jsonrpsee::{
	core::{async_trait, RpcResult, SubscriptionResult},
	proc_macros::rpc,
	server::{Methods, PendingSubscriptionSink, Server, ServerHandle, SubscriptionMessage},
	types::ErrorObjectOwned,
	Extensions,
};
use polkadot_sdk::sp_core::crypto::Ss58Codec;
use serde::Serialize;
use serde_json::{Map, Value};
use teo_primitives::{AccountId, BlockNumber, GroupId, Hash};
use tokio::sync::broadcast::error::RecvError;

use crate::{
	access::{Caller, Gatekeeper},
	chain::{submit_mortal, ChainError, ChainLink, Submission},
	ledger::LedgerError,
	message::{Topic, TopicKind, MAX_BODY_LEN},
	node::{Delivery, NodeError, NodeHandle, PeerInfo},
	publisher::{Budget, Hold, Published, Publisher, PublisherError},
	validation::{ChainView, Verdict},
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
		/// The commit root it builds on (hex).
		commit_root: String,
		/// The body as text when it is UTF-8.
		body: Option<String>,
		/// The body as hex when it is not.
		body_hex: Option<String>,
	},
	/// Proof that an agent cheated.
	#[serde(rename_all = "camelCase")]
	Evidence { group: GroupId, agent: String, epoch: u32 },
	/// The subscriber read too slowly and `missed` deliveries (of any group and kind) were
	/// dropped for it: what it holds is incomplete, so it should read the state it depends on
	/// again rather than assume it saw everything.
	#[serde(rename_all = "camelCase")]
	Lagged { missed: u64 },
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
					commit_root: format!("{:?}", h.commit_root),
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

/// A chain view older than this is stale: five blocks' time without a newer finalized block.
pub const STALE_AFTER: std::time::Duration =
	std::time::Duration::from_millis(5 * teo_primitives::time::MILLISECS_PER_BLOCK);

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
	/// Seconds since the chain view last moved to a newer finalized block.
	pub chain_view_age_seconds: u64,
	/// The chain view is older than [`STALE_AFTER`]: the node connection is down or finality
	/// stalled, and other peers will soon ignore what this service signs (its anchors fall
	/// behind theirs).
	pub chain_stale: bool,
	/// The agent the caller's token acts for (SS58), when this service holds its key: the
	/// service's other agents are none of the caller's business.
	pub agents: Vec<String>,
}

/// The head of the ledger of commits in the chain view validation uses: what a message built
/// now builds on (rule C).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerHead {
	/// The commit root (hex).
	pub root: String,
	/// How many proposals were committed.
	pub count: u64,
	/// The finalized block it was read at.
	pub finalized_number: BlockNumber,
}

impl LedgerHead {
	fn of(view: &ChainView) -> Self {
		Self {
			root: format!("{:?}", view.commits.root),
			count: view.commits.count,
			finalized_number: view.finalized_number,
		}
	}
}

/// One commit on the ledger.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitItem {
	/// Its position on the commit chain, from 0.
	pub index: u64,
	/// The proposal committed.
	pub proposal_id: u32,
	/// Its group.
	pub group: GroupId,
	/// `blake2_256` of its call (hex).
	pub call_hash: String,
	/// Whether its call succeeded.
	pub succeeded: bool,
	/// The block it ran in.
	pub block: BlockNumber,
	/// The commit root after it (hex).
	pub root: String,
}

impl From<pallet_commit_gate::Commit> for CommitItem {
	fn from(c: pallet_commit_gate::Commit) -> Self {
		Self {
			index: c.index,
			proposal_id: c.id,
			group: c.group,
			call_hash: format!("{:?}", c.call_hash),
			succeeded: c.succeeded,
			block: c.block,
			root: format!("{:?}", c.root),
		}
	}
}

/// What happened since a root: the commits after it, oldest first, up to the head.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitsSince {
	/// The head the commits lead to.
	pub head: LedgerHead,
	/// The commits, oldest first (empty when the root is the head).
	pub commits: Vec<CommitItem>,
}

/// A pull request in its veto window.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingProposal {
	/// Its id in the commit gate.
	pub id: u32,
	/// The agent that submitted it (SS58).
	pub proposer: String,
	/// The agent's sponsor (SS58).
	pub sponsor: String,
	/// Its group.
	pub group: GroupId,
	/// The summary as text when it is UTF-8 (the gate accepts only UTF-8).
	pub summary: String,
	/// `blake2_256` of the call (hex); the call itself is in the gate's storage
	/// (`commitGateApi.proposal(id)`), left out here so that a full queue stays a small answer.
	pub call_hash: String,
	/// The call's length in bytes.
	pub call_len: u32,
	/// The deposit at stake, in the chain's smallest unit (a decimal string: it may not fit a
	/// JSON number).
	pub deposit: String,
	/// The block it was submitted in.
	pub submitted_at: BlockNumber,
	/// The first block at which it runs unless vetoed.
	pub unlock_at: BlockNumber,
	/// Vetoes cast so far, and how many kill it.
	pub vetoes: u32,
	/// Vetoes that kill it.
	pub veto_threshold: u32,
	/// Withdrawn: its call will not run, but a veto still slashes until `unlockAt`.
	pub withdrawn: bool,
}

impl From<pallet_commit_gate::runtime_api::PendingProposal> for PendingProposal {
	fn from(p: pallet_commit_gate::runtime_api::PendingProposal) -> Self {
		Self {
			id: p.id,
			proposer: p.proposer.to_ss58check(),
			sponsor: p.sponsor.to_ss58check(),
			group: p.group,
			summary: String::from_utf8_lossy(&p.summary).into_owned(),
			call_hash: format!("{:?}", p.call_hash),
			call_len: p.call.len() as u32,
			deposit: p.deposit.to_string(),
			submitted_at: p.submitted_at,
			unlock_at: p.unlock_at,
			vetoes: p.vetoes,
			veto_threshold: p.veto_threshold,
			withdrawn: p.withdrawn,
		}
	}
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
	/// Signs and publishes `body` (text) as a `kind` message in `group`, built on the head of
	/// the ledger of commits. `kind` is `poll`, `simulation`, `draft` or `pull-request`.
	/// Refused before signing when the budget would be exceeded, or when `commit_root` (the
	/// root the agent reasoned from, hex) is given and the head has moved past it. `agent`,
	/// when given, must be the caller's.
	#[method(name = "mesh_publish", with_extensions)]
	async fn publish(
		&self,
		group: GroupId,
		kind: String,
		body: String,
		agent: Option<String>,
		#[argument(rename = "commitRoot")] commit_root: Option<String>,
	) -> RpcResult<Published>;

	/// Validated messages and evidence, optionally only of one group and kind.
	#[subscription(name = "mesh_subscribe" => "mesh_message", unsubscribe = "mesh_unsubscribe", item = Item, with_extensions)]
	async fn subscribe(&self, group: Option<GroupId>, kind: Option<String>) -> SubscriptionResult;

	/// The caller's agent's budget in the current epoch.
	#[method(name = "mesh_budget", with_extensions)]
	async fn budget(&self, agent: Option<String>) -> RpcResult<Budget>;

	/// The head of the ledger of commits that messages published now build on.
	#[method(name = "mesh_commitRoot", with_extensions)]
	async fn commit_root(&self) -> RpcResult<LedgerHead>;

	/// The commits after `root` (hex), oldest first, up to the head. Refused
	/// (`unknown_commit_root`) when the chain no longer keeps that root or it never was one:
	/// read the pending proposals and the head afresh.
	#[method(name = "mesh_commitsSince", with_extensions)]
	async fn commits_since(&self, root: String) -> RpcResult<CommitsSince>;

	/// The pull requests of `group` in their veto window, in commit order, at the head's block.
	#[method(name = "mesh_pendingProposals", with_extensions)]
	async fn pending_proposals(&self, group: GroupId) -> RpcResult<Vec<PendingProposal>>;

	/// The connected peers.
	#[method(name = "mesh_peers")]
	async fn peers(&self) -> RpcResult<Vec<PeerInfo>>;

	/// The peer's state.
	#[method(name = "mesh_health", with_extensions)]
	async fn health(&self) -> RpcResult<Health>;

	/// Submits `commitGate.submit(group, call, summary)` signed by the agent; `call` is the
	/// SCALE-encoded runtime call in hex. Returns once the extrinsic is in a block.
	#[method(name = "mesh_submitPullRequest", with_extensions)]
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
	node: NodeHandle,
	/// The local agents.
	publisher: Arc<Publisher>,
	/// The node connection for pull requests.
	chain: Arc<ChainLink>,
	/// The pending proposals per group at the last finalized block asked about: every agent of
	/// the service asks after every commit, and the node decodes the whole queue each time.
	pending: std::sync::Mutex<HashMap<GroupId, (Hash, Arc<Vec<PendingProposal>>)>>,
}

/// Groups whose pending proposals are remembered at most (agents may ask about any group).
const PENDING_CACHED_GROUPS: usize = 64;

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
/// the service cannot read, the service's peer stopped, gossip failed. Do not retry; the
/// operator should look at the service's log.
pub const INTERNAL: i32 = 3;
/// Unconfirmed: the pull request was sent to the node and the service lost track of it (or the
/// node's pool dropped it, which other nodes may not have). It may be in a block, or may yet be
/// (within its mortality, 64 blocks): look it up by `data.txHash` (or read the gate's pending
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
		PublisherError::PullRequestInFlight => {
			Failure::new(UNAVAILABLE, e, "pull_request_in_flight")
		},
		PublisherError::PeersUnanswered => Failure::new(UNAVAILABLE, e, "peers_unanswered"),
		PublisherError::StaleCommitRoot { built_on, head } => {
			Failure::new(REFUSED, e, "stale_commit_root")
				.with("builtOn", format!("{built_on:?}"))
				.with("commitRoot", format!("{:?}", head.root))
				.with("commitCount", head.count)
		},
		PublisherError::Ledger(LedgerError::EpochPassed { .. }) => {
			Failure::new(INTERNAL, e, "epoch_passed")
		},
		PublisherError::Ledger(_) => Failure::new(INTERNAL, e, "ledger"),
		PublisherError::Node(node) => node_failure(node),
	}
}

fn client_failure(e: &teo_client::Error) -> Failure {
	let code = match e.kind() {
		// Dropped by the local pool after it took it: other nodes may have it and include it,
		// so sending it again could propose (and pay) twice.
		teo_client::ErrorKind::Transport if matches!(e, teo_client::Error::Dropped) => UNCONFIRMED,
		// A lost connection is made again at the next request.
		teo_client::ErrorKind::Transport => UNAVAILABLE,
		teo_client::ErrorKind::Unconfirmed => UNCONFIRMED,
		teo_client::ErrorKind::Refused => REFUSED,
		teo_client::ErrorKind::Malformed => INTERNAL,
	};
	// The operator must point the service at a node of its chain: nothing the caller can do.
	let code = match e {
		teo_client::Error::AnotherChain { .. } => INTERNAL,
		_ => code,
	};
	let failure = Failure::new(code, e, e.reason());
	match e {
		teo_client::Error::AnotherChain { found, .. } => {
			failure.with("genesis", format!("{found:?}"))
		},
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

/// The agent a call acts for: the caller's, which `requested` may name but not change.
fn acting_agent(caller: Option<&Caller>, requested: Option<String>) -> RpcResult<AccountId> {
	// The gatekeeper admits no request without a caller; without it, no method that acts for
	// an agent or reads its state serves anybody.
	let caller = caller.ok_or_else(|| {
		Failure::new(REFUSED, "this request carries no checked token", "no_token").into_error()
	})?;
	if let Some(requested) = requested {
		let requested = AccountId::from_ss58check(&requested).map_err(|e| {
			Failure::new(INVALID_PARAMS, format!("agent: {e:?}"), "agent").into_error()
		})?;
		if requested != caller.agent {
			let message = format!(
				"the token {:?} acts for {}, not for {}",
				caller.label,
				caller.agent.to_ss58check(),
				requested.to_ss58check()
			);
			return Err(Failure::new(REFUSED, message, "not_the_tokens_agent")
				.with("agent", requested.to_ss58check())
				.into_error());
		}
	}
	Ok(caller.agent.clone())
}

fn commit_root_param(root: &str) -> RpcResult<Hash> {
	let bytes = hex::decode(root.strip_prefix("0x").unwrap_or(root)).ok().filter(|b| b.len() == 32);
	bytes.map(|b| Hash::from_slice(&b)).ok_or_else(|| {
		let message = format!("commit root: not 32 bytes of hex: {root:?}");
		Failure::new(INVALID_PARAMS, message, "commit_root").into_error()
	})
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
		ext: &Extensions,
		group: GroupId,
		kind: String,
		body: String,
		agent: Option<String>,
		commit_root: Option<String>,
	) -> RpcResult<Published> {
		let agent = acting_agent(ext.get(), agent)?;
		let kind = message_kind(&kind)?;
		let builds_on = commit_root.as_deref().map(commit_root_param).transpose()?;
		self.publisher
			.publish(Some(&agent), group, kind, body.into_bytes(), builds_on)
			.await
			.map_err(|e| publisher_failure(&e).into_error())
	}

	async fn commit_root(&self, ext: &Extensions) -> RpcResult<LedgerHead> {
		Ok(LedgerHead::of(&self.view(ext).await?))
	}

	async fn commits_since(&self, ext: &Extensions, root: String) -> RpcResult<CommitsSince> {
		let root = commit_root_param(&root)?;
		let view = self.view(ext).await?;
		let since: Option<Vec<pallet_commit_gate::Commit>> =
			self.read_at(&view, "CommitGateApi_commits_since", &root).await?;
		let head = LedgerHead::of(&view);
		match since {
			Some(commits) => {
				Ok(CommitsSince { head, commits: commits.into_iter().map(Into::into).collect() })
			},
			None => Err(Failure::new(
				REFUSED,
				format!("the chain keeps no commit with root {root:?}: read the state afresh"),
				"unknown_commit_root",
			)
			.with("commitRoot", head.root)
			.with("commitCount", head.count)
			.into_error()),
		}
	}

	async fn pending_proposals(
		&self,
		ext: &Extensions,
		group: GroupId,
	) -> RpcResult<Vec<PendingProposal>> {
		let view = self.view(ext).await?;
		let at = view.recent.back().map(|(_, hash)| *hash);
		let cached = |pending: &HashMap<GroupId, (Hash, Arc<Vec<PendingProposal>>)>| {
			pending.get(&group).filter(|(block, _)| Some(*block) == at).map(|(_, p)| p.clone())
		};
		if let Some(pending) = cached(&self.pending.lock().unwrap_or_else(|e| e.into_inner())) {
			return Ok(pending.as_ref().clone());
		}
		let read: Vec<pallet_commit_gate::runtime_api::PendingProposal> =
			self.read_at(&view, "CommitGateApi_pending", &group).await?;
		let pending: Arc<Vec<PendingProposal>> =
			Arc::new(read.into_iter().map(Into::into).collect());
		if let Some(at) = at {
			let mut cache = self.pending.lock().unwrap_or_else(|e| e.into_inner());
			if cache.len() >= PENDING_CACHED_GROUPS {
				cache.clear();
			}
			cache.insert(group, (at, pending.clone()));
		}
		Ok(pending.as_ref().clone())
	}

	async fn subscribe(
		&self,
		pending: PendingSubscriptionSink,
		ext: &Extensions,
		group: Option<GroupId>,
		kind: Option<String>,
	) -> SubscriptionResult {
		if let Err(refused) = acting_agent(ext.get(), None) {
			pending.reject(refused).await;
			return Ok(());
		}
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
		let deliveries = self.node.subscribe();
		let sink = pending.accept().await?;
		forward(deliveries, group, kind, sink.closed(), |item| {
			let message = SubscriptionMessage::from_json(&item);
			let sink = &sink;
			async move {
				match message {
					Ok(message) => sink.send(message).await.is_ok(),
					Err(e) => {
						tracing::error!("a subscription item: {e}");
						false
					},
				}
			}
		})
		.await;
		Ok(())
	}

	async fn budget(&self, ext: &Extensions, agent: Option<String>) -> RpcResult<Budget> {
		let agent = acting_agent(ext.get(), agent)?;
		self.publisher.budget(Some(&agent)).await.map_err(|e| publisher_failure(&e).into_error())
	}

	async fn peers(&self) -> RpcResult<Vec<PeerInfo>> {
		self.node.peers().await.map_err(|e| node_failure(&e).into_error())
	}

	async fn health(&self, ext: &Extensions) -> RpcResult<Health> {
		let agent = acting_agent(ext.get(), None)?;
		let peers = self.node.peers().await.map_err(|e| node_failure(&e).into_error())?;
		let (view, _) =
			self.node.standing(agent.clone()).await.map_err(|e| node_failure(&e).into_error())?;
		let hosted = self.publisher.agents().any(|a| *a == agent);
		let age = self.node.view_age().await.map_err(|e| node_failure(&e).into_error())?;
		Ok(Health {
			peer_id: self.node.peer_id.to_string(),
			peers: peers.len(),
			finalized_number: view.finalized_number,
			epoch: view.epoch,
			chain_view_age_seconds: age.as_secs(),
			chain_stale: age > STALE_AFTER,
			agents: hosted.then(|| agent.to_ss58check()).into_iter().collect(),
		})
	}

	async fn submit_pull_request(
		&self,
		ext: &Extensions,
		group: GroupId,
		call: String,
		summary: String,
		agent: Option<String>,
	) -> RpcResult<PullRequestStatus> {
		let agent = acting_agent(ext.get(), agent)?;
		let (_, pair) =
			self.publisher.key(Some(&agent)).map_err(|e| publisher_failure(&e).into_error())?;
		let call = hex::decode(call.trim_start_matches("0x")).map_err(|e| {
			Failure::new(INVALID_PARAMS, format!("call: not hex: {e}"), "call").into_error()
		})?;
		let submission = Submission::pull_request(group, &call, summary.into_bytes())
			.map_err(|e| chain_failure(&e).into_error())?;
		let chain = self.chain.get().await.map_err(|e| chain_failure(&e).into_error())?;
		// One budget: the pull request's price must fit beside the agent's mesh spending, or
		// the agent's own mesh messages would prove an overspend once it lands.
		let terms = admission_terms(&chain, group).await.map_err(|e| e.into_error())?;
		// The reservation, the submission and its end in a task of its own, which says how the
		// pull request ended even when the caller has left (a dropped connection drops this
		// future, and the reservation, once made, would have nobody to release it). Mortal, so
		// that one whose fate is unknown holds it for a bounded time: to the end of the epoch
		// (a pull request that missed its epoch's admissions is not kept for later ones).
		let submitting = {
			let (publisher, agent, pair) = (self.publisher.clone(), agent.clone(), pair.clone());
			let chain = chain.clone();
			tokio::spawn(async move {
				publisher
					.begin_pull_request(&agent, terms.worst_price, terms.epoch, terms.lands_by)
					.await
					.map_err(|e| publisher_failure(&e))?;
				let (last_block, outcome) =
					submit_mortal(&chain, submission, &pair, terms.mortality).await;
				// The era it was signed with (the ledger's bound, longer, serves a restart);
				// none was signed when the best block could not be read.
				let lands_by = if last_block == 0 { terms.lands_by } else { last_block };
				let hold = match &outcome {
					// In a block (a failure in it spent nothing), which counts once it is
					// final; until then, or if a fork leaves it off, the pull request may land
					// again, or first, within its era.
					Ok(outcome) => match chain.block_number(outcome.block).await {
						Ok(number) => Some(Hold::Landed { number, hash: outcome.block, lands_by }),
						Err(_) => Some(Hold::UntilRead(lands_by)),
					},
					Err(e) if certainly_not_sent(e) => None,
					Err(_) => Some(Hold::UntilRead(lands_by)),
				};
				publisher.end_pull_request(&agent, hold);
				outcome.map_err(|e| chain_failure(&e))
			})
		};
		let outcome = submitting
			.await
			.map_err(|e| {
				Failure::new(INTERNAL, format!("the submission's task failed: {e}"), "submission")
					.into_error()
			})?
			.map_err(|e| e.into_error())?;
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

/// Hands a subscriber the `deliveries` of `group` and `kind` (all when `None`) through `send`,
/// until the subscriber leaves (`closed` completes, or `send` fails) or the node stops. A
/// subscriber that read too slowly is told how many deliveries it missed ([`Item::Lagged`])
/// before it gets the next: it must not believe it saw everything.
///
/// A subscription whose filter matches nothing sends nothing, so only `closed` tells that its
/// client left: without it, every such subscription left behind would go on reading every
/// delivery for the life of the service. Deliveries the filter drops are never turned into
/// items.
async fn forward<F, Sent>(
	mut deliveries: tokio::sync::broadcast::Receiver<Delivery>,
	group: Option<GroupId>,
	kind: Option<TopicKind>,
	closed: impl std::future::Future<Output = ()>,
	mut send: F,
) where
	F: FnMut(Item) -> Sent,
	Sent: std::future::Future<Output = bool>,
{
	let mut closed = std::pin::pin!(closed);
	loop {
		let received = tokio::select! {
			() = &mut closed => return,
			received = deliveries.recv() => received,
		};
		let delivery = match received {
			Ok(delivery) => delivery,
			Err(RecvError::Lagged(missed)) => {
				tracing::warn!(missed, "a subscriber fell behind");
				if !send(Item::Lagged { missed }).await {
					return;
				}
				continue;
			},
			Err(RecvError::Closed) => return,
		};
		let topic = match &delivery {
			Delivery::Message { topic, .. } | Delivery::Evidence { topic, .. } => *topic,
		};
		if group.is_some_and(|g| g != topic.group) || kind.is_some_and(|k| k != topic.kind) {
			continue;
		}
		let (_, item) = Item::of(delivery);
		if !send(item).await {
			return;
		}
	}
}

impl MeshRpc {
	/// The server's state.
	pub fn new(node: NodeHandle, publisher: Arc<Publisher>, chain: Arc<ChainLink>) -> Self {
		Self { node, publisher, chain, pending: Default::default() }
	}

	/// The chain view validation uses, for a caller with a checked token.
	async fn view(&self, ext: &Extensions) -> RpcResult<ChainView> {
		let agent = acting_agent(ext.get(), None)?;
		let (view, _) =
			self.node.standing(agent).await.map_err(|e| node_failure(&e).into_error())?;
		Ok(view)
	}

	/// A runtime API's answer at the view's finalized block, so that what the agent reads
	/// agrees with the head its messages build on.
	async fn read_at<T: codec::Decode>(
		&self,
		view: &ChainView,
		method: &str,
		args: &impl codec::Encode,
	) -> RpcResult<T> {
		let (_, at) = *view.recent.back().ok_or_else(|| {
			Failure::new(UNAVAILABLE, PublisherError::NoAnchor, "no_anchor").into_error()
		})?;
		let failed = |e: teo_client::Error| chain_failure(&ChainError::from(e)).into_error();
		let chain = self.chain.get().await.map_err(|e| chain_failure(&e).into_error())?;
		chain.runtime_api(method, args, at).await.map_err(failed)
	}
}

/// Blocks a pull request's transaction stays valid for at most: a few minutes of blocks, after
/// which one whose fate the service lost track of can no longer land.
const PULL_REQUEST_MORTALITY: u64 = 64;

/// What a pull request to a group is sent with.
struct AdmissionTerms {
	/// The most admitting it can cost in this epoch: the price of the group's last admission of
	/// the epoch, at the best block. However many pull requests are admitted before this one (in
	/// its block, or on purpose, by a front-runner), it costs no more.
	worst_price: u64,
	/// Its era, in blocks ([`pull_request_mortality`]).
	mortality: u64,
	/// The epoch of the best block, where it is priced.
	epoch: teo_primitives::EpochIndex,
	/// The last block it may land in, at most: its era from the best block, signed up to
	/// [`PULL_REQUEST_MORTALITY`] blocks later (the best block moves while the service asks
	/// its peers and writes its ledger). Kept in the ledger for a restart.
	lands_by: BlockNumber,
}

async fn admission_terms(
	chain: &teo_client::Chain,
	group: GroupId,
) -> Result<AdmissionTerms, Failure> {
	let client = |e: teo_client::Error| chain_failure(&ChainError::from(e));
	let best = chain.checked_best_head().await.map_err(client)?;
	let price: Option<u64> =
		chain.runtime_api("ActionBudgetApi_admission_price", &group, best).await.map_err(client)?;
	let left: u32 =
		chain.runtime_api("ActionBudgetApi_admissions_left", &group, best).await.map_err(client)?;
	let costs: Option<teo_primitives::mesh::CostSchedule> =
		chain.runtime_api("ActionBudgetApi_cost_schedule", &(), best).await.map_err(client)?;
	let epoch: Option<pallet_action_budget::EpochInfo> =
		chain.runtime_api("ActionBudgetApi_epoch", &(), best).await.map_err(client)?;
	let (Some(price), Some(costs), Some(epoch)) = (price, costs, epoch) else {
		return Err(chain_failure(&ChainError::NoParameters));
	};
	let best_number = chain.block_number(best).await.map_err(client)?;
	let mortality = pull_request_mortality(best_number, epoch.last_block);
	// A free admission stays free: on the flash-crash harness's single layer, which has no cap
	// to price (TEO's constitution prices every admission), the last admission's price would
	// otherwise be the base price times every admission left, which is all of them.
	let worst_price = if price == 0 {
		0
	} else {
		price.saturating_add(costs.pull_request.saturating_mul(u64::from(left.saturating_sub(1))))
	};
	Ok(AdmissionTerms {
		worst_price,
		mortality,
		epoch: epoch.index,
		lands_by: best_number
			.saturating_add(mortality as BlockNumber)
			.saturating_add(PULL_REQUEST_MORTALITY as BlockNumber),
	})
}

/// The era of a pull request sent at the best block `best` of an epoch whose last block is
/// `epoch_end`: the longest that ends by the epoch's end (eras are powers of two, at least 4
/// blocks; one block is kept in hand, as the best block may move before it is signed), at most
/// [`PULL_REQUEST_MORTALITY`]. A pull request the pool takes and then finds invalid (the group's
/// admissions ran out first) might still be in another node's pool, so its worst price stays
/// reserved from its agent's budget until its era ends, and ending with the epoch it is priced
/// in, it can land in no other: the agent's mesh spending goes on beside it (with a fixed era of
/// 64 blocks and the mesh paused instead, an honest agent that lost the race for an epoch's
/// admissions stayed silent on the mesh for six ten-block epochs: docs/FLASH-CRASH.md). Within
/// four blocks of the end, the era of 4 reaches into the next epoch by up to three, and the
/// agent's mesh spending waits there until the pull request's fate is known.
fn pull_request_mortality(best: BlockNumber, epoch_end: BlockNumber) -> u64 {
	let left = u64::from(epoch_end.saturating_sub(best));
	let within = match left {
		0..=3 => 4,
		left => 1 << left.ilog2(),
	};
	within.min(PULL_REQUEST_MORTALITY)
}

/// `true` when a failed submission certainly never reached any pool: the node refused it when
/// it was handed over (or it was never handed over). A transaction dropped by the local pool,
/// invalid there later, usurped at a timeout, or lost track of may still land elsewhere.
fn certainly_not_sent(e: &ChainError) -> bool {
	match e {
		ChainError::Client(client) => match client {
			teo_client::Error::Pool(_) => true,
			teo_client::Error::Unconfirmed { .. }
			| teo_client::Error::Dropped
			| teo_client::Error::InvalidInPool
			| teo_client::Error::NotLanded { .. } => false,
			// Before it was handed over: reading the nonce, the runtime, the genesis.
			_ => true,
		},
		ChainError::UndecodableCall(_) | ChainError::NoParameters | ChainError::Node(_) => true,
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

/// Starts serving `methods` on `address`, every request checked by `gatekeeper` first.
pub async fn serve(
	address: SocketAddr,
	methods: impl Into<Methods>,
	gatekeeper: Gatekeeper,
) -> Result<(SocketAddr, ServerHandle), ServeError> {
	let server = Server::builder()
		.set_http_middleware(tower::ServiceBuilder::new().layer(gatekeeper))
		.build(address)
		.await
		.map_err(|source| ServeError::Listen { address, source })?;
	let bound = server.local_addr().map_err(ServeError::LocalAddr)?;
	Ok((bound, server.start(methods)))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::access::{self, Tokens};
	use jsonrpsee::RpcModule;
	use polkadot_sdk::sp_core::{sr25519, Pair as _};
	use std::time::Duration;
	use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

	fn agent(seed: &str) -> AccountId {
		sr25519::Pair::from_string(seed, None).unwrap().public().into()
	}

	/// The last block a pull request sent at `best` may land in, as `Chain::submit_mortal`
	/// computes it.
	fn last_block(best: BlockNumber, mortality: u64) -> u64 {
		let era = polkadot_sdk::sp_runtime::generic::Era::mortal(mortality, u64::from(best));
		era.death(u64::from(best)) - 1
	}

	#[test]
	fn a_pull_request_dies_with_its_epoch() {
		// Ten-block epochs (dev and local chains): blocks 10..=19.
		for best in 10..=15 {
			let mortality = pull_request_mortality(best, 19);
			// Even if the best block moves on by one before it is signed.
			assert!(last_block(best + 1, mortality) <= 19, "sent at {best}: era {mortality}");
			assert!(mortality >= 4);
		}
		// Near the end, the shortest era reaches a little into the next epoch.
		assert_eq!(pull_request_mortality(18, 19), 4);
		assert!(last_block(18, 4) <= 19 + 3);
		// Production's 600-block epochs: the cap, not the epoch.
		assert_eq!(pull_request_mortality(600, 1199), PULL_REQUEST_MORTALITY);
		assert_eq!(pull_request_mortality(1150, 1199), 32);
	}

	fn dave() -> Caller {
		Caller { label: "dave's bot".into(), agent: agent("//Dave") }
	}

	#[test]
	fn a_call_acts_for_the_tokens_agent_only() {
		let dave = dave();
		assert_eq!(acting_agent(Some(&dave), None).unwrap(), dave.agent);
		assert_eq!(acting_agent(Some(&dave), Some(dave.agent.to_ss58check())).unwrap(), dave.agent);
		// Dave's token naming Eve, another agent of the same service: refused, not served.
		let refused = acting_agent(Some(&dave), Some(agent("//Eve").to_ss58check())).unwrap_err();
		assert_eq!(refused.code(), REFUSED);
		assert!(refused.data().unwrap().get().contains("not_the_tokens_agent"));
		let invalid = acting_agent(Some(&dave), Some("not an address".into())).unwrap_err();
		assert_eq!(invalid.code(), INVALID_PARAMS);
		// No checked caller (a server started without the gatekeeper): nobody is served.
		assert_eq!(acting_agent(None, None).unwrap_err().code(), REFUSED);
	}

	/// A subscriber that reads too slowly for the node's delivery buffer is told how many
	/// deliveries it missed, then gets what follows; a filter never hides that it missed some.
	#[tokio::test]
	async fn a_slow_subscriber_is_told_what_it_missed() {
		use crate::message::MeshMessage;
		use teo_primitives::mesh::{MeshHeader, MessageKind};
		let pair = sr25519::Pair::from_string("//Dave", None).unwrap();
		let delivery = |group: GroupId, seq: u64| {
			let header = MeshHeader {
				agent: pair.public().into(),
				group,
				kind: MessageKind::Poll,
				epoch: 1,
				seq,
				spent_before: seq,
				cost: 1,
				body_len: 2,
				body_hash: crate::message::body_hash(b"hi"),
				anchor_number: 1,
				anchor_hash: Hash::zero(),
				commit_root: Hash::zero(),
			};
			let message = MeshMessage::signed(&pair, header, b"hi".to_vec(), &Hash::zero());
			let topic = Topic { group, kind: TopicKind::Message(MessageKind::Poll) };
			Delivery::Message { topic, message, id: format!("{seq}") }
		};
		let (deliveries, receiver) = tokio::sync::broadcast::channel(4);
		// Seven deliveries before the subscriber reads any: the buffer keeps the last four.
		for seq in 0..7 {
			deliveries.send(delivery(if seq == 5 { 2 } else { 1 }, seq)).unwrap();
		}
		drop(deliveries);
		let mut received = Vec::new();
		forward(receiver, Some(1), None, std::future::pending(), |item| {
			received.push(serde_json::to_value(&item).unwrap());
			async { true }
		})
		.await;
		assert_eq!(received[0], serde_json::json!({"type": "lagged", "missed": 3}));
		let seqs: Vec<_> = received[1..].iter().map(|item| item["seq"].as_u64().unwrap()).collect();
		assert_eq!(seqs, [3, 4, 6], "group 2's message filtered out, the rest in order");
		assert_eq!(received[1]["type"], "message");
		assert_eq!(received[1]["body"], "hi");

		// A subscriber that left stops the forwarding at once.
		let (deliveries, receiver) = tokio::sync::broadcast::channel(4);
		deliveries.send(delivery(1, 0)).unwrap();
		deliveries.send(delivery(1, 1)).unwrap();
		let mut sent = 0;
		forward(receiver, None, None, std::future::pending(), |_| {
			sent += 1;
			async { false }
		})
		.await;
		assert_eq!(sent, 1);

		// One whose filter matches nothing ends when its client leaves, not never.
		let (deliveries, receiver) = tokio::sync::broadcast::channel(4);
		let (leave, left) = tokio::sync::oneshot::channel::<()>();
		let forwarding = tokio::spawn(forward(
			receiver,
			Some(9),
			None,
			async move {
				let _ = left.await;
			},
			|_| async { true },
		));
		deliveries.send(delivery(1, 0)).unwrap();
		leave.send(()).unwrap();
		tokio::time::timeout(Duration::from_secs(5), forwarding)
			.await
			.expect("the forwarding ends with its client")
			.unwrap();
	}

	/// Rule C's refusals tell a program what to do next: the reason, and the head to catch up
	/// with; a root that is not one is a parameter error.
	#[test]
	fn a_superseded_root_is_refused_with_the_new_head() {
		let head = crate::validation::CommitHead { root: Hash::repeat_byte(0xc1), count: 7 };
		let stale = PublisherError::StaleCommitRoot { built_on: Hash::repeat_byte(0xc0), head };
		let error = publisher_failure(&stale).into_error();
		assert_eq!(error.code(), REFUSED);
		let data: Value = serde_json::from_str(error.data().unwrap().get()).unwrap();
		assert_eq!(data["reason"], "stale_commit_root");
		assert_eq!(data["retry"], false);
		assert_eq!(data["commitCount"], 7);
		assert_eq!(data["commitRoot"], format!("{:?}", head.root));
		assert_eq!(data["builtOn"], format!("{:?}", Hash::repeat_byte(0xc0)));

		assert_eq!(commit_root_param(&format!("{:?}", head.root)).unwrap(), head.root);
		for bad in ["0x1234", "not hex", ""] {
			assert_eq!(commit_root_param(bad).unwrap_err().code(), INVALID_PARAMS, "{bad:?}");
		}
	}

	/// A server with the gatekeeper of one token for Dave, serving `whoami` (the caller's label,
	/// from the extensions the methods read); its address and the token.
	async fn whoami_server() -> (SocketAddr, String, ServerHandle, tempfile::TempDir) {
		let dir = tempfile::tempdir().unwrap();
		let token = access::issue(dir.path(), &dave().agent, &dave().label).unwrap();
		let gatekeeper = Gatekeeper::new(Tokens::load(dir.path()).unwrap(), &[]);
		let mut module = RpcModule::new(());
		module
			.register_method("whoami", |_, _, ext| {
				ext.get::<Caller>().map(|caller| caller.label.clone()).unwrap_or_default()
			})
			.unwrap();
		let (address, handle) =
			serve("127.0.0.1:0".parse().unwrap(), module, gatekeeper).await.unwrap();
		(address, token, handle, dir)
	}

	/// Sends a raw HTTP/1.1 request with `headers` and returns the status and the body.
	async fn raw(
		address: SocketAddr,
		head: &str,
		headers: &[(&str, &str)],
		body: &str,
	) -> (u16, String) {
		let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
		let mut request = format!("{head}\r\n");
		for (name, value) in headers {
			request.push_str(&format!("{name}: {value}\r\n"));
		}
		if !headers.iter().any(|(name, _)| *name == "upgrade") {
			request.push_str("connection: close\r\n");
		}
		request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
		stream.write_all(request.as_bytes()).await.unwrap();
		let mut response = Vec::new();
		// A WebSocket upgrade keeps the connection open: read what the handshake answers.
		let _ =
			tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut response)).await;
		let response = String::from_utf8_lossy(&response).to_string();
		let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
		let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
		(status, body)
	}

	const CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"whoami","params":[]}"#;

	#[tokio::test]
	async fn over_http_only_a_token_holder_is_served() {
		let (address, token, _handle, _dir) = whoami_server().await;
		let bearer = format!("Bearer {token}");
		let json = ("content-type", "application/json");
		let host = ("host", "127.0.0.1");
		let (status, body) =
			raw(address, "POST / HTTP/1.1", &[host, json, ("authorization", &bearer)], CALL).await;
		assert_eq!(status, 200, "{body}");
		assert!(body.contains("dave's bot"), "the method saw the caller: {body}");

		let (status, body) = raw(address, "POST / HTTP/1.1", &[host, json], CALL).await;
		assert_eq!(status, 401);
		assert!(body.contains("needs a token"), "{body}");
		let (status, _) = raw(
			address,
			"POST / HTTP/1.1",
			&[host, json, ("authorization", "Bearer teo-mesh_00")],
			CALL,
		)
		.await;
		assert_eq!(status, 401);
		let page = ("origin", "https://evil.example");
		let (status, _) =
			raw(address, "POST / HTTP/1.1", &[host, json, page, ("authorization", &bearer)], CALL)
				.await;
		assert_eq!(status, 403);
		let rebound = ("host", "evil.example");
		let (status, _) =
			raw(address, "POST / HTTP/1.1", &[rebound, json, ("authorization", &bearer)], CALL)
				.await;
		assert_eq!(status, 403);
	}

	#[tokio::test]
	async fn a_websocket_handshake_needs_a_token_and_no_web_page() {
		let (address, token, _handle, _dir) = whoami_server().await;
		let bearer = format!("Bearer {token}");
		let upgrade = [
			("host", "localhost:9950"),
			("upgrade", "websocket"),
			("connection", "Upgrade"),
			("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
			("sec-websocket-version", "13"),
		];
		let with = |extra: &[(&'static str, &'static str)]| {
			let mut headers: Vec<(&str, &str)> = upgrade.to_vec();
			headers.extend_from_slice(extra);
			headers
		};
		let mut admitted = with(&[]);
		admitted.push(("authorization", &bearer));
		assert_eq!(raw(address, "GET / HTTP/1.1", &admitted, "").await.0, 101);
		assert_eq!(raw(address, "GET / HTTP/1.1", &with(&[]), "").await.0, 401);
		// What a page's `new WebSocket("ws://127.0.0.1:9950")` sends: an Origin, and no token it
		// could know; refused even if it had one.
		let mut from_a_page = with(&[("origin", "https://evil.example")]);
		from_a_page.push(("authorization", &bearer));
		assert_eq!(raw(address, "GET / HTTP/1.1", &from_a_page, "").await.0, 403);
	}
}
