//! LeanIMT: the lean incremental Merkle tree of Semaphore v4 (zk-kit `@zk-kit/lean-imt`), with
//! Poseidon(2) as its hash.
//!
//! A binary tree whose depth grows with its size and that has no zero hashes: a node without a
//! right sibling is copied up unchanged. Removing a member sets its leaf to zero. Roots, proofs
//! and the compressed proof index are exactly zk-kit's, so proofs made here verify in the
//! Semaphore circuit and against roots computed by any zk-kit client.

use alloc::vec::Vec;
use ark_bn254::Fr;

use crate::poseidon::poseidon2;

mod pruned;
pub use pruned::PrunedTree;

/// The chain keeps the root of every aligned subtree of 2^`SUBTREE_DEPTH` leaves
/// (pallet-personhood's `SubtreeRoots`), so that a client proves by hashing its own subtree and
/// the tree above the subtrees' roots ([`PrunedTree`]) instead of the whole tree.
pub const SUBTREE_DEPTH: usize = 10;

/// A tree that proves membership of its leaves: the whole [`LeanImt`], or the [`PrunedTree`]
/// a client keeps.
pub trait MembershipTree {
	/// The index of `leaf`, if present.
	fn index_of(&self, leaf: &Fr) -> Option<usize>;
	/// A membership proof for the leaf at `index`.
	fn proof(&self, index: usize) -> Option<MerkleProof>;
}

impl MembershipTree for LeanImt {
	fn index_of(&self, leaf: &Fr) -> Option<usize> {
		LeanImt::index_of(self, leaf)
	}
	fn proof(&self, index: usize) -> Option<MerkleProof> {
		LeanImt::proof(self, index)
	}
}

impl MembershipTree for PrunedTree {
	fn index_of(&self, leaf: &Fr) -> Option<usize> {
		PrunedTree::index_of(self, leaf)
	}
	fn proof(&self, index: usize) -> Option<MerkleProof> {
		PrunedTree::proof(self, index)
	}
}

/// A full in-memory LeanIMT: every level is kept, so it can prove membership of any leaf.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeanImt {
	/// `levels[0]` are the leaves; the last level holds the root alone.
	levels: Vec<Vec<Fr>>,
}

/// A proof that `leaf` is in the tree with root `root`, in zk-kit's format: `index` has one bit
/// per sibling (the leaf's side at that level, lowest level in the lowest bit), and levels where
/// the node was copied up have no sibling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleProof {
	/// The root the proof leads to.
	pub root: Fr,
	/// The proven leaf.
	pub leaf: Fr,
	/// The compressed path: bit `i` set when the node is the right child at the `i`-th sibling.
	pub index: u64,
	/// The siblings from the leaf up.
	pub siblings: Vec<Fr>,
}

impl MerkleProof {
	/// Whether the proof leads from its leaf to its root.
	pub fn verify(&self) -> bool {
		self.siblings.len() < 64 && self.computed_root() == self.root
	}

	/// The root the siblings lead to from the leaf.
	pub fn computed_root(&self) -> Fr {
		self.siblings.iter().enumerate().fold(self.leaf, |node, (i, sibling)| {
			if (self.index >> i) & 1 == 1 {
				poseidon2(*sibling, node)
			} else {
				poseidon2(node, *sibling)
			}
		})
	}
}

impl LeanImt {
	/// An empty tree.
	pub fn new() -> Self {
		Self { levels: alloc::vec![Vec::new()] }
	}

	/// A tree of `leaves`, in order.
	///
	/// Level by level: one hash per inner node, `size - 1` in all, where inserting the leaves
	/// one by one would hash the whole path of each (`size × depth`). With the `parallel`
	/// feature, each level is hashed on every core.
	pub fn from_leaves(leaves: impl IntoIterator<Item = Fr>) -> Self {
		let mut levels = alloc::vec![leaves.into_iter().collect::<Vec<Fr>>()];
		while let Some(level) = levels.last().filter(|level| level.len() > 1) {
			let parents = parents_of(level);
			levels.push(parents);
		}
		Self { levels }
	}

	/// Every level, the leaves first and the root last: what a client keeps to prove again
	/// later without hashing the tree anew ([`LeanImt::from_levels`]).
	pub fn levels(&self) -> &[Vec<Fr>] {
		&self.levels
	}

	/// A tree from the levels [`LeanImt::levels`] gave; `None` unless each level has the size
	/// the one below makes (nodes are not hashed again: a wrong one yields paths that do not
	/// lead to the root, which [`MerkleProof::verify`] refuses).
	pub fn from_levels(levels: Vec<Vec<Fr>>) -> Option<Self> {
		let leaves = levels.first()?.len();
		let expected = if leaves <= 1 { 1 } else { depth_for(leaves as u64) + 1 };
		let shaped = levels.len() == expected
			&& levels.windows(2).all(|pair| pair[1].len() == pair[0].len().div_ceil(2));
		shaped.then_some(Self { levels })
	}

	/// The number of leaves.
	pub fn size(&self) -> usize {
		self.levels[0].len()
	}

	/// The depth: the number of levels above the leaves (0 for zero or one leaf).
	pub fn depth(&self) -> usize {
		self.levels.len() - 1
	}

	/// The leaves, in order.
	pub fn leaves(&self) -> &[Fr] {
		&self.levels[0]
	}

	/// The root; `None` for an empty tree.
	pub fn root(&self) -> Option<Fr> {
		self.levels.last().and_then(|top| top.first()).copied()
	}

	/// The index of `leaf`, if present.
	pub fn index_of(&self, leaf: &Fr) -> Option<usize> {
		self.levels[0].iter().position(|l| l == leaf)
	}

	/// Appends a leaf and updates the path to the root.
	pub fn insert(&mut self, leaf: Fr) {
		let index = self.size();
		// The depth grows when the new leaf does not fit under the current root.
		if index >= 1usize << self.depth() {
			self.levels.push(Vec::new());
		}
		self.levels[0].push(leaf);
		self.recompute_path(index);
	}

	/// Replaces the leaf at `index` (with zero to remove a member). Returns `false` when there
	/// is no such leaf.
	pub fn update(&mut self, index: usize, leaf: Fr) -> bool {
		let Some(slot) = self.levels[0].get_mut(index) else { return false };
		*slot = leaf;
		self.recompute_path(index);
		true
	}

	/// A membership proof for the leaf at `index`.
	pub fn proof(&self, index: usize) -> Option<MerkleProof> {
		let leaf = *self.levels[0].get(index)?;
		let mut siblings = Vec::new();
		let mut path = 0u64;
		let mut i = index;
		for level in 0..self.depth() {
			let is_right = i & 1 == 1;
			let sibling_index = if is_right { i - 1 } else { i + 1 };
			if let Some(sibling) = self.levels[level].get(sibling_index) {
				path |= (is_right as u64) << siblings.len();
				siblings.push(*sibling);
			}
			i >>= 1;
		}
		Some(MerkleProof { root: self.root()?, leaf, index: path, siblings })
	}

	/// Recomputes the nodes above the leaf at `index`.
	fn recompute_path(&mut self, index: usize) {
		let depth = self.depth();
		let mut i = index;
		let mut node = self.levels[0][i];
		for level in 0..depth {
			let parent = if i & 1 == 1 {
				poseidon2(self.levels[level][i - 1], node)
			} else {
				match self.levels[level].get(i + 1) {
					Some(right) => poseidon2(node, *right),
					None => node,
				}
			};
			i >>= 1;
			node = parent;
			let above = &mut self.levels[level + 1];
			if i < above.len() {
				above[i] = node;
			} else {
				above.push(node);
			}
		}
	}
}

/// The parent of two siblings; a node without a right sibling is copied up.
fn parent(pair: &[Fr]) -> Fr {
	match pair {
		[left, right] => poseidon2(*left, *right),
		[single] => *single,
		_ => unreachable!("chunks(2) yields one or two nodes"),
	}
}

/// The level above `level`.
#[cfg(not(feature = "parallel"))]
fn parents_of(level: &[Fr]) -> Vec<Fr> {
	level.chunks(2).map(parent).collect()
}

/// The level above `level`, hashed on every core (in chunks big enough to outweigh the
/// scheduling).
#[cfg(feature = "parallel")]
fn parents_of(level: &[Fr]) -> Vec<Fr> {
	use rayon::prelude::*;
	level.par_chunks(2).with_min_len(256).map(parent).collect()
}

/// The part of a LeanIMT the chain keeps: its size and, per level, the last node with an even
/// index (zk-kit's `sideNodes`), the root on top. That is enough to append leaves and, given
/// the siblings, to update one, with a handful of hashes per level and 33 nodes of storage
/// whatever the size of the tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
	size: u64,
	/// `side_nodes[level]` for `level` in `0..=depth`; empty for an empty tree.
	side_nodes: Vec<Fr>,
}

/// The roots of the subtrees of 2^[`SUBTREE_DEPTH`] leaves that a batch changed, in order:
/// `roots[k]` is the root of subtree `first + k` (the root of its leaves so far, for a subtree
/// not yet full).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtreeRoots {
	/// The index of the first changed subtree (its first leaf's index over 2^`SUBTREE_DEPTH`).
	pub first: u64,
	/// Their new roots.
	pub roots: Vec<Fr>,
}

/// What [`Frontier::update`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdatedPath {
	/// The tree's new root.
	pub root: Fr,
	/// The new root of the updated leaf's subtree of 2^[`SUBTREE_DEPTH`] leaves.
	pub subtree_root: Fr,
}

/// Why a [`Frontier`] refused a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontierError {
	/// The tree would exceed [`MAX_DEPTH`] levels.
	TreeFull,
	/// No leaf has this index.
	UnknownLeaf,
	/// The siblings do not lead from the old leaf to the current root.
	WrongSiblings,
}

/// The deepest tree a [`Frontier`] grows to: Semaphore v4 supports depths 1 to 32.
pub const MAX_DEPTH: usize = 32;

/// The number of levels above `size` leaves.
fn depth_for(size: u64) -> usize {
	if size <= 1 {
		0
	} else {
		(u64::BITS - (size - 1).leading_zeros()) as usize
	}
}

impl Frontier {
	/// A frontier from its parts, as stored; `None` if they do not fit together.
	pub fn from_parts(size: u64, side_nodes: Vec<Fr>) -> Option<Self> {
		let expected = if size == 0 { 0 } else { depth_for(size) + 1 };
		(side_nodes.len() == expected).then_some(Self { size, side_nodes })
	}

	/// The number of leaves.
	pub fn size(&self) -> u64 {
		self.size
	}

	/// The depth: the number of levels above the leaves.
	pub fn depth(&self) -> usize {
		depth_for(self.size)
	}

	/// The side nodes, the root last.
	pub fn side_nodes(&self) -> &[Fr] {
		&self.side_nodes
	}

	/// The root; `None` for an empty tree.
	pub fn root(&self) -> Option<Fr> {
		self.side_nodes.last().copied()
	}

	/// Appends `leaves` in order, hashing every new node once (zk-kit's `insertMany`). Returns
	/// the roots of the subtrees of 2^[`SUBTREE_DEPTH`] leaves that changed.
	pub fn insert_many(&mut self, leaves: &[Fr]) -> Result<SubtreeRoots, FrontierError> {
		self.insert_many_at(leaves, SUBTREE_DEPTH)
	}

	fn insert_many_at(
		&mut self,
		leaves: &[Fr],
		subtree_depth: usize,
	) -> Result<SubtreeRoots, FrontierError> {
		if leaves.is_empty() {
			return Ok(SubtreeRoots { first: self.size >> subtree_depth, roots: Vec::new() });
		}
		let new_size = self.size.checked_add(leaves.len() as u64).ok_or(FrontierError::TreeFull)?;
		let new_depth = depth_for(new_size);
		if new_depth > MAX_DEPTH {
			return Err(FrontierError::TreeFull);
		}
		self.side_nodes.resize(new_depth + 1, Fr::from(0u64));
		// The new or changed nodes of the current level, the first at index `first`.
		let mut nodes = leaves.to_vec();
		let mut first = self.size;
		let mut subtrees = None;
		for level in 0..new_depth {
			if level == subtree_depth {
				subtrees = Some(SubtreeRoots { first, roots: nodes.clone() });
			}
			let last = (new_size - 1) >> level;
			// When the first new node is a right child, its left sibling is unchanged and is
			// this level's side node; read it before the side node moves on.
			let left_of_first = self.side_nodes[level];
			let last_even = last & !1;
			if last_even >= first {
				self.side_nodes[level] = nodes[(last_even - first) as usize];
			}
			let mut parents = Vec::with_capacity(nodes.len() / 2 + 1);
			let mut i = first & !1;
			while i <= last {
				let left = if i < first { left_of_first } else { nodes[(i - first) as usize] };
				let parent =
					if i < last { poseidon2(left, nodes[(i + 1 - first) as usize]) } else { left };
				parents.push(parent);
				i += 2;
			}
			nodes = parents;
			first >>= 1;
		}
		self.side_nodes[new_depth] = nodes[0];
		self.size = new_size;
		// A tree no deeper than a subtree is the first subtree: its root is the tree's.
		Ok(subtrees.unwrap_or(SubtreeRoots { first: 0, roots: alloc::vec![nodes[0]] }))
	}

	/// Replaces the leaf at `index`, which holds `old_leaf`, by `new_leaf` (zero removes a
	/// member). `siblings` are the leaf's proof siblings (as [`LeanImt::proof`] gives them);
	/// they must lead from `old_leaf` to the current root. Returns the new root and the new root
	/// of the leaf's subtree of 2^[`SUBTREE_DEPTH`] leaves.
	pub fn update(
		&mut self,
		index: u64,
		old_leaf: Fr,
		new_leaf: Fr,
		siblings: &[Fr],
	) -> Result<UpdatedPath, FrontierError> {
		self.update_at(index, old_leaf, new_leaf, siblings, SUBTREE_DEPTH)
	}

	fn update_at(
		&mut self,
		index: u64,
		old_leaf: Fr,
		new_leaf: Fr,
		siblings: &[Fr],
		subtree_depth: usize,
	) -> Result<UpdatedPath, FrontierError> {
		if index >= self.size {
			return Err(FrontierError::UnknownLeaf);
		}
		let depth = self.depth();
		let last = self.size - 1;
		let mut siblings = siblings.iter();
		let (mut old_node, mut new_node) = (old_leaf, new_leaf);
		// Side nodes on the path, applied only once the siblings are known to be right.
		let mut new_side_nodes = Vec::new();
		let mut subtree_root = None;
		for level in 0..depth {
			if level == subtree_depth {
				subtree_root = Some(new_node);
			}
			let i = index >> level;
			let last_at_level = last >> level;
			if i == last_at_level & !1 {
				new_side_nodes.push((level, new_node));
			}
			if i & 1 == 1 {
				let sibling = *siblings.next().ok_or(FrontierError::WrongSiblings)?;
				old_node = poseidon2(sibling, old_node);
				new_node = poseidon2(sibling, new_node);
			} else if i < last_at_level {
				let sibling = *siblings.next().ok_or(FrontierError::WrongSiblings)?;
				old_node = poseidon2(old_node, sibling);
				new_node = poseidon2(new_node, sibling);
			}
		}
		if siblings.next().is_some() || Some(old_node) != self.root() {
			return Err(FrontierError::WrongSiblings);
		}
		for (level, node) in new_side_nodes {
			self.side_nodes[level] = node;
		}
		self.side_nodes[depth] = new_node;
		Ok(UpdatedPath { root: new_node, subtree_root: subtree_root.unwrap_or(new_node) })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use core::str::FromStr;

	fn fr(decimal: &str) -> Fr {
		Fr::from_str(decimal).unwrap()
	}

	#[test]
	fn matches_zk_kit_on_a_small_tree() {
		// @zk-kit/lean-imt 2.2.5 with poseidon2: [commitment of Identity("teo-test-secret"), 1, 2].
		let commitment =
			fr("10389900331436209028366152712591229345717589742981151660991464433703713246660");
		let tree = LeanImt::from_leaves([commitment, Fr::from(1u64), Fr::from(2u64)]);
		assert_eq!(tree.depth(), 2);
		assert_eq!(
			tree.root(),
			Some(fr(
				"16563528586039183984321671832027707807991183834423814875891935595014643340107"
			))
		);
	}

	#[test]
	fn building_level_by_level_gives_the_tree_of_inserting_one_by_one() {
		let mut inserted = LeanImt::new();
		assert_eq!(LeanImt::from_leaves([]), inserted);
		for size in 1..=70u64 {
			inserted.insert(Fr::from(size * 7919));
			let built = LeanImt::from_leaves((1..=size).map(|i| Fr::from(i * 7919)));
			assert_eq!(built, inserted, "size {size}");
		}
	}

	#[test]
	fn a_tree_comes_back_from_its_levels_and_only_from_a_whole_shape() {
		for size in [0u64, 1, 2, 5, 8, 33] {
			let tree = LeanImt::from_leaves((0..size).map(Fr::from));
			assert_eq!(
				LeanImt::from_levels(tree.levels().to_vec()),
				Some(tree.clone()),
				"size {size}"
			);
		}
		let tree = LeanImt::from_leaves((0..5u64).map(Fr::from));
		let mut short = tree.levels().to_vec();
		short.pop();
		assert_eq!(LeanImt::from_levels(short), None, "a level missing");
		let mut wide = tree.levels().to_vec();
		wide[1].push(Fr::from(9u64));
		assert_eq!(LeanImt::from_levels(wide), None, "a level too long");
		assert_eq!(LeanImt::from_levels(Vec::new()), None, "no level at all");
		// A wrong inner node passes the shape check; the paths that take it as a sibling do not
		// verify (those below it recompute it, and the others never meet it).
		let mut forged = tree.levels().to_vec();
		forged[1][0] = Fr::from(1u64);
		let forged = LeanImt::from_levels(forged).unwrap();
		assert!(!forged.proof(2).unwrap().verify());
		assert!(!forged.proof(3).unwrap().verify());
		assert!(forged.proof(0).unwrap().verify());
		assert!(forged.proof(4).unwrap().verify());
	}

	#[test]
	fn depth_grows_with_size_and_lone_nodes_are_copied_up() {
		let mut tree = LeanImt::new();
		assert_eq!(tree.root(), None);
		tree.insert(Fr::from(5u64));
		assert_eq!((tree.depth(), tree.root()), (0, Some(Fr::from(5u64))));
		tree.insert(Fr::from(6u64));
		assert_eq!(tree.depth(), 1);
		assert_eq!(tree.root(), Some(poseidon2(Fr::from(5u64), Fr::from(6u64))));
		tree.insert(Fr::from(7u64));
		assert_eq!(tree.depth(), 2);
		// The third leaf has no right sibling: it is copied up.
		let expected = poseidon2(poseidon2(Fr::from(5u64), Fr::from(6u64)), Fr::from(7u64));
		assert_eq!(tree.root(), Some(expected));
		for n in 4..=9u64 {
			tree.insert(Fr::from(n));
		}
		assert_eq!((tree.size(), tree.depth()), (9, 4));
	}

	#[test]
	fn every_leaf_has_a_proof_that_verifies() {
		for size in 1..=17u64 {
			let tree = LeanImt::from_leaves((0..size).map(|n| Fr::from(n + 100)));
			for index in 0..size as usize {
				let proof = tree.proof(index).unwrap();
				assert!(proof.verify(), "size {size}, index {index}");
				assert_eq!(proof.leaf, Fr::from(index as u64 + 100));
			}
			assert!(tree.proof(size as usize).is_none());
		}
	}

	#[test]
	fn a_proof_for_another_leaf_or_root_fails() {
		let tree = LeanImt::from_leaves((1..=5u64).map(Fr::from));
		let mut proof = tree.proof(2).unwrap();
		proof.leaf = Fr::from(99u64);
		assert!(!proof.verify());
		let mut proof = tree.proof(2).unwrap();
		proof.root += Fr::from(1u64);
		assert!(!proof.verify());
	}

	#[test]
	fn updates_and_removals_change_the_root_like_a_rebuild() {
		let mut tree = LeanImt::from_leaves((1..=6u64).map(Fr::from));
		assert!(tree.update(3, Fr::from(0u64)));
		let rebuilt = LeanImt::from_leaves([1u64, 2, 3, 0, 5, 6].into_iter().map(Fr::from));
		assert_eq!(tree.root(), rebuilt.root());
		assert!(tree.proof(4).unwrap().verify());
		assert!(!tree.update(6, Fr::from(1u64)));
		assert_eq!(tree.index_of(&Fr::from(5u64)), Some(4));
	}

	/// A small deterministic generator, enough to shuffle operations.
	fn next(state: &mut u64) -> u64 {
		*state ^= *state << 13;
		*state ^= *state >> 7;
		*state ^= *state << 17;
		*state
	}

	/// The node of `tree` at `level` and `index`, a root copied up above the top.
	fn node_at(tree: &LeanImt, level: usize, index: u64) -> Fr {
		match tree.levels().get(level) {
			Some(nodes) => nodes[index as usize],
			None => {
				assert_eq!(index, 0, "above the root there is one node");
				tree.root().unwrap()
			},
		}
	}

	#[test]
	fn the_frontier_follows_the_full_tree_through_inserts_batches_and_updates() {
		for seed in 1..=12u64 {
			let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
			// Small subtrees, so that batches cross them and trees grow above them.
			let subtree_depth = (seed % 4) as usize;
			let mut tree = LeanImt::new();
			let mut frontier = Frontier::default();
			let mut counter = 1000u64;
			for _ in 0..60 {
				match next(&mut state) % 3 {
					0 | 1 => {
						let batch = (next(&mut state) % 6) as usize;
						let leaves: Vec<Fr> = (0..batch)
							.map(|_| {
								counter += 1;
								Fr::from(counter)
							})
							.collect();
						for leaf in &leaves {
							tree.insert(*leaf);
						}
						let changed = frontier.insert_many_at(&leaves, subtree_depth).unwrap();
						let first_new = (tree.size() - batch) as u64;
						let last_new = tree.size().saturating_sub(1) as u64;
						let expected = if batch == 0 {
							0
						} else {
							(last_new >> subtree_depth) - (first_new >> subtree_depth) + 1
						};
						assert_eq!(changed.first, first_new >> subtree_depth);
						assert_eq!(changed.roots.len() as u64, expected, "seed {seed}");
						for (k, root) in changed.roots.iter().enumerate() {
							let at = node_at(&tree, subtree_depth, changed.first + k as u64);
							assert_eq!(*root, at, "seed {seed}");
						}
					},
					_ if tree.size() > 0 => {
						let index = (next(&mut state) % tree.size() as u64) as usize;
						let proof = tree.proof(index).unwrap();
						let new_leaf = if next(&mut state) % 2 == 0 {
							Fr::from(0u64)
						} else {
							Fr::from(counter + 7)
						};
						let updated = frontier
							.update_at(
								index as u64,
								proof.leaf,
								new_leaf,
								&proof.siblings,
								subtree_depth,
							)
							.unwrap();
						tree.update(index, new_leaf);
						assert_eq!(Some(updated.root), tree.root());
						let at = node_at(&tree, subtree_depth, (index >> subtree_depth) as u64);
						assert_eq!(updated.subtree_root, at, "seed {seed}");
					},
					_ => {},
				}
				assert_eq!(frontier.size(), tree.size() as u64);
				assert_eq!(frontier.depth(), tree.depth());
				assert_eq!(frontier.root(), tree.root(), "seed {seed}");
			}
		}
	}

	#[test]
	fn the_frontier_refuses_wrong_siblings_and_unknown_leaves() {
		let tree = LeanImt::from_leaves((1..=6u64).map(Fr::from));
		let mut frontier = Frontier::default();
		frontier.insert_many(tree.leaves()).unwrap();
		let proof = tree.proof(2).unwrap();
		let before = frontier.clone();
		let zero = Fr::from(0u64);
		assert_eq!(
			frontier.update(2, Fr::from(9u64), zero, &proof.siblings),
			Err(FrontierError::WrongSiblings)
		);
		assert_eq!(
			frontier.update(2, proof.leaf, zero, &proof.siblings[1..]),
			Err(FrontierError::WrongSiblings)
		);
		let mut extra = proof.siblings.clone();
		extra.push(zero);
		assert_eq!(frontier.update(2, proof.leaf, zero, &extra), Err(FrontierError::WrongSiblings));
		assert_eq!(
			frontier.update(6, proof.leaf, zero, &proof.siblings),
			Err(FrontierError::UnknownLeaf)
		);
		assert_eq!(frontier, before);
		let parts = Frontier::from_parts(frontier.size(), frontier.side_nodes().to_vec()).unwrap();
		assert_eq!(parts, frontier);
		assert!(Frontier::from_parts(7, frontier.side_nodes().to_vec()).is_some());
		assert!(Frontier::from_parts(9, frontier.side_nodes().to_vec()).is_none());
	}
}
