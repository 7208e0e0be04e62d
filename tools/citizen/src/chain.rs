//! What the citizen's tool reads from the chain: a group's tree, through `teo-client`.

use codec::Decode;
use polkadot_sdk::sp_core::H256;
use teo_client::Chain;
use teo_primitives::GroupId;
use teo_runtime::Runtime;
use teo_zk::{
	groth16,
	lean_imt::{PrunedTree, SUBTREE_DEPTH},
	Fr,
};

use crate::{
	error::Error,
	timeline,
	tree_cache::{StoredTree, TreeCache},
};

pub use teo_client::Outcome;

/// A group's tree as the chain holds it at one block.
pub struct GroupState {
	pub block: H256,
	pub size: u32,
	pub root: Option<[u8; 32]>,
	/// The tree, whose root is the chain's: every leaf, and the nodes from the subtrees' roots
	/// up.
	pub tree: PrunedTree,
	/// How the tree was had: from the stored copy, or read from the node.
	pub source: TreeSource,
	pub period: pallet_personhood::PeriodInfo,
	pub genesis_hash: [u8; 32],
}

/// Where a [`GroupState`]'s tree came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeSource {
	/// The stored copy, brought up to date: `new` leaves appended, `leaves_read` read from
	/// the node (from a boundary below the copy's end), `hashed` subtrees hashed here.
	Stored { new: u32, leaves_read: u32, hashed: usize },
	/// Every leaf read from the node; `hashed` subtrees hashed here, the others' roots read.
	Read { hashed: usize },
}

impl std::fmt::Display for TreeSource {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		match self {
			Self::Stored { new, leaves_read, hashed } => write!(
				f,
				"tree from the stored copy, {new} new members ({leaves_read} leaves read, \
				 {hashed} subtrees hashed)"
			),
			Self::Read { hashed } => {
				write!(f, "tree read in full from the node ({hashed} subtrees hashed)")
			},
		}
	}
}

/// Whether the chain's constitution allows insecure verifying keys, as dev and local chains'
/// does. A chain without the record (none should exist) counts as a production chain.
pub async fn allows_insecure_keys(chain: &Chain) -> Result<bool, Error> {
	use pallet_constitution::{ChainConstitution, Constitution};
	let block = chain.checked_finalized_head().await?;
	let constitution: Constitution = chain
		.storage(&ChainConstitution::<Runtime>::hashed_key(), block)
		.await?
		.unwrap_or_default();
	Ok(constitution.bounds().allows_insecure_keys)
}

/// The verifying key the chain holds for proofs of `depth` (TEO's uncompressed encoding), at
/// the finalized head.
pub async fn verifying_key(chain: &Chain, depth: u8) -> Result<Option<Vec<u8>>, Error> {
	use pallet_personhood::{VerifyingKeyRecord, VerifyingKeys};
	let block = chain.checked_finalized_head().await?;
	let record: Option<VerifyingKeyRecord> =
		chain.storage(&VerifyingKeys::<Runtime>::hashed_key_for(depth), block).await?;
	Ok(record.map(|record| record.key.into_inner()))
}

/// A group's tree, the current period and the genesis hash, all read at the finalized head.
///
/// The tree is had from every leaf and the chain's subtree roots: the node learns nothing of
/// which leaf is the citizen's. A subtree whose root the chain lacks is hashed here, and so is
/// every subtree when the roots read do not lead to the chain's root, or when the leaves do not
/// match their roots in the subtrees checked ([`consistent`]).
///
/// With `cache`, the stored copy is brought up to date (the leaves added since are read and
/// appended) and used if it leads to the chain's root and, for `member`, holds it on a path to
/// that root; otherwise (no copy, a member removed since, a damaged or planted file) every
/// leaf is read again, so that a bad copy never makes a member look like a stranger. The tree
/// is stored back for the next command; a copy that cannot be written costs a warning, not the
/// command.
pub async fn group(
	chain: &Chain,
	group: GroupId,
	cache: Option<&TreeCache>,
	member: Option<&Fr>,
) -> Result<GroupState, Error> {
	use pallet_personhood::{CurrentPeriod, Groups};
	let block = chain.checked_finalized_head().await?;
	let info: pallet_personhood::GroupInfo<Vec<u8>> = chain
		.storage(&Groups::<Runtime>::hashed_key_for(group), block)
		.await?
		.ok_or(Error::NoSuchGroup(group))?;
	let root = info.side_nodes.last().copied();
	let genesis_hash: [u8; 32] = chain.genesis_hash().await?.into();
	timeline::mark("group's size read");
	let stored = cache
		.and_then(|cache| cache.load(&genesis_hash, group, info.size))
		.filter(|copy| copy.leaves.len() <= info.size as usize);
	if stored.is_some() {
		timeline::mark("stored copy loaded");
	}
	let mut had = None;
	if let Some(copy) = stored {
		let StoredTree { leaves, subtree_roots } = copy;
		// From a boundary every copy shares, not from the copy's own size: the size of a
		// citizen's copy dates their last command, and asking from it would let the node link
		// two of their vetoes. The leaves read again must be the copy's.
		let size = leaves.len() as u32;
		let from = size - size % READ_BOUNDARY;
		let (read, given) = tokio::try_join!(
			read_leaves(chain, group, from..info.size, block),
			read_subtree_roots(chain, group, from..info.size, block),
		)?;
		timeline::mark("new leaves read");
		let copy =
			PrunedTree::updated_from_parts(leaves, &subtree_roots, from as usize, &read, &given);
		if let Some(tree) = copy {
			// The leaves below the boundary are the copy's, checked when they were read.
			let read_from = (from >> SUBTREE_DEPTH) as usize;
			if root_of(&tree) == root && consistent(&tree, member, read_from)? {
				let (new, leaves_read) = (info.size - size, info.size - from);
				let hashed = tree.hashed_subtrees();
				had = Some((tree, TreeSource::Stored { new, leaves_read, hashed }));
			}
			timeline::mark("stored copy checked");
		}
	}
	let (tree, source) = match had {
		Some(had) => had,
		None => {
			let (leaves, given) = tokio::try_join!(
				read_leaves(chain, group, 0..info.size, block),
				read_subtree_roots(chain, group, 0..info.size, block),
			)?;
			timeline::mark("every leaf read");
			let mut tree = PrunedTree::new(leaves, &given);
			let all_hashed = tree.hashed_subtrees() == tree.subtree_roots().len();
			if root_of(&tree) != root || !(all_hashed || consistent(&tree, member, 0)?) {
				// Roots that do not add up, or leaves that do not match their roots where this
				// command looked (a node that lies): hash every subtree from the leaves.
				tree = PrunedTree::from_leaves(tree.leaves().to_vec());
			}
			if root_of(&tree) != root {
				return Err(Error::RootMismatch);
			}
			timeline::mark("tree built and checked");
			let hashed = tree.hashed_subtrees();
			(tree, TreeSource::Read { hashed })
		},
	};
	let changed = !matches!(source, TreeSource::Stored { new: 0, .. });
	if let Some(cache) = cache.filter(|_| changed) {
		if let Err(e) = cache.save(&genesis_hash, group, &tree) {
			eprintln!(
				"warning: could not keep a copy of the tree in {}: {e}",
				cache.dir().display()
			);
		}
		timeline::mark("copy stored");
	}
	let period =
		chain.storage(&CurrentPeriod::<Runtime>::hashed_key(), block).await?.unwrap_or_default();
	Ok(GroupState { block, size: info.size, root, tree, source, period, genesis_hash })
}

/// The leaves a stored copy is brought up to date from are read from a multiple of this: the
/// node sees which block of 4,096 members a copy ends in, not its size. A whole number of
/// subtrees, as [`PrunedTree::updated`] needs.
const READ_BOUNDARY: u32 = 4096;
const _: () = assert!(READ_BOUNDARY % (1 << SUBTREE_DEPTH) == 0);

/// Subtrees hashed at random on every read, beside the member's own: a node that serves the
/// chain's roots over changed leaves (which keeps the root right) is caught whichever subtree
/// the citizen is in, so their command's outcome does not tell the node where they are. Four
/// catch a node that changed half the subtrees 15 times in 16 (docs/PERSONHOOD.md).
const SAMPLED_SUBTREES: usize = 4;

/// Whether `tree`'s leaves match its subtree roots where this command looks: a few subtrees at
/// random among those read from the node (from subtree `read_from` on; on every core) and, for
/// `member`, the subtree their proof hashes (which must hold them).
fn consistent(tree: &PrunedTree, member: Option<&Fr>, read_from: usize) -> Result<bool, Error> {
	let read = tree.subtree_roots().len().saturating_sub(read_from);
	let mut random = [0u8; 4 * SAMPLED_SUBTREES];
	getrandom::getrandom(&mut random).map_err(Error::Randomness)?;
	let sample = random.chunks_exact(4).filter(|_| read > 0).map(|bytes| {
		read_from + u32::from_le_bytes(bytes.try_into().expect("4 bytes")) as usize % read
	});
	Ok(tree.subtrees_match(sample) && member.is_none_or(|leaf| holds(tree, leaf)))
}

/// Whether `leaf` is in `tree` on a path that leads to its root (a subtree root given wrong
/// gives its members no path).
fn holds(tree: &PrunedTree, leaf: &Fr) -> bool {
	tree.index_of(leaf).and_then(|index| tree.proof(index)).is_some_and(|proof| proof.verify())
}

/// The tree's root as the chain stores it.
fn root_of(tree: &PrunedTree) -> Option<[u8; 32]> {
	tree.root().map(|root| groth16::fr_to_be_bytes(&root))
}

/// Leaves `range` of `group` at `block`, as field elements.
async fn read_leaves(
	chain: &Chain,
	group: GroupId,
	range: std::ops::Range<u32>,
	block: H256,
) -> Result<Vec<Fr>, Error> {
	use pallet_personhood::Leaves;
	let keys: Vec<Vec<u8>> =
		range.clone().map(|i| Leaves::<Runtime>::hashed_key_for(group, i)).collect();
	chain
		.storage_many(&keys, block)
		.await?
		.into_iter()
		.zip(range)
		.map(|(value, i)| {
			let index = i as usize;
			let bytes = value.ok_or(Error::MissingLeaf { group, index })?;
			let leaf = <[u8; 32]>::decode(&mut &bytes[..])
				.map_err(|source| Error::BadLeaf { index, source })?;
			groth16::fr_from_be_bytes(&leaf).map_err(|_| Error::LeafNotInField)
		})
		.collect()
}

/// The chain's roots of the subtrees that leaves `range` of `group` fall in, at `block`; `None`
/// where the chain has none (or one that is not a field element: it is hashed here).
async fn read_subtree_roots(
	chain: &Chain,
	group: GroupId,
	range: std::ops::Range<u32>,
	block: H256,
) -> Result<Vec<Option<Fr>>, Error> {
	use pallet_personhood::SubtreeRoots;
	if range.is_empty() {
		return Ok(Vec::new());
	}
	let subtrees = (range.start >> SUBTREE_DEPTH)..=((range.end - 1) >> SUBTREE_DEPTH);
	let keys: Vec<Vec<u8>> =
		subtrees.map(|j| SubtreeRoots::<Runtime>::hashed_key_for(group, j)).collect();
	Ok(chain
		.storage_many(&keys, block)
		.await?
		.into_iter()
		.map(|value| {
			let root = <[u8; 32]>::decode(&mut &value?[..]).ok()?;
			groth16::fr_from_be_bytes(&root).ok()
		})
		.collect())
}

/// Pending proposal `id` at the finalized head: its group and call hash, which a veto's scope
/// binds.
pub async fn proposal(chain: &Chain, id: u32) -> Result<(GroupId, [u8; 32]), Error> {
	use pallet_commit_gate::{ProposalOf, Proposals};
	let block = chain.checked_finalized_head().await?;
	let proposal: ProposalOf<Runtime> = chain
		.storage(&Proposals::<Runtime>::hashed_key_for(id), block)
		.await?
		.ok_or(Error::NoSuchProposal(id))?;
	Ok((proposal.group, proposal.call_hash.into()))
}
