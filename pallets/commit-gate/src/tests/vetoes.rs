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

/// Attack: members of a small group stay away when a new verification period starts, so that a
/// proposal submitted with a threshold of all of them can never gather enough vetoes. The
/// threshold is counted again at each veto, against the members verified then.
#[test]
fn members_who_do_not_verify_again_cannot_make_a_proposal_unvetoable() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		People::verify(&charlie(), TOWN, 3);
		People::verify(&dave(), TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_eq!(Proposals::<Test>::get(id).unwrap().veto_threshold, 2);
		run_to_block(4);
		// Only Charlie verifies again: the town has one member, and one veto is enough.
		People::verify(&charlie(), TOWN, 100);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		assert!(!Proposals::<Test>::contains_key(id));
		assert!(gate_events().contains(&Event::Vetoed {
			id,
			group: TOWN,
			vetoer: charlie(),
			tally: 1,
			threshold: 1
		}));
	});
}

/// Attack: the sponsor deregisters the agent as soon as it submits and releases its deposit
/// before the veto lands, so the penalty finds no agent; or the freed account is registered by
/// someone else, who would be penalised instead. The proposal remembers its sponsor, and the veto
/// penalises that person.
#[test]
fn a_veto_penalises_the_sponsor_at_submission_even_after_the_agent_is_gone() {
	use crate::GateParameters;
	let long = GateParameters { timelock: 100, constitutional_timelock: 100, ..gate_parameters() };
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(CommitGate::set_parameters(RuntimeOrigin::root(), long));
		let id = submit(CITIZENS, remark(1));
		assert_eq!(Proposals::<Test>::get(id).unwrap().sponsor, alice());
		assert_ok!(ActionBudget::deregister_agent(RuntimeOrigin::signed(alice()), bob()));
		run_to_block(u64::from(4 * EPOCH));
		assert_ok!(ActionBudget::release_deposit(RuntimeOrigin::signed(ferdie()), bob()));
		assert!(pallet_action_budget::Agents::<Test>::get(bob()).is_none());
		// Dave sponsors the freed account now; the old proposal is still Alice's doing.
		assert_ok!(ActionBudget::register_agent(RuntimeOrigin::signed(dave()), bob()));
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(dave()), id),
			Error::<Test>::NotProposerOrSponsor
		);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		assert!(pallet_action_budget::SponsorPenalties::<Test>::get(alice()).is_some());
		assert!(pallet_action_budget::SponsorPenalties::<Test>::get(dave()).is_none());
		assert_eq!(pallet_action_budget::Agents::<Test>::get(bob()).unwrap().penalised_until, 0);
		// Eve, Alice's other agent, carries her person's penalty.
		assert!(pallet_action_budget::Agents::<Test>::get(eve()).unwrap().penalised_until > 0);
	});
}

/// Attack: one proposal sets a veto threshold above the number of members a group has, so
/// that group can never veto again. A proposal never needs more vetoes than its group has
/// verified members.
#[test]
fn a_threshold_never_exceeds_the_groups_members() {
	ExtBuilder::default().veto_threshold(3).build_and_execute(|| {
		// The town has two verified members (Charlie and Dave); the citizens three.
		let town = submit(TOWN, remark(1));
		let citizens = submit(CITIZENS, remark(2));
		assert_eq!(Proposals::<Test>::get(town).unwrap().veto_threshold, 2);
		assert_eq!(Proposals::<Test>::get(citizens).unwrap().veto_threshold, 3);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), town));
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(dave()), town));
		assert!(!Proposals::<Test>::contains_key(town), "killed by every member it has");
	});
}
