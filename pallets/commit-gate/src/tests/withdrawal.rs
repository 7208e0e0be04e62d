//! Withdrawing: the proposer or its sponsor, before the window ends.

use polkadot_sdk::frame_support::{assert_noop, assert_ok, weights::Weight};

use super::{held, remaining_budget, submit};
use crate::{mock::*, Error, Event, Proposals, Queue};

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
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(alice()), second));
		assert_eq!(held(&bob()), 0, "deposits returned");
		assert_eq!(remaining_budget(&bob()), spent, "the budget stays spent");
		assert!(Queue::<Test>::get().is_empty());
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
