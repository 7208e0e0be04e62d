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
	network::{self, Binaries},
	observe::{self, ChainRecord},
	spec::Swarm,
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
	let genesis = crate::spec::genesis(&options.swarm)?;
	let parameters = genesis.action_budget.parameters.clone().ok_or("no budget parameters")?;
	let d_max = parameters.max_admissions_per_epoch;
	let epoch_time =
		Duration::from_millis(u64::from(parameters.epoch_length) * MILLISECS_PER_BLOCK);

	let api = Api::default();
	let started = Instant::now();
	println!("launching 3 validators and 3 mesh services, {} agents", options.swarm.agents);
	let network = network::launch(&binaries, &options.out, &options.swarm, &api).await?;
	println!(
		"network up in {:.0} s; driving the agents for {} epochs",
		started.elapsed().as_secs_f64(),
		options.epochs
	);

	let until = Instant::now() + epoch_time * options.epochs;
	let driving_from = now_ms();
	let tallies: Tallies = Arc::new(Mutex::new(BTreeMap::new()));
	let finality = tokio::spawn(observe::sample_finality(network.nodes[0].clone(), until));
	let mut agents = Vec::new();
	for index in 0..options.swarm.agents {
		let service = &network.services[index as usize % network.services.len()];
		let agent = Agent {
			index,
			port: service.rpc_port,
			token: service.tokens[&index].clone(),
			group: teo_runtime::configs::CITIZENS_GROUP,
		};
		agents.push(tokio::spawn(agent.run(api.clone(), until, tallies.clone())));
	}
	for agent in agents {
		agent.await.map_err(|e| format!("an agent's task: {e}"))?;
	}
	let finality = finality.await.map_err(|e| format!("the finality sampler: {e}"))?;
	// What the agents did last is final a few blocks later.
	tokio::time::sleep(Duration::from_millis(3 * MILLISECS_PER_BLOCK)).await;
	let chain = observe::read_chain(&network.nodes[0]).await?;
	let mut validations: BTreeMap<String, u64> = BTreeMap::new();
	for service in &network.services {
		for (key, count) in observe::validations(service.metrics_port).await? {
			*validations.entry(key).or_default() += count;
		}
	}
	let network_services = network.services.len();
	drop(network);

	let tallies = tallies.lock().expect("not poisoned").clone();
	write_figures(&options.out, &tallies, &chain, &finality, d_max)?;
	let accepts_per_draft = (network_services - 1) as u64;
	let violations =
		check(&tallies, &chain, &finality, &validations, d_max, driving_from, accepts_per_draft);
	print_summary(&tallies, &chain, &finality, &validations, d_max);
	Ok(Report { violations })
}

fn now_ms() -> u64 {
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

fn check(
	tallies: &BTreeMap<u32, EpochTally>,
	chain: &ChainRecord,
	finality: &[(f64, u32, u32)],
	validations: &BTreeMap<String, u64>,
	d_max: u32,
	driving_from: u64,
	accepts_per_draft: u64,
) -> Vec<String> {
	let mut violations = Vec::new();
	for ((group, epoch), admitted) in &chain.admissions {
		if *admitted > d_max {
			violations.push(format!(
				"group {group} admitted {admitted} in epoch {epoch}, above D_max {d_max}"
			));
		}
	}
	for (agent, epoch) in &chain.punished {
		violations.push(format!("honest agent {agent} punished for fraud in epoch {epoch}"));
	}
	for (key, count) in validations.iter().filter(|(key, _)| key.starts_with("rejected/")) {
		violations.push(format!("{count} honest messages rejected by a peer ({key})"));
	}
	let admitted: u32 = chain.admissions.values().sum();
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
	let accepted = validations.get("accepted/").copied().unwrap_or_default();
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
	if chain.admissions.is_empty() {
		violations.push("no pull request was admitted".into());
	}
	violations
}

fn print_summary(
	tallies: &BTreeMap<u32, EpochTally>,
	chain: &ChainRecord,
	finality: &[(f64, u32, u32)],
	validations: &BTreeMap<String, u64>,
	d_max: u32,
) {
	println!("\nepoch  drafts published  refused before signing  pull requests  admitted (D_max {d_max})");
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
}

fn write_figures(
	out: &Path,
	tallies: &BTreeMap<u32, EpochTally>,
	chain: &ChainRecord,
	finality: &[(f64, u32, u32)],
	d_max: u32,
) -> Result<(), String> {
	let write = |name: &str, text: String| {
		std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
	};
	let mut epochs = String::from("epoch,group,admitted,d_max,pull_requests,drafts_published\n");
	let mut refusals = String::from("epoch,place,reason,count\n");
	for (epoch, tally) in tallies {
		let proposed: u64 = tally.pull_requests.values().sum();
		let admitted = chain.admitted_in(*epoch);
		let _ = writeln!(epochs, "{epoch},0,{admitted},{d_max},{proposed},{}", tally.published);
		for (reason, count) in &tally.publish_refused {
			let _ = writeln!(refusals, "{epoch},mesh,{reason},{count}");
		}
		let deferred =
			tally.pull_requests_deferred.iter().map(|(o, n)| (format!("{o} (deferred)"), n));
		let outcomes = tally.pull_requests.iter().map(|(o, n)| (o.clone(), n));
		for (outcome, count) in outcomes.chain(deferred).filter(|(o, _)| o != "admitted") {
			let place = match outcome.as_str() {
				o if o.starts_with("failed in block") => "block",
				o if o.starts_with("transaction_")
					|| o.starts_with("pool_")
					|| o.starts_with("invalid_in_pool") =>
				{
					"pool"
				},
				_ => "service",
			};
			let _ = writeln!(refusals, "{epoch},{place},\"{outcome}\",{count}");
		}
	}
	write("epochs.csv", epochs)?;
	write("refusals.csv", refusals)?;
	let mut blocks = String::from("number,timestamp_ms,block_time_ms\n");
	let mut previous = None;
	for block in &chain.blocks {
		let time = previous.map(|p: u64| block.timestamp.saturating_sub(p).to_string());
		let _ =
			writeln!(blocks, "{},{},{}", block.number, block.timestamp, time.unwrap_or_default());
		previous = Some(block.timestamp);
	}
	write("blocks.csv", blocks)?;
	let mut lag = String::from("seconds,best,finalized\n");
	for (seconds, best, finalized) in finality {
		let _ = writeln!(lag, "{seconds:.1},{best},{finalized}");
	}
	write("finality.csv", lag)
}
