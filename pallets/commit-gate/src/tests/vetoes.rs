//! Vetoes: who may veto, once per person and period, until the window ends; the threshold kills.

use polkadot_sdk::frame_support::{assert_noop, assert_ok, weights::Weight};

use super::{committed_result, held, submit};
use crate::{mock::*, CommitCount, Error, Event, Proposals, Queue};

#[test]
fn a_veto_kills_slashes_and_penalises() {
	ExtBuilder::default().build_and_execute(|| {
		let id = submit(CITIZENS, remark(1));
		let issuance = Balances::total_issuance();
		let next_epoch_allowance = ActionBudget::agent_budget(&bob()).unwrap().next_allowance;
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		assert!(!Proposals::<Test>::contains_key(id), "the call is deleted");
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(held(&bob()), 0);
		assert_eq!(Balances::total_issuance(), issuance - PROPOSAL_DEPOSIT, "slashed and burnt");
		assert!(gate_events().contains(&Event::Killed {
			id,
			group: CITIZENS,
			proposer: bob(),
			slashed: PROPOSAL_DEPOSIT,
		}));
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::ActionBudget(pallet_action_budget::Event::AgentPenalised { agent, .. })
				if *agent == bob()
		)));
		let penalised = ActionBudget::agent_budget(&bob()).unwrap().next_allowance;
		assert!(penalised < next_epoch_allowance, "the agent's allowance is lower");
		// Nothing runs at the unlock block.
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), None);
		assert_eq!(CommitCount::<Test>::get(), 0);
	});
}

#[test]
fn only_verified_members_of_the_group_veto_once_each_within_the_window() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let id = submit(TOWN, remark(1));
		for outsider in [alice(), bob(), ferdie()] {
			assert_noop!(
				CommitGate::veto(RuntimeOrigin::signed(outsider), id),
				Error::<Test>::NotVerifiedMember
			);
		}
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(charlie()), 9),
			Error::<Test>::UnknownProposal
		);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		System::assert_last_event(
			Event::Vetoed { id, group: TOWN, vetoer: charlie(), tally: 1, threshold: 2 }.into(),
		);
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(charlie()), id),
			Error::<Test>::AlreadyVetoed
		);
		assert_eq!(Proposals::<Test>::get(id).unwrap().vetoes, 1);
		// The window ends at unlock: with no room to commit it in the hook, it is due, and a
		// veto comes too late.
		let other = submit(CITIZENS, remark(2));
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(Proposals::<Test>::contains_key(other), "the hook committed only the first");
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(dave()), other),
			Error::<Test>::WindowClosed
		);
	});
}

#[test]
fn a_new_verification_period_starts_a_new_tally() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		People::verify(&charlie(), TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		// The period ends at block 3; from block 4 on, people verify again, possibly with new
		// accounts, so the tally of the old period no longer counts.
		run_to_block(4);
		People::verify(&charlie(), TOWN, 100);
		People::verify(&dave(), TOWN, 100);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		let proposal = Proposals::<Test>::get(id).expect("one veto in the new period");
		assert_eq!((proposal.vetoes, proposal.vetoers.len()), (2, 1));
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(dave()), id));
		assert!(!Proposals::<Test>::contains_key(id));
	});
}
