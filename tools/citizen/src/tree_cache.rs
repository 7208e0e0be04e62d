//! The citizen's copy of each group's tree, on disk: every level, so that the next command
//! reads from the node only the leaves added since, and hashes only their paths, instead of
//! reading and hashing the whole group again (13 s at a million members, docs/PERSONHOOD.md).
//!
//! Nothing in it is secret: the tree is public, and the file does not mark the citizen's own
//! leaf (the index is looked up in memory). Whatever the file holds, the tree it gives is used
//! only if it leads to the root the chain holds: a damaged, stale or planted file costs a full
//! read, never a wrong proof.
//!
//! Layout, version 1: `TEO-TREE` | u8 version | genesis hash (32) | group (u32 LE) | leaves
//! (u32 LE) | every level from the leaves up, each node 32 bytes big-endian | BLAKE2b-256 of
//! everything before it.

use std::path::{Path, PathBuf};

use polkadot_sdk::sp_runtime::traits::{BlakeTwo256, Hash as _};
use rayon::prelude::*;
use teo_primitives::GroupId;
use teo_zk::{groth16, lean_imt::LeanImt, Fr};

const MAGIC: &[u8; 8] = b"TEO-TREE";
const VERSION: u8 = 1;
const HEADER: usize = MAGIC.len() + 1 + 32 + 4 + 4;
const CHECKSUM: usize = 32;

/// Where the trees are kept: one file per chain (genesis hash) and group.
pub struct TreeCache {
	dir: PathBuf,
}

impl TreeCache {
	/// The trees under `dir`.
	pub fn new(dir: PathBuf) -> Self {
		Self { dir }
	}

	/// The default folder, `$XDG_CACHE_HOME/teo/trees` or `~/.cache/teo/trees`; `None` when the
	/// environment names neither.
	pub fn default_dir() -> Option<PathBuf> {
		let base = std::env::var_os("XDG_CACHE_HOME")
			.filter(|dir| !dir.is_empty())
			.map(PathBuf::from)
			.or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
		Some(base.join("teo").join("trees"))
	}

	fn path(&self, genesis: &[u8; 32], group: GroupId) -> PathBuf {
		self.dir.join(format!("{}-{group}.tree", hex::encode(genesis)))
	}

	/// The stored tree of `group` on the chain of `genesis`, if there is a readable one of at
	/// most `max_leaves` leaves. A file larger than such a tree, or not a regular file, is not
	/// read at all.
	pub fn load(&self, genesis: &[u8; 32], group: GroupId, max_leaves: u32) -> Option<LeanImt> {
		use std::io::Read as _;
		// At most 2 × leaves + depth nodes in all levels.
		let max_len = (2 * max_leaves as u64 + 64) * 32 + (HEADER + CHECKSUM) as u64;
		let path = self.path(genesis, group);
		// Not a link, a FIFO (opening one would wait for a writer) or a device.
		if !std::fs::symlink_metadata(&path).ok()?.is_file() {
			return None;
		}
		// Then one handle for the check and the read: the size cannot change in between.
		let file = std::fs::File::open(path).ok()?;
		let metadata = file.metadata().ok()?;
		if !metadata.is_file() || metadata.len() > max_len {
			return None;
		}
		let mut bytes = Vec::with_capacity(metadata.len() as usize);
		file.take(max_len + 1).read_to_end(&mut bytes).ok()?;
		decode(&bytes, genesis, group)
	}

	/// Stores `tree` as the copy of `group`, replacing the one before as a whole: a crash
	/// leaves the old file or the new one, never half of each.
	pub fn save(
		&self,
		genesis: &[u8; 32],
		group: GroupId,
		tree: &LeanImt,
	) -> Result<(), std::io::Error> {
		// Owner-only: the files' names say which groups the citizen proves in.
		let mut folder = std::fs::DirBuilder::new();
		folder.recursive(true);
		#[cfg(unix)]
		std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
		folder.create(&self.dir)?;
		// And a folder an earlier version made readable to others.
		#[cfg(unix)]
		std::fs::set_permissions(&self.dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
		let path = self.path(genesis, group);
		let partial = path.with_extension(format!("partial.{}", std::process::id()));
		std::fs::write(&partial, encode(tree, genesis, group))
			.and_then(|()| std::fs::rename(&partial, &path))
			.inspect_err(|_| {
				let _ = std::fs::remove_file(&partial);
			})
	}

	/// The folder the trees are in.
	pub fn dir(&self) -> &Path {
		&self.dir
	}
}

fn encode(tree: &LeanImt, genesis: &[u8; 32], group: GroupId) -> Vec<u8> {
	let nodes: usize = tree.levels().iter().map(Vec::len).sum();
	let mut bytes = Vec::with_capacity(HEADER + nodes * 32 + CHECKSUM);
	bytes.extend_from_slice(MAGIC);
	bytes.push(VERSION);
	bytes.extend_from_slice(genesis);
	bytes.extend_from_slice(&group.to_le_bytes());
	bytes.extend_from_slice(&(tree.size() as u32).to_le_bytes());
	for node in tree.levels().iter().flatten() {
		bytes.extend_from_slice(&groth16::fr_to_be_bytes(node));
	}
	let checksum = checksum_of(&bytes);
	bytes.extend_from_slice(&checksum);
	bytes
}

fn decode(bytes: &[u8], genesis: &[u8; 32], group: GroupId) -> Option<LeanImt> {
	let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(CHECKSUM)?)?;
	if checksum_of(body) != checksum || body.len() < HEADER {
		return None;
	}
	let (header, mut nodes) = body.split_at(HEADER);
	let u32_at = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
	let stored_group = u32_at(MAGIC.len() + 33);
	if &header[..MAGIC.len()] != MAGIC
		|| header[MAGIC.len()] != VERSION
		|| &header[MAGIC.len() + 1..MAGIC.len() + 33] != genesis
		|| stored_group != group
	{
		return None;
	}
	let mut width = u32_at(MAGIC.len() + 37) as usize;
	let mut levels = Vec::new();
	loop {
		let (level, rest) = nodes.split_at_checked(width.checked_mul(32)?)?;
		// On every core: two million nodes at a million members.
		levels.push(
			level
				.par_chunks_exact(32)
				.map(|node| groth16::fr_from_be_bytes(node.try_into().expect("32 bytes")).ok())
				.collect::<Option<Vec<Fr>>>()?,
		);
		nodes = rest;
		if width <= 1 {
			break;
		}
		width = width.div_ceil(2);
	}
	if !nodes.is_empty() {
		return None;
	}
	LeanImt::from_levels(levels)
}

/// BLAKE2b-256, the chain's own hash.
fn checksum_of(bytes: &[u8]) -> [u8; 32] {
	BlakeTwo256::hash(bytes).0
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [7; 32];

	fn tree(size: u64) -> LeanImt {
		LeanImt::from_leaves((1..=size).map(Fr::from))
	}

	#[test]
	fn a_saved_tree_loads_whole_for_its_chain_and_group_only() {
		let dir = tempfile::tempdir().unwrap();
		let cache = TreeCache::new(dir.path().join("trees"));
		for size in [0, 1, 2, 5, 64, 1000] {
			cache.save(&GENESIS, 3, &tree(size)).unwrap();
			assert_eq!(cache.load(&GENESIS, 3, 1000), Some(tree(size)), "{size} leaves");
		}
		assert_eq!(cache.load(&[8; 32], 3, 1000), None, "another chain's file name");
		assert_eq!(cache.load(&GENESIS, 3, 100), None, "a file too large for the group");
		// A file copied under another chain's or group's name is refused by its header.
		std::fs::copy(cache.path(&GENESIS, 3), cache.path(&GENESIS, 4)).unwrap();
		assert_eq!(cache.load(&GENESIS, 4, 1000), None);
		std::fs::copy(cache.path(&GENESIS, 3), cache.path(&[8; 32], 3)).unwrap();
		assert_eq!(cache.load(&[8; 32], 3, 1000), None);
	}

	#[test]
	fn a_damaged_or_truncated_file_gives_no_tree() {
		let dir = tempfile::tempdir().unwrap();
		let cache = TreeCache::new(dir.path().to_path_buf());
		cache.save(&GENESIS, 0, &tree(100)).unwrap();
		let path = cache.path(&GENESIS, 0);
		let whole = std::fs::read(&path).unwrap();
		for at in [0, 9, HEADER + 5, whole.len() / 2, whole.len() - 1] {
			let mut damaged = whole.clone();
			damaged[at] ^= 1;
			assert_eq!(decode(&damaged, &GENESIS, 0), None, "a bit flipped at {at}");
		}
		for len in [0, 10, HEADER, whole.len() - 33, whole.len() - 1] {
			assert_eq!(decode(&whole[..len], &GENESIS, 0), None, "cut to {len} bytes");
		}
		// A checksum made over a wrong shape (one node too many) is still refused.
		let mut longer = whole[..whole.len() - CHECKSUM].to_vec();
		longer.extend_from_slice(&[0; 32]);
		let checksum = checksum_of(&longer);
		longer.extend_from_slice(&checksum);
		assert_eq!(decode(&longer, &GENESIS, 0), None);
	}
}
