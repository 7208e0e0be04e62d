//! What the harness reads back: the chain's blocks and events (block times, admissions per
//! group and epoch, fraud punished), the finality lag sampled while the swarm runs, and the
//! services' validation counters.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use pallet_action_budget::Event as BudgetEvent;
use polkadot_sdk::sp_io::hashing::twox_128;
use teo_runtime::RuntimeEvent;

/// One block of the run.
#[derive(Clone, Debug)]
pub struct BlockRow {
	/// Its number.
	pub number: u32,
	/// Its timestamp (ms).
	pub timestamp: u64,
}

/// What the chain recorded.
#[derive(Clone, Debug, Default)]
pub struct ChainRecord {
	/// Every block from 1 to the finalized head.
	pub blocks: Vec<BlockRow>,
	/// Proposals the commit gate took (`CommitGate.Submitted`): each must have been admitted.
	pub submitted: u32,
	/// Agents punished for fraud: (agent, epoch).
	pub punished: Vec<(String, u32)>,
	/// Each admission, in order.
	pub admitted_at: Vec<Admitted>,
	/// The proposals pending in the commit gate (every group) after each block, from block 1:
	/// what the humans are asked to review at that moment.
	pub pending: Vec<u32>,
}

/// A pull request admitted into a veto window.
#[derive(Clone, Debug)]
pub struct Admitted {
	/// Its block.
	pub block: u32,
	/// The block's timestamp (ms).
	pub timestamp: u64,
	/// The epoch of the admission.
	pub epoch: u32,
	/// The group whose window it entered.
	pub group: u32,
	/// The agent that proposed it.
	pub agent: String,
}

impl ChainRecord {
	/// Pull requests admitted, by (group, epoch).
	pub fn admissions(&self) -> BTreeMap<(u32, u32), u32> {
		let mut admissions = BTreeMap::new();
		for admitted in &self.admitted_at {
			*admissions.entry((admitted.group, admitted.epoch)).or_default() += 1;
		}
		admissions
	}

	/// Pull requests admitted in `epoch`, in every group.
	pub fn admitted_in(&self, epoch: u32) -> u32 {
		self.admitted_at.iter().filter(|a| a.epoch == epoch).count() as u32
	}
}

/// `(seconds since start, best, finalized)`, once a second until `until`.
pub async fn sample_finality(url: String, until: Instant) -> Vec<(f64, u32, u32)> {
	let start = Instant::now();
	let mut samples = Vec::new();
	let mut chain = None;
	while Instant::now() < until {
		if chain.is_none() {
			chain = teo_client::Chain::connect(&url).await.ok();
		}
		if let Some(connected) = &chain {
			match (connected.best_number().await, connected.finalized_block().await) {
				(Ok(best), Ok((finalized, _))) => {
					samples.push((start.elapsed().as_secs_f64(), best, finalized))
				},
				_ => chain = None,
			}
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	samples
}

/// The mesh's load while the swarm runs: once a second until `until`, the wall-clock time (ms)
/// and the messages the services at `ports` validated so far, all of them together, by result
/// (`accepted`, `ignored`, `rejected`).
pub async fn sample_mesh(ports: Vec<u16>, until: Instant) -> Vec<(u64, BTreeMap<String, u64>)> {
	let mut samples = Vec::new();
	while Instant::now() < until {
		let mut by_result: BTreeMap<String, u64> = BTreeMap::new();
		for port in &ports {
			for (key, count) in validations(*port).await.unwrap_or_default() {
				let result = key.split('/').next().unwrap_or_default().to_string();
				*by_result.entry(result).or_default() += count;
			}
		}
		samples.push((crate::run::now_ms(), by_result));
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	samples
}

/// Reads blocks `1..=` the finalized head at `url`.
pub async fn read_chain(url: &str) -> Result<ChainRecord, String> {
	let chain = teo_client::Chain::connect(url).await.map_err(|e| e.to_string())?;
	let (head, _) = chain.finalized_block().await.map_err(|e| e.to_string())?;
	let timestamp_key = [twox_128(b"Timestamp"), twox_128(b"Now")].concat();
	let mut record = ChainRecord::default();
	let mut pending = 0u32;
	for number in 1..=head {
		let hash = chain
			.block_hash(number)
			.await
			.map_err(|e| e.to_string())?
			.ok_or(format!("no block {number}"))?;
		let timestamp: u64 = chain
			.storage(&timestamp_key, hash)
			.await
			.map_err(|e| e.to_string())?
			.unwrap_or_default();
		record.blocks.push(BlockRow { number, timestamp });
		for event in chain.events(hash).await.map_err(|e| e.to_string())? {
			match event.event {
				RuntimeEvent::ActionBudget(BudgetEvent::PullRequestAdmitted {
					group,
					epoch,
					agent,
					..
				}) => {
					let agent = agent.to_string();
					record.admitted_at.push(Admitted {
						block: number,
						timestamp,
						epoch,
						group,
						agent,
					});
				},
				RuntimeEvent::ActionBudget(BudgetEvent::FraudPunished { agent, epoch, .. }) => {
					record.punished.push((agent.to_string(), epoch))
				},
				RuntimeEvent::CommitGate(pallet_commit_gate::Event::Submitted { .. }) => {
					record.submitted += 1;
					pending += 1;
				},
				// What takes a proposal out of the queue (a withdrawn one stays, vetoable,
				// until it expires).
				RuntimeEvent::CommitGate(
					pallet_commit_gate::Event::Committed { .. }
					| pallet_commit_gate::Event::Killed { .. }
					| pallet_commit_gate::Event::Expired { .. }
					| pallet_commit_gate::Event::Voided { .. },
				) => pending = pending.saturating_sub(1),
				_ => {},
			}
		}
		record.pending.push(pending);
	}
	Ok(record)
}

/// The Prometheus text of the service whose metrics are on `port`.
async fn metrics(port: u16) -> Result<String, String> {
	use http_body_util::{BodyExt as _, Empty};
	use hyper::body::Bytes;
	let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
		.build_http::<Empty<Bytes>>();
	let uri: http::Uri =
		format!("http://127.0.0.1:{port}/metrics").parse().map_err(|e| format!("{e}"))?;
	let response = client.get(uri).await.map_err(|e| format!("metrics: {e}"))?;
	let body = response.into_body().collect().await.map_err(|e| format!("metrics: {e}"))?;
	Ok(String::from_utf8_lossy(&body.to_bytes()).to_string())
}

/// `teo_mesh_evidence_rejudged_total` of the service whose metrics are on `port`: overspends
/// it found by judging accepted messages again after an on-chain spend.
pub async fn rejudged(port: u16) -> Result<u64, String> {
	let text = metrics(port).await?;
	let line = text.lines().find(|l| l.starts_with("teo_mesh_evidence_rejudged_total "));
	let value = line.and_then(|l| l.rsplit_once(' ')).map(|(_, v)| v.parse::<f64>());
	Ok(value.and_then(Result::ok).unwrap_or_default() as u64)
}

/// `teo_mesh_validations_total` of the service whose metrics are on `port`, by
/// `result/reason`.
pub async fn validations(port: u16) -> Result<BTreeMap<String, u64>, String> {
	let text = metrics(port).await?;
	let mut counts = BTreeMap::new();
	for line in text.lines().filter(|l| l.starts_with("teo_mesh_validations_total{")) {
		let Some((labels, value)) = line.rsplit_once(' ') else { continue };
		let label = |name: &str| {
			labels
				.split(&format!("{name}=\""))
				.nth(1)
				.and_then(|rest| rest.split('"').next())
				.unwrap_or_default()
				.to_string()
		};
		let key = format!("{}/{}", label("result"), label("reason"));
		*counts.entry(key).or_default() += value.parse::<f64>().unwrap_or_default() as u64;
	}
	Ok(counts)
}
