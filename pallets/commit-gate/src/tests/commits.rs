//! Committing: the block hook in queue order within its budget, `enact`, and failing calls.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, weights::Weight},
	sp_core::H256,
	sp_runtime::DispatchError,
};

use super::{committed_result, held, submit};
use crate::{
	mock::*, CommitCount, CommitRoot, Error, Event, Proposals, Queue, RecentCommits, VoidReason,
};

#[test]
fn a_due_proposal_is_committed_by_the_block_hook_with_the_committed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let id = submit(CITIZENS, remark(1));
		let root_before = CommitRoot::<Test>::get();
		run_to_block(u64::from(TIMELOCK));
		assert!(Proposals::<Test>::contains_key(id), "still locked one block before unlock");
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(id));
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(committed_result(id), Some(Ok(())));
		assert_eq!(held(&bob()), 0, "the deposit returned");
		assert_ne!(CommitRoot::<Test>::get(), root_before);
		assert_eq!(CommitCount::<Test>::get(), 1);
	});
}

#[test]
fn commits_run_in_order_within_the_block_budget_and_none_is_dropped() {
	ExtBuilder::default().build_and_execute(|| {
		let committed_ids = || -> Vec<u32> {
			gate_events()
				.into_iter()
				.filter_map(|e| match e {
					Event::Committed { id, .. } => Some(id),
					_ => None,
				})
				.collect()
		};
		submit(CITIZENS, remark(0));
		submit(TOWN, remark(1));
		run_to_block(u64::from(EPOCH));
		assert_eq!(committed_ids(), vec![0, 1], "both due in one block, committed in id order");
		// Epoch 1's two proposals are due in the same block, but only one fits per block.
		submit(CITIZENS, remark(2));
		submit(TOWN, remark(3));
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		System::reset_events();
		run_to_block(u64::from(EPOCH + TIMELOCK));
		assert_eq!(committed_ids(), vec![2]);
		assert_eq!(Queue::<Test>::get().len(), 1, "the second waits for the next block");
		run_to_block(u64::from(EPOCH + TIMELOCK) + 1);
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(committed_ids(), vec![2, 3]);
		assert_eq!(CommitCount::<Test>::get(), 4);
	});
}

#[test]
fn anyone_may_enact_a_due_proposal() {
	ExtBuilder::default().build_and_execute(|| {
		let first = submit(CITIZENS, remark(1));
		let second = submit(CITIZENS, remark(2));
		assert_noop!(
			CommitGate::enact(RuntimeOrigin::signed(ferdie()), first),
			Error::<Test>::StillLocked
		);
		assert_noop!(
			CommitGate::enact(RuntimeOrigin::signed(ferdie()), 9),
			Error::<Test>::UnknownProposal
		);
		// Only one commit fits per block: the hook takes the first, anyone pushes the second.
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(first));
		assert!(Proposals::<Test>::contains_key(second));
		assert_ok!(CommitGate::enact(RuntimeOrigin::signed(ferdie()), second));
		assert_eq!(committed_result(second), Some(Ok(())));
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(CommitCount::<Test>::get(), 2);
	});
}

#[test]
fn a_failing_call_is_committed_as_failed_and_its_deposit_slashed() {
	ExtBuilder::default().build_and_execute(|| {
		// The action budget's admin is root only in this mock: the Committed origin fails.
		let call =
			Box::new(RuntimeCall::ActionBudget(pallet_action_budget::Call::set_parameters {
				parameters: budget_parameters(),
			}));
		let id = submit(CITIZENS, call);
		let issuance = Balances::total_issuance();
		let root = CommitRoot::<Test>::get();
		run_to_block(u64::from(1 + CONSTITUTIONAL_TIMELOCK));
		assert_eq!(committed_result(id), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(Balances::total_issuance(), issuance - PROPOSAL_DEPOSIT);
		assert_ne!(CommitRoot::<Test>::get(), root, "failures are on the commit chain too");
		assert_eq!(CommitCount::<Test>::get(), 1);
	});
}

/// Attack (or accident): a runtime upgrade renumbers calls or forbids one while a proposal
/// waits, so the stored bytes would run as something nobody reviewed. The call does not run;
/// the deposit returns, since the proposer did nothing wrong.
#[test]
fn a_call_that_a_runtime_upgrade_changed_or_forbade_is_voided() {
	for (upgrade, reason) in [
		(Box::new(|| TransactionVersion::set(&2)) as Box<dyn Fn()>, VoidReason::RuntimeChanged),
		(Box::new(|| RemarksAllowed::set(&false)), VoidReason::NoLongerAllowed),
	] {
		ExtBuilder::default().build_and_execute(|| {
			let id = submit(CITIZENS, remark(1));
			let call_hash = Proposals::<Test>::get(id).unwrap().call_hash;
			upgrade();
			run_to_block(u64::from(1 + TIMELOCK));
			assert!(gate_events().contains(&Event::Voided {
				id,
				group: CITIZENS,
				call_hash,
				reason
			}));
			assert_eq!(held(&bob()), 0, "the deposit returned");
			assert_eq!(CommitCount::<Test>::get(), 0, "nothing ran");
			assert!(!Proposals::<Test>::contains_key(id));
		});
	}
}

/// Rule C: an agent catches up with the ground truth from the chain's recent commits instead
/// of scanning blocks for events. Every root on the kept tail names the commits after it, in
/// order; a forgotten root, or one that never was, names none (the agent reads the state
/// afresh), so the chain keeps a bounded tail however many commits there were.
#[test]
fn the_recent_commits_name_what_followed_a_root_and_stay_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		let head = || CommitRoot::<Test>::get();
		let mut after_two = H256::zero();
		assert_eq!(CommitGate::commits_since(head()), Some(vec![]), "nothing since genesis");
		for epoch in 1..=3u32 {
			submit(CITIZENS, remark(epoch as u8));
			submit(TOWN, remark(epoch as u8));
			run_to_block(u64::from(epoch * EPOCH));
			if epoch == 1 {
				let both =
					CommitGate::commits_since(H256::zero()).expect("the whole chain is kept");
				assert_eq!(both.iter().map(|c| c.id).collect::<Vec<_>>(), vec![0, 1]);
				assert_eq!(both[1].root, head());
				after_two = head();
			}
		}
		assert_eq!(CommitCount::<Test>::get(), 6);
		// The mock keeps four: commits 2 to 5.
		assert_eq!(RecentCommits::<Test>::iter_keys().count(), 4);
		let tail: Vec<_> = (2..6).map(|i| RecentCommits::<Test>::get(i).unwrap()).collect();
		assert_eq!(tail.iter().map(|c| c.index).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
		assert_eq!(CommitGate::commits_since(tail[0].root), Some(tail[1..].to_vec()));
		// The root the oldest kept commit was made on still names everything since.
		assert_eq!(CommitGate::commits_since(after_two), Some(tail.clone()));
		assert_eq!(CommitGate::commits_since(tail[2].root), Some(tail[3..].to_vec()));
		assert_eq!(CommitGate::commits_since(head()), Some(vec![]));
		assert_eq!(CommitGate::commits_since(H256::zero()), None, "genesis is too far back");
		assert_eq!(CommitGate::commits_since(H256::repeat_byte(7)), None, "never a root");
	});
}
