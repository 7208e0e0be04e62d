//! `teo-swarm`: the flash-crash harness (docs/FLASH-CRASH.md).
//!
//!   teo-node export-chain-spec --chain local --raw > local.json
//!   teo-swarm spec --base local.json --agents 10000 > swarm.json
//!   teo-swarm run --agents 300 --epochs 2 --out DIR --check

use std::{io::Write as _, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use teo_swarm::{
	run::{self, RunOptions},
	spec::{self, Swarm},
};

#[derive(Parser)]
#[command(version, about)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Writes the raw chain spec of a local network whose genesis holds the swarm: its
	/// sponsors and citizens verified, its agents registered, the citizens' delegations made.
	Spec {
		/// A raw chain spec of the local network (`teo-node export-chain-spec --chain local
		/// --raw`): its runtime code, chain type and bootnodes are kept.
		#[arg(long)]
		base: PathBuf,
		#[command(flatten)]
		swarm: Swarm,
		/// The counterfactual's chain: the same genesis under the single-layer runtime (no
		/// human-bandwidth cap).
		#[arg(long)]
		single_layer: bool,
	},
	/// Starts the swarm's network (three validators and three mesh services on loopback, from
	/// the `teo-node` and `teo-mesh` beside this binary), drives its agents for some epochs,
	/// writes the figures and checks the invariants.
	Run(RunOptions),
}

fn main() -> ExitCode {
	match Cli::parse().command {
		Command::Run(options) => {
			let runtime = match tokio::runtime::Runtime::new() {
				Ok(runtime) => runtime,
				Err(e) => {
					eprintln!("{e}");
					return ExitCode::FAILURE;
				},
			};
			// A stop signal ends the run as an error does: the network is dropped (its
			// processes killed) on the way out.
			let stopped = async {
				let mut terminate =
					tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
						.map_err(|e| e.to_string())?;
				tokio::select! {
					_ = tokio::signal::ctrl_c() => {},
					_ = terminate.recv() => {},
				}
				Err::<run::Report, String>("stopped by a signal".into())
			};
			let outcome = runtime.block_on(async {
				tokio::select! {
					outcome = run::run(&options) => outcome,
					stopped = stopped => stopped,
				}
			});
			match outcome {
				Ok(_) if options.single_layer => {
					println!("measured: the single layer has no invariants to hold");
					ExitCode::SUCCESS
				},
				Ok(report) if report.violations.is_empty() => {
					println!("every invariant held");
					ExitCode::SUCCESS
				},
				Ok(report) => {
					for violation in &report.violations {
						eprintln!("invariant broken: {violation}");
					}
					if options.check {
						ExitCode::FAILURE
					} else {
						ExitCode::SUCCESS
					}
				},
				Err(e) => {
					eprintln!("{e}");
					ExitCode::FAILURE
				},
			}
		},
		Command::Spec { base, swarm, single_layer } => {
			let base = match std::fs::read(&base) {
				Ok(bytes) => bytes,
				Err(e) => {
					eprintln!("{}: {e}", base.display());
					return ExitCode::FAILURE;
				},
			};
			let rules = if single_layer { spec::Rules::SingleLayer } else { spec::Rules::Teo };
			let spec = match spec::raw_spec(&base, &swarm, rules) {
				Ok(spec) => spec,
				Err(e) => {
					eprintln!("{e}");
					return ExitCode::FAILURE;
				},
			};
			let mut out = std::io::BufWriter::new(std::io::stdout().lock());
			if let Err(e) = serde_json::to_writer(&mut out, &spec)
				.map_err(std::io::Error::from)
				.and_then(|()| out.flush())
			{
				eprintln!("writing the spec: {e}");
				return ExitCode::FAILURE;
			}
			ExitCode::SUCCESS
		},
	}
}
