//! The benchmarks of every pallet in the runtime, for `teo-node benchmark pallet` (built with
//! `--features runtime-benchmarks`).

use alloc::{string::String, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::{self, BenchmarkBatch, BenchmarkConfig, BenchmarkList},
	frame_support::traits::{StorageInfo, StorageInfoTrait, WhitelistedStorageKeys},
	frame_system_benchmarking,
	sp_storage::TrackedStorageKey,
};

use super::*;

type SystemBench = frame_system_benchmarking::Pallet<Runtime>;
type SystemExtensionsBench = frame_system_benchmarking::extensions::Pallet<Runtime>;
type BaselineBench = frame_benchmarking::baseline::Pallet<Runtime>;

impl frame_system_benchmarking::Config for Runtime {}
impl frame_benchmarking::baseline::Config for Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench]
	[frame_system, SystemBench]
	[frame_system_extensions, SystemExtensionsBench]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_utility, Utility]
	[pallet_sudo, Sudo]
	[pallet_personhood, Personhood]
	[pallet_action_budget, ActionBudget]
	[pallet_commit_gate, CommitGate]
	[pallet_validator_set, ValidatorSet]
);

pub fn benchmark_metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	(list, AllPalletsWithSystem::storage_info())
}

pub fn dispatch_benchmark(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	Ok(batches)
}
