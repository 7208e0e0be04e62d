//! The command line: `teo-node [run flags]` runs a node; the subcommands manage keys, chain
//! specs and the database.

use polkadot_sdk::sc_cli;

/// The TEO node.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// A maintenance command; without one, the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// The standard Substrate node flags (`--chain`, `--validator`, `--base-path`, ...).
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
}

/// Maintenance commands.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Write a chain spec as JSON to stdout (or `--output`); `--raw` for the storage form.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build the chain spec of a real network from a launch file, or check any spec: both refuse
	/// a chain that could not govern itself.
	#[command(subcommand)]
	Launch(crate::launch::LaunchCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Runtime and node benchmarks (built with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(polkadot_sdk::frame_benchmarking_cli::BenchmarkCmd),
}
