//! Benchmarks (filled in below).
use teo_primitives::{AccountId, GroupId};

/// Makes the accounts the benchmarks need, through the runtime's real pallets.
pub trait BenchmarkHelper {
	/// Makes `who` a verified member of `group` for the rest of the benchmark.
	fn make_member(who: &AccountId, group: GroupId);
	/// Registers `agent` as an active agent with a fresh budget.
	fn make_agent(agent: &AccountId);
}
