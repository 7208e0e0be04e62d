//! What the citizen's tool reads from the chain: a group's tree, through `teo-client`.

use codec::Decode;
use polkadot_sdk::sp_core::H256;
use teo_client::Chain;
use teo_primitives::GroupId;
use teo_runtime::Runtime;

use crate::error::Error;

pub use teo_client::Outcome;

/// A group's tree as the chain holds it at one block.
pub struct GroupState {
	pub block: H256,
	pub size: u32,
	pub root: Option<[u8; 32]>,
	pub leaves: Vec<[u8; 32]>,
	pub period: pallet_personhood::PeriodInfo,
	pub genesis_hash: [u8; 32],
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
pub async fn group(chain: &Chain, group: GroupId) -> Result<GroupState, Error> {
	use pallet_personhood::{CurrentPeriod, Groups, Leaves};
	let block = chain.checked_finalized_head().await?;
	let info: pallet_personhood::GroupInfo<Vec<u8>> = chain
		.storage(&Groups::<Runtime>::hashed_key_for(group), block)
		.await?
		.ok_or(Error::NoSuchGroup(group))?;
	let keys: Vec<Vec<u8>> =
		(0..info.size).map(|i| Leaves::<Runtime>::hashed_key_for(group, i)).collect();
	let leaves = chain
		.storage_many(&keys, block)
		.await?
		.into_iter()
		.enumerate()
		.map(|(i, value)| {
			let bytes = value.ok_or(Error::MissingLeaf { group, index: i })?;
			<[u8; 32]>::decode(&mut &bytes[..])
				.map_err(|source| Error::BadLeaf { index: i, source })
		})
		.collect::<Result<Vec<_>, _>>()?;
	let period =
		chain.storage(&CurrentPeriod::<Runtime>::hashed_key(), block).await?.unwrap_or_default();
	Ok(GroupState {
		block,
		size: info.size,
		root: info.side_nodes.last().copied(),
		leaves,
		period,
		genesis_hash: chain.genesis_hash().await?.into(),
	})
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
