//! Liquid delegation: delegating, withdrawing, lapsing and pruning.

use super::*;

#[test]
fn delegation_raises_the_allowance_from_the_next_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_eq!(allowance(&eve()), 1_000);

		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		System::assert_last_event(
			Event::Delegated { delegator: charlie(), agent: eve(), verified_until: FOREVER }.into(),
		);
		assert_eq!(Delegations::<Test>::get(charlie()).unwrap().agent, eve());
		// The epoch's allowance is fixed; the delegation counts from the next one.
		assert_eq!(allowance(&eve()), 1_000);
		run_to_epoch(1);
		assert_eq!(allowance(&eve()), 1_100);
	});
}

#[test]
fn undelegation_lowers_the_allowance_from_the_next_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		assert_ok!(ActionBudget::delegate(signed(dave()), eve()));
		run_to_epoch(1);
		assert_eq!(allowance(&eve()), 1_200);

		assert_ok!(ActionBudget::undelegate(signed(charlie())));
		System::assert_last_event(Event::Undelegated { delegator: charlie(), agent: eve() }.into());
		assert!(Delegations::<Test>::get(charlie()).is_none());
		assert_eq!(allowance(&eve()), 1_200);
		run_to_epoch(2);
		assert_eq!(allowance(&eve()), 1_100);
	});
}

#[test]
fn the_allowance_is_capped() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		for citizen in [alice(), bob(), charlie(), dave()] {
			assert_ok!(ActionBudget::delegate(signed(citizen), eve()));
		}
		run_to_epoch(1);
		// 1,000 + 4 × 100 = 1,400, capped at 1,250.
		assert_eq!(allowance(&eve()), 1_250);
	});
}

#[test]
fn a_citizen_delegates_to_one_agent_at_a_time() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		register(bob(), ferdie());
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		assert_ok!(ActionBudget::delegate(signed(charlie()), ferdie()));
		assert_eq!(
			budget_events()[budget_events().len() - 2..],
			[
				Event::Undelegated { delegator: charlie(), agent: eve() },
				Event::Delegated { delegator: charlie(), agent: ferdie(), verified_until: FOREVER },
			]
		);
		run_to_epoch(1);
		assert_eq!(allowance(&eve()), 1_000);
		assert_eq!(allowance(&ferdie()), 1_100);
	});
}

#[test]
fn delegating_again_renews_without_double_counting() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		People::verify(&charlie(), CITIZENS, 50);
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		// Charlie proves personhood again for a later period and renews.
		People::verify(&charlie(), CITIZENS, 500);
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		assert_eq!(Agents::<Test>::get(eve()).unwrap().delegation_records(), 1);
		run_to_epoch(6);
		assert_eq!(allowance(&eve()), 1_100, "the renewed delegation outlives the first");
	});
}

#[test]
fn delegation_errors() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(ActionBudget::delegate(signed(charlie()), eve()), Error::UnknownAgent);
		register(alice(), eve());
		assert_noop!(ActionBudget::delegate(signed(reporter()), eve()), Error::NotVerifiedCitizen);
		assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
		assert_noop!(ActionBudget::delegate(signed(charlie()), eve()), Error::AgentNotActive);
		assert_noop!(ActionBudget::undelegate(signed(charlie())), Error::NotDelegating);
	});
}

#[test]
fn distinct_verification_ends_are_bounded() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		let citizens: Vec<_> = (0..5u8)
			.map(|i| {
				let who = AccountId::new([100 + i; 32]);
				People::verify(&who, CITIZENS, 100 + u32::from(i));
				who
			})
			.collect();
		for who in &citizens[..4] {
			assert_ok!(ActionBudget::delegate(signed(who.clone()), eve()));
		}
		assert_noop!(
			ActionBudget::delegate(signed(citizens[4].clone()), eve()),
			Error::TooManyDelegatorBuckets
		);
		// Once the earliest verification has lapsed its bucket makes room.
		run_to_block(101);
		assert_ok!(ActionBudget::delegate(signed(citizens[4].clone()), eve()));
	});
}

#[test]
fn a_lapsed_delegator_stops_counting_from_the_next_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		// Charlie's verification ends in the middle of epoch 1 (blocks 10..=19).
		People::verify(&charlie(), CITIZENS, 15);
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		run_to_epoch(1);
		assert_eq!(allowance(&eve()), 1_100);
		run_to_block(16);
		assert_eq!(allowance(&eve()), 1_100, "epoch 1 keeps the allowance it started with");
		run_to_epoch(2);
		assert_eq!(allowance(&eve()), 1_000, "no pruning needed for the lapse to count");

		// Anyone may clear the lapsed record.
		assert_ok!(ActionBudget::prune_delegation(signed(reporter()), charlie()));
		System::assert_last_event(
			Event::DelegationPruned { delegator: charlie(), agent: eve() }.into(),
		);
		assert!(Delegations::<Test>::get(charlie()).is_none());
		assert_eq!(Agents::<Test>::get(eve()).unwrap().delegation_records(), 0);
	});
}

#[test]
fn only_lapsed_delegations_are_pruned() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_noop!(
			ActionBudget::prune_delegation(signed(reporter()), charlie()),
			Error::NotDelegating
		);
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		assert_noop!(
			ActionBudget::prune_delegation(signed(reporter()), charlie()),
			Error::DelegationNotLapsed
		);
	});
}

#[test]
fn a_lapsed_human_can_still_undelegate() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		People::verify(&charlie(), CITIZENS, 5);
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		run_to_block(6);
		assert_ok!(ActionBudget::undelegate(signed(charlie())));
	});
}

#[test]
fn old_delegations_do_not_count_for_a_new_registration() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
		run_to_epoch(3);
		assert_ok!(ActionBudget::release_deposit(signed(alice()), eve()));
		register(bob(), eve());
		assert_ok!(ActionBudget::delegate(signed(dave()), eve()));
		// Charlie's stale record must not remove Dave's count.
		assert_ok!(ActionBudget::undelegate(signed(charlie())));
		assert_eq!(Agents::<Test>::get(eve()).unwrap().delegation_records(), 1);
		run_to_epoch(4);
		assert_eq!(allowance(&eve()), 1_100);
	});
}
