//! Who may use the agents' JSON-RPC: bearer tokens the operator issues, one agent each, and the
//! Host and Origin checks that keep web pages out.
//!
//! The API signs and spends for the agents this service hosts, so a caller is whoever holds
//! their keys. Threats, and what stops each (docs/MESH.md, "Who may call the API"):
//! - *Any local process or user* connects to `127.0.0.1:9950`: every request carries a token
//!   (`Authorization: Bearer <token>`), checked before the request reaches a method.
//! - *A web page* in the operator's browser opens a WebSocket to `127.0.0.1` (browsers apply no
//!   same-origin rule to WebSockets) or rebinds its own DNS name to `127.0.0.1`: a request with an
//!   `Origin` header (which browsers send, and agents do not) is refused, and so is one whose
//!   `Host` is not a listed name (localhost's by default). Web pages are not callers of this API:
//!   a browser cannot put a token on a WebSocket.
//! - *One agent's owner* acts as another agent of the same service: a token names one agent, and
//!   the methods act only for it (see `rpc`).
//! - *Someone who reads the service's files* (a backup, another account on the machine): the
//!   token file holds only BLAKE2-256 hashes of the tokens, so it grants nothing.
//! - *Guessing*: a token carries 256 bits from the operating system's random source.

use std::{
	collections::{BTreeMap, HashMap, HashSet},
	future::Future,
	io::Write as _,
	path::{Path, PathBuf},
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
};

use jsonrpsee::server::{HttpBody, HttpResponse};
use polkadot_sdk::{
	sp_core::crypto::Ss58Codec,
	sp_runtime::traits::{BlakeTwo256, Hash as _},
};
use serde::{Deserialize, Serialize};
use teo_primitives::AccountId;

/// BLAKE2-256, the chain's own hash.
fn blake2_256(bytes: &[u8]) -> [u8; 32] {
	BlakeTwo256::hash(bytes).0
}

/// The file in the base path that lists the issued tokens (hashed).
pub const TOKENS_FILE: &str = "rpc-tokens.json";

/// What tokens start with: tells a secret scanner, and a person, what the string is.
const TOKEN_PREFIX: &str = "teo-mesh_";

/// The hosts a request may name by default: this machine's loopback names, any port.
pub const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Why the token file could not be read, written or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
	/// The file could not be read or written.
	#[error("{path}: {source}")]
	Io {
		/// The file.
		path: PathBuf,
		/// The system's error.
		#[source]
		source: std::io::Error,
	},
	/// The file is not a token list.
	#[error("{path}: not a token list: {source}")]
	Malformed {
		/// The file.
		path: PathBuf,
		/// The parser's error.
		#[source]
		source: serde_json::Error,
	},
	/// An entry names no valid agent account or hash.
	#[error("{path}: the token labelled {label:?} is damaged ({what})")]
	BadEntry {
		/// The file.
		path: PathBuf,
		/// The entry's label.
		label: String,
		/// What is wrong with it.
		what: &'static str,
	},
	/// A token with this label exists already: labels name tokens for revocation.
	#[error("a token labelled {0:?} exists already; revoke it first or choose another label")]
	LabelTaken(String),
	/// No token has this label.
	#[error("no token is labelled {0:?}")]
	NoSuchLabel(String),
	/// The operating system's random source failed.
	#[error("the system's random source: {0}")]
	Random(getrandom::Error),
	/// The base path or the token file is not the operator's alone.
	#[error(transparent)]
	BasePath(#[from] crate::base_path::BasePathError),
}

/// One issued token, as the file stores it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredToken {
	/// The operator's name for it (who holds it).
	label: String,
	/// The agent it acts for (SS58).
	agent: String,
	/// BLAKE2-256 of the token, hex.
	hash: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TokenList {
	tokens: Vec<StoredToken>,
}

/// The caller of a request, once its token is checked: the one agent it may act for. The
/// gatekeeper puts it into the request's extensions, where the methods read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
	/// The token's label.
	pub label: String,
	/// The agent the token acts for.
	pub agent: AccountId,
}

/// The issued tokens, by hash.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
	by_hash: HashMap<[u8; 32], Caller>,
}

impl Tokens {
	/// The tokens in the base path's token file; none when there is no file yet.
	pub fn load(base_path: &Path) -> Result<Self, AccessError> {
		let path = base_path.join(TOKENS_FILE);
		let mut by_hash = HashMap::new();
		for entry in read_list(&path)?.tokens {
			let bad = |what| AccessError::BadEntry {
				path: path.clone(),
				label: entry.label.clone(),
				what,
			};
			let agent = AccountId::from_ss58check(&entry.agent).map_err(|_| bad("agent"))?;
			let hash = hex::decode(&entry.hash)
				.ok()
				.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
				.ok_or_else(|| bad("hash"))?;
			by_hash.insert(hash, Caller { label: entry.label, agent });
		}
		Ok(Self { by_hash })
	}

	/// The caller a token belongs to.
	pub fn caller(&self, token: &str) -> Option<&Caller> {
		self.by_hash.get(&blake2_256(token.as_bytes()))
	}

	/// The number of tokens.
	pub fn len(&self) -> usize {
		self.by_hash.len()
	}

	/// `true` when no token is issued: nobody can use the API.
	pub fn is_empty(&self) -> bool {
		self.by_hash.is_empty()
	}

	/// The agents some token acts for.
	pub fn agents(&self) -> impl Iterator<Item = &AccountId> {
		self.by_hash.values().map(|caller| &caller.agent)
	}
}

/// Issues a fresh token for `agent` under `label` and records its hash in the base path's token
/// file. Returns the token: it is shown once and stored nowhere.
pub fn issue(base_path: &Path, agent: &AccountId, label: &str) -> Result<String, AccessError> {
	let mut tokens = issue_all(base_path, &[(agent.clone(), label.to_string())])?;
	Ok(tokens.remove(0))
}

/// Issues a token for each `(agent, label)` at once, in one change of the token file (a
/// service hosting thousands of agents): all of them, or none if a label is taken or repeated.
/// Returns the tokens in the same order.
pub fn issue_all(
	base_path: &Path,
	agents: &[(AccountId, String)],
) -> Result<Vec<String>, AccessError> {
	change_list(base_path, |list| {
		let mut labels: HashSet<String> = list.tokens.iter().map(|t| t.label.clone()).collect();
		let mut tokens = Vec::with_capacity(agents.len());
		for (agent, label) in agents {
			if !labels.insert(label.clone()) {
				return Err(AccessError::LabelTaken(label.clone()));
			}
			let mut secret = [0u8; 32];
			getrandom::getrandom(&mut secret).map_err(AccessError::Random)?;
			let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
			list.tokens.push(StoredToken {
				label: label.clone(),
				agent: agent.to_ss58check(),
				hash: hex::encode(blake2_256(token.as_bytes())),
			});
			tokens.push(token);
		}
		Ok(tokens)
	})
}

/// Revokes the token labelled `label`. A running service stops accepting it when restarted.
pub fn revoke(base_path: &Path, label: &str) -> Result<(), AccessError> {
	change_list(base_path, |list| {
		let before = list.tokens.len();
		list.tokens.retain(|t| t.label != label);
		match list.tokens.len() == before {
			true => Err(AccessError::NoSuchLabel(label.to_string())),
			false => Ok(()),
		}
	})
}

/// Reads the token list, changes it and writes it back, holding `rpc-tokens.lock` throughout:
/// two commands at once (an issue racing a revoke) would otherwise write back a list that
/// still holds the revoked token. Not the base path's own lock, which the running service holds.
fn change_list<T>(
	base_path: &Path,
	change: impl FnOnce(&mut TokenList) -> Result<T, AccessError>,
) -> Result<T, AccessError> {
	crate::base_path::create(base_path)?;
	let lock_path = base_path.join("rpc-tokens.lock");
	let io = |path: &Path| {
		let path = path.to_path_buf();
		move |source| AccessError::Io { path, source }
	};
	let lock = private_file(&lock_path).map_err(io(&lock_path))?;
	lock.lock().map_err(io(&lock_path))?;
	let path = base_path.join(TOKENS_FILE);
	let mut list = read_list(&path)?;
	let result = change(&mut list)?;
	write_list(base_path, &path, &list)?;
	Ok(result)
}

/// The issued tokens' labels and agents (never the tokens, which are not stored).
pub fn list(base_path: &Path) -> Result<BTreeMap<String, String>, AccessError> {
	let list = read_list(&base_path.join(TOKENS_FILE))?;
	Ok(list.tokens.into_iter().map(|t| (t.label, t.agent)).collect())
}

/// The token list in `path`; empty if there is none. A list others can write to is refused:
/// whoever writes a hash into it can call the API.
fn read_list(path: &Path) -> Result<TokenList, AccessError> {
	if path.exists() {
		crate::base_path::refuse_if_writable_by_others(path)?;
	}
	match std::fs::read(path) {
		Ok(bytes) => serde_json::from_slice(&bytes)
			.map_err(|source| AccessError::Malformed { path: path.to_path_buf(), source }),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TokenList::default()),
		Err(source) => Err(AccessError::Io { path: path.to_path_buf(), source }),
	}
}

/// Writes the list to a fresh temporary file in the base path (created `0600`, never an existing
/// file or a planted link), syncs it, renames it over the old one and syncs the directory: a
/// crash leaves the old list or the new one, never half of one.
fn write_list(base_path: &Path, path: &Path, list: &TokenList) -> Result<(), AccessError> {
	let io = |source| AccessError::Io { path: path.to_path_buf(), source };
	let bytes = serde_json::to_vec_pretty(list).expect("a token list always serializes");
	let mut file = tempfile::NamedTempFile::new_in(base_path).map_err(io)?;
	file.write_all(&bytes).and_then(|()| file.as_file().sync_all()).map_err(io)?;
	file.persist(path).map_err(|e| io(e.error))?;
	std::fs::File::open(base_path).and_then(|dir| dir.sync_all()).map_err(io)
}

/// A file only its owner can read or write.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
	use std::os::unix::fs::OpenOptionsExt;
	std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)
}

/// Why a request was turned away before reaching a method.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
	/// No `Authorization: Bearer` header.
	#[error("this API needs a token: send `Authorization: Bearer <token>` (the operator issues one with `teo-mesh token issue`)")]
	NoToken,
	/// A token this service did not issue, or revoked.
	#[error("the token is not one this service issued, or it was revoked")]
	UnknownToken,
	/// The `Host` header is missing or names a host the operator did not allow.
	#[error("requests for host {0:?} are not served here (allow it with --rpc-allowed-host)")]
	Host(String),
	/// The request comes from a web page.
	#[error(
		"requests from web pages (origin {0:?}) are refused: this API serves agents, not browsers"
	)]
	Origin(String),
}

impl Refusal {
	/// The HTTP status: 401 asks for a (valid) token, 403 refuses whatever the token.
	pub fn status(&self) -> u16 {
		match self {
			Refusal::NoToken | Refusal::UnknownToken => 401,
			Refusal::Host(_) | Refusal::Origin(_) => 403,
		}
	}
}

/// Checks every HTTP request and WebSocket handshake before the server reads it: Host, then
/// Origin, then the token. Admitted requests carry their [`Caller`] in their extensions.
#[derive(Clone, Debug)]
pub struct Gatekeeper {
	tokens: Arc<Tokens>,
	hosts: Arc<Vec<String>>,
}

impl Gatekeeper {
	/// A gatekeeper for `tokens`, serving requests for [`LOCAL_HOSTS`] and `extra_hosts` (names
	/// without a port: see [`check_host_name`]), from no web page.
	pub fn new(tokens: Tokens, extra_hosts: &[String]) -> Self {
		let hosts = LOCAL_HOSTS
			.iter()
			.map(|h| h.to_string())
			.chain(extra_hosts.iter().map(|h| h.to_ascii_lowercase()))
			.collect();
		Self { tokens: Arc::new(tokens), hosts: Arc::new(hosts) }
	}

	/// The caller of a request with these headers, or why it is refused.
	pub fn admit(&self, headers: &http::HeaderMap) -> Result<Caller, Refusal> {
		let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
		let host = header(http::header::HOST).unwrap_or_default();
		if !self.hosts.iter().any(|allowed| *allowed == host_name(host)) {
			return Err(Refusal::Host(host.to_string()));
		}
		if let Some(origin) = headers.get(http::header::ORIGIN) {
			return Err(Refusal::Origin(origin.to_str().unwrap_or("<not text>").to_string()));
		}
		// The scheme is case-insensitive (RFC 9110, 11.1).
		let token = header(http::header::AUTHORIZATION)
			.and_then(|value| value.split_once(' '))
			.filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
			.map(|(_, token)| token.trim())
			.ok_or(Refusal::NoToken)?;
		self.tokens.caller(token).cloned().ok_or(Refusal::UnknownToken)
	}
}

/// A name for `--rpc-allowed-host`: a host as a `Host` header names it, without a port (a
/// name with one would never match).
pub fn check_host_name(name: &str) -> Result<(), String> {
	match !name.is_empty() && host_name(name) == name.to_ascii_lowercase() {
		true => Ok(()),
		false => Err(format!("{name:?}: a host name or address without a port ([::1] for IPv6)")),
	}
}

/// The host of a `Host` header, lowercase and without its port (`[::1]:9950` is `[::1]`).
fn host_name(host: &str) -> String {
	let name = match host.rsplit_once(':') {
		// A bracketed IPv6 address keeps its colons; its port, if any, follows the bracket.
		Some((name, port)) if !port.contains(']') && port.bytes().all(|b| b.is_ascii_digit()) => {
			name
		},
		_ => host,
	};
	name.to_ascii_lowercase()
}

impl<S> tower::Layer<S> for Gatekeeper {
	type Service = Gated<S>;

	fn layer(&self, inner: S) -> Gated<S> {
		Gated { gatekeeper: self.clone(), inner }
	}
}

/// The server's HTTP service behind the [`Gatekeeper`]: a refused request never reaches it.
#[derive(Clone, Debug)]
pub struct Gated<S> {
	gatekeeper: Gatekeeper,
	inner: S,
}

impl<S, B> tower::Service<http::Request<B>> for Gated<S>
where
	S: tower::Service<http::Request<B>, Response = HttpResponse>,
	S::Future: Send + 'static,
{
	type Response = HttpResponse;
	type Error = S::Error;
	type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, S::Error>> + Send>>;

	fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
		self.inner.poll_ready(cx)
	}

	fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
		match self.gatekeeper.admit(request.headers()) {
			Ok(caller) => {
				request.extensions_mut().insert(caller);
				// Past the gate the token is not needed, and the server's trace log prints
				// every header it sees.
				request.headers_mut().remove(http::header::AUTHORIZATION);
				Box::pin(self.inner.call(request))
			},
			Err(refusal) => {
				tracing::debug!(%refusal, "an RPC request refused");
				let response = refused(&refusal);
				Box::pin(async move { Ok(response) })
			},
		}
	}
}

/// The HTTP answer to a refused request: 401 (with `WWW-Authenticate`) or 403, and the reason.
fn refused(refusal: &Refusal) -> HttpResponse {
	let mut response = HttpResponse::new(HttpBody::from(format!("{refusal}\n")));
	*response.status_mut() =
		http::StatusCode::from_u16(refusal.status()).expect("401 and 403 are statuses");
	let text = http::HeaderValue::from_static("text/plain; charset=utf-8");
	response.headers_mut().insert(http::header::CONTENT_TYPE, text);
	if refusal.status() == 401 {
		let bearer = http::HeaderValue::from_static("Bearer");
		response.headers_mut().insert(http::header::WWW_AUTHENTICATE, bearer);
	}
	response
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::{sr25519, Pair as _};

	fn agent(seed: &str) -> AccountId {
		sr25519::Pair::from_string(seed, None).unwrap().public().into()
	}

	fn headers(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
		let mut map = http::HeaderMap::new();
		for (name, value) in pairs {
			map.insert(*name, value.parse().unwrap());
		}
		map
	}

	/// A gatekeeper with one token for Dave; the token.
	fn dave_gatekeeper(hosts: &[String]) -> (Gatekeeper, String, tempfile::TempDir) {
		let dir = tempfile::tempdir().unwrap();
		let token = issue(dir.path(), &agent("//Dave"), "dave's bot").unwrap();
		(Gatekeeper::new(Tokens::load(dir.path()).unwrap(), hosts), token, dir)
	}

	#[test]
	fn an_issued_token_admits_its_agent_only() {
		let (gate, token, _dir) = dave_gatekeeper(&[]);
		let bearer = format!("Bearer {token}");
		let caller =
			gate.admit(&headers(&[("host", "127.0.0.1:9950"), ("authorization", &bearer)]));
		assert_eq!(caller, Ok(Caller { label: "dave's bot".into(), agent: agent("//Dave") }));
	}

	#[test]
	fn a_request_without_a_valid_token_is_refused() {
		let (gate, token, _dir) = dave_gatekeeper(&[]);
		let host = ("host", "localhost:9950");
		assert_eq!(gate.admit(&headers(&[host])), Err(Refusal::NoToken));
		// Another scheme, or the token without its scheme.
		assert_eq!(
			gate.admit(&headers(&[host, ("authorization", &format!("Basic {token}"))])),
			Err(Refusal::NoToken)
		);
		assert_eq!(gate.admit(&headers(&[host, ("authorization", &token)])), Err(Refusal::NoToken));
		// A token of the right shape this service never issued, and one changed by a character.
		let forged = format!("Bearer {TOKEN_PREFIX}{}", "00".repeat(32));
		assert_eq!(
			gate.admit(&headers(&[host, ("authorization", &forged)])),
			Err(Refusal::UnknownToken)
		);
		let mut altered = token.clone();
		altered.pop();
		altered.push(if token.ends_with('0') { '1' } else { '0' });
		let altered = format!("Bearer {altered}");
		assert_eq!(
			gate.admit(&headers(&[host, ("authorization", &altered)])),
			Err(Refusal::UnknownToken)
		);
	}

	#[test]
	fn tokens_issued_at_once_are_all_issued_or_none() {
		let dir = tempfile::tempdir().unwrap();
		issue(dir.path(), &agent("//Dave"), "dave's bot").unwrap();
		let batch = |labels: &[&str]| -> Vec<(AccountId, String)> {
			labels.iter().map(|label| (agent(&format!("//{label}")), label.to_string())).collect()
		};
		// A label taken already, or twice in the batch: nothing of the batch is issued.
		let taken = issue_all(dir.path(), &batch(&["eve", "dave's bot"]));
		assert!(matches!(taken, Err(AccessError::LabelTaken(label)) if label == "dave's bot"));
		let twice = issue_all(dir.path(), &batch(&["eve", "ferdie", "eve"]));
		assert!(matches!(twice, Err(AccessError::LabelTaken(label)) if label == "eve"));
		assert_eq!(list(dir.path()).unwrap().len(), 1);

		let tokens = issue_all(dir.path(), &batch(&["eve", "ferdie"])).unwrap();
		let gate = Gatekeeper::new(Tokens::load(dir.path()).unwrap(), &[]);
		for (token, name) in tokens.iter().zip(["eve", "ferdie"]) {
			let bearer = format!("Bearer {token}");
			let caller = gate.admit(&headers(&[("host", "localhost"), ("authorization", &bearer)]));
			assert_eq!(
				caller,
				Ok(Caller { label: name.into(), agent: agent(&format!("//{name}")) })
			);
		}
	}

	#[test]
	fn a_revoked_token_is_refused_after_a_restart() {
		let (_, token, dir) = dave_gatekeeper(&[]);
		revoke(dir.path(), "dave's bot").unwrap();
		let gate = Gatekeeper::new(Tokens::load(dir.path()).unwrap(), &[]);
		let bearer = format!("Bearer {token}");
		assert_eq!(
			gate.admit(&headers(&[("host", "localhost"), ("authorization", &bearer)])),
			Err(Refusal::UnknownToken)
		);
		assert!(matches!(revoke(dir.path(), "dave's bot"), Err(AccessError::NoSuchLabel(_))));
	}

	#[test]
	fn a_web_page_is_refused_even_with_a_token() {
		// A page cannot read the token, but a leaked one must not work from a browser either:
		// the Origin check comes first and does not depend on it.
		let (gate, token, _dir) = dave_gatekeeper(&[]);
		let bearer = format!("Bearer {token}");
		for origin in ["https://evil.example", "null", "http://localhost:3000"] {
			let request = headers(&[
				("host", "127.0.0.1:9950"),
				("origin", origin),
				("authorization", &bearer),
			]);
			assert_eq!(gate.admit(&request), Err(Refusal::Origin(origin.into())));
		}
	}

	#[test]
	fn a_rebound_dns_name_is_refused() {
		// DNS rebinding: evil.example resolves to 127.0.0.1, so the browser sends Host: evil.example.
		let (gate, token, _dir) = dave_gatekeeper(&[]);
		let bearer = format!("Bearer {token}");
		for host in ["evil.example", "evil.example:9950", "127.0.0.1.evil.example", ""] {
			let request = headers(&[("host", host), ("authorization", &bearer)]);
			assert_eq!(gate.admit(&request), Err(Refusal::Host(host.into())));
		}
		assert_eq!(
			gate.admit(&headers(&[("authorization", &bearer)])),
			Err(Refusal::Host(String::new()))
		);
		for host in ["localhost", "LOCALHOST:9950", "127.0.0.1", "[::1]:9950", "[::1]"] {
			assert!(
				gate.admit(&headers(&[("host", host), ("authorization", &bearer)])).is_ok(),
				"{host}"
			);
		}
		let (gate, token, _dir) = dave_gatekeeper(&["mesh.example.org".into()]);
		let bearer = format!("Bearer {token}");
		assert!(gate
			.admit(&headers(&[("host", "mesh.example.org:9950"), ("authorization", &bearer)]))
			.is_ok());
	}

	#[test]
	fn the_token_file_holds_no_token_and_only_its_owner_reads_it() {
		use std::os::unix::fs::PermissionsExt;
		let (_, token, dir) = dave_gatekeeper(&[]);
		let path = dir.path().join(TOKENS_FILE);
		let text = std::fs::read_to_string(&path).unwrap();
		assert!(!text.contains(&token[TOKEN_PREFIX.len()..]), "the token itself is not stored");
		assert!(text.contains(&hex::encode(blake2_256(token.as_bytes()))));
		assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
	}

	#[test]
	fn the_scheme_is_case_insensitive() {
		let (gate, token, _dir) = dave_gatekeeper(&[]);
		for scheme in ["bearer", "BEARER"] {
			let value = format!("{scheme} {token}");
			assert!(gate
				.admit(&headers(&[("host", "localhost"), ("authorization", &value)]))
				.is_ok());
		}
	}

	#[test]
	fn a_token_list_others_can_write_to_is_refused() {
		// Whoever can write a hash into the list can call the API.
		use std::os::unix::fs::PermissionsExt;
		let (_, _, dir) = dave_gatekeeper(&[]);
		let path = dir.path().join(TOKENS_FILE);
		std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
		assert!(matches!(Tokens::load(dir.path()), Err(AccessError::BasePath(_))));
		assert!(matches!(revoke(dir.path(), "dave's bot"), Err(AccessError::BasePath(_))));
	}

	#[test]
	fn commands_at_once_lose_no_change() {
		// Each command reads, changes and writes the list: without the list's lock, two at
		// once would each write back the list without the other's change (a revoked token
		// could come back).
		let dir = tempfile::tempdir().unwrap();
		let threads: Vec<_> = (0..8)
			.map(|i| {
				let base = dir.path().to_path_buf();
				std::thread::spawn(move || {
					issue(&base, &agent("//Dave"), &format!("bot {i}")).unwrap()
				})
			})
			.collect();
		let tokens: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
		assert_eq!(Tokens::load(dir.path()).unwrap().len(), 8);
		let threads: Vec<_> = (0..4)
			.map(|i| {
				let base = dir.path().to_path_buf();
				std::thread::spawn(move || revoke(&base, &format!("bot {i}")).unwrap())
			})
			.collect();
		threads.into_iter().for_each(|t| t.join().unwrap());
		let loaded = Tokens::load(dir.path()).unwrap();
		assert_eq!(loaded.len(), 4);
		assert!(tokens[..4].iter().all(|t| loaded.caller(t).is_none()), "revoked stay revoked");
		assert!(tokens[4..].iter().all(|t| loaded.caller(t).is_some()));
	}

	#[test]
	fn labels_are_unique_and_tokens_fresh() {
		let dir = tempfile::tempdir().unwrap();
		let first = issue(dir.path(), &agent("//Dave"), "one").unwrap();
		assert!(matches!(
			issue(dir.path(), &agent("//Eve"), "one"),
			Err(AccessError::LabelTaken(_))
		));
		let second = issue(dir.path(), &agent("//Dave"), "two").unwrap();
		assert_ne!(first, second);
		assert!(first.starts_with(TOKEN_PREFIX) && first.len() == TOKEN_PREFIX.len() + 64);
		let tokens = Tokens::load(dir.path()).unwrap();
		assert_eq!(tokens.len(), 2);
		assert_eq!(list(dir.path()).unwrap().keys().cloned().collect::<Vec<_>>(), ["one", "two"]);
	}

	#[test]
	fn a_damaged_token_file_stops_the_service_with_its_path() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join(TOKENS_FILE);
		std::fs::write(&path, "{ not json").unwrap();
		assert!(matches!(Tokens::load(dir.path()), Err(AccessError::Malformed { .. })));
		std::fs::write(&path, r#"{"tokens":[{"label":"x","agent":"not an account","hash":"00"}]}"#)
			.unwrap();
		assert!(matches!(
			Tokens::load(dir.path()),
			Err(AccessError::BadEntry { what: "agent", .. })
		));
		let dave = agent("//Dave").to_ss58check();
		std::fs::write(
			&path,
			format!(r#"{{"tokens":[{{"label":"x","agent":"{dave}","hash":"00"}}]}}"#),
		)
		.unwrap();
		assert!(matches!(
			Tokens::load(dir.path()),
			Err(AccessError::BadEntry { what: "hash", .. })
		));
	}

	#[test]
	fn hosts_lose_their_ports() {
		assert_eq!(host_name("localhost:9950"), "localhost");
		assert_eq!(host_name("[::1]:9950"), "[::1]");
		assert_eq!(host_name("[::1]"), "[::1]");
		assert_eq!(host_name("Example.org"), "example.org");
		assert_eq!(host_name("example.org:x"), "example.org:x");
		assert!(check_host_name("mesh.example.org").is_ok());
		assert!(check_host_name("[2001:db8::1]").is_ok());
		assert!(check_host_name("mesh.example.org:9950").is_err());
		assert!(check_host_name("").is_err());
	}
}
