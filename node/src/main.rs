//! `teo-node`: the validator and full node of TEO's Layer 2, the biological ledger.

#![warn(missing_docs)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod launch;
mod rpc;
mod service;

fn main() -> std::process::ExitCode {
	// Errors in words, as `Display` writes them: a launch refusal lists its reasons one per line.
	match command::run() {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("Error: {error}");
			std::process::ExitCode::FAILURE
		},
	}
}
