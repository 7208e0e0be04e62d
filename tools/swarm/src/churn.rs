//! Delegation churn: citizens moving their delegations from agent to agent at machine speed,
//! through signed `actionBudget.delegate` calls (a delegation replaces the one before). Every
//! move changes two agents' allowances from the next epoch on, so the mesh judges each epoch by
//! allowances that moved under it: a peer that judged spending by a projected allowance, or by
//! one read before the epoch began, would convict honest agents.

use std::{
	collections::BTreeMap,
	sync::Arc,
	time::{Duration, Instant},
};

use teo_primitives::time::MILLISECS_PER_BLOCK;
use teo_runtime::RuntimeCall;

use crate::spec::{self, Role};

/// What the churn did.
#[derive(Clone, Debug, Default)]
pub struct ChurnRecord {
	/// Delegations moved (the call succeeded in its block).
	pub moved: u64,
	/// Moves that did not happen, by reason.
	pub failed: BTreeMap<String, u64>,
}

/// The agent citizen `citizen` moves to in `round`: spread over the honest agents.
fn target(citizen: u32, round: u32, honest: u32) -> u32 {
	let target = citizen.wrapping_mul(31).wrapping_add(round.wrapping_mul(17)).wrapping_add(1);
	target % honest
}

/// Moves `per_block` delegations every block until `until`, taking the citizens in turn and
/// moving each to an honest agent (`0..honest`), through the node at `url`.
pub async fn run(
	url: String,
	citizens: u32,
	honest: u32,
	per_block: u32,
	until: Instant,
) -> Result<ChurnRecord, String> {
	let mut record = ChurnRecord::default();
	if per_block == 0 || citizens == 0 || honest == 0 {
		return Ok(record);
	}
	let chain = Arc::new(teo_client::Chain::connect(&url).await.map_err(|e| e.to_string())?);
	let mut moves = tokio::task::JoinSet::new();
	let mut next_citizen = 0u32;
	let mut round = 0u32;
	let mut ticker = tokio::time::interval(Duration::from_millis(MILLISECS_PER_BLOCK));
	while Instant::now() < until {
		ticker.tick().await;
		// At most one move in flight per citizen: a round never takes a citizen twice.
		for _ in 0..per_block.min(citizens) {
			let citizen = next_citizen;
			next_citizen = (next_citizen + 1) % citizens;
			let agent = spec::account(Role::Agent, target(citizen, round, honest));
			let call = RuntimeCall::ActionBudget(pallet_action_budget::Call::delegate { agent });
			let chain = chain.clone();
			moves.spawn(async move {
				match chain.submit(call, &spec::key(Role::Citizen, citizen)).await {
					Ok(outcome) => outcome.result().map_err(|e| format!("failed in block: {e}")),
					Err(e) => Err(e.to_string()),
				}
			});
		}
		round = round.wrapping_add(1);
		while let Some(done) = moves.try_join_next() {
			tally(&mut record, done);
		}
	}
	while let Some(done) = moves.join_next().await {
		tally(&mut record, done);
	}
	Ok(record)
}

fn tally(record: &mut ChurnRecord, done: Result<Result<(), String>, tokio::task::JoinError>) {
	match done {
		Ok(Ok(())) => record.moved += 1,
		Ok(Err(reason)) => *record.failed.entry(reason).or_default() += 1,
		Err(e) => *record.failed.entry(format!("its task: {e}")).or_default() += 1,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn moves_spread_over_the_honest_agents() {
		let honest = 297;
		let targets: std::collections::BTreeSet<u32> =
			(0..600).map(|citizen| target(citizen, 3, honest)).collect();
		assert!(targets.iter().all(|t| *t < honest));
		assert!(targets.len() > honest as usize / 2, "spread: {} agents", targets.len());
	}
}
