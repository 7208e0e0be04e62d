//! The runtime API through which citizens' clients (polkadot.js: `api.call.commitGateApi`) and
//! `teo-mesh` read pending proposals and the commit chain without decoding storage.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use polkadot_sdk::frame_support::traits::Get;
use scale_info::TypeInfo;
use teo_primitives::{AccountId, Balance, BlockNumber, GroupId, Hash};

use crate::{
	Commit, CommitCount, CommitRoot, Config, GateParameters, Pallet, ProposalId, ProposalOf,
	Proposals, Queue, RecentCommits,
};

/// A pending proposal as a reviewer sees it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct PendingProposal {
	/// Its id, the argument of `veto`, `withdraw` and `enact`.
	pub id: ProposalId,
	/// The agent that submitted it.
	pub proposer: AccountId,
	/// The agent's sponsor: the person a veto penalises.
	pub sponsor: AccountId,
	/// The group it affects.
	pub group: GroupId,
	/// The proposer's summary (UTF-8).
	pub summary: Vec<u8>,
	/// The SCALE-encoded call: decode it with the metadata to see exactly what would run.
	pub call: Vec<u8>,
	/// `blake2_256` of `call`.
	pub call_hash: Hash,
	/// The deposit at stake.
	pub deposit: Balance,
	/// The block it was submitted in.
	pub submitted_at: BlockNumber,
	/// The first block at which it runs unless vetoed.
	pub unlock_at: BlockNumber,
	/// Vetoes cast so far.
	pub vetoes: u32,
	/// Vetoes that kill it.
	pub veto_threshold: u32,
	/// Whether it was withdrawn: its call will not run, but a veto still kills it and slashes
	/// its deposit until `unlock_at`.
	pub withdrawn: bool,
}

impl PendingProposal {
	/// The view of a stored proposal.
	pub fn new<T: Config>(id: ProposalId, proposal: ProposalOf<T>) -> Self {
		Self {
			id,
			proposer: proposal.proposer,
			sponsor: proposal.sponsor,
			group: proposal.group,
			summary: proposal.summary.into_inner(),
			call: proposal.call.into_inner(),
			call_hash: proposal.call_hash,
			deposit: proposal.deposit,
			submitted_at: proposal.submitted_at,
			unlock_at: proposal.unlock_at,
			vetoes: proposal.nullifiers.len() as u32,
			veto_threshold: proposal.veto_threshold,
			withdrawn: proposal.withdrawn_by.is_some(),
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The pending proposals of `group`, in commit order: what [`CommitGateApi::pending`]
	/// returns.
	pub fn pending_of(group: GroupId) -> Vec<(ProposalId, ProposalOf<T>)> {
		Queue::<T>::get()
			.into_iter()
			.filter_map(|(_, id)| Proposals::<T>::get(id).map(|p| (id, p)))
			.filter(|(_, p)| p.group == group)
			.collect()
	}

	/// The commits after the one that made `root`, oldest first: what
	/// [`CommitGateApi::commits_since`] returns. Empty when `root` is the head; `None` when
	/// `root` is neither the head nor among the recent commits (too old, or no root at all),
	/// and the caller must read the state afresh.
	pub fn commits_since(root: Hash) -> Option<Vec<Commit>> {
		let count = CommitCount::<T>::get();
		if root == CommitRoot::<T>::get() {
			return Some(Vec::new());
		}
		let first = count.saturating_sub(u64::from(T::CommitHistory::get()));
		let mut since = Vec::new();
		for index in (first..count).rev() {
			let commit = RecentCommits::<T>::get(index)?;
			if commit.root == root {
				since.reverse();
				return Some(since);
			}
			since.push(commit);
		}
		// The root the oldest kept commit was made on (the zero root before the first commit):
		// every commit since is kept.
		let oldest = since.last()?;
		let next = crate::tick_impls::next_commit_root(
			root,
			oldest.id,
			oldest.group,
			oldest.call_hash,
			oldest.succeeded,
			oldest.block,
		);
		(next == oldest.root).then(|| {
			since.reverse();
			since
		})
	}
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Pending pull requests and the ledger of commits (rule B).
	pub trait CommitGateApi {
		/// The pending proposals of `group`, in commit order.
		fn pending(group: GroupId) -> Vec<PendingProposal>;
		/// One pending proposal.
		fn proposal(id: ProposalId) -> Option<PendingProposal>;
		/// The head of the commit chain and the number of commits.
		fn commit_root() -> (Hash, u64);
		/// The commits after the one whose root is `root`, oldest first (empty when `root` is
		/// the head); `None` when `root` is older than the commits the chain keeps or was never
		/// a root: read the pending proposals and the head afresh. Since version 2.
		#[api_version(2)]
		fn commits_since(root: Hash) -> Option<Vec<Commit>>;
		/// The gate's parameters for new submissions.
		fn parameters() -> Option<GateParameters>;
		/// The purse of `group`: pay into it to fund the group; only the group's committed
		/// proposals spend it.
		fn purse(group: GroupId) -> AccountId;
	}
}
