//! Honest agents at network speed: each, in every epoch, submits one pull request as soon as
//! it sees the epoch (the fastest the rules let one agent propose), then spends the rest of its
//! allowance on drafts until the service refuses the next one before signing, then waits for
//! the next epoch, or for the units a pull request in flight had reserved to come back. A
//! refusal it may retry (`pull_request_in_flight`, a busy node) is retried two seconds later.
//!
//! On the counterfactual's chain (a single layer: no cap, free proposals) nothing stands between
//! an agent and the chain, so each proposes straight to a node, one pull request after another
//! (each sent once the one before is in a block: as fast as the chain takes one account's
//! transactions), beside the same drafts on the mesh.

use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use codec::Encode as _;
use serde_json::{json, Value};
use teo_primitives::time::MILLISECS_PER_BLOCK;
use teo_runtime::{RuntimeCall, RuntimeEvent};

use crate::{
	api::{Api, ApiError},
	spec::{self, Role},
};

/// A draft's body: about the size of a short negotiation message.
const DRAFT_BYTES: usize = 160;

/// What the agents did in one epoch (by the service's epoch when they acted).
#[derive(Clone, Debug, Default)]
pub struct EpochTally {
	/// Drafts the services signed and published.
	pub published: u64,
	/// Publications refused, by reason (`budget_exceeded` ends an agent's epoch).
	pub publish_refused: BTreeMap<String, u64>,
	/// Pull requests, by final outcome: `admitted`, `failed in block: <error>`, or the
	/// refusal's reason (the pool's among them).
	pub pull_requests: BTreeMap<String, u64>,
	/// Pull requests refused for now (their service said to try again), by reason.
	pub pull_requests_deferred: BTreeMap<String, u64>,
}

/// Every agent's tallies, by epoch.
pub type Tallies = Arc<Mutex<BTreeMap<u32, EpochTally>>>;

/// One simulated agent.
pub struct Agent {
	/// Its index in the swarm.
	pub index: u32,
	/// Its service's API port.
	pub port: u16,
	/// Its token there.
	pub token: String,
	/// The group it proposes to and negotiates in.
	pub group: u32,
	/// On the counterfactual's chain, the node it proposes to directly (its service otherwise).
	pub direct: Option<Arc<teo_client::Chain>>,
}

/// A pull request of `group` carrying a remark of `text`, summarised by the same text.
pub(crate) fn remark_pull_request(group: u32, text: String) -> RuntimeCall {
	RuntimeCall::CommitGate(pallet_commit_gate::Call::submit {
		group,
		call: Box::new(RuntimeCall::System(polkadot_sdk::frame_system::Call::remark {
			remark: text.clone().into_bytes(),
		})),
		summary: text.into_bytes(),
	})
}

/// The epoch a pull request's block admitted it in, if it did.
pub(crate) fn admitted_in(outcome: &teo_client::Outcome) -> Option<u32> {
	outcome.events.iter().find_map(|event| match event {
		RuntimeEvent::ActionBudget(pallet_action_budget::Event::PullRequestAdmitted {
			epoch,
			..
		}) => Some(*epoch),
		_ => None,
	})
}

/// An error's text as a tally's label: hashes left out, so that one reason is one label.
fn label_of(error: &teo_client::Error) -> String {
	let text = error.to_string();
	let words: Vec<&str> =
		text.split_whitespace().map(|w| if w.starts_with("0x") { "0x…" } else { w }).collect();
	words.join(" ")
}

/// Under the single layer: agent `index`'s pull requests to `group`, one after another,
/// straight to `chain`, each once the one before is in a block, until `until`; after a refusal,
/// the next a block later. Tallied by the epoch they were admitted in (a refusal by the last
/// epoch seen).
async fn propose_directly(
	chain: Arc<teo_client::Chain>,
	index: u32,
	group: u32,
	until: Instant,
	tallies: Tallies,
) {
	let key = spec::key(Role::Agent, index);
	let mut epoch = crate::rogue::best_epoch(&chain).await.unwrap_or_default();
	let mut sent = 0u64;
	while Instant::now() < until {
		let call = remark_pull_request(group, format!("swarm agent {index}'s pull request {sent}"));
		sent += 1;
		let outcome = match chain.submit(call, &key).await {
			Ok(outcome) => match (outcome.result(), admitted_in(&outcome)) {
				(Ok(()), Some(admitted)) => {
					epoch = admitted;
					Ok(())
				},
				(Ok(()), None) => Err("landed without an admission".to_string()),
				(Err(e), _) => Err(format!("failed in block: {}", label_of(&e))),
			},
			Err(e) => Err(label_of(&e)),
		};
		let label = outcome.clone().err().unwrap_or_else(|| "admitted".into());
		*tallies
			.lock()
			.expect("not poisoned")
			.entry(epoch)
			.or_default()
			.pull_requests
			.entry(label)
			.or_default() += 1;
		if outcome.is_err() {
			tokio::time::sleep(Duration::from_millis(MILLISECS_PER_BLOCK)).await;
			epoch = crate::rogue::best_epoch(&chain).await.unwrap_or(epoch);
		}
	}
}

impl Agent {
	async fn call(&self, api: &Api, method: &str, params: Value) -> Result<Value, ApiError> {
		api.call(self.port, &self.token, method, params).await
	}

	/// Acts until `until`, tallying into `tallies`.
	pub async fn run(self, api: Api, until: Instant, tallies: Tallies) {
		let tally = |epoch: u32, change: &dyn Fn(&mut EpochTally)| {
			change(tallies.lock().expect("not poisoned").entry(epoch).or_default())
		};
		let proposing = self.direct.clone().map(|chain| {
			tokio::spawn(propose_directly(chain, self.index, self.group, until, tallies.clone()))
		});
		// Through the service once an epoch, unless the agent proposes directly.
		let mut proposed_in: Option<u32> = None;
		let mut epoch: Option<u32> = None;
		let mut seq = 0u64;
		// What a draft cost last: after its budget ran out, the agent resumes once this much
		// is left again (a pull request's reserved price released) or the epoch changes.
		let mut draft_cost = 1u64;
		while Instant::now() < until {
			let Some(current) = epoch else {
				epoch = self.epoch(&api).await;
				if epoch.is_none() {
					tokio::time::sleep(Duration::from_secs(1)).await;
				}
				continue;
			};
			if proposing.is_none() && proposed_in != Some(current) {
				let (outcome, final_outcome) = self.propose(&api, current).await;
				if final_outcome {
					tally(current, &|t| *t.pull_requests.entry(outcome.clone()).or_default() += 1);
					proposed_in = Some(current);
				} else {
					tally(current, &|t| {
						*t.pull_requests_deferred.entry(outcome.clone()).or_default() += 1
					});
					// Refused for now (its previous pull request still holds it, the node
					// was busy): again two seconds later.
					tokio::time::sleep(Duration::from_secs(2)).await;
					epoch = self.epoch(&api).await;
					continue;
				}
			}
			let body = draft(self.index, current, seq);
			match self.call(&api, "mesh_publish", json!([self.group, "draft", body])).await {
				Ok(published) => {
					seq += 1;
					draft_cost = published["cost"].as_u64().unwrap_or(draft_cost).max(1);
					let at = published["epoch"].as_u64().map_or(current, |e| e as u32);
					tally(at, &|t| t.published += 1);
					epoch = Some(at);
				},
				Err(e) => {
					let label = e.label();
					tally(current, &|t| *t.publish_refused.entry(label.clone()).or_default() += 1);
					let spent = matches!(&e, ApiError::Refused { reason, .. } if reason == "budget_exceeded");
					// Spent: nothing more until the next epoch, or until a pull request's
					// reserved price is released. Otherwise (the node busy, a pull request in
					// flight from the epoch before): a little later.
					loop {
						tokio::time::sleep(Duration::from_secs(2)).await;
						let budget = self.budget(&api).await;
						epoch = budget.map(|(epoch, _)| epoch);
						let left = budget.map_or(0, |(_, remaining)| remaining);
						if !spent
							|| epoch != Some(current)
							|| left >= draft_cost || Instant::now() >= until
						{
							break;
						}
					}
				},
			}
		}
		if let Some(proposing) = proposing {
			let _ = proposing.await;
		}
	}

	/// The epoch the agent's service is in.
	async fn epoch(&self, api: &Api) -> Option<u32> {
		self.budget(api).await.map(|(epoch, _)| epoch)
	}

	/// The epoch the agent's service is in, and the units left to the agent's messages there.
	async fn budget(&self, api: &Api) -> Option<(u32, u64)> {
		let budget = self.call(api, "mesh_budget", json!([])).await.ok()?;
		let epoch = budget["epoch"].as_u64()? as u32;
		Some((epoch, budget["remaining"].as_u64().unwrap_or(0)))
	}

	/// One pull request (a remark naming the agent and epoch): its outcome's label, and
	/// whether the outcome is final (not a refusal the service says may pass later).
	async fn propose(&self, api: &Api, epoch: u32) -> (String, bool) {
		let remark = format!("swarm agent {} proposes in epoch {epoch}", self.index);
		let call = RuntimeCall::System(polkadot_sdk::frame_system::Call::remark {
			remark: remark.clone().into_bytes(),
		});
		let call = format!("0x{}", hex::encode(call.encode()));
		match self.call(api, "mesh_submitPullRequest", json!([self.group, call, remark])).await {
			Ok(status) => match status["error"].as_str() {
				None => ("admitted".into(), true),
				Some(error) => (format!("failed in block: {error}"), true),
			},
			Err(e) => (e.label(), !e.may_retry()),
		}
	}
}

/// A draft's text: who, when, and padding to [`DRAFT_BYTES`].
fn draft(agent: u32, epoch: u32, seq: u64) -> String {
	let mut text = format!("agent {agent}, epoch {epoch}, draft {seq}: ");
	while text.len() < DRAFT_BYTES {
		text.push('.');
	}
	text
}
