//! Adversarial agents. Each signs with its own key what an honest mesh service refuses to sign,
//! on a rogue mesh peer built from the mesh's own network code without its validation (the
//! modified software a cheating operator would run), and reads the chain as a service does:
//! - an **equivocator** signs two drafts with one sequence number and different bodies;
//! - an **overspender** signs drafts one past its allowance;
//! - a **double spender** submits a pull request on chain outside any service at the first best
//!   block of an epoch, with a tip so that it goes before the honest agents' (whose services
//!   wait for the epoch to be final), and spends its whole allowance on the mesh as soon as the
//!   epoch is final. The services take the drafts on a standing read before the pull request's
//!   block; the pull request landing turns the last draft into proof of an overspend (one
//!   budget across both layers), which they find when they read the agent again.
//!
//! Each offends once, in the first epoch it can (a double spender whose pull request was not
//! admitted in the epoch of its drafts tries again the next epoch: it offended only where both
//! met). The run's invariants then ask that every offence was proven on chain and slashed, and
//! no other.

use std::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	time::{Duration, Instant},
};

use codec::Encode as _;
use futures::StreamExt as _;
use libp2p::{gossipsub::IdentTopic, identity::Keypair, Multiaddr};
use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519, H256};
use prometheus_client::registry::Registry;
use teo_mesh::{
	chain::{standing_at, view_at},
	message::{body_hash, MeshMessage, Topic, TopicKind},
	validation::ChainView,
};
use teo_primitives::{
	mesh::{BudgetUnits, MeshHeader, MessageKind},
	BlockNumber, GroupId,
};
use tokio::sync::{mpsc, oneshot};

use crate::{
	agents::{admitted_in, remark_pull_request},
	spec::{self, Role},
};

/// The tip a double spender pays so that the pool takes its pull request before the honest
/// agents' (they pay none): a thousandth of a development account's endowment.
const TIP: teo_primitives::Balance = 1_000_000_000_000_000;
/// How long a rogue publication waits for the services to take the rogue peer into their
/// topic (gossipsub has no peer to send to before).
const PUBLISH_PATIENCE: Duration = Duration::from_secs(30);
/// The finalized blocks the rogue peer anchors to, at most (the services check 20).
const RECENT_BLOCKS: usize = 8;

/// What an adversary does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Offence {
	/// Two messages with one sequence number.
	Equivocation,
	/// Spending past the allowance on the mesh.
	Overspend,
	/// The whole allowance on the mesh, then a pull request on chain.
	DoubleSpend,
}

impl Offence {
	/// The label in the figures.
	pub fn name(self) -> &'static str {
		match self {
			Offence::Equivocation => "equivocation",
			Offence::Overspend => "overspend",
			Offence::DoubleSpend => "double_spend",
		}
	}
}

/// One adversarial agent of the swarm.
#[derive(Clone, Copy, Debug)]
pub struct Adversary {
	/// Its index among the swarm's agents.
	pub index: u32,
	/// What it does.
	pub offence: Offence,
}

/// What the adversaries did.
#[derive(Clone, Debug, Default)]
pub struct RogueRecord {
	/// The epoch each adversary (by index) offended in, and how.
	pub offended: BTreeMap<u32, (Offence, u32)>,
	/// Messages the rogue peer published.
	pub published: u64,
	/// The double spenders' pull requests, by outcome (`admitted`, or why not).
	pub pull_requests: BTreeMap<String, u64>,
	/// Why an adversary could not act, by reason.
	pub failures: BTreeMap<String, u64>,
}

/// A publication for the rogue peer, answered once sent or given up.
type Publication = (IdentTopic, Vec<u8>, oneshot::Sender<Result<(), String>>);

/// Starts the rogue peer, dialing `services`: a libp2p peer with the mesh's behaviours, which
/// publishes whatever it is given and validates nothing.
fn rogue_peer(services: &[String]) -> Result<mpsc::Sender<Publication>, String> {
	let mut registry = Registry::default();
	let mut swarm = teo_mesh::network::swarm(Keypair::generate_ed25519(), &mut registry)
		.map_err(|e| format!("the rogue peer: {e}"))?;
	for address in services {
		let address: Multiaddr = address.parse().map_err(|e| format!("{address}: {e}"))?;
		swarm.dial(address).map_err(|e| format!("the rogue peer dialing a service: {e}"))?;
	}
	let (tx, mut rx) = mpsc::channel::<Publication>(1024);
	tokio::spawn(async move {
		let mut waiting: VecDeque<(Instant, Publication)> = VecDeque::new();
		let mut retry = tokio::time::interval(Duration::from_millis(200));
		loop {
			tokio::select! {
				_ = swarm.select_next_some() => {},
				publication = rx.recv() => match publication {
					Some(publication) => waiting.push_back((Instant::now(), publication)),
					None => return,
				},
				_ = retry.tick() => {},
			}
			while let Some((since, (topic, data, reply))) = waiting.pop_front() {
				let gossipsub = &mut swarm.behaviour_mut().gossipsub;
				// Subscribed to what it publishes, so that the services graft it into the mesh.
				let _ = gossipsub.subscribe(&topic);
				match gossipsub.publish(topic.clone(), data.clone()) {
					Ok(_) => {
						let _ = reply.send(Ok(()));
					},
					// No service in the topic yet: tried again shortly.
					Err(_) if since.elapsed() < PUBLISH_PATIENCE => {
						waiting.push_front((since, (topic, data, reply)));
						break;
					},
					Err(e) => {
						let _ = reply.send(Err(format!("publishing: {e}")));
					},
				}
			}
		}
	});
	Ok(tx)
}

/// Runs `adversaries` against the network until `until`: reads the finalized chain at
/// `node_url` as a service does, and publishes through a rogue peer connected to `services`.
pub async fn run(
	adversaries: Vec<Adversary>,
	node_url: String,
	services: Vec<String>,
	group: GroupId,
	until: Instant,
) -> Result<RogueRecord, String> {
	let mut record = RogueRecord::default();
	if adversaries.is_empty() {
		return Ok(record);
	}
	let chain = teo_client::Chain::connect(&node_url).await.map_err(|e| e.to_string())?;
	let genesis = chain.genesis_hash().await.map_err(|e| e.to_string())?;
	// A peer per kind of offence: a peer whose overspending drafts were rejected loses its
	// standing in the services' gossip scores, and would take the others' drafts down with it.
	let mut peers: BTreeMap<Offence, mpsc::Sender<Publication>> = BTreeMap::new();
	for adversary in &adversaries {
		if !peers.contains_key(&adversary.offence) {
			peers.insert(adversary.offence, rogue_peer(&services)?);
		}
	}
	let mut recent: VecDeque<(BlockNumber, H256)> = VecDeque::new();
	// The epoch each adversary last published drafts in.
	let mut drafted_in: BTreeMap<u32, u32> = BTreeMap::new();
	// Each double spender's last pull request, by the epoch of the best block it was sent at,
	// and the epochs its pull requests were admitted in.
	let mut proposed_in: BTreeMap<u32, u32> = BTreeMap::new();
	let mut admitted_in: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
	let mut pending: BTreeSet<u32> = BTreeSet::new();
	let mut pull_requests = tokio::task::JoinSet::new();
	let double_spenders: Vec<u32> =
		adversaries.iter().filter(|a| a.offence == Offence::DoubleSpend).map(|a| a.index).collect();
	while Instant::now() < until {
		tokio::time::sleep(Duration::from_millis(500)).await;
		while let Some(done) = pull_requests.try_join_next() {
			let (index, (outcome, admitted)) =
				done.map_err(|e| format!("a pull request's task: {e}"))?;
			pending.remove(&index);
			admitted_in.entry(index).or_default().extend(admitted);
			*record.pull_requests.entry(outcome).or_default() += 1;
		}
		// A double spender proposes at the first best block of each epoch, with a tip: before
		// the honest agents, whose services wait for the epoch to be final.
		if let Some(best_epoch) = best_epoch(&chain).await {
			for &index in &double_spenders {
				let offended = record.offended.contains_key(&index);
				let proposed = proposed_in.get(&index).is_some_and(|e| *e >= best_epoch);
				if offended || proposed || pending.contains(&index) {
					continue;
				}
				proposed_in.insert(index, best_epoch);
				pending.insert(index);
				let chain_url = node_url.clone();
				pull_requests.spawn(async move {
					let key = spec::key(Role::Agent, index);
					(index, submit_tipped(&chain_url, key, group, index, best_epoch).await)
				});
			}
		}
		let Ok((number, hash)) = chain.finalized_block().await else { continue };
		if recent.back().is_some_and(|(last, _)| *last >= number) {
			continue;
		}
		recent.push_back((number, hash));
		while recent.len() > RECENT_BLOCKS {
			recent.pop_front();
		}
		let view = match view_at(&chain, genesis, number, hash, recent.clone()).await {
			Ok(view) => view,
			Err(e) => {
				*record.failures.entry(format!("reading the chain: {e}")).or_default() += 1;
				continue;
			},
		};
		for adversary in &adversaries {
			let offended = record.offended.contains_key(&adversary.index);
			let drafted = drafted_in.get(&adversary.index).is_some_and(|e| *e >= view.epoch);
			// A double spender's drafts go with the pull request it sent in the epoch.
			let unproposed = adversary.offence == Offence::DoubleSpend
				&& proposed_in.get(&adversary.index) != Some(&view.epoch);
			if offended || drafted || unproposed {
				continue;
			}
			drafted_in.insert(adversary.index, view.epoch);
			let key = spec::key(Role::Agent, adversary.index);
			let account = spec::account(Role::Agent, adversary.index);
			let standing = match standing_at(&chain, &account, (number, hash), None).await {
				Ok(standing) => standing,
				Err(e) => {
					*record.failures.entry(format!("reading an agent: {e}")).or_default() += 1;
					continue;
				},
			};
			// The whole allowance, whatever the chain took already: that is the offence.
			let Some(allowance) =
				standing.budgets.get(&view.epoch).filter(|b| b.fixed).map(|b| b.allowance)
			else {
				*record.failures.entry("no budget fixed".into()).or_default() += 1;
				continue;
			};
			let drafts = drafts(adversary, &key, &view, group, allowance);
			let topic = Topic { group, kind: TopicKind::Message(MessageKind::Draft) };
			let topic = IdentTopic::new(topic.name(&genesis));
			let (count, mut sent) = (drafts.len() as u64, 0);
			for draft in drafts {
				let (reply, answer) = oneshot::channel();
				let _ =
					peers[&adversary.offence].send((topic.clone(), draft.encode(), reply)).await;
				match answer.await {
					Ok(Ok(())) => sent += 1,
					Ok(Err(e)) => *record.failures.entry(e).or_default() += 1,
					Err(_) => return Err("the rogue peer stopped".into()),
				}
			}
			record.published += sent;
			if sent < count {
				// Not the offence it meant: again in the next epoch (in this one, signing from
				// the start again would be another offence).
				continue;
			}
			if adversary.offence != Offence::DoubleSpend {
				record.offended.insert(adversary.index, (adversary.offence, view.epoch));
			}
		}
		settle_double_spends(&mut record, &drafted_in, &admitted_in);
	}
	while let Some(done) = pull_requests.join_next().await {
		let (index, (outcome, admitted)) =
			done.map_err(|e| format!("a pull request's task: {e}"))?;
		admitted_in.entry(index).or_default().extend(admitted);
		*record.pull_requests.entry(outcome).or_default() += 1;
	}
	settle_double_spends(&mut record, &drafted_in, &admitted_in);
	Ok(record)
}

/// A double spender offended in an epoch where it spent its whole allowance on the mesh and
/// had a pull request admitted (one admitted in another epoch took units its drafts never
/// touched).
fn settle_double_spends(
	record: &mut RogueRecord,
	drafted_in: &BTreeMap<u32, u32>,
	admitted_in: &BTreeMap<u32, BTreeSet<u32>>,
) {
	for (index, epochs) in admitted_in {
		let Some(epoch) = drafted_in.get(index) else { continue };
		if epochs.contains(epoch) && !record.offended.contains_key(index) {
			record.offended.insert(*index, (Offence::DoubleSpend, *epoch));
		}
	}
}

/// The epoch of the best block.
pub(crate) async fn best_epoch(chain: &teo_client::Chain) -> Option<u32> {
	let best = chain.checked_best_head().await.ok()?;
	let epoch: Option<pallet_action_budget::EpochInfo> =
		chain.runtime_api("ActionBudgetApi_epoch", &(), best).await.ok()?;
	epoch.map(|epoch| epoch.index)
}

/// The drafts `adversary` signs in the view's epoch, given its allowance: two for one sequence
/// number, or a run of drafts that spends exactly the allowance (the double spender) or one
/// past it (the overspender).
fn drafts(
	adversary: &Adversary,
	key: &sr25519::Pair,
	view: &ChainView,
	group: GroupId,
	allowance: BudgetUnits,
) -> Vec<MeshMessage> {
	// Three blocks behind the head, as far as this reader knows them: a service that learns
	// of finality a little later than this reader still knows the anchor.
	let (anchor_number, anchor_hash) =
		view.recent.iter().rev().nth(3).or(view.recent.front()).copied().unwrap_or_default();
	let sign = |seq: u64, spent_before: BudgetUnits, body: Vec<u8>| {
		let header = MeshHeader {
			agent: key.public().into(),
			group,
			kind: MessageKind::Draft,
			epoch: view.epoch,
			seq,
			spent_before,
			cost: view.costs.message_cost(MessageKind::Draft, body.len() as u32),
			body_len: body.len() as u32,
			body_hash: body_hash(&body),
			anchor_number,
			anchor_hash,
			commit_root: view.commits.root,
		};
		MeshMessage::signed(key, header, body, &view.genesis)
	};
	let body = |n: u64| format!("rogue agent {} in epoch {}: {n}", adversary.index, view.epoch);
	match adversary.offence {
		Offence::Equivocation => {
			vec![sign(0, 0, body(0).into_bytes()), sign(0, 0, body(1).into_bytes())]
		},
		Offence::Overspend | Offence::DoubleSpend => {
			let cost = view.costs.message_cost(MessageKind::Draft, body(0).len() as u32).max(1);
			// The double spender takes the allowance's whole multiple of the cost; the
			// overspender one draft more.
			let mut count = allowance / cost;
			if adversary.offence == Offence::Overspend {
				count += 1;
			}
			(0..count).map(|seq| sign(seq, seq * cost, body(seq).into_bytes())).collect()
		},
	}
}

/// Submits a pull request for agent `index` on chain with [`TIP`]: its outcome's label, and
/// the epoch it was admitted in.
pub(crate) async fn submit_tipped(
	url: &str,
	key: sr25519::Pair,
	group: GroupId,
	index: u32,
	epoch: u32,
) -> (String, Option<u32>) {
	let chain = match teo_client::Chain::connect(url).await {
		Ok(chain) => chain,
		Err(e) => return (format!("connecting: {e}"), None),
	};
	let call =
		remark_pull_request(group, format!("agent {index} proposes with a tip in epoch {epoch}"));
	let outcome = match chain.submit_with_tip(call, &key, TIP).await {
		Ok(outcome) => outcome,
		Err(e) => return (e.to_string(), None),
	};
	if let Err(e) = outcome.result() {
		return (format!("failed in block: {e}"), None);
	}
	match admitted_in(&outcome) {
		Some(epoch) => ("admitted".into(), Some(epoch)),
		None => ("landed without an admission".into(), None),
	}
}
