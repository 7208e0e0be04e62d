//! `teo-mesh`: runs the mesh service until interrupted (SIGINT or SIGTERM).
//!
//! Exit status: 0 when stopped by a signal; [`INCOMPATIBLE_RUNTIME`] (78, `EX_CONFIG`) when the
//! chain runs, or upgraded to, a runtime whose encodings differ from those this mesh was built
//! with, so that a supervisor can tell it from a crash and stop restarting it
//! (`RestartPreventExitStatus=78` in `scripts/deploy/teo-mesh.service`); 1 otherwise.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The exit status for a chain whose runtime this mesh cannot serve.
const INCOMPATIBLE_RUNTIME: u8 = 78;

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
		)
		.init();
	let config = teo_mesh::service::Config::parse();
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
