//! `teo-swarm run`: the swarm's network launched, the agents driven for some epochs, the
//! chain and the services read back, the figures written as CSV, and the invariants checked.

use std::{
	collections::BTreeMap,
	fmt::Write as _,
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use clap::Args;
use teo_primitives::time::MILLISECS_PER_BLOCK;

use crate::{
	agents::{Agent, EpochTally, Tallies},
	api::Api,
	churn, grab,
	network::{self, Binaries},
	observe::{self, ChainRecord},
	rogue::{self, Adversary, Offence, RogueRecord},
	spec::{self, Role, Rules, Swarm},
};

/// A block more than this many slots after the one before (two authors in a row missed
/// theirs) is a stall.
const STALL_SLOTS: u64 = 3;
/// The share of the drafts published that the other services must accept: each draft is
/// validated by every service but its own. Some are ignored honestly (a peer a block behind the
/// sender's anchor, a full signature queue), none may be lost wholesale.
const MIN_ACCEPTED_SHARE: f64 = 0.9;
/// Finality further behind the best block than this is a stall.
const MAX_FINALITY_LAG: u32 = 10;

/// Agents proposing straight to a node through one connection, at most, on the single layer:
/// each has one pull request in flight, followed until it lands, and a connection signs its
/// submissions one at a time (its nonce lock) and carries at most 256 requests at once
/// (jsonrpsee's client). Far below the node's 100 connections, even at 10,000 agents (17 each).
const AGENTS_PER_CONNECTION: u32 = 200;

/// `teo-swarm run`'s options.
#[derive(Clone, Debug, Args)]
pub struct RunOptions {
	#[command(flatten)]
	pub swarm: Swarm,
	/// Budget epochs to drive the agents for.
	#[arg(long, default_value_t = 2)]
	pub epochs: u32,
	/// Where the figures (CSV), the chain spec and the processes' logs go.
	#[arg(long)]
	pub out: PathBuf,
	/// Exit with a failure when an invariant does not hold.
	#[arg(long)]
	pub check: bool,
	/// Agents among the last that sign two drafts with one sequence number.
	#[arg(long, default_value_t = 0)]
	pub equivocators: u32,
	/// Agents among the last that sign drafts past their allowance.
	#[arg(long, default_value_t = 0)]
	pub overspenders: u32,
	/// Agents among the last that spend their allowance on the mesh and again in a pull
	/// request on chain.
	#[arg(long, default_value_t = 0)]
	pub double_spenders: u32,
	/// Agents before the adversaries, all of one sponsor (at most 8), that each send a tipped
	/// pull request at the first best block of every epoch: one person bidding for every
	/// admission.
	#[arg(long, default_value_t = 0)]
	pub grabbers: u32,
	/// Delegations the citizens move every block (`--citizens` of them take turns), each to an
	/// honest agent.
	#[arg(long, default_value_t = 0)]
	pub churn: u32,
	/// Run the counterfactual instead: the same network and swarm on a single layer (TEO's
	/// runtime with the human-bandwidth cap taken out: every pull request admitted, free), the
	/// agents proposing straight to a node, one pull request after another. Measured, not
	/// checked: TEO's invariants are what it lacks.
	#[arg(long, conflicts_with_all = ["check", "grabbers", "equivocators", "overspenders", "double_spenders"])]
	pub single_layer: bool,
}

impl RunOptions {
	/// The agents that follow the rules and are hosted by the services: all but the grabbers
	/// and the adversaries, at least 3.
	pub fn honest(&self) -> Result<u32, String> {
		let others = self
			.grabbers
			.saturating_add(self.equivocators)
			.saturating_add(self.overspenders)
			.saturating_add(self.double_spenders);
		self.swarm
			.agents
			.checked_sub(others)
			.filter(|honest| *honest >= 3)
			.ok_or_else(|| "the grabbers and adversaries leave fewer than 3 honest agents".into())
	}

	/// The admission grabbers: the agents right after the honest ones.
	pub fn grabbers(&self) -> Result<Vec<u32>, String> {
		let honest = self.honest()?;
		Ok((honest..honest + self.grabbers).collect())
	}

	/// The adversaries: the last agents, equivocators first, then overspenders, then double
	/// spenders, each with a sponsor of its own. No service hosts them.
	pub fn adversaries(&self) -> Result<Vec<Adversary>, String> {
		let kinds = [
			(Offence::Equivocation, self.equivocators),
			(Offence::Overspend, self.overspenders),
			(Offence::DoubleSpend, self.double_spenders),
		];
		let mut index = self.honest()? + self.grabbers;
		let mut adversaries = Vec::new();
		for (offence, n) in kinds {
			for _ in 0..n {
				adversaries.push(Adversary { index, offence });
				index += 1;
			}
		}
		Ok(adversaries)
	}
}

/// What a run found.
pub struct Report {
	/// Invariants that did not hold.
	pub violations: Vec<String>,
}

/// Runs the swarm as `options` say.
pub async fn run(options: &RunOptions) -> Result<Report, String> {
	std::fs::create_dir_all(&options.out).map_err(|e| format!("{}: {e}", options.out.display()))?;
	let binaries = Binaries::beside_this()?;
	let adversaries = options.adversaries()?;
	let grabbers = options.grabbers()?;
	let honest = options.honest()?;
	let swarm = Swarm {
		solo_agents: adversaries.len() as u32,
		team_agents: options.grabbers,
		..options.swarm.clone()
	};
	let genesis = crate::spec::genesis(&swarm)?;
	let parameters = genesis.action_budget.parameters.clone().ok_or("no budget parameters")?;
	let d_max = parameters.max_admissions_per_epoch;
	let rules = if options.single_layer { Rules::SingleLayer } else { Rules::Teo };
	// The cap the admissions keep to: none on the single layer.
	let cap = (rules == Rules::Teo).then_some(d_max);
	let epoch_time =
		Duration::from_millis(u64::from(parameters.epoch_length) * MILLISECS_PER_BLOCK);

	let api = Api::default();
	let started = Instant::now();
	println!(
		"launching 3 validators and 3 mesh services {}, {honest} honest agents, {} admission \
		 grabbers and {} adversaries",
		match rules {
			Rules::Teo => "under TEO's rules",
			Rules::SingleLayer => "on a single layer (no human-bandwidth cap)",
		},
		grabbers.len(),
		adversaries.len()
	);
	let network = network::launch(&binaries, &options.out, &swarm, rules, honest, &api).await?;
	// On the single layer the agents propose straight to the nodes, sharing connections.
	let mut direct = Vec::new();
	if rules == Rules::SingleLayer {
		let nodes = network.nodes.len() as u32;
		let per_node = honest.div_ceil(nodes * AGENTS_PER_CONNECTION).max(1);
		for _ in 0..per_node {
			for node in &network.nodes {
				let chain = teo_client::Chain::connect(node).await.map_err(|e| e.to_string())?;
				direct.push(Arc::new(chain));
			}
		}
	}
	println!(
		"network up in {:.0} s; driving the agents for {} epochs",
		started.elapsed().as_secs_f64(),
		options.epochs
	);

	let until = Instant::now() + epoch_time * options.epochs;
	let driving_from = now_ms();
	let tallies: Tallies = Arc::new(Mutex::new(BTreeMap::new()));
	let finality = tokio::spawn(observe::sample_finality(network.nodes[0].clone(), until));
	let metrics_ports = network.services.iter().map(|s| s.metrics_port).collect();
	let mesh_load = tokio::spawn(observe::sample_mesh(metrics_ports, until));
	let addresses: Vec<String> = network.services.iter().map(|s| s.address.clone()).collect();
	let rogues = tokio::spawn(rogue::run(
		adversaries.clone(),
		network.nodes[1].clone(),
		addresses,
		teo_runtime::configs::CITIZENS_GROUP,
		until,
	));
	let grabbing = tokio::spawn(grab::run(
		grabbers.clone(),
		network.nodes[1].clone(),
		teo_runtime::configs::CITIZENS_GROUP,
		until,
	));
	let churning = tokio::spawn(churn::run(
		network.nodes[2].clone(),
		options.swarm.citizens,
		honest,
		options.churn,
		until,
	));
	let mut agents = Vec::new();
	for index in 0..honest {
		let service = &network.services[index as usize % network.services.len()];
		let agent = Agent {
			index,
			port: service.rpc_port,
			token: service.tokens[&index].clone(),
			group: teo_runtime::configs::CITIZENS_GROUP,
			direct: (!direct.is_empty()).then(|| direct[index as usize % direct.len()].clone()),
		};
		agents.push(tokio::spawn(agent.run(api.clone(), until, tallies.clone())));
	}
	for agent in agents {
		agent.await.map_err(|e| format!("an agent's task: {e}"))?;
	}
	let finality = finality.await.map_err(|e| format!("the finality sampler: {e}"))?;
	let mesh_load = mesh_load.await.map_err(|e| format!("the mesh sampler: {e}"))?;
	let rogues = rogues.await.map_err(|e| format!("the adversaries' task: {e}"))??;
	let churned = churning.await.map_err(|e| format!("the churn's task: {e}"))??;
	let grabs = grabbing.await.map_err(|e| format!("the grabbers' task: {e}"))??;
	// What the agents did last is final a few blocks later. The last offences' reports land
	// after that (each is sent once the evidence is found, which may wait for the offence's
	// block to be final, and is final itself a few blocks on): read until every offence is
	// proven, within its evidence window (the offence's epoch and the next).
	tokio::time::sleep(Duration::from_millis(3 * MILLISECS_PER_BLOCK)).await;
	let mut chain = observe::read_chain(&network.nodes[0]).await?;
	let proven_by = Instant::now() + epoch_time * 2;
	while !every_offence_proven(&rogues, &chain) && Instant::now() < proven_by {
		tokio::time::sleep(Duration::from_millis(MILLISECS_PER_BLOCK)).await;
		chain = observe::read_chain(&network.nodes[0]).await?;
	}
	let mut validations: BTreeMap<String, u64> = BTreeMap::new();
	let mut rejudged = 0;
	for service in &network.services {
		for (key, count) in observe::validations(service.metrics_port).await? {
			*validations.entry(key).or_default() += count;
		}
		rejudged += observe::rejudged(service.metrics_port).await?;
	}
	let network_services = network.services.len();
	drop(network);

	let tallies = tallies.lock().expect("not poisoned").clone();
	write_figures(&options.out, &tallies, &chain, &finality, cap, &adversaries, &rogues, &grabs)?;
	write_timeline(&options.out, &chain, &mesh_load, driving_from)?;
	let humans = swarm.sponsors() + swarm.citizens;
	write_summary(
		&options.out,
		rules,
		&swarm,
		humans,
		&parameters,
		cap,
		(&tallies, options.epochs),
		&chain,
		driving_from,
	)?;
	let accepts_per_draft = (network_services - 1) as u64;
	let bounds = Bounds {
		d_max,
		driving_from,
		accepts_per_draft,
		rogue_accepts_at_most: rogues.published * network_services as u64,
	};
	let quota = parameters.person_admission_share.mul_ceil(d_max).max(1);
	let mut violations = Vec::new();
	if rules == Rules::Teo {
		violations.extend(check(&tallies, &chain, &finality, &validations, &bounds));
		violations.extend(check_person_quota(&swarm, &chain, quota));
		violations.extend(check_grabbers(&grabbers, &grabs, quota, &tallies));
		violations.extend(check_adversaries(
			&adversaries,
			&rogues,
			&chain,
			&validations,
			network_services,
		));
	}
	if options.churn > 0 && churned.moved == 0 {
		violations.push("no delegation moved: the churn did not happen".into());
	}
	print_summary(&tallies, &chain, &finality, &validations, cap);
	print_adversaries(&adversaries, &rogues, &chain);
	print_grabbers(&grabbers, &grabs, &chain, quota);
	if !adversaries.is_empty() {
		// Which way the double spends were found: judged again once the pull request landed
		// (mesh first), or when the drafts came after it (chain first).
		println!("overspends found by judging accepted drafts again (all services): {rejudged}");
	}
	if options.churn > 0 {
		println!("delegations moved: {}", churned.moved);
		for (reason, count) in &churned.failed {
			println!("a delegation not moved ({reason}): {count}");
		}
	}
	Ok(Report { violations })
}

/// The wall-clock time in ms since the Unix epoch (block timestamps' clock).
pub fn now_ms() -> u64 {
	let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
	now.map_or(0, |d| d.as_millis() as u64)
}

/// The largest number of slots between two blocks authored from `from` (ms) on: a block's
/// slot is its timestamp over the slot's length (Aura's), so jitter in the time it was authored
/// does not count.
fn largest_slot_gap(chain: &ChainRecord, from: u64) -> u64 {
	let slot = |timestamp: u64| timestamp / MILLISECS_PER_BLOCK;
	chain
		.blocks
		.windows(2)
		.filter(|pair| pair[0].timestamp >= from)
		.map(|pair| slot(pair[1].timestamp).saturating_sub(slot(pair[0].timestamp)))
		.max()
		.unwrap_or_default()
}

/// Block times in ms: each block's timestamp less its parent's (block 1 has none).
fn block_times(chain: &ChainRecord) -> Vec<u64> {
	chain
		.blocks
		.windows(2)
		.map(|pair| pair[1].timestamp.saturating_sub(pair[0].timestamp))
		.collect()
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
	sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or_default()
}

/// What [`check`] holds a run to, beside what it observed.
#[derive(Clone, Copy)]
struct Bounds {
	/// Admissions per group and epoch at most.
	d_max: u32,
	/// When the agents started (ms): block gaps before it are the network's start.
	driving_from: u64,
	/// The services that validate each honest draft (all but its own).
	accepts_per_draft: u64,
	/// The acceptances the adversaries' drafts may account for.
	rogue_accepts_at_most: u64,
}

fn check(
	tallies: &BTreeMap<u32, EpochTally>,
	chain: &ChainRecord,
	finality: &[(f64, u32, u32)],
	validations: &BTreeMap<String, u64>,
	bounds: &Bounds,
) -> Vec<String> {
	let Bounds { d_max, driving_from, accepts_per_draft, rogue_accepts_at_most } = *bounds;
	let mut violations = Vec::new();
	let admissions = chain.admissions();
	for ((group, epoch), admitted) in &admissions {
		if *admitted > d_max {
			violations.push(format!(
				"group {group} admitted {admitted} in epoch {epoch}, above D_max {d_max}"
			));
		}
	}
	// Punishments and rejections are judged with the adversaries ([`check_adversaries`]).
	let admitted = chain.admitted_at.len() as u32;
	if chain.submitted != admitted {
		violations.push(format!(
			"the commit gate took {} proposals, the budget admitted {admitted}",
			chain.submitted
		));
	}
	let gap = largest_slot_gap(chain, driving_from);
	if gap > STALL_SLOTS {
		violations.push(format!("block production stalled: {gap} slots between two blocks"));
	}
	let published: u64 = tallies.values().map(|t| t.published).sum();
	// The adversaries' drafts are accepted too, by every service at most once.
	let accepted = validations.get("accepted/").copied().unwrap_or_default();
	let accepted = accepted.saturating_sub(rogue_accepts_at_most);
	let expected = published * accepts_per_draft;
	if (accepted as f64) < expected as f64 * MIN_ACCEPTED_SHARE {
		violations.push(format!(
			"honest drafts went missing: {accepted} accepted by the other services of {expected} ({published} published)"
		));
	}
	let lag = finality.iter().map(|(_, best, finalized)| best.saturating_sub(*finalized)).max();
	match lag {
		Some(lag) if lag > MAX_FINALITY_LAG => {
			violations.push(format!("finality stalled: {lag} blocks behind the best"))
		},
		None => violations.push("finality never sampled".into()),
		_ => {},
	}
	if tallies.values().all(|t| t.published == 0) {
		violations.push("the agents published nothing".into());
	}
	if chain.admitted_at.is_empty() {
		violations.push("no pull request was admitted".into());
	}
	violations
}

fn print_summary(
	tallies: &BTreeMap<u32, EpochTally>,
	chain: &ChainRecord,
	finality: &[(f64, u32, u32)],
	validations: &BTreeMap<String, u64>,
	cap: Option<u32>,
) {
	let cap = cap.map_or("no cap".to_string(), |d_max| format!("D_max {d_max}"));
	println!("\nepoch  drafts published  refused before signing  pull requests  admitted ({cap})");
	for (epoch, tally) in tallies {
		let refused: u64 = tally.publish_refused.values().sum();
		let proposed: u64 = tally.pull_requests.values().sum();
		let admitted = chain.admitted_in(*epoch);
		println!(
			"{epoch:>5}  {:>16}  {refused:>22}  {proposed:>13}  {admitted:>8}",
			tally.published
		);
		for (outcome, count) in &tally.pull_requests {
			println!("         pull request {outcome}: {count}");
		}
		for (reason, count) in &tally.pull_requests_deferred {
			println!("         pull request deferred, {reason}: {count} times");
		}
	}
	let mut times = block_times(chain);
	times.sort_unstable();
	let lag = finality.iter().map(|(_, best, finalized)| best.saturating_sub(*finalized));
	println!(
		"blocks 1..={}: block time p50 {} ms, p99 {} ms, max {} ms; finality lag max {} blocks",
		chain.blocks.last().map_or(0, |b| b.number),
		percentile(&times, 0.5),
		percentile(&times, 0.99),
		times.last().copied().unwrap_or_default(),
		lag.max().unwrap_or_default(),
	);
	println!("mesh validations (all services): {validations:?}");
	println!("fraud punished: {}", chain.punished.len());
	// Every verified member of a group is asked to review each of its pending proposals.
	println!(
		"proposals pending review at once: at most {}",
		chain.pending.iter().max().copied().unwrap_or_default()
	);
}

/// No person's agents took more than a person's quota of a group's admissions in an epoch
/// (`max(1, ⌈person_admission_share × D_max⌉)`, the action budget's `person_quota`).
fn check_person_quota(swarm: &Swarm, chain: &ChainRecord, quota: u32) -> Vec<String> {
	let index: std::collections::HashMap<String, u32> =
		(0..swarm.agents).map(|i| (spec::account(Role::Agent, i).to_string(), i)).collect();
	let mut taken: BTreeMap<(u32, u32, u32), u32> = BTreeMap::new();
	for admitted in &chain.admitted_at {
		let Some(agent) = index.get(&admitted.agent) else { continue };
		let person = swarm.sponsor_of(*agent);
		*taken.entry((person, admitted.group, admitted.epoch)).or_default() += 1;
	}
	taken
		.into_iter()
		.filter(|(_, n)| *n > quota)
		.map(|((person, group, epoch), n)| {
			format!("sponsor {person}'s agents took {n} of group {group}'s admissions in epoch {epoch}, above the quota of {quota}")
		})
		.collect()
}

/// The grabbers bid in every epoch the honest agents saw (but the last, which may have begun as
/// the run ended), all of them, past their person's share: the attack happened (that their
/// person took no more than the share is [`check_person_quota`]'s, and that none of them was
/// punished [`check_adversaries`]').
fn check_grabbers(
	grabbers: &[u32],
	grabs: &grab::GrabRecord,
	quota: u32,
	epochs: &BTreeMap<u32, EpochTally>,
) -> Vec<String> {
	let team = grabbers.len() as u32;
	if team == 0 {
		return Vec::new();
	}
	let mut violations = Vec::new();
	if team <= quota {
		violations.push(format!(
			"{team} grabbers cannot bid past their person's share of {quota} admissions"
		));
	}
	if grabs.bids.is_empty() {
		violations.push("the grabbers never bid".into());
	}
	let last = epochs.keys().next_back().copied();
	for epoch in epochs.keys().filter(|epoch| Some(**epoch) != last) {
		let bids = grabs.bids.get(epoch).copied().unwrap_or_default();
		if bids < team {
			violations.push(format!("only {bids} of {team} grabbers bid in epoch {epoch}"));
		}
	}
	violations
}

/// Whether the chain punished every offence the adversaries committed.
fn every_offence_proven(rogues: &RogueRecord, chain: &ChainRecord) -> bool {
	rogues.offended.iter().all(|(index, (_, epoch))| {
		let account = spec::account(Role::Agent, *index).to_string();
		chain.punished.iter().any(|(agent, e)| *agent == account && e == epoch)
	})
}

/// Every adversary offended, and each offence was proven on chain and slashed, once; nobody
/// else was punished; peers rejected nothing but the overspenders' drafts (a spend past the
/// bare allowance is the one fraud a peer rejects; the rest it ignores, since it may rest on a
/// view of the chain a block apart).
fn check_adversaries(
	adversaries: &[Adversary],
	rogues: &RogueRecord,
	chain: &ChainRecord,
	validations: &BTreeMap<String, u64>,
	services: usize,
) -> Vec<String> {
	let mut violations = Vec::new();
	let account = |index: u32| spec::account(Role::Agent, index).to_string();
	let mut punished: BTreeMap<(String, u32), u32> = BTreeMap::new();
	for offence in &chain.punished {
		*punished.entry(offence.clone()).or_default() += 1;
	}
	for adversary in adversaries {
		let Some((offence, epoch)) = rogues.offended.get(&adversary.index) else {
			violations.push(format!(
				"adversary {} ({}) never committed its offence",
				adversary.index,
				adversary.offence.name()
			));
			continue;
		};
		match punished.remove(&(account(adversary.index), *epoch)) {
			Some(1) => {},
			Some(n) => violations.push(format!(
				"adversary {} punished {n} times for one {} in epoch {epoch}",
				adversary.index,
				offence.name()
			)),
			None => violations.push(format!(
				"adversary {}'s {} in epoch {epoch} was never proven on chain",
				adversary.index,
				offence.name()
			)),
		}
	}
	for ((agent, epoch), _) in punished {
		violations.push(format!("{agent} punished for fraud in epoch {epoch}, not an offender"));
	}
	// Each overspender's last draft, rejected by every service it reaches (it is not relayed).
	let overspends = adversaries.iter().filter(|a| a.offence == Offence::Overspend).count();
	let overspends_rejected_at_most = (overspends * services) as u64;
	for (key, count) in validations.iter().filter(|(key, _)| key.starts_with("rejected/")) {
		if key != "rejected/overspend" || *count > overspends_rejected_at_most {
			violations.push(format!("{count} messages rejected by a peer ({key})"));
		}
	}
	violations
}

fn print_adversaries(adversaries: &[Adversary], rogues: &RogueRecord, chain: &ChainRecord) {
	if adversaries.is_empty() {
		return;
	}
	println!("\nadversary  offence       offended in  punished in");
	for adversary in adversaries {
		let account = spec::account(Role::Agent, adversary.index).to_string();
		let punished: Vec<String> = chain
			.punished
			.iter()
			.filter(|(agent, _)| *agent == account)
			.map(|(_, epoch)| epoch.to_string())
			.collect();
		let offended = rogues.offended.get(&adversary.index).map(|(_, e)| e.to_string());
		println!(
			"{:>9}  {:<12}  {:>11}  {}",
			adversary.index,
			adversary.offence.name(),
			offended.unwrap_or_else(|| "-".into()),
			punished.join(", ")
		);
	}
	println!("rogue drafts published: {}", rogues.published);
	for (outcome, count) in &rogues.pull_requests {
		println!("double spender's pull request {outcome}: {count}");
	}
	for (failure, count) in &rogues.failures {
		println!("an adversary could not act ({failure}): {count}");
	}
}

fn print_grabbers(grabbers: &[u32], grabs: &grab::GrabRecord, chain: &ChainRecord, quota: u32) {
	if grabbers.is_empty() {
		return;
	}
	let accounts: Vec<String> =
		grabbers.iter().map(|i| spec::account(Role::Agent, *i).to_string()).collect();
	println!("\nepoch  grabbers' bids  admitted (their person's share {quota})");
	for (epoch, bids) in &grabs.bids {
		let admitted = chain
			.admitted_at
			.iter()
			.filter(|a| a.epoch == *epoch && accounts.contains(&a.agent))
			.count();
		println!("{epoch:>5}  {bids:>14}  {admitted:>8}");
	}
	for ((epoch, outcome), count) in &grabs.outcomes {
		println!("         epoch {epoch}, a grabber's pull request {outcome}: {count}");
	}
}

/// Where a pull request's outcome happened: the pool, the block, or the service.
fn place_of(outcome: &str) -> &'static str {
	match outcome {
		o if o.starts_with("failed in block") => "block",
		o if o.starts_with("transaction_")
			|| o.starts_with("pool_")
			|| o.starts_with("invalid_in_pool") =>
		{
			"pool"
		},
		_ => "service",
	}
}

/// `summary.json`: what one run means for the humans, for plots across runs (`plot.py review`):
/// the swarm's size, the rules, and per epoch the admissions (each verified member of the group
/// is asked to review every one), with the most proposals pending review at once while the
/// agents ran.
#[allow(clippy::too_many_arguments)]
fn write_summary(
	out: &Path,
	rules: Rules,
	swarm: &Swarm,
	humans: u32,
	parameters: &pallet_action_budget::BudgetParameters,
	cap: Option<u32>,
	(tallies, epochs): (&BTreeMap<u32, EpochTally>, u32),
	chain: &ChainRecord,
	driving_from: u64,
) -> Result<(), String> {
	// The epochs driven whole: the run ends inside the next one.
	let admitted: BTreeMap<String, u32> = tallies
		.keys()
		.take(epochs as usize)
		.map(|epoch| (epoch.to_string(), chain.admitted_in(*epoch)))
		.collect();
	let pending_max = chain
		.blocks
		.iter()
		.zip(&chain.pending)
		.filter(|(block, _)| block.timestamp >= driving_from)
		.map(|(_, pending)| *pending)
		.max()
		.unwrap_or_default();
	let summary = serde_json::json!({
		"rules": match rules { Rules::Teo => "teo", Rules::SingleLayer => "single_layer" },
		"agents": swarm.agents,
		"humans": humans,
		"epoch_blocks": parameters.epoch_length,
		"block_ms": MILLISECS_PER_BLOCK,
		"d_max": cap,
		"admitted_per_epoch": admitted,
		"pending_max": pending_max,
		"drafts": tallies.values().map(|t| t.published).sum::<u64>(),
	});
	let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
	std::fs::write(out.join("summary.json"), text).map_err(|e| format!("summary.json: {e}"))
}

/// Layer 1's load against Layer 2's admissions over the run, from when the agents started:
/// `mesh.csv` (messages the services validated per second, by result) and `admissions.csv`
/// (each admission's time, block, epoch and group). `teo-swarm-plot` draws them.
fn write_timeline(
	out: &Path,
	chain: &ChainRecord,
	mesh_load: &[(u64, BTreeMap<String, u64>)],
	driving_from: u64,
) -> Result<(), String> {
	let seconds = |ms: u64| ms.saturating_sub(driving_from) as f64 / 1000.0;
	let mut mesh = String::from("seconds,accepted_per_s,ignored_per_s,rejected_per_s\n");
	for pair in mesh_load.windows(2) {
		let ((before, earlier), (at, later)) = (&pair[0], &pair[1]);
		let elapsed = (at.saturating_sub(*before) as f64 / 1000.0).max(0.001);
		let rate = |result: &str| {
			let count = |sample: &BTreeMap<String, u64>| sample.get(result).copied().unwrap_or(0);
			count(later).saturating_sub(count(earlier)) as f64 / elapsed
		};
		let _ = writeln!(
			mesh,
			"{:.1},{:.0},{:.0},{:.0}",
			seconds(*at),
			rate("accepted"),
			rate("ignored"),
			rate("rejected")
		);
	}
	std::fs::write(out.join("mesh.csv"), mesh).map_err(|e| format!("mesh.csv: {e}"))?;
	let mut admissions = String::from("seconds,block,epoch,group\n");
	for admitted in &chain.admitted_at {
		let observe::Admitted { block, timestamp, epoch, group, .. } = admitted;
		let _ = writeln!(admissions, "{:.1},{block},{epoch},{group}", seconds(*timestamp));
	}
	std::fs::write(out.join("admissions.csv"), admissions)
		.map_err(|e| format!("admissions.csv: {e}"))
}

#[allow(clippy::too_many_arguments)]
fn write_figures(
	out: &Path,
	tallies: &BTreeMap<u32, EpochTally>,
	chain: &ChainRecord,
	finality: &[(f64, u32, u32)],
	cap: Option<u32>,
	adversaries: &[Adversary],
	rogues: &RogueRecord,
	grabs: &grab::GrabRecord,
) -> Result<(), String> {
	let write = |name: &str, text: String| {
		std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
	};
	let mut epochs = String::from("epoch,group,admitted,d_max,pull_requests,drafts_published\n");
	let mut refusals = String::from("epoch,place,reason,count\n");
	for (epoch, tally) in tallies {
		let proposed: u64 = tally.pull_requests.values().sum();
		let admitted = chain.admitted_in(*epoch);
		// No cap on the single layer: an empty field.
		let d_max = cap.map(|d| d.to_string()).unwrap_or_default();
		let _ = writeln!(epochs, "{epoch},0,{admitted},{d_max},{proposed},{}", tally.published);
		for (reason, count) in &tally.publish_refused {
			let _ = writeln!(refusals, "{epoch},mesh,{reason},{count}");
		}
		let deferred =
			tally.pull_requests_deferred.iter().map(|(o, n)| (format!("{o} (deferred)"), n));
		let outcomes = tally.pull_requests.iter().map(|(o, n)| (o.clone(), n));
		for (outcome, count) in outcomes.chain(deferred).filter(|(o, _)| o != "admitted") {
			let _ = writeln!(refusals, "{epoch},{},\"{outcome}\",{count}", place_of(&outcome));
		}
	}
	// The grabbers' pull requests go straight to a node: one not refused in its block was
	// refused or dropped by the pool.
	for ((epoch, outcome), count) in grabs.outcomes.iter().filter(|((_, o), _)| o != "admitted") {
		let place = if outcome.starts_with("failed in block") { "block" } else { "pool" };
		let _ = writeln!(refusals, "{epoch},{place},\"grabber: {outcome}\",{count}");
	}
	write("epochs.csv", epochs)?;
	write("refusals.csv", refusals)?;
	let mut blocks = String::from("number,timestamp_ms,block_time_ms,pending\n");
	let mut previous = None;
	for (block, pending) in chain.blocks.iter().zip(&chain.pending) {
		let time = previous.map(|p: u64| block.timestamp.saturating_sub(p).to_string());
		let time = time.unwrap_or_default();
		let _ = writeln!(blocks, "{},{},{time},{pending}", block.number, block.timestamp);
		previous = Some(block.timestamp);
	}
	write("blocks.csv", blocks)?;
	let mut lag = String::from("seconds,best,finalized\n");
	for (seconds, best, finalized) in finality {
		let _ = writeln!(lag, "{seconds:.1},{best},{finalized}");
	}
	write("finality.csv", lag)?;
	let mut offences = String::from("agent,offence,offended_in,punished_in\n");
	for adversary in adversaries {
		let account = spec::account(Role::Agent, adversary.index).to_string();
		let offended = rogues.offended.get(&adversary.index).map(|(_, e)| e.to_string());
		let punished = chain.punished.iter().find(|(agent, _)| *agent == account);
		let _ = writeln!(
			offences,
			"{},{},{},{}",
			adversary.index,
			adversary.offence.name(),
			offended.unwrap_or_default(),
			punished.map(|(_, e)| e.to_string()).unwrap_or_default()
		);
	}
	write("offences.csv", offences)
}
