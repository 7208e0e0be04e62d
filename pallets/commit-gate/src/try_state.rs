//! The gate's invariants, checked by `try_state` under try-runtime and after every test.

use alloc::collections::btree_map::BTreeMap;
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::InspectHold},
	sp_io::hashing::blake2_256,
	sp_runtime::TryRuntimeError,
};
use teo_primitives::{traits::AdmissionControl, AccountId, Balance, EpochIndex, GroupId, Hash};

use crate::{
	tick_impls::next_commit_root, CommitCount, CommitRoot, Config, HoldReason, NextProposalId,
	Pallet, Parameters, PendingCount, Proposals, Queue, RecentCommits, Settings,
};
use polkadot_sdk::frame_support::traits::Get;

impl<T: Config> Pallet<T> {
	/// The pallet's invariants.
	///
	/// # Invariants
	/// - the parameters lie within the chain's constitution, and every group's own veto
	///   threshold within the gate's range;
	/// - the queue is strictly sorted, and holds exactly the stored proposals, each with its
	///   unlock block and a timelock;
	/// - each group's pending count matches the queue and stays within its share;
	/// - no pending proposal has reached its veto threshold;
	/// - every call hash matches its call;
	/// - the deposits held match the pending proposals (withdrawn ones included);
	/// - no group has more pending proposals of an epoch than it admitted then;
	/// - the recent commits are a contiguous tail of the commit chain within
	///   [`Config::CommitHistory`], each chained to the one before it, the last one's root the
	///   head.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		if let Some(parameters) = Parameters::<T>::get() {
			ensure!(
				Self::validate_parameters(&parameters).is_ok(),
				"the parameters cross the constitution"
			);
		}
		ensure!(
			Settings::<T>::iter_values()
				.all(|s| (1..=T::MaxVetoThreshold::get()).contains(&s.veto_threshold)),
			"a group's veto threshold is out of range"
		);
		let queue = Queue::<T>::get();
		ensure!(
			queue.windows(2).all(|pair| pair[0] < pair[1]),
			"the queue is not strictly sorted by (unlock_at, id)"
		);
		ensure!(
			Proposals::<T>::iter_keys().count() == queue.len(),
			"pending proposals and the queue differ in number"
		);
		let next = NextProposalId::<T>::get();
		let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
		let mut admitted: BTreeMap<(GroupId, EpochIndex), u32> = BTreeMap::new();
		let mut per_group: BTreeMap<GroupId, u32> = BTreeMap::new();
		for (unlock_at, id) in queue.iter() {
			let proposal = Proposals::<T>::get(id).ok_or("a queued proposal is not stored")?;
			ensure!(*id < next, "a proposal id not issued yet");
			ensure!(proposal.unlock_at == *unlock_at, "the queue's unlock block is wrong");
			ensure!(proposal.unlock_at > proposal.submitted_at, "a proposal without a timelock");
			ensure!(
				(1..=T::MaxVetoThreshold::get()).contains(&proposal.veto_threshold),
				"a pending proposal's veto threshold is out of range"
			);
			ensure!(
				(proposal.nullifiers.len() as u32) < proposal.veto_threshold,
				"a pending proposal has reached its veto threshold"
			);
			ensure!(
				proposal.call_hash == Hash::from(blake2_256(&proposal.call)),
				"a call hash does not match its call"
			);
			*deposits.entry(proposal.proposer.clone()).or_default() += proposal.deposit;
			*admitted.entry((proposal.group, proposal.epoch)).or_default() += 1;
			*per_group.entry(proposal.group).or_default() += 1;
		}
		ensure!(
			PendingCount::<T>::iter().all(|(group, count)| per_group.get(&group) == Some(&count)),
			"a group's pending count differs from the queue"
		);
		for (group, count) in &per_group {
			ensure!(
				PendingCount::<T>::get(group) == *count,
				"a group's pending count differs from the queue"
			);
			ensure!(*count <= T::MaxPendingPerGroup::get(), "a group exceeds its pending share");
		}
		for (proposer, deposit) in deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::ProposalDeposit.into(), &proposer);
			ensure!(held == deposit, "held deposits differ from pending proposals");
		}
		for ((group, epoch), pending) in admitted {
			let (latest, count) = T::Budget::admitted(group);
			ensure!(epoch <= latest, "a proposal admitted in an epoch the cap never saw");
			ensure!(
				epoch < latest || pending <= count,
				"more proposals pending than admitted in their epoch"
			);
		}
		Self::try_recent_commits()
	}

	/// The recent commits' invariants (see [`Pallet::do_try_state`]): a contiguous tail of the
	/// commit chain, at most [`Config::CommitHistory`] long (empty on a chain whose commits
	/// predate the history), each chained to the one before it, the last one's root the head.
	/// Lowering `CommitHistory` needs a migration that deletes the surplus: this fails without.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	fn try_recent_commits() -> Result<(), TryRuntimeError> {
		let count = CommitCount::<T>::get();
		let kept = RecentCommits::<T>::iter_keys().count() as u64;
		ensure!(
			kept <= u64::from(T::CommitHistory::get()) && kept <= count,
			"more recent commits are kept than the history holds"
		);
		let mut previous = None;
		for index in count - kept..count {
			let commit = RecentCommits::<T>::get(index).ok_or("the recent commits have a gap")?;
			ensure!(commit.index == index, "a recent commit is stored under another index");
			if let Some(previous) = previous {
				let root = next_commit_root(
					previous,
					commit.id,
					commit.group,
					commit.call_hash,
					commit.succeeded,
					commit.block,
				);
				ensure!(commit.root == root, "a recent commit does not chain to the one before");
			}
			previous = Some(commit.root);
		}
		ensure!(
			previous.is_none_or(|root| root == CommitRoot::<T>::get()),
			"the latest commit's root is not the head"
		);
		Ok(())
	}
}
