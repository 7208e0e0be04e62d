//! `teo-swarm`: the flash-crash harness (docs/FLASH-CRASH.md).
//!
//!   teo-node export-chain-spec --chain local --raw > local.json
//!   teo-swarm spec --base local.json --agents 10000 > swarm.json

use std::{io::Write as _, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use teo_swarm::spec::{self, Swarm};

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
	},
}

fn main() -> ExitCode {
	match Cli::parse().command {
		Command::Spec { base, swarm } => {
			let base = match std::fs::read(&base) {
				Ok(bytes) => bytes,
				Err(e) => {
					eprintln!("{}: {e}", base.display());
					return ExitCode::FAILURE;
				},
			};
			let spec = match spec::raw_spec(&base, &swarm) {
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
