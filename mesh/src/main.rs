//! `teo-mesh`: runs the mesh service until interrupted.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
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
			return std::process::ExitCode::FAILURE;
		},
	};
	if let Err(e) = tokio::signal::ctrl_c().await {
		tracing::error!("waiting for Ctrl-C: {e}");
	}
	tracing::info!("stopping");
	let _ = running.rpc.stop();
	std::process::ExitCode::SUCCESS
}
