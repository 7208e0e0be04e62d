//! Prometheus metrics of a mesh peer, and the HTTP endpoint that serves them.

use std::{net::SocketAddr, sync::Arc};

use http_body_util::Full;
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Request, Response};
use hyper_util::rt::TokioIo;
use prometheus_client::{
	encoding::{text::encode, EncodeLabelSet},
	metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
	registry::Registry,
};
use tokio::{net::TcpListener, sync::Mutex};

/// Labels of a validation outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ValidationLabels {
	/// `accepted`, `rejected` or `ignored`.
	pub result: &'static str,
	/// Why (empty when accepted).
	pub reason: &'static str,
}

/// Labels of an on-chain report.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReportLabels {
	/// `included` or `failed`.
	pub result: &'static str,
}

/// Labels naming a local agent.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AgentLabels {
	/// The agent's SS58 address.
	pub agent: String,
}

/// Labels of a part of the peer's bounded state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
	/// `local_agents`, `agents`, `strangers`, `logs`, `logged_headers`, `evidenced`, `parked`
	/// or `signature_queue`.
	pub part: &'static str,
}

/// Every metric of the mesh service.
#[derive(Clone)]
pub struct Metrics {
	/// Messages validated, by result and reason.
	pub validations: Family<ValidationLabels, Counter>,
	/// Fraud found by this peer or received as valid evidence.
	pub evidence_found: Counter,
	/// Of those, overspends found by judging accepted messages again after an on-chain spend.
	pub evidence_rejudged: Counter,
	/// Fraud reports submitted on chain, by result.
	pub evidence_reported: Family<ReportLabels, Counter>,
	/// Budget units each local agent has left in the current epoch.
	pub budget_remaining: Family<AgentLabels, Gauge>,
	/// Connected peers.
	pub peers: Gauge,
	/// Seconds from receipt to verdict.
	pub validation_seconds: Histogram,
	/// Blocks between the node's best and finalized heads at the last poll.
	pub finality_lag: Gauge,
	/// The finalized block the mesh validates against.
	pub finalized_number: Gauge,
	/// Entries in each part of the peer's bounded state.
	pub state_entries: Family<StateLabels, Gauge>,
	/// Seconds since the chain view last moved to a newer finalized block.
	pub chain_view_age_seconds: Gauge,
	/// Peers banned for relaying rejected messages (`crate::offenders`).
	pub peers_banned: Counter,
	/// Peers banned now.
	pub banned_peers: Gauge,
	/// Connections a banned peer tried to open, refused.
	pub banned_connections_refused: Counter,
	/// Agent lookups the chain task reached after their message was given up, skipped.
	pub agent_lookups_skipped: Counter,
	/// Work dropped because the chain task's queue was full, by kind (`agent_lookup`,
	/// `evidence_report`): the chain is slower than the mesh asks.
	pub chain_queue_full: Family<ChainQueueLabels, Counter>,
}

/// Which chain-task queue was full.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChainQueueLabels {
	/// `agent_lookup` or `evidence_report`.
	pub queue: &'static str,
}

impl Metrics {
	/// Registers every metric in `registry` under the `teo_mesh` prefix.
	pub fn register(registry: &mut Registry) -> Self {
		let metrics = Self {
			validations: Family::default(),
			evidence_found: Counter::default(),
			evidence_rejudged: Counter::default(),
			evidence_reported: Family::default(),
			budget_remaining: Family::default(),
			peers: Gauge::default(),
			validation_seconds: Histogram::new([
				0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0,
			]),
			finality_lag: Gauge::default(),
			finalized_number: Gauge::default(),
			state_entries: Family::default(),
			chain_view_age_seconds: Gauge::default(),
			peers_banned: Counter::default(),
			banned_peers: Gauge::default(),
			banned_connections_refused: Counter::default(),
			agent_lookups_skipped: Counter::default(),
			chain_queue_full: Family::default(),
		};
		let registry = registry.sub_registry_with_prefix("teo_mesh");
		registry.register(
			"validations",
			"Messages validated, by result and reason",
			metrics.validations.clone(),
		);
		registry.register(
			"evidence_found",
			"Fraud found or received as valid evidence",
			metrics.evidence_found.clone(),
		);
		registry.register(
			"evidence_rejudged",
			"Overspends found by judging accepted messages again after an on-chain spend",
			metrics.evidence_rejudged.clone(),
		);
		registry.register(
			"evidence_reported",
			"Fraud reports submitted on chain, by result",
			metrics.evidence_reported.clone(),
		);
		registry.register(
			"budget_remaining",
			"Budget units each local agent has left in the current epoch",
			metrics.budget_remaining.clone(),
		);
		registry.register("peers", "Connected peers", metrics.peers.clone());
		registry.register(
			"validation_seconds",
			"Seconds from receipt to verdict",
			metrics.validation_seconds.clone(),
		);
		registry.register(
			"finality_lag_blocks",
			"Blocks between the node's best and finalized heads",
			metrics.finality_lag.clone(),
		);
		registry.register(
			"finalized_number",
			"The finalized block the mesh validates against",
			metrics.finalized_number.clone(),
		);
		registry.register(
			"state_entries",
			"Entries in each part of the peer's bounded state",
			metrics.state_entries.clone(),
		);
		registry.register(
			"chain_view_age_seconds",
			"Seconds since the chain view last moved to a newer finalized block",
			metrics.chain_view_age_seconds.clone(),
		);
		registry.register(
			"peers_banned",
			"Peers banned for relaying messages every honest peer rejects",
			metrics.peers_banned.clone(),
		);
		registry.register("banned_peers", "Peers banned now", metrics.banned_peers.clone());
		registry.register(
			"agent_lookups_skipped",
			"Agent lookups reached after their message was given up, skipped",
			metrics.agent_lookups_skipped.clone(),
		);
		registry.register(
			"banned_connections_refused",
			"Connections a banned peer tried to open, refused",
			metrics.banned_connections_refused.clone(),
		);
		registry.register(
			"chain_queue_full",
			"Agent lookups or fraud reports dropped because the chain task's queue was full",
			metrics.chain_queue_full.clone(),
		);
		metrics
	}

	/// Records the size of each part of the peer's state.
	pub fn observe_state(
		&self,
		size: crate::validation::StateSize,
		parked: usize,
		signature_queue: usize,
	) {
		let parts = [
			("local_agents", size.local_agents),
			("agents", size.agents),
			("strangers", size.strangers),
			("logs", size.logs),
			("logged_headers", size.logged_headers),
			("evidenced", size.evidenced),
			("parked", parked),
			("signature_queue", signature_queue),
		];
		for (part, entries) in parts {
			self.state_entries.get_or_create(&StateLabels { part }).set(entries as i64);
		}
	}

	/// Counts one validation outcome.
	pub fn count(&self, verdict: crate::validation::Verdict) {
		use crate::validation::Verdict;
		let labels = match verdict {
			Verdict::Accept => ValidationLabels { result: "accepted", reason: "" },
			Verdict::Reject(reason) => {
				ValidationLabels { result: "rejected", reason: reason.as_str() }
			},
			Verdict::Ignore(reason) => {
				ValidationLabels { result: "ignored", reason: reason.as_str() }
			},
		};
		self.validations.get_or_create(&labels).inc();
	}
}

/// Serves `registry` at `http://<address>/metrics` until the task is dropped.
pub async fn serve(address: SocketAddr, registry: Arc<Mutex<Registry>>) -> std::io::Result<()> {
	let listener = TcpListener::bind(address).await?;
	tracing::info!(%address, "metrics at /metrics");
	loop {
		let (stream, _) = listener.accept().await?;
		let registry = registry.clone();
		tokio::spawn(async move {
			let service = service_fn(move |request: Request<hyper::body::Incoming>| {
				let registry = registry.clone();
				async move {
					if request.uri().path() != "/metrics" {
						return Response::builder()
							.status(404)
							.body(Full::new(Bytes::from_static(b"not found; try /metrics\n")));
					}
					let mut text = String::new();
					if encode(&mut text, &*registry.lock().await).is_err() {
						return Response::builder()
							.status(500)
							.body(Full::new(Bytes::from_static(b"cannot encode the metrics\n")));
					}
					Response::builder()
						.header(
							"content-type",
							"application/openmetrics-text; version=1.0.0; charset=utf-8",
						)
						.body(Full::new(Bytes::from(text)))
				}
			});
			if let Err(e) =
				http1::Builder::new().serve_connection(TokioIo::new(stream), service).await
			{
				tracing::debug!("metrics connection: {e}");
			}
		});
	}
}
