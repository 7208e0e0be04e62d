//! Withdrawing: the proposer or its sponsor, before the window ends. It stops the call, never
//! the accountability: the proposal stays vetoable and its deposit held until the window ends.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, weights::Weight},
	sp_runtime::Perbill,
};

use super::{committed_result, held, remaining_budget, submit, veto_anonymously};
use crate::{mock::*, CommitCount, Error, Event, PendingCount, Proposals, Queue};

#[test]
fn the_proposer_or_its_sponsor_may_withdraw_before_the_window_ends() {
	ExtBuilder::default().build_and_execute(|| {
		let first = submit(CITIZENS, remark(1));
		let second = submit(TOWN, remark(2));
		let spent = remaining_budget(&bob());
		for stranger in [charlie(), ferdie()] {
			assert_noop!(
				CommitGate::withdraw(RuntimeOrigin::signed(stranger), first),
				Error::<Test>::NotProposerOrSponsor
			);
		}
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(bob()), 9),
			Error::<Test>::UnknownProposal
		);
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(bob()), first));
		System::assert_last_event(
			Event::Withdrawn { id: first, group: CITIZENS, by: bob() }.into(),
		);
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(alice()), first),
			Error::<Test>::AlreadyWithdrawn
		);
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(alice()), second));
		assert_eq!(held(&bob()), 2 * PROPOSAL_DEPOSIT, "deposits held until the windows end");
		assert_eq!(remaining_budget(&bob()), spent, "the budget stays spent");
		assert_eq!(Queue::<Test>::get().len(), 2, "still pending, still counted");
		// When the windows end, the calls do not run and the deposits return.
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(held(&bob()), 0);
		assert!(Queue::<Test>::get().is_empty() && !Proposals::<Test>::contains_key(first));
		assert_eq!(PendingCount::<Test>::get(CITIZENS), 0);
		assert!(gate_events().contains(&Event::Expired {
			id: first,
			group: CITIZENS,
			proposer: bob(),
			released: PROPOSAL_DEPOSIT,
		}));
		assert_eq!(committed_result(first), None);
		assert_eq!(CommitCount::<Test>::get(), 0, "nothing was committed");
		// A proposal that is due but not committed yet can no longer be withdrawn.
		run_to_block(u64::from(EPOCH));
		let committed = submit(CITIZENS, remark(3));
		let due = submit(CITIZENS, remark(4));
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		run_to_block(u64::from(EPOCH + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(committed));
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(bob()), due),
			Error::<Test>::WindowClosed
		);
	});
}

/// Attack: the agent sees `veto(id)` in the pool and front-runs it with `withdraw(id)` (or, with
/// a threshold above one, withdraws after the first `Vetoed` event) to keep its deposit and
/// escape the penalty. The veto still kills, slashes and penalises.
#[test]
fn a_veto_after_a_withdrawal_still_slashes_and_penalises() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let id = submit(CITIZENS, remark(1));
		assert_ok!(veto_anonymously(id, 1));
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(bob()), id));
		let issuance = Balances::total_issuance();
		assert_ok!(veto_anonymously(id, 2));
		assert!(gate_events().contains(&Event::Killed {
			id,
			group: CITIZENS,
			proposer: bob(),
			slashed: PROPOSAL_DEPOSIT,
		}));
		assert_eq!(held(&bob()), 0);
		assert_eq!(Balances::total_issuance(), issuance - PROPOSAL_DEPOSIT);
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::ActionBudget(pallet_action_budget::Event::AgentPenalised { agent, .. })
				if *agent == bob()
		)));
		assert!(Queue::<Test>::get().is_empty());
	});
}

/// Attack: one agent takes every admission of the epoch with throwaway proposals and withdraws
/// them at once, so its deposits return and nobody else's proposal is admitted. Now one person's
/// agents take at most their share, a withdrawal gives neither the admission nor the deposit
/// back, and a second person's agent is admitted in the same epoch.
#[test]
fn one_person_cannot_take_a_groups_whole_attention() {
	ExtBuilder::default().person_share(Perbill::from_percent(50)).build_and_execute(|| {
		let grabbed = submit(CITIZENS, remark(1));
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(bob()), grabbed));
		assert_eq!(held(&bob()), PROPOSAL_DEPOSIT, "the deposit stays at stake");
		// Alice's agents (Bob and Eve) have used her share of the citizens' two admissions.
		for agent in [bob(), eve()] {
			assert_noop!(
				CommitGate::submit(RuntimeOrigin::signed(agent), CITIZENS, remark(2), vec![]),
				Error::<Test>::PersonShareTaken
			);
		}
		// Charlie's agent is admitted, at the second admission's price.
		assert_ok!(ActionBudget::register_agent(RuntimeOrigin::signed(charlie()), ferdie()));
		assert_ok!(CommitGate::submit(
			RuntimeOrigin::signed(ferdie()),
			CITIZENS,
			remark(3),
			b"the town's budget".to_vec()
		));
		assert_eq!(remaining_budget(&ferdie()), 1_000 - 2 * PULL_REQUEST_COST);
	});
}
