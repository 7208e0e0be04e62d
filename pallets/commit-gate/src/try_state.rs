//! The gate's invariants, checked by `try_state` under try-runtime and after every test.

use alloc::collections::btree_map::BTreeMap;
use polkadot_sdk::{
	frame_support::{ensure, traits::fungible::InspectHold},
	sp_io::hashing::blake2_256,
	sp_runtime::TryRuntimeError,
};
use teo_primitives::{traits::AdmissionControl, AccountId, Balance, EpochIndex, GroupId, Hash};

use crate::{
	Config, HoldReason, NextProposalId, Pallet, Parameters, PendingCount, Proposals, Queue,
	Settings,
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
	/// - no group has more pending proposals of an epoch than it admitted then.
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
				(proposal.vetoers.len() as u32) < proposal.veto_threshold,
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
		Ok(())
	}
}
