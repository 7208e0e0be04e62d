//! The agents' API as thousands of agents call it: JSON-RPC over HTTP through one pool of
//! keep-alive connections, each request with its agent's token, and at most
//! [`CALLS_AT_ONCE`] requests in flight per service. A WebSocket per agent would need a
//! connection per agent, and a service serves at most 100 at once.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::Duration,
};

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use serde_json::{json, Value};

/// How long one call may take: a pull request waits for its block.
const CALL_WITHIN: Duration = Duration::from_secs(60);

/// Requests in flight per service: each holds a connection (the pool keeps only idle ones), and
/// a service serves at most 100.
pub const CALLS_AT_ONCE: usize = 64;

/// Why a call failed.
#[derive(Debug, Clone)]
pub enum ApiError {
	/// The service answered with a JSON-RPC error: its code, message and `data.reason`.
	Refused {
		/// The JSON-RPC code.
		code: i64,
		/// The message.
		message: String,
		/// `data.reason`, the machine-readable cause (docs/MESH.md).
		reason: String,
		/// `data.detail` or `data.error`, when the node gave one (the pool's reason).
		detail: Option<String>,
		/// `data.retry`: the same call may succeed later.
		retry: bool,
	},
	/// No answer: the connection failed, timed out, or the answer was not JSON-RPC.
	Transport(String),
}

impl ApiError {
	/// Whether the same call may succeed later: the service said so, or no answer came.
	pub fn may_retry(&self) -> bool {
		match self {
			ApiError::Refused { retry, .. } => *retry,
			ApiError::Transport(_) => true,
		}
	}

	/// A short name for counting: the reason, with the pool's detail when there is one.
	pub fn label(&self) -> String {
		match self {
			ApiError::Refused { reason, detail: Some(detail), .. } => format!("{reason}: {detail}"),
			ApiError::Refused { reason, .. } => reason.clone(),
			ApiError::Transport(_) => "transport".into(),
		}
	}
}

impl std::fmt::Display for ApiError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			ApiError::Refused { code, message, reason, .. } => {
				write!(f, "{message} (code {code}, {reason})")
			},
			ApiError::Transport(e) => write!(f, "{e}"),
		}
	}
}

/// A pooled HTTP client of the services' APIs on 127.0.0.1.
#[derive(Clone)]
pub struct Api {
	client: Client<HttpConnector, Full<Bytes>>,
	/// Per service port.
	permits: Arc<Mutex<HashMap<u16, Arc<tokio::sync::Semaphore>>>>,
}

impl Default for Api {
	fn default() -> Self {
		let client = Client::builder(TokioExecutor::new())
			.pool_idle_timeout(Duration::from_secs(30))
			.pool_max_idle_per_host(32)
			.build_http();
		Self { client, permits: Default::default() }
	}
}

impl Api {
	/// Calls `method` with `params` at the service on `port`, as the agent `token` acts for.
	pub async fn call(
		&self,
		port: u16,
		token: &str,
		method: &str,
		params: Value,
	) -> Result<Value, ApiError> {
		let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let request = http::Request::post(format!("http://127.0.0.1:{port}/"))
			.header("content-type", "application/json")
			.header("authorization", format!("Bearer {token}"))
			.body(Full::new(Bytes::from(body.to_string())))
			.map_err(|e| ApiError::Transport(e.to_string()))?;
		let transport = |e: String| ApiError::Transport(format!("{method}: {e}"));
		let permits = self
			.permits
			.lock()
			.expect("not poisoned")
			.entry(port)
			.or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(CALLS_AT_ONCE)))
			.clone();
		let _permit = permits.acquire_owned().await.map_err(|e| transport(e.to_string()))?;
		let response = tokio::time::timeout(CALL_WITHIN, self.client.request(request))
			.await
			.map_err(|_| transport("no answer in time".into()))?
			.map_err(|e| transport(e.to_string()))?;
		let status = response.status();
		let bytes =
			response.into_body().collect().await.map_err(|e| transport(e.to_string()))?.to_bytes();
		let answer: Value = serde_json::from_slice(&bytes).map_err(|_| {
			transport(format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)))
		})?;
		if let Some(error) = answer.get("error") {
			let data = &error["data"];
			let detail = data["detail"].as_str().or(data["error"].as_str()).map(str::to_string);
			return Err(ApiError::Refused {
				code: error["code"].as_i64().unwrap_or_default(),
				message: error["message"].as_str().unwrap_or_default().to_string(),
				reason: data["reason"].as_str().unwrap_or("unknown").to_string(),
				detail,
				retry: data["retry"].as_bool().unwrap_or(false),
			});
		}
		Ok(answer["result"].clone())
	}
}
