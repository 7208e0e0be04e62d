//! What the citizen's tool reads from the chain: a group's tree, through `teo-client`.

use codec::Decode;
use polkadot_sdk::sp_core::H256;
use teo_client::Chain;
use teo_primitives::GroupId;
use teo_runtime::Runtime;
use teo_zk::{groth16, lean_imt::LeanImt, Fr};

use crate::{error::Error, tree_cache::TreeCache};

pub use teo_client::Outcome;

/// A group's tree as the chain holds it at one block.
pub struct GroupState {
	pub block: H256,
	pub size: u32,
	pub root: Option<[u8; 32]>,
	/// The whole tree, whose root is the chain's.
	pub tree: LeanImt,
	/// How the tree was had: from the stored copy, or read from the node.
	pub source: TreeSource,
	pub period: pallet_personhood::PeriodInfo,
	pub genesis_hash: [u8; 32],
}

/// Where a [`GroupState`]'s tree came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeSource {
	/// The stored copy, brought up to date: `new` leaves appended, `leaves_read` read from
	/// the node (from a boundary below the copy's end).
	Stored { new: u32, leaves_read: u32 },
	/// Every leaf read from the node and hashed.
	Read,
}

impl std::fmt::Display for TreeSource {
	fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
		match self {
			Self::Stored { new, leaves_read } => write!(
				f,
				"tree from the stored copy, {new} new members ({leaves_read} leaves read)"
			),
			Self::Read => write!(f, "tree read in full from the node"),
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
/// With `cache`, the stored copy of the tree is brought up to date (the leaves added since are
/// read and appended) and used if it leads to the chain's root and, for `member`, holds it on a
/// path to that root; otherwise (no copy, a member removed since, a damaged or planted file)
/// every leaf is read again, so that a bad copy never makes a member look like a stranger. The
/// tree is stored back for the next command; a copy that cannot be written costs a warning,
/// not the command.
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
	let stored = cache
		.and_then(|cache| cache.load(&genesis_hash, group, info.size))
		.filter(|tree| tree.size() <= info.size as usize);
	let mut had = None;
	if let Some(tree) = stored {
		// From a boundary every copy shares, not from the copy's own size: the size of a
		// citizen's copy dates their last command, and asking from it would let the node link
		// two of their vetoes. The leaves read again must be the copy's.
		let size = tree.size() as u32;
		let from = size - size % READ_BOUNDARY;
		let read = read_leaves(chain, group, from..info.size, block).await?;
		let (again, new) = read.split_at((size - from) as usize);
		if tree.leaves()[from as usize..] == *again {
			let tree = extend(tree, new);
			if root_of(&tree) == root && member.is_none_or(|leaf| holds(&tree, leaf)) {
				let (new, leaves_read) = (info.size - size, info.size - from);
				had = Some((tree, TreeSource::Stored { new, leaves_read }));
			}
		}
	}
	let (tree, source) = match had {
		Some(had) => had,
		None => {
			let tree = LeanImt::from_leaves(read_leaves(chain, group, 0..info.size, block).await?);
			if root_of(&tree) != root {
				return Err(Error::RootMismatch);
			}
			(tree, TreeSource::Read)
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
	}
	let period =
		chain.storage(&CurrentPeriod::<Runtime>::hashed_key(), block).await?.unwrap_or_default();
	Ok(GroupState { block, size: info.size, root, tree, source, period, genesis_hash })
}

/// The leaves a stored copy is brought up to date from are read from a multiple of this: the
/// node sees which block of 4,096 members a copy ends in, not its size.
const READ_BOUNDARY: u32 = 4096;

/// `tree` with `new` leaves appended: one by one (a path each) while that hashes less than
/// building the whole tree again, level by level on every core.
fn extend(tree: LeanImt, new: &[Fr]) -> LeanImt {
	let depth = tree.depth().max(1);
	if new.len().saturating_mul(depth) <= tree.size() {
		let mut tree = tree;
		for leaf in new {
			tree.insert(*leaf);
		}
		tree
	} else {
		LeanImt::from_leaves(tree.leaves().iter().chain(new).copied())
	}
}

/// Whether `leaf` is in `tree` on a path that leads to its root (the levels of a stored copy
/// are not hashed again when loaded).
fn holds(tree: &LeanImt, leaf: &Fr) -> bool {
	tree.index_of(leaf).and_then(|index| tree.proof(index)).is_some_and(|proof| proof.verify())
}

/// The tree's root as the chain stores it.
fn root_of(tree: &LeanImt) -> Option<[u8; 32]> {
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
