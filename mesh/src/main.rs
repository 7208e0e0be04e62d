//! `teo-mesh`: runs the mesh service until interrupted (SIGINT or SIGTERM); `teo-mesh token`
//! issues, lists and revokes the tokens of the agents' API.
//!
//! Exit status: 0 when stopped by a signal; [`INCOMPATIBLE_RUNTIME`] (78, `EX_CONFIG`) when the
//! chain runs, or upgraded to, a runtime whose encodings differ from those this mesh was built
//! with, so that a supervisor can tell it from a crash and stop restarting it
//! (`RestartPreventExitStatus=78` in `scripts/deploy/teo-mesh.service`); 1 otherwise.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use polkadot_sdk::sp_core::crypto::Ss58Codec;
use teo_mesh::{access, service::Config};
use teo_primitives::AccountId;
use tracing_subscriber::EnvFilter;

/// The exit status for a chain whose runtime this mesh cannot serve.
const INCOMPATIBLE_RUNTIME: u8 = 78;

/// `teo-mesh`: TEO's Layer 1 gossip service for agents, beside a TEO node.
#[derive(Debug, Parser)]
#[command(name = "teo-mesh", version, about, args_conflicts_with_subcommands = true)]
struct Cli {
	#[command(subcommand)]
	command: Option<Command>,
	#[command(flatten)]
	service: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
	/// The tokens of the agents' JSON-RPC: each acts for one agent. A running service reads
	/// them when it starts.
	#[command(subcommand)]
	Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
	/// Issues a token for an agent and prints it (once: only its hash is stored).
	Issue {
		/// The agent (SS58) the token acts for.
		#[arg(long)]
		agent: String,
		/// A name for the token (who holds it), to revoke it by.
		#[arg(long)]
		label: String,
		/// The service's base path.
		#[arg(long, default_value = "./teo-mesh-data")]
		base_path: PathBuf,
	},
	/// Revokes a token (restart the service to apply).
	Revoke {
		/// The token's label.
		#[arg(long)]
		label: String,
		/// The service's base path.
		#[arg(long, default_value = "./teo-mesh-data")]
		base_path: PathBuf,
	},
	/// Lists the tokens' labels and agents.
	List {
		/// The service's base path.
		#[arg(long, default_value = "./teo-mesh-data")]
		base_path: PathBuf,
	},
}

/// Runs a token command; what it prints goes to stdout, errors to stderr.
fn token_command(command: TokenCommand) -> Result<(), String> {
	match command {
		TokenCommand::Issue { agent, label, base_path } => {
			let agent = AccountId::from_ss58check(&agent)
				.map_err(|e| format!("--agent {agent}: not an SS58 account: {e:?}"))?;
			let token = access::issue(&base_path, &agent, &label).map_err(|e| e.to_string())?;
			println!("{token}");
			eprintln!("issued {label:?} for {}: give it to the agent's owner; it is not stored and not shown again. A running service accepts it once restarted.", agent.to_ss58check());
		},
		TokenCommand::Revoke { label, base_path } => {
			access::revoke(&base_path, &label).map_err(|e| e.to_string())?;
			eprintln!("revoked {label:?}; restart the service to apply");
		},
		TokenCommand::List { base_path } => {
			for (label, agent) in access::list(&base_path).map_err(|e| e.to_string())? {
				println!("{label}\t{agent}");
			}
		},
	}
	Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
	// The log goes to stderr, as a node's does (stdout is for what a command prints, such as a
	// token), in colour only on a terminal.
	let stderr = std::io::stderr();
	tracing_subscriber::fmt()
		.with_env_filter(
			EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
		)
		.with_ansi(std::io::IsTerminal::is_terminal(&stderr))
		.with_writer(std::io::stderr)
		.init();
	let cli = Cli::parse();
	if let Some(Command::Token(command)) = cli.command {
		return match token_command(command) {
			Ok(()) => ExitCode::SUCCESS,
			Err(e) => {
				eprintln!("{e}");
				ExitCode::FAILURE
			},
		};
	}
	let config = cli.service;
	let running = match teo_mesh::service::start(config).await {
		Ok(running) => running,
		Err(e) => {
			tracing::error!("{e}");
			return match e.is_incompatible_runtime() {
				true => ExitCode::from(INCOMPATIBLE_RUNTIME),
				false => ExitCode::FAILURE,
			};
		},
	};
	let code = tokio::select! {
		signal = stop_signal() => {
			if let Err(e) = signal {
				tracing::error!("waiting for a stop signal: {e}");
			}
			ExitCode::SUCCESS
		},
		halted = running.halted => match halted {
			Ok(reason) => {
				tracing::error!("stopping: {reason}");
				ExitCode::from(INCOMPATIBLE_RUNTIME)
			},
			// The chain follower ended without a reason: the peer stopped under it.
			Err(_) => {
				tracing::error!("stopping: the chain follower ended");
				ExitCode::FAILURE
			},
		},
	};
	tracing::info!("stopping");
	let _ = running.rpc.stop();
	code
}

/// SIGINT (Ctrl-C, systemd's `KillSignal`) or SIGTERM (`docker stop`, systemd's default).
async fn stop_signal() -> std::io::Result<()> {
	use tokio::signal::unix::{signal, SignalKind};
	let mut terminate = signal(SignalKind::terminate())?;
	tokio::select! {
		interrupted = tokio::signal::ctrl_c() => interrupted,
		_ = terminate.recv() => Ok(()),
	}
}
