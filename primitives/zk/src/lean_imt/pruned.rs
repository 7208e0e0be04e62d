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
//! The leaves under given roots are not hashed, though: a node could serve the chain's roots
//! over changed leaves, the root would still match, and a member of a changed subtree would
//! have no path. A client checks the member's own subtree when it proves ([`PrunedTree::proof`]
//! refuses), and a few subtrees at random on every read ([`PrunedTree::subtrees_match`]), so
//! that a node changing leaves is caught whichever subtree the member is in.

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

	/// The tree brought up to date: `read` are the chain's leaves from index `from` on (a whole
	/// number of subtrees, at most this tree's size) and `given` its roots of the subtrees from
	/// `from`'s on, as in [`PrunedTree::new`]; this tree's roots below `from` are kept. The tree
	/// unchanged, as `Err`, when the leaves read again from `from` are not this tree's (a member
	/// removed since, or a copy that was not the chain's): read the whole tree again.
	pub fn updated(self, from: usize, read: &[Fr], given: &[Option<Fr>]) -> Result<Self, Self> {
		if !continues(self.subtree_depth, &self.leaves, from, read) {
			return Err(self);
		}
		let Self { subtree_depth, leaves, upper, .. } = self;
		Ok(appended(subtree_depth, leaves, upper.leaves(), from, read, given))
	}

	/// [`PrunedTree::updated`] for a copy kept as its parts, `leaves` and `subtree_roots` (as
	/// [`PrunedTree::leaves`] and [`PrunedTree::subtree_roots`] give them), without building the
	/// copy's tree first; `None` where `updated` refuses.
	pub fn updated_from_parts(
		leaves: Vec<Fr>,
		subtree_roots: &[Fr],
		from: usize,
		read: &[Fr],
		given: &[Option<Fr>],
	) -> Option<Self> {
		Self::updated_from_parts_at(SUBTREE_DEPTH, leaves, subtree_roots, from, read, given)
	}

	fn updated_from_parts_at(
		subtree_depth: usize,
		leaves: Vec<Fr>,
		subtree_roots: &[Fr],
		from: usize,
		read: &[Fr],
		given: &[Option<Fr>],
	) -> Option<Self> {
		continues(subtree_depth, &leaves, from, read)
			.then(|| appended(subtree_depth, leaves, subtree_roots, from, read, given))
	}

	/// Whether each of `subtrees` (indices; those beyond the tree are skipped) hashes to the
	/// root the tree holds for it: 2^[`SUBTREE_DEPTH`] - 1 hashes each.
	pub fn subtrees_match(&self, subtrees: impl IntoIterator<Item = usize>) -> bool {
		let width = 1usize << self.subtree_depth;
		let matches = |j: &usize| {
			let (start, roots) = (j.saturating_mul(width), self.subtree_roots());
			let end = self.size().min(start.saturating_add(width));
			match (self.leaves.get(start..end), roots.get(*j)) {
				(Some(leaves), Some(root)) => subtree_root(leaves) == *root,
				_ => true,
			}
		};
		let subtrees: Vec<usize> = subtrees.into_iter().collect();
		#[cfg(feature = "parallel")]
		{
			use rayon::prelude::*;
			subtrees.par_iter().all(matches)
		}
		#[cfg(not(feature = "parallel"))]
		subtrees.iter().all(matches)
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

/// Whether `read`, the chain's leaves from `from` on, continue `leaves`: `from` a whole number of
/// subtrees within them, and the leaves from there on the same.
fn continues(subtree_depth: usize, leaves: &[Fr], from: usize, read: &[Fr]) -> bool {
	from % (1 << subtree_depth) == 0
		&& from <= leaves.len()
		&& read.get(..leaves.len() - from) == Some(&leaves[from..])
}

/// The tree of `leaves` continued by `read` (which [`continues`] them), with `subtree_roots`
/// below `from` (any missing is hashed) and `given` from there.
fn appended(
	subtree_depth: usize,
	mut leaves: Vec<Fr>,
	subtree_roots: &[Fr],
	from: usize,
	read: &[Fr],
	given: &[Option<Fr>],
) -> PrunedTree {
	let known = leaves.len() - from;
	leaves.extend_from_slice(&read[known..]);
	let below = from >> subtree_depth;
	let mut roots: Vec<Option<Fr>> = (0..below).map(|j| subtree_roots.get(j).copied()).collect();
	roots.extend_from_slice(given);
	PrunedTree::with_subtree_depth(subtree_depth, leaves, &roots)
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
		let refused = |from, read: &[Fr]| copy.clone().updated(from, read, &[]).err();
		assert_eq!(refused(18, &leaves(37)[18..]), Some(copy.clone()), "not a boundary");
		assert_eq!(refused(24, &[]), Some(copy.clone()), "beyond the copy");
		assert_eq!(refused(20, &[]), Some(copy.clone()), "the copy's last leaf not read");
		let mut changed = read.to_vec();
		changed[0] = Fr::from(0u64);
		assert_eq!(refused(20, &changed), Some(copy.clone()), "a leaf changed below the end");
		// From its parts: the same tree, and the same refusals.
		let parts = |from, read: &[Fr]| {
			let (leaves, roots) = (copy.leaves().to_vec(), copy.subtree_roots().to_vec());
			PrunedTree::updated_from_parts_at(2, leaves, &roots, from, read, &[])
		};
		assert_eq!(parts(20, read), Some(updated));
		assert_eq!(parts(18, &leaves(37)[18..]), None);
		assert_eq!(parts(20, &changed), None);
	}

	#[test]
	fn changed_leaves_under_the_right_roots_keep_the_root_and_are_found_by_their_subtree() {
		let whole = LeanImt::from_leaves(leaves(30));
		let right = PrunedTree::with_subtree_depth(2, leaves(30), &[]);
		let given: Vec<Option<Fr>> = right.subtree_roots().iter().copied().map(Some).collect();
		let mut changed = leaves(30);
		changed[13] = Fr::from(5u64);
		let served = PrunedTree::with_subtree_depth(2, changed, &given);
		assert_eq!(served.root(), whole.root(), "the root alone does not show it");
		assert_eq!(served.proof(12), None, "a member of the changed subtree has no path");
		assert!(!served.subtrees_match([3]));
		assert!(served.subtrees_match([0, 1, 2, 4, 5, 6, 7]));
		assert!(PrunedTree::from_leaves(served.leaves().to_vec()).root() != whole.root());
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
		assert!(!lied.subtrees_match([3]));
		assert!(lied.subtrees_match([0, 1, 2, 4, 7, 99]), "the others, and one beyond the tree");
		assert!(lied.proof(0).unwrap().verify());
		assert_ne!(lied.proof(0).unwrap().root, whole.root().unwrap());
	}
}
