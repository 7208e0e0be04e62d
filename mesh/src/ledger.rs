//! The publishing ledger of the agents this service signs for: per agent, the epoch, the next
//! sequence number and the units spent. A reservation is written to disk and synced *before*
//! the message is signed, so a crash or restart can never make an honest agent sign two
//! messages with one sequence number or overlapping spend ranges (an equivocation the chain
//! would slash).
//!
//! Reservations are made in memory and written in groups ([`SharedLedger`]): the reservations
//! of every agent that waits while one write runs go to disk together in the next, so the
//! service's agents do not queue one durable write each. A slot is signed only once a write
//! that carries it has succeeded, and a slot whose write failed is never offered again: a gap
//! in an agent's sequence costs it the slot's units in the epoch, where reuse would be an
//! equivocation.
//!
//! The ledger names the chain it counts for (its genesis hash): the counters of another chain
//! (a development chain reset under the same base path, a base path copied between networks)
//! would start the agent's sequence in the wrong place, so a ledger of another chain is refused
//! rather than used.

use std::{
	collections::BTreeMap,
	fs::{self, File},
	io::{self, Write},
	path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use teo_primitives::{mesh::BudgetUnits, AccountId, EpochIndex, Hash};
use tokio::sync::{Mutex, MutexGuard};

/// Where an agent stands in an epoch.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Entry {
	/// The epoch the counters are for.
	pub epoch: EpochIndex,
	/// The sequence number of the agent's next message in it.
	pub next_seq: u64,
	/// Units spent on the mesh in it.
	pub spent: BudgetUnits,
}

/// A pull request handed to the chain, as the ledger keeps it: a service restarted while it is
/// in a pool must still leave its price aside, or the agent's mesh spending after the restart
/// would prove an overspend once it lands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PendingPullRequest {
	/// The epoch it is priced in.
	pub epoch: EpochIndex,
	/// The most it can cost there.
	pub worst_price: BudgetUnits,
	/// The last block it may land in (its era's end, or later if not known better).
	pub lands_by: teo_primitives::BlockNumber,
}

/// A reserved slot: what the header of the message about to be signed declares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Reservation {
	/// The message's sequence number.
	pub seq: u64,
	/// Units spent before it.
	pub spent_before: BudgetUnits,
}

/// Why a message cannot be published.
#[derive(Debug)]
pub enum LedgerError {
	/// The message costs more than the agent has left in the epoch.
	BudgetExhausted { cost: BudgetUnits, remaining: BudgetUnits },
	/// The ledger has already moved past this epoch.
	EpochPassed { epoch: EpochIndex, ledger_epoch: EpochIndex },
	/// The ledger could not be written: the slot reserved is skipped, never signed.
	Io(io::Error),
}

impl std::fmt::Display for LedgerError {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		match self {
			LedgerError::BudgetExhausted { cost, remaining } => write!(
				f,
				"the message costs {cost} units and the agent has {remaining} left this epoch"
			),
			LedgerError::EpochPassed { epoch, ledger_epoch } => {
				write!(f, "epoch {epoch} is over: the agent already publishes in {ledger_epoch}")
			},
			LedgerError::Io(e) => write!(f, "the ledger could not be written: {e}"),
		}
	}
}

impl std::error::Error for LedgerError {}

/// Why the ledger could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
	/// The file could not be read.
	#[error("{path}: {source}")]
	Io {
		/// The file.
		path: PathBuf,
		/// The system's error.
		#[source]
		source: io::Error,
	},
	/// The file is not a ledger.
	#[error("{path}: not a ledger: {source}")]
	Malformed {
		/// The file.
		path: PathBuf,
		/// The parser's error.
		#[source]
		source: serde_json::Error,
	},
	/// The ledger counts for another chain.
	#[error("{path} is the ledger of the chain with genesis {ledger:?}, not of this one ({chain:?}): start with another --base-path, or move the old one aside if that chain is gone")]
	OtherChain {
		/// The file.
		path: PathBuf,
		/// The genesis it names.
		ledger: Hash,
		/// This chain's genesis.
		chain: Hash,
	},
}

/// The ledger file: the chain it counts for, and the counters by agent (hex).
#[derive(Serialize, Deserialize)]
struct LedgerFile {
	genesis: Hash,
	entries: BTreeMap<String, Entry>,
	/// Each agent's latest pull request handed to the chain (hex agent).
	#[serde(default)]
	pull_requests: BTreeMap<String, PendingPullRequest>,
}

/// What a ledger file may hold: the current format, or the counters alone as ledgers before
/// the genesis was recorded held them (adopted for the chain the service runs on).
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredLedger {
	Bound(LedgerFile),
	Unbound(BTreeMap<String, Entry>),
}

/// The ledger, kept in one JSON file.
pub struct Ledger {
	path: PathBuf,
	genesis: Hash,
	entries: BTreeMap<String, Entry>,
	pull_requests: BTreeMap<String, PendingPullRequest>,
	/// The last change made in memory, and the last one on disk.
	changed: Change,
	written: Change,
}

/// A change to the ledger, in the order they were made: it is on disk once a write of a
/// snapshot taken after it has succeeded.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub struct Change(u64);

/// The ledger as it was after a change, to write.
pub struct Snapshot {
	path: PathBuf,
	bytes: Vec<u8>,
	change: Change,
}

impl Snapshot {
	/// Writes it durably: a synced temporary file renamed over the old one, then the directory
	/// synced, so a crash leaves the old or the new ledger, never a torn one. Blocking; one
	/// writer at a time (they share the temporary file).
	pub fn write(&self) -> io::Result<()> {
		let temporary = self.path.with_extension("tmp");
		let mut file = File::create(&temporary)?;
		file.write_all(&self.bytes)?;
		file.sync_all()?;
		fs::rename(&temporary, &self.path)?;
		if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
			File::open(dir)?.sync_all()?;
		}
		Ok(())
	}
}

fn key(agent: &AccountId) -> String {
	hex::encode(agent)
}

impl Ledger {
	/// Opens the ledger of the chain with `genesis` at `path`, or starts an empty one there.
	pub fn open(path: impl Into<PathBuf>, genesis: Hash) -> Result<Self, OpenError> {
		let path = path.into();
		let (entries, pull_requests) = match fs::read(&path) {
			Ok(bytes) => match serde_json::from_slice(&bytes) {
				Ok(StoredLedger::Bound(file)) if file.genesis != genesis => {
					return Err(OpenError::OtherChain {
						path,
						ledger: file.genesis,
						chain: genesis,
					})
				},
				Ok(StoredLedger::Bound(file)) => (file.entries, file.pull_requests),
				Ok(StoredLedger::Unbound(entries)) => (entries, BTreeMap::new()),
				Err(source) => return Err(OpenError::Malformed { path, source }),
			},
			Err(e) if e.kind() == io::ErrorKind::NotFound => Default::default(),
			Err(source) => return Err(OpenError::Io { path, source }),
		};
		Ok(Self { path, genesis, entries, pull_requests, changed: Change(0), written: Change(0) })
	}

	/// Records `agent`'s pull request about to be handed to the chain, in memory: hand it
	/// over only once the change is on disk. It replaces the agent's one before (one is in
	/// flight at a time) and stays until the next: a service that starts reads it back and
	/// treats it as in flight until the chain is read at `lands_by`.
	pub fn hand_over(&mut self, agent: &AccountId, pull_request: PendingPullRequest) -> Change {
		self.pull_requests.insert(key(agent), pull_request);
		self.changed = Change(self.changed.0 + 1);
		self.changed
	}

	/// The pull requests handed over, by agent, as the ledger was opened or last changed.
	pub fn pull_requests(&self) -> Vec<(AccountId, PendingPullRequest)> {
		self.pull_requests
			.iter()
			.filter_map(|(agent, pending)| {
				let bytes: [u8; 32] = hex::decode(agent).ok()?.try_into().ok()?;
				Some((AccountId::from(bytes), *pending))
			})
			.collect()
	}

	/// The agent's counters in `epoch` (zero if it has not published in it yet).
	pub fn entry(&self, agent: &AccountId, epoch: EpochIndex) -> Entry {
		match self.entries.get(&key(agent)) {
			Some(entry) if entry.epoch == epoch => *entry,
			_ => Entry { epoch, ..Default::default() },
		}
	}

	/// Reserves the next message of `agent` in `epoch`, costing `cost`, when the agent may
	/// spend `headroom` units on the mesh in that epoch (its allowance less its on-chain
	/// spend). In memory: sign nothing in it before the change is on disk
	/// ([`SharedLedger::make_durable`], [`Ledger::write`]).
	pub fn reserve(
		&mut self,
		agent: &AccountId,
		epoch: EpochIndex,
		cost: BudgetUnits,
		headroom: BudgetUnits,
	) -> Result<(Reservation, Change), LedgerError> {
		if let Some(entry) = self.entries.get(&key(agent)) {
			if entry.epoch > epoch {
				return Err(LedgerError::EpochPassed { epoch, ledger_epoch: entry.epoch });
			}
		}
		let current = self.entry(agent, epoch);
		let remaining = headroom.saturating_sub(current.spent);
		if cost > remaining {
			return Err(LedgerError::BudgetExhausted { cost, remaining });
		}
		let next = Entry { epoch, next_seq: current.next_seq + 1, spent: current.spent + cost };
		let change = self.set(agent, next);
		Ok((Reservation { seq: current.next_seq, spent_before: current.spent }, change))
	}

	/// Moves the counters of `agent` in `epoch` past a message seen on the mesh that this
	/// ledger does not know of (it was lost, or another service signs with the same key), so
	/// that the next reservation cannot reuse its slot. In memory, like a reservation (whose
	/// write carries it): the change, if anything moved.
	pub fn catch_up(
		&mut self,
		agent: &AccountId,
		epoch: EpochIndex,
		next_seq: u64,
		spent: BudgetUnits,
	) -> Option<Change> {
		let current = self.entry(agent, epoch);
		if current.next_seq >= next_seq && current.spent >= spent {
			return None;
		}
		if self.entries.get(&key(agent)).is_some_and(|entry| entry.epoch > epoch) {
			return None;
		}
		let ahead = Entry {
			epoch,
			next_seq: current.next_seq.max(next_seq),
			spent: current.spent.max(spent),
		};
		let change = self.set(agent, ahead);
		tracing::warn!(
			%agent, epoch, next_seq, spent,
			"the ledger was behind the agent's messages on the mesh (lost, or a second service \
			 signs with this key): moved past them"
		);
		Some(change)
	}

	/// Sets the counters of `agent` in memory: only ever forward, so a change that is never
	/// written costs slots, never reuses one.
	fn set(&mut self, agent: &AccountId, entry: Entry) -> Change {
		self.entries.insert(key(agent), entry);
		self.changed = Change(self.changed.0 + 1);
		self.changed
	}

	/// The ledger to write for `change` to be on disk; `None` when it is already.
	pub fn unwritten(&self, change: Change) -> Option<Snapshot> {
		if self.written >= change {
			return None;
		}
		let file = LedgerFile {
			genesis: self.genesis,
			entries: self.entries.clone(),
			pull_requests: self.pull_requests.clone(),
		};
		let bytes = serde_json::to_vec_pretty(&file).expect("strings and numbers serialize; qed");
		Some(Snapshot { path: self.path.clone(), bytes, change: self.changed })
	}

	/// Records that `snapshot` is on disk.
	pub fn mark_written(&mut self, snapshot: &Snapshot) {
		self.written = self.written.max(snapshot.change);
	}

	/// Writes every change made so far, blocking (for a caller without concurrent writers).
	pub fn write(&mut self) -> io::Result<()> {
		if let Some(snapshot) = self.unwritten(self.changed) {
			snapshot.write()?;
			self.mark_written(&snapshot);
		}
		Ok(())
	}

	/// Where the ledger lives.
	pub fn path(&self) -> &Path {
		&self.path
	}
}

/// The ledger shared by the tasks publishing for the service's agents, written in groups: a
/// change is on disk when [`SharedLedger::make_durable`] returns, and the changes made while
/// one write runs go to disk together in the next.
pub struct SharedLedger {
	inner: Arc<Shared>,
}

struct Shared {
	ledger: Mutex<Ledger>,
	/// Held while a snapshot is written: one writer at a time, in order.
	writer: Mutex<()>,
	/// Snapshots written.
	writes: std::sync::atomic::AtomicU64,
}

impl SharedLedger {
	/// Shares `ledger`.
	pub fn new(ledger: Ledger) -> Self {
		let inner = Shared {
			ledger: Mutex::new(ledger),
			writer: Mutex::new(()),
			writes: Default::default(),
		};
		Self { inner: Arc::new(inner) }
	}

	/// The ledger, for reading and for changes in memory. Not across a write: hold it briefly.
	pub async fn lock(&self) -> MutexGuard<'_, Ledger> {
		self.inner.ledger.lock().await
	}

	/// Returns once `change` is on disk: at once if a write since has carried it, else after
	/// the next write, which carries every change made until it starts.
	///
	/// The write runs in a task of its own: a caller that gives up (its request dropped) must
	/// not release the writer's lock while its write goes on, or the next write would share
	/// the temporary file with it and could leave an older ledger on disk than the one it
	/// reports written.
	pub async fn make_durable(&self, change: Change) -> Result<(), LedgerError> {
		let shared = self.inner.clone();
		tokio::spawn(async move { shared.write_through(change).await })
			.await
			.map_err(|e| LedgerError::Io(io::Error::other(e)))?
	}
}

impl Shared {
	async fn write_through(&self, change: Change) -> Result<(), LedgerError> {
		let _writer = self.writer.lock().await;
		let Some(snapshot) = self.ledger.lock().await.unwritten(change) else { return Ok(()) };
		// Off the async workers: two syncs take milliseconds.
		let snapshot = tokio::task::spawn_blocking(move || snapshot.write().map(|()| snapshot))
			.await
			.map_err(|e| LedgerError::Io(io::Error::other(e)))?
			.map_err(LedgerError::Io)?;
		self.ledger.lock().await.mark_written(&snapshot);
		self.writes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn agent(byte: u8) -> AccountId {
		AccountId::new([byte; 32])
	}

	const GENESIS: Hash = Hash::repeat_byte(0x11);

	#[test]
	fn reservations_follow_each_other_and_survive_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		assert_eq!(
			ledger.reserve(&agent(1), 3, 10, 100).unwrap().0,
			Reservation { seq: 0, spent_before: 0 }
		);
		assert_eq!(
			ledger.reserve(&agent(1), 3, 5, 100).unwrap().0,
			Reservation { seq: 1, spent_before: 10 }
		);
		assert_eq!(
			ledger.reserve(&agent(2), 3, 7, 100).unwrap().0,
			Reservation { seq: 0, spent_before: 0 }
		);
		ledger.write().unwrap();
		drop(ledger);

		// After a restart the agent continues where it was: no seq or range is reused.
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		assert_eq!(ledger.entry(&agent(1), 3), Entry { epoch: 3, next_seq: 2, spent: 15 });
		assert_eq!(
			ledger.reserve(&agent(1), 3, 1, 100).unwrap().0,
			Reservation { seq: 2, spent_before: 15 }
		);
		// A new epoch starts afresh; an old one is refused.
		assert_eq!(
			ledger.reserve(&agent(1), 4, 1, 100).unwrap().0,
			Reservation { seq: 0, spent_before: 0 }
		);
		assert!(matches!(
			ledger.reserve(&agent(1), 3, 1, 100),
			Err(LedgerError::EpochPassed { .. })
		));
	}

	#[test]
	fn a_crash_between_reserving_and_publishing_leaves_a_gap_never_a_reuse() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		let reserved = ledger.reserve(&agent(1), 3, 10, 100).unwrap().0;
		ledger.write().unwrap();
		// The process dies here: the slot is on disk, its message was never signed.
		drop(ledger);
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		let next = ledger.reserve(&agent(1), 3, 10, 100).unwrap().0;
		assert_eq!(next, Reservation { seq: reserved.seq + 1, spent_before: 10 });
	}

	#[test]
	fn a_lost_ledger_catches_up_with_the_mesh() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		// A fresh ledger for an agent whose messages up to seq 4, units 0..50, the peer has
		// accepted: the next reservation starts past them, on disk.
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		assert!(ledger.catch_up(&agent(1), 3, 5, 50).is_some());
		assert_eq!(
			ledger.reserve(&agent(1), 3, 10, 100).unwrap().0,
			Reservation { seq: 5, spent_before: 50 }
		);
		ledger.write().unwrap();
		drop(ledger);
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		// Never backwards, and never into a past epoch.
		assert_eq!(ledger.catch_up(&agent(1), 3, 2, 20), None);
		ledger.reserve(&agent(1), 4, 1, 100).unwrap();
		assert_eq!(ledger.catch_up(&agent(1), 3, 9, 90), None);
		assert_eq!(ledger.entry(&agent(1), 4), Entry { epoch: 4, next_seq: 1, spent: 1 });
		assert_eq!(ledger.entry(&agent(1), 3), Entry { epoch: 3, ..Default::default() });
	}

	#[test]
	fn the_budget_is_refused_before_anything_is_signed() {
		let dir = tempfile::tempdir().unwrap();
		let mut ledger = Ledger::open(dir.path().join("ledger.json"), GENESIS).unwrap();
		ledger.reserve(&agent(1), 0, 60, 100).unwrap();
		match ledger.reserve(&agent(1), 0, 50, 100) {
			Err(LedgerError::BudgetExhausted { cost: 50, remaining: 40 }) => {},
			other => panic!("expected an exhausted budget, got {other:?}"),
		}
		// Nothing was consumed by the refusal.
		assert_eq!(ledger.reserve(&agent(1), 0, 40, 100).unwrap().0.spent_before, 60);
	}

	#[test]
	fn a_failed_write_costs_a_slot_never_a_reuse() {
		let dir = tempfile::tempdir().unwrap();
		let mut ledger =
			Ledger::open(dir.path().join("missing-dir").join("ledger.json"), GENESIS).unwrap();
		let (first, change) = ledger.reserve(&agent(1), 0, 1, 100).unwrap();
		assert!(ledger.write().is_err());
		assert!(ledger.unwritten(change).is_some(), "not on disk: its message is never signed");
		// The next reservation is past the one that could not be written.
		assert_eq!(ledger.reserve(&agent(1), 0, 1, 100).unwrap().0.seq, first.seq + 1);
	}

	/// Many agents publishing at once: every reservation is on disk when `make_durable`
	/// returns, and a restart continues past all of them.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn reservations_made_together_are_written_together() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let shared = std::sync::Arc::new(SharedLedger::new(Ledger::open(&path, GENESIS).unwrap()));
		let tasks: Vec<_> = (0..8u8)
			.map(|a| {
				let shared = shared.clone();
				let path = path.clone();
				tokio::spawn(async move {
					for seq in 0..20 {
						let (reservation, change) =
							shared.lock().await.reserve(&agent(a), 1, 1, 100).unwrap();
						assert_eq!(reservation.seq, seq);
						shared.make_durable(change).await.unwrap();
						// On disk: a restart now would continue past it.
						let on_disk = Ledger::open(&path, GENESIS).unwrap();
						assert!(on_disk.entry(&agent(a), 1).next_seq > seq);
					}
				})
			})
			.collect();
		for task in tasks {
			task.await.unwrap();
		}
		let ledger = Ledger::open(&path, GENESIS).unwrap();
		for a in 0..8u8 {
			assert_eq!(ledger.entry(&agent(a), 1), Entry { epoch: 1, next_seq: 20, spent: 20 });
		}
		assert_eq!(shared.lock().await.written, Change(160), "every change written");
		let writes = shared.inner.writes.load(std::sync::atomic::Ordering::Relaxed);
		assert!(writes < 160, "{writes} writes: reservations made while one ran share the next");
	}

	/// A caller that gives up while its write runs (a dropped request) releases nothing: the
	/// write ends before the next starts, so the ledger on disk is never older than one
	/// reported written, nor torn.
	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn a_write_given_up_by_its_caller_still_ends_before_the_next() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let shared = SharedLedger::new(Ledger::open(&path, GENESIS).unwrap());
		for _ in 0..50 {
			let (_, change) = shared.lock().await.reserve(&agent(1), 1, 1, 100).unwrap();
			let given_up = shared.make_durable(change);
			let _ = tokio::time::timeout(std::time::Duration::from_micros(200), given_up).await;
		}
		let (last, change) = shared.lock().await.reserve(&agent(1), 1, 1, 100).unwrap();
		shared.make_durable(change).await.unwrap();
		let on_disk = Ledger::open(&path, GENESIS).unwrap().entry(&agent(1), 1);
		assert_eq!(on_disk, Entry { epoch: 1, next_seq: last.seq + 1, spent: last.seq + 1 });
	}

	#[test]
	fn the_ledger_of_another_chain_is_refused() {
		// A dev chain reset under the same base path: the old counters would start the agent
		// past (or, worse, behind) where the new chain expects it.
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		ledger.reserve(&agent(1), 0, 10, 100).unwrap();
		ledger.write().unwrap();
		let other = Hash::repeat_byte(0x22);
		assert!(matches!(Ledger::open(&path, other), Err(OpenError::OtherChain { .. })));
		let mut again = Ledger::open(&path, GENESIS).unwrap();
		assert_eq!(again.reserve(&agent(1), 0, 1, 100).unwrap().0.seq, 1, "its own chain reads it");
	}

	#[test]
	fn a_pull_request_handed_over_survives_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		let first = PendingPullRequest { epoch: 3, worst_price: 400, lands_by: 40 };
		ledger.hand_over(&agent(1), first);
		ledger.write().unwrap();
		drop(ledger);
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		assert_eq!(ledger.pull_requests(), vec![(agent(1), first)]);
		// The next replaces it.
		let second = PendingPullRequest { epoch: 4, worst_price: 100, lands_by: 50 };
		ledger.hand_over(&agent(1), second);
		ledger.write().unwrap();
		assert_eq!(Ledger::open(&path, GENESIS).unwrap().pull_requests(), vec![(agent(1), second)]);
	}

	#[test]
	fn a_ledger_from_before_the_genesis_was_recorded_is_adopted() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		let old = BTreeMap::from([(key(&agent(1)), Entry { epoch: 2, next_seq: 5, spent: 30 })]);
		std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
		let mut ledger = Ledger::open(&path, GENESIS).unwrap();
		assert_eq!(
			ledger.reserve(&agent(1), 2, 1, 100).unwrap().0,
			Reservation { seq: 5, spent_before: 30 }
		);
		// Written back bound to this chain.
		ledger.write().unwrap();
		assert!(matches!(
			Ledger::open(&path, Hash::repeat_byte(0x22)),
			Err(OpenError::OtherChain { .. })
		));
	}

	#[test]
	fn a_damaged_ledger_stops_the_service() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("ledger.json");
		std::fs::write(&path, "{ torn").unwrap();
		assert!(matches!(Ledger::open(&path, GENESIS), Err(OpenError::Malformed { .. })));
	}
}
