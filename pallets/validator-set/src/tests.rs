//! Each rule of the README's threat table as an attack that must fail, and the hand-over to
//! the session pallet at its boundaries.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, assert_storage_noop},
	frame_system::RawOrigin,
	pallet_grandpa, pallet_session,
	sp_runtime::DispatchError,
};

use crate::{mock::*, Error, Event, Validators};

fn root() -> RuntimeOrigin {
	RawOrigin::Root.into()
}

/// Registers `who`'s session keys from its own account, as its operator would.
fn set_keys(who: u64) {
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), keys(who), ownership_proof(who, who)));
}

fn planned() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

fn session_validators() -> Vec<u64> {
	pallet_session::Validators::<Test>::get()
}

/// The sets handed to the session pallet since the last call.
fn planned_events() -> Vec<(u32, u32)> {
	let events = System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(Event::SetPlanned { session, validators }) => {
				Some((session, validators))
			},
			_ => None,
		})
		.collect();
	System::reset_events();
	events
}

#[test]
fn the_set_starts_as_the_session_pallets_genesis_keys() {
	new_test_ext().execute_with(|| {
		assert_eq!(planned(), vec![1, 2, 3]);
		assert_eq!(session_validators(), vec![1, 2, 3]);
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn only_the_change_origin_changes_the_set_or_recovers_finality() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		// An agent, a validator or anyone else signing directly: refused, nothing changes.
		for who in [1, 4] {
			let signed = || RuntimeOrigin::signed(who);
			assert_noop!(ValidatorSet::add_validator(signed(), 4), DispatchError::BadOrigin);
			assert_noop!(ValidatorSet::remove_validator(signed(), 1), DispatchError::BadOrigin);
			assert_noop!(ValidatorSet::recover_finality(signed(), 2, 1), DispatchError::BadOrigin);
		}
		assert_eq!(planned(), vec![1, 2, 3]);
	});
}

#[test]
fn nobody_registers_keys_it_does_not_hold() {
	new_test_ext().execute_with(|| {
		// Account 5 claims account 4's key (to be added with a node it does not run): a proof
		// made for 4 or signed by 5's own key is refused by the session pallet.
		assert_noop!(
			Session::set_keys(RuntimeOrigin::signed(5), keys(4), ownership_proof(4, 4)),
			pallet_session::Error::<Test>::InvalidProof
		);
		assert_noop!(
			Session::set_keys(RuntimeOrigin::signed(5), keys(4), ownership_proof(5, 5)),
			pallet_session::Error::<Test>::InvalidProof
		);
	});
}

#[test]
fn an_account_without_session_keys_is_not_added() {
	new_test_ext().execute_with(|| {
		// It would be skipped by the session pallet: the proposal would change nothing.
		assert_noop!(ValidatorSet::add_validator(root(), 4), Error::<Test>::NoSessionKeys);
	});
}

#[test]
fn a_validator_is_added_once_and_removed_only_if_present() {
	new_test_ext().execute_with(|| {
		assert_noop!(ValidatorSet::add_validator(root(), 2), Error::<Test>::AlreadyValidator);
		assert_noop!(ValidatorSet::remove_validator(root(), 4), Error::<Test>::NotValidator);
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		System::assert_last_event(Event::ValidatorAdded { who: 4 }.into());
		assert_noop!(ValidatorSet::add_validator(root(), 4), Error::<Test>::AlreadyValidator);
		assert_ok!(ValidatorSet::remove_validator(root(), 4));
		System::assert_last_event(Event::ValidatorRemoved { who: 4 }.into());
		assert_noop!(ValidatorSet::remove_validator(root(), 4), Error::<Test>::NotValidator);
	});
}

#[test]
fn the_set_stays_within_its_bounds() {
	new_test_ext().execute_with(|| {
		for who in 4..=6 {
			set_keys(who);
		}
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_ok!(ValidatorSet::add_validator(root(), 5));
		assert_noop!(ValidatorSet::add_validator(root(), 6), Error::<Test>::TooManyValidators);
		for who in [1, 2, 3] {
			assert_ok!(ValidatorSet::remove_validator(root(), who));
		}
		// Removing the last validators would stop the chain.
		assert_noop!(ValidatorSet::remove_validator(root(), 4), Error::<Test>::TooFewValidators);
		assert_eq!(planned(), vec![4, 5]);
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn an_added_validator_authors_from_the_session_after_next() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		System::reset_events();

		Session::rotate_session(); // session 1 starts; session 2's set is planned
		assert_eq!(session_validators(), vec![1, 2, 3]);
		assert_eq!(planned_events(), vec![(2, 4)]);

		Session::rotate_session(); // session 2
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
		assert_eq!(planned_events(), vec![], "the change is handed over once");
	});
}

#[test]
fn an_unchanged_set_is_never_handed_over_again() {
	new_test_ext().execute_with(|| {
		for _ in 0..4 {
			Session::rotate_session();
		}
		// Handing the same set over would move GRANDPA to a new set id for nothing.
		assert_eq!(planned_events(), vec![]);
		assert!(!pallet_session::QueuedChanged::<Test>::get());
		assert_eq!(session_validators(), vec![1, 2, 3]);
	});
}

#[test]
fn two_changes_in_one_session_are_handed_over_together() {
	new_test_ext().execute_with(|| {
		set_keys(4);
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_ok!(ValidatorSet::remove_validator(root(), 1));
		System::reset_events();
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(session_validators(), vec![2, 3, 4]);
	});
}

#[test]
fn a_removed_validator_stops_authoring_from_the_session_after_next() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(root(), 2));
		Session::rotate_session();
		assert_eq!(session_validators(), vec![1, 2, 3]);
		Session::rotate_session();
		assert_eq!(session_validators(), vec![1, 3]);
		// Its keys stay registered (and their deposit held) until its operator purges them.
		assert!(pallet_session::NextKeys::<Test>::contains_key(2));
	});
}

#[test]
fn a_validator_cannot_purge_its_keys_through_this_pallet_until_removed() {
	new_test_ext().execute_with(|| {
		set_keys(1);
		// Leaving without a proposal: refused while it is in the set.
		assert_noop!(
			ValidatorSet::purge_keys(RuntimeOrigin::signed(1)),
			Error::<Test>::StillValidator
		);
		assert_ok!(ValidatorSet::remove_validator(root(), 1));
		assert_ok!(ValidatorSet::purge_keys(RuntimeOrigin::signed(1)));
		assert!(!pallet_session::NextKeys::<Test>::contains_key(1));
		// The deposit comes back.
		assert_eq!(Balances::reserved_balance(1), 0);
	});
}

#[test]
fn validators_whose_keys_are_gone_never_leave_the_chain_without_validators() {
	new_test_ext().execute_with(|| {
		// The session pallet's own purge, which the runtime forbids: the validator drops out of
		// the sessions, not out of the set the citizens decided.
		set_keys(1);
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(1)));
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(session_validators(), vec![2, 3]);
		assert_eq!(planned(), vec![1, 2, 3], "only the citizens remove a validator");
		System::reset_events();
		for _ in 0..3 {
			Session::rotate_session();
		}
		assert_eq!(planned_events(), vec![], "a keyless validator causes no churn");

		// Removals count the validators with keys: three are listed, but only two (the
		// minimum) can author.
		assert_noop!(ValidatorSet::remove_validator(root(), 3), Error::<Test>::TooFewValidators);

		// Even if every key went, the set handed over is never below the minimum.
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(2)));
		for _ in 0..3 {
			Session::rotate_session();
		}
		assert!(!session_validators().is_empty());

		// An operator registers keys again: back from the session after next.
		set_keys(1);
		set_keys(2);
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(session_validators(), vec![1, 2, 3]);
	});
}

#[test]
fn failed_calls_change_nothing() {
	new_test_ext().execute_with(|| {
		assert_storage_noop!(assert!(ValidatorSet::add_validator(root(), 7).is_err()));
		assert_storage_noop!(assert!(ValidatorSet::remove_validator(root(), 7).is_err()));
		assert_storage_noop!(assert!(ValidatorSet::recover_finality(
			RuntimeOrigin::signed(1),
			2,
			1
		)
		.is_err()));
		assert_storage_noop!(assert!(ValidatorSet::recover_finality(root(), 0, 1).is_err()));
		assert_storage_noop!(assert!(ValidatorSet::purge_keys(RuntimeOrigin::signed(1)).is_err()));
	});
}

#[test]
fn the_change_origin_can_declare_finality_stalled() {
	new_test_ext().execute_with(|| {
		System::set_block_number(50);
		assert_ok!(ValidatorSet::recover_finality(root(), 4, 42));
		assert_eq!(pallet_grandpa::Stalled::<Test>::get(), Some((4, 42)));
		System::assert_last_event(Event::FinalityRecoveryScheduled { delay: 4, base: 42 }.into());
		// A second one before the first is enacted could leave GRANDPA stuck.
		assert_noop!(ValidatorSet::recover_finality(root(), 4, 42), Error::<Test>::RecoveryPending);
		// A change of the set now would be handed over after the forced change, which would go
		// to the old set.
		set_keys(4);
		assert_noop!(ValidatorSet::add_validator(root(), 4), Error::<Test>::RecoveryPending);
		assert_noop!(ValidatorSet::remove_validator(root(), 1), Error::<Test>::RecoveryPending);
	});
}

#[test]
fn a_recovery_never_votes_on_top_of_the_unfinalized_change_of_voters() {
	new_test_ext().execute_with(|| {
		// The missing voter is removed; the session that hands the change over starts at block
		// 30, where GRANDPA is told of it. The stall leaves that change unfinalized.
		assert_ok!(ValidatorSet::remove_validator(root(), 3));
		Session::rotate_session();
		System::set_block_number(30);
		Session::rotate_session();
		assert_eq!(session_validators(), vec![1, 2]);
		assert_eq!(crate::LastVoterChange::<Test>::get(), Some(30));
		// An unchanged rotation records nothing.
		System::set_block_number(35);
		Session::rotate_session();
		assert_eq!(crate::LastVoterChange::<Test>::get(), Some(30));

		// Nodes would refuse a forced change on top of block 30 or later: the base is lowered.
		System::set_block_number(40);
		assert_ok!(ValidatorSet::recover_finality(root(), 2, 38));
		assert_eq!(pallet_grandpa::Stalled::<Test>::get(), Some((2, 29)));
		System::assert_last_event(Event::FinalityRecoveryScheduled { delay: 2, base: 29 }.into());
	});
}

#[test]
fn a_recovery_that_would_freeze_or_misdirect_finality_is_refused() {
	new_test_ext().execute_with(|| {
		System::set_block_number(50);
		// No delay, or one that reaches the next boundary and would block its change.
		for delay in [0, SESSION_LENGTH, u64::MAX] {
			assert_noop!(
				ValidatorSet::recover_finality(root(), delay, 42),
				Error::<Test>::RecoveryDelayOutOfRange
			);
		}
		assert_noop!(
			ValidatorSet::recover_finality(root(), 2, 51),
			Error::<Test>::RecoveryBaseInFuture
		);
		// A forced change cooling down.
		pallet_grandpa::NextForced::<Test>::put(60);
		assert_noop!(ValidatorSet::recover_finality(root(), 2, 42), Error::<Test>::RecoveryPending);
		pallet_grandpa::NextForced::<Test>::kill();
		// The removal of the missing voter is decided but not yet handed over: recovering now
		// would force GRANDPA back onto the old set.
		assert_ok!(ValidatorSet::remove_validator(root(), 3));
		assert_noop!(
			ValidatorSet::recover_finality(root(), 2, 42),
			Error::<Test>::ValidatorChangeInFlight
		);
		Session::rotate_session();
		assert_noop!(
			ValidatorSet::recover_finality(root(), 2, 42),
			Error::<Test>::ValidatorChangeInFlight
		);
		Session::rotate_session();
		assert_eq!(session_validators(), vec![1, 2]);
		assert_ok!(ValidatorSet::recover_finality(root(), 2, 42));
	});
}
