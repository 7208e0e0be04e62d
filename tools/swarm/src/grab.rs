//! Admission grabbers: one person's agents bidding for every admission of every epoch. Each
//! grabber submits a pull request on chain, outside any service, at the first best block of
//! each epoch, with a tip so that the pool takes it before the honest agents' (whose services
//! wait for the epoch to be final). Nothing they do is fraud: every pull request is paid from
//! its agent's own budget. What stops them taking a group's whole review bandwidth is the
//! person's share of admissions (`max(1, ⌈person_admission_share × D_max⌉)` per group and
//! epoch, whichever of the person's agents proposes): the rest are refused in the pool or the
//! block, and the other persons' agents take the remaining admissions.
//!
//! The run's invariants ask that the grabbers bid past their person's share in every epoch they
//! could (or the attack did not happen), that no person took more than the share, and that
//! none of them was punished.

use std::{
	collections::{BTreeMap, BTreeSet},
	time::{Duration, Instant},
};

use teo_primitives::GroupId;

use crate::{
	rogue::{best_epoch, submit_tipped},
	spec::{self, Role},
};

/// What the grabbers did.
#[derive(Clone, Debug, Default)]
pub struct GrabRecord {
	/// Pull requests the grabbers sent, by the epoch of the best block each was sent at.
	pub bids: BTreeMap<u32, u32>,
	/// Their outcomes, by the epoch of the bid and label (`admitted`, or why not).
	pub outcomes: BTreeMap<(u32, String), u64>,
}

/// Runs the grabbers (agents `grabbers`, all of one sponsor) until `until`, through the node
/// at `node_url`: each sends a tipped pull request to `group` at the first best block of each
/// epoch it sees, one at a time.
pub async fn run(
	grabbers: Vec<u32>,
	node_url: String,
	group: GroupId,
	until: Instant,
) -> Result<GrabRecord, String> {
	let mut record = GrabRecord::default();
	if grabbers.is_empty() {
		return Ok(record);
	}
	let chain = teo_client::Chain::connect(&node_url).await.map_err(|e| e.to_string())?;
	// The epoch each grabber last bid in, and the grabbers whose bid is still in flight.
	let mut bid_in: BTreeMap<u32, u32> = BTreeMap::new();
	let mut in_flight: BTreeSet<u32> = BTreeSet::new();
	let mut bids = tokio::task::JoinSet::new();
	while Instant::now() < until {
		tokio::time::sleep(Duration::from_millis(500)).await;
		while let Some(done) = bids.try_join_next() {
			let (index, epoch, outcome) = done.map_err(|e| format!("a grabber's task: {e}"))?;
			in_flight.remove(&index);
			tally(&mut record, epoch, outcome);
		}
		let Some(epoch) = best_epoch(&chain).await else { continue };
		for &index in &grabbers {
			if bid_in.get(&index).is_some_and(|e| *e >= epoch) || in_flight.contains(&index) {
				continue;
			}
			bid_in.insert(index, epoch);
			in_flight.insert(index);
			*record.bids.entry(epoch).or_default() += 1;
			let url = node_url.clone();
			bids.spawn(async move {
				let key = spec::key(Role::Agent, index);
				(index, epoch, submit_tipped(&url, key, group, index, epoch).await)
			});
		}
	}
	while let Some(done) = bids.join_next().await {
		let (_, epoch, outcome) = done.map_err(|e| format!("a grabber's task: {e}"))?;
		tally(&mut record, epoch, outcome);
	}
	Ok(record)
}

/// Counts a bid's outcome (its admissions are read from the chain).
fn tally(record: &mut GrabRecord, bid_in: u32, (outcome, _): (String, Option<u32>)) {
	*record.outcomes.entry((bid_in, outcome)).or_default() += 1;
}
