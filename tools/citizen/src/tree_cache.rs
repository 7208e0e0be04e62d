//! The citizen's copy of each group's tree, on disk: its leaves and its subtrees' roots, so
//! that the next command reads from the node only the leaves added since (and the roots of the
//! subtrees they fall in) instead of the whole group again, 25 s at a million members
//! (docs/PERSONHOOD.md).
//!
//! Nothing in it is secret: the tree is public, and the file does not mark the citizen's own
//! leaf (the index is looked up in memory). Whatever the file holds, the tree it gives is used
//! only if it leads to the root the chain holds: a damaged, stale or planted file costs a full
//! read, never a wrong proof.
//!
//! Layout, version 2: `TEO-TREE` | u8 version | genesis hash (32) | group (u32 LE) | leaves
//! (u32 LE) | the leaves, then the roots of the subtrees of 2^`SUBTREE_DEPTH` leaves, each 32
//! bytes big-endian | BLAKE2b-256 of everything before it. Version 1 files (every level of the
//! tree) are not read: the next command reads the group in full and writes version 2.

use std::path::{Path, PathBuf};

use polkadot_sdk::sp_runtime::traits::{BlakeTwo256, Hash as _};
use rayon::prelude::*;
use teo_primitives::GroupId;
use teo_zk::{
	groth16,
	lean_imt::{PrunedTree, SUBTREE_DEPTH},
	Fr,
};

const MAGIC: &[u8; 8] = b"TEO-TREE";
const VERSION: u8 = 2;
const HEADER: usize = MAGIC.len() + 1 + 32 + 4 + 4;
const CHECKSUM: usize = 32;

/// A tree as stored: unchecked until its root is compared with the chain's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTree {
	pub leaves: Vec<Fr>,
	/// The roots of the subtrees of 2^`SUBTREE_DEPTH` leaves, one per subtree.
	pub subtree_roots: Vec<Fr>,
}

/// The number of subtrees over `leaves` leaves.
fn subtrees(leaves: usize) -> usize {
	leaves.div_ceil(1 << SUBTREE_DEPTH)
}

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
	pub fn load(&self, genesis: &[u8; 32], group: GroupId, max_leaves: u32) -> Option<StoredTree> {
		use std::io::Read as _;
		let nodes = max_leaves as u64 + subtrees(max_leaves as usize) as u64;
		let max_len = nodes * 32 + (HEADER + CHECKSUM) as u64;
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
		tree: &PrunedTree,
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

fn encode(tree: &PrunedTree, genesis: &[u8; 32], group: GroupId) -> Vec<u8> {
	let nodes = tree.leaves().len() + tree.subtree_roots().len();
	let mut bytes = Vec::with_capacity(HEADER + nodes * 32 + CHECKSUM);
	bytes.extend_from_slice(MAGIC);
	bytes.push(VERSION);
	bytes.extend_from_slice(genesis);
	bytes.extend_from_slice(&group.to_le_bytes());
	bytes.extend_from_slice(&(tree.size() as u32).to_le_bytes());
	for node in tree.leaves().iter().chain(tree.subtree_roots()) {
		bytes.extend_from_slice(&groth16::fr_to_be_bytes(node));
	}
	let checksum = checksum_of(&bytes);
	bytes.extend_from_slice(&checksum);
	bytes
}

fn decode(bytes: &[u8], genesis: &[u8; 32], group: GroupId) -> Option<StoredTree> {
	let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(CHECKSUM)?)?;
	if checksum_of(body) != checksum || body.len() < HEADER {
		return None;
	}
	let (header, nodes) = body.split_at(HEADER);
	let u32_at = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
	let stored_group = u32_at(MAGIC.len() + 33);
	if &header[..MAGIC.len()] != MAGIC
		|| header[MAGIC.len()] != VERSION
		|| &header[MAGIC.len() + 1..MAGIC.len() + 33] != genesis
		|| stored_group != group
	{
		return None;
	}
	let size = u32_at(MAGIC.len() + 37) as usize;
	if nodes.len() != (size + subtrees(size)) * 32 {
		return None;
	}
	// On every core: a million leaves at a million members.
	let mut nodes = nodes
		.par_chunks_exact(32)
		.map(|node| groth16::fr_from_be_bytes(node.try_into().expect("32 bytes")).ok())
		.collect::<Option<Vec<Fr>>>()?;
	let subtree_roots = nodes.split_off(size);
	Some(StoredTree { leaves: nodes, subtree_roots })
}

/// BLAKE2b-256, the chain's own hash.
fn checksum_of(bytes: &[u8]) -> [u8; 32] {
	BlakeTwo256::hash(bytes).0
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [7; 32];

	fn tree(size: u64) -> PrunedTree {
		PrunedTree::from_leaves((1..=size).map(Fr::from).collect())
	}

	fn stored(tree: PrunedTree) -> Option<StoredTree> {
		let subtree_roots = tree.subtree_roots().to_vec();
		Some(StoredTree { leaves: tree.leaves().to_vec(), subtree_roots })
	}

	#[test]
	fn a_saved_tree_loads_whole_for_its_chain_and_group_only() {
		let dir = tempfile::tempdir().unwrap();
		let cache = TreeCache::new(dir.path().join("trees"));
		for size in [0, 1, 2, 5, 64, 1024, 1025, 3000] {
			cache.save(&GENESIS, 3, &tree(size)).unwrap();
			assert_eq!(cache.load(&GENESIS, 3, 3000), stored(tree(size)), "{size} leaves");
		}
		assert_eq!(cache.load(&[8; 32], 3, 3000), None, "another chain's file name");
		assert_eq!(cache.load(&GENESIS, 3, 2999), None, "a file too large for the group");
		// A file copied under another chain's or group's name is refused by its header.
		std::fs::copy(cache.path(&GENESIS, 3), cache.path(&GENESIS, 4)).unwrap();
		assert_eq!(cache.load(&GENESIS, 4, 3000), None);
		std::fs::copy(cache.path(&GENESIS, 3), cache.path(&[8; 32], 3)).unwrap();
		assert_eq!(cache.load(&[8; 32], 3, 3000), None);
	}

	#[test]
	fn a_damaged_or_truncated_file_gives_no_tree() {
		let dir = tempfile::tempdir().unwrap();
		let cache = TreeCache::new(dir.path().to_path_buf());
		cache.save(&GENESIS, 0, &tree(1100)).unwrap();
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
		// A checksum made over a wrong shape (one node too many or too few) is still refused.
		let mut shorter = whole[..whole.len() - CHECKSUM - 32].to_vec();
		let checksum = checksum_of(&shorter);
		shorter.extend_from_slice(&checksum);
		assert_eq!(decode(&shorter, &GENESIS, 0), None);
		let mut longer = whole[..whole.len() - CHECKSUM].to_vec();
		longer.extend_from_slice(&[0; 32]);
		let checksum = checksum_of(&longer);
		longer.extend_from_slice(&checksum);
		assert_eq!(decode(&longer, &GENESIS, 0), None);
	}
}
