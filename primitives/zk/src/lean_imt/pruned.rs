//! The tree as a client keeps it: every leaf, and the nodes from the subtrees' roots up.
//!
//! The chain stores the root of every aligned subtree of 2^[`SUBTREE_DEPTH`] leaves, which it
//! hashes anyway on the path of every change. A client that reads them hashes the tree above
//! them (one hash per subtree) and, to prove, only its own subtree: about 2 × 2^10 hashes at any
//! size, where the whole tree costs one per leaf, a million at a million members. It still
//! reads every leaf, so the node it reads from does not learn which subtree is the citizen's.
//!
//! The stored roots need no trust: a client compares the root with the chain's, and a root it
//! was given wrong only sends it back to hashing every subtree itself
//! ([`PrunedTree::from_leaves`]); a wrong root that passes would need a Poseidon collision.

use alloc::vec::Vec;
use ark_bn254::Fr;

use super::{depth_for, parent, LeanImt, MerkleProof, SUBTREE_DEPTH};

/// A LeanIMT known by its leaves and its nodes from level [`SUBTREE_DEPTH`] up: it proves any
/// leaf, hashing the leaf's subtree for it. Node for node the tree [`LeanImt::from_leaves`]
/// builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrunedTree {
	subtree_depth: usize,
	leaves: Vec<Fr>,
	/// The tree whose leaves are the subtrees' roots: the levels from `subtree_depth` up.
	upper: LeanImt,
	/// How many subtrees' roots were hashed here rather than given.
	hashed: usize,
}

impl PrunedTree {
	/// The tree of `leaves`, with `given[j]`, where it is `Some`, as the root of the `j`-th
	/// subtree; the other subtrees are hashed. The given roots are not checked: compare
	/// [`PrunedTree::root`] with the chain's.
	pub fn new(leaves: Vec<Fr>, given: &[Option<Fr>]) -> Self {
		Self::with_subtree_depth(SUBTREE_DEPTH, leaves, given)
	}

	/// The tree of `leaves`, every subtree hashed here: one hash per leaf (on every core with
	/// the `parallel` feature).
	pub fn from_leaves(leaves: Vec<Fr>) -> Self {
		Self::new(leaves, &[])
	}

	fn with_subtree_depth(subtree_depth: usize, leaves: Vec<Fr>, given: &[Option<Fr>]) -> Self {
		let width = 1usize << subtree_depth;
		let root_of = |(j, subtree): (usize, &[Fr])| match given.get(j).copied().flatten() {
			Some(root) => (root, false),
			None => (subtree_root(subtree), true),
		};
		#[cfg(feature = "parallel")]
		let roots: Vec<(Fr, bool)> = {
			use rayon::prelude::*;
			leaves.par_chunks(width).enumerate().map(root_of).collect()
		};
		#[cfg(not(feature = "parallel"))]
		let roots: Vec<(Fr, bool)> = leaves.chunks(width).enumerate().map(root_of).collect();
		let hashed = roots.iter().filter(|(_, hashed)| *hashed).count();
		let upper = LeanImt::from_leaves(roots.into_iter().map(|(root, _)| root));
		Self { subtree_depth, leaves, upper, hashed }
	}

	/// The tree brought up to date: `leaves` are the chain's from index `from` on (a whole
	/// number of subtrees, at most this tree's size) and `given` its roots of the subtrees from
	/// `from`'s on, as in [`PrunedTree::new`]; this tree's roots below `from` are kept. `None`
	/// when the leaves read again from `from` are not this tree's (a member removed since, or a
	/// copy that was not the chain's): read the whole tree again.
	pub fn updated(mut self, from: usize, leaves: &[Fr], given: &[Option<Fr>]) -> Option<Self> {
		let width = 1usize << self.subtree_depth;
		if from % width != 0 || from > self.size() {
			return None;
		}
		let known = self.size() - from;
		if leaves.get(..known)? != &self.leaves[from..] {
			return None;
		}
		self.leaves.extend_from_slice(&leaves[known..]);
		let mut roots: Vec<Option<Fr>> =
			self.subtree_roots()[..from / width].iter().copied().map(Some).collect();
		roots.extend_from_slice(given);
		Some(Self::with_subtree_depth(self.subtree_depth, self.leaves, &roots))
	}

	/// The number of leaves.
	pub fn size(&self) -> usize {
		self.leaves.len()
	}

	/// The depth: the number of levels above the leaves (0 for zero or one leaf).
	pub fn depth(&self) -> usize {
		depth_for(self.size() as u64)
	}

	/// The leaves, in order.
	pub fn leaves(&self) -> &[Fr] {
		&self.leaves
	}

	/// The subtrees' roots, in order: what the chain stores.
	pub fn subtree_roots(&self) -> &[Fr] {
		self.upper.leaves()
	}

	/// How many subtrees' roots were hashed here rather than given.
	pub fn hashed_subtrees(&self) -> usize {
		self.hashed
	}

	/// The root; `None` for an empty tree.
	pub fn root(&self) -> Option<Fr> {
		self.upper.root()
	}

	/// The index of `leaf`, if present.
	pub fn index_of(&self, leaf: &Fr) -> Option<usize> {
		self.leaves.iter().position(|l| l == leaf)
	}

	/// A membership proof for the leaf at `index`, exactly [`LeanImt::proof`]'s; `None` when
	/// there is no such leaf, or when its subtree's root was given wrong.
	pub fn proof(&self, index: usize) -> Option<MerkleProof> {
		let subtree = index >> self.subtree_depth;
		let start = subtree << self.subtree_depth;
		let end = self.size().min(start + (1 << self.subtree_depth));
		let lower = LeanImt::from_leaves(self.leaves.get(start..end)?.iter().copied());
		let lower = lower.proof(index - start)?;
		let upper = self.upper.proof(subtree)?;
		if lower.root != upper.leaf {
			return None;
		}
		let index = lower.index | (upper.index << lower.siblings.len());
		let mut siblings = lower.siblings;
		siblings.extend(upper.siblings);
		Some(MerkleProof { root: upper.root, leaf: lower.leaf, index, siblings })
	}
}

/// The root of a subtree's leaves (its lone nodes copied up, as the whole tree copies them).
fn subtree_root(leaves: &[Fr]) -> Fr {
	let mut level = leaves.to_vec();
	while level.len() > 1 {
		level = level.chunks(2).map(parent).collect();
	}
	level[0]
}

#[cfg(test)]
mod tests {
	use super::*;

	fn leaves(size: u64) -> Vec<Fr> {
		(1..=size).map(|i| Fr::from(i * 7919)).collect()
	}

	#[test]
	fn proves_every_leaf_exactly_as_the_whole_tree_does() {
		for subtree_depth in 0..=3 {
			for size in 0..=40 {
				let whole = LeanImt::from_leaves(leaves(size));
				let pruned = PrunedTree::with_subtree_depth(subtree_depth, leaves(size), &[]);
				assert_eq!(pruned.root(), whole.root(), "size {size}, depth {subtree_depth}");
				assert_eq!(pruned.depth(), whole.depth());
				assert_eq!(pruned.hashed_subtrees(), (size as usize).div_ceil(1 << subtree_depth));
				for index in 0..size as usize {
					assert_eq!(pruned.proof(index), whole.proof(index), "size {size}, {index}");
				}
				assert_eq!(pruned.proof(size as usize), None);
			}
		}
	}

	#[test]
	fn the_chains_subtree_roots_are_the_whole_trees_nodes_at_their_level() {
		for size in [1u64, 2, 1023, 1024, 1025, 2048, 2500] {
			let whole = LeanImt::from_leaves(leaves(size));
			let pruned = PrunedTree::from_leaves(leaves(size));
			let at_level = whole.levels().get(SUBTREE_DEPTH).cloned();
			let expected = at_level.unwrap_or_else(|| alloc::vec![whole.root().unwrap()]);
			assert_eq!(pruned.subtree_roots(), &expected[..], "size {size}");
			assert_eq!(pruned.root(), whole.root());
			let last = size as usize - 1;
			assert_eq!(pruned.proof(last), whole.proof(last));
		}
	}

	#[test]
	fn an_update_from_a_boundary_appends_and_refuses_a_copy_that_is_not_the_chains() {
		let whole = LeanImt::from_leaves(leaves(37));
		let copy = PrunedTree::with_subtree_depth(2, leaves(21), &[]);
		let read = &leaves(37)[20..];
		let updated = copy.clone().updated(20, read, &[]).unwrap();
		assert_eq!(updated.root(), whole.root());
		// Subtrees 0 to 4 kept, 5 to 9 hashed (none given).
		assert_eq!(updated.hashed_subtrees(), 5);
		for index in 0..37 {
			assert_eq!(updated.proof(index), whole.proof(index));
		}
		assert_eq!(copy.clone().updated(20, &leaves(37)[20..21], &[]).unwrap().size(), 21);
		assert_eq!(copy.clone().updated(18, &leaves(37)[18..], &[]), None, "not a boundary");
		assert_eq!(copy.clone().updated(24, &[], &[]), None, "beyond the copy");
		assert_eq!(copy.clone().updated(20, &[], &[]), None, "the copy's last leaf not read");
		let mut changed = read.to_vec();
		changed[0] = Fr::from(0u64);
		assert_eq!(copy.updated(20, &changed, &[]), None, "a leaf changed below the copy's end");
	}

	#[test]
	fn given_roots_are_used_as_given_and_a_wrong_one_proves_nothing() {
		let whole = LeanImt::from_leaves(leaves(30));
		let right = PrunedTree::with_subtree_depth(2, leaves(30), &[]);
		let mut given: Vec<Option<Fr>> = right.subtree_roots().iter().copied().map(Some).collect();
		given[3] = None;
		let reused = PrunedTree::with_subtree_depth(2, leaves(30), &given);
		assert_eq!(reused.hashed_subtrees(), 1);
		assert_eq!(reused.root(), whole.root());

		given[3] = Some(Fr::from(5u64));
		let lied = PrunedTree::with_subtree_depth(2, leaves(30), &given);
		assert_eq!(lied.hashed_subtrees(), 0);
		assert_ne!(lied.root(), whole.root());
		// The wrong subtree's own members get no proof; the others' lead to the wrong root.
		assert_eq!(lied.proof(13), None);
		assert!(lied.proof(0).unwrap().verify());
		assert_ne!(lied.proof(0).unwrap().root, whole.root().unwrap());
	}
}
