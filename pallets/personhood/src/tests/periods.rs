//! Verification periods: lapsing, cleanup of past records, new lengths.

use super::*;

#[test]
fn verification_lapses_with_the_period_and_old_records_are_cleaned() {
	ExtBuilder::default().build_and_execute(|| {
		let (alice, bob) = (account(Alice), account(Bob));
		let (root, nullifier, proof) = prove(1, &alice, CITIZENS);
		assert_ok!(Personhood::verify(signed(&alice), CITIZENS, root, nullifier, proof));
		let (root, nullifier, proof) = prove(2, &bob, CITIZENS);
		assert_ok!(Personhood::verify(signed(&bob), CITIZENS, root, nullifier, proof));
		assert_eq!(Personhood::verified_count(CITIZENS), 2);

		run_to_block(PERIOD - 1);
		assert!(Personhood::is_verified(&alice, CITIZENS));
		run_to_block(PERIOD);
		System::assert_has_event(
			Event::PeriodStarted { index: 1, start: PERIOD, length: PERIOD }.into(),
		);
		assert!(!Personhood::is_verified(&alice, CITIZENS));
		assert!(!Personhood::is_human(&alice));
		assert_eq!(Personhood::verified_count(CITIZENS), 0);
		// The hooks of that block cleaned the finished period (8 items per block at most).
		run_to_block(PERIOD + 1);
		assert_eq!(Verified::<Test>::iter().count(), 0);
		assert_eq!(Nullifiers::<Test>::iter().count(), 0);
		assert_eq!(VerifiedCount::<Test>::iter().count(), 0);
		assert_eq!(OldestUncleanedPeriod::<Test>::get(), 1);

		// A new period, a new scope: Alice re-verifies with a new nullifier.
		let (root, new_nullifier, proof) = prove(1, &alice, CITIZENS);
		assert_ne!(new_nullifier, nullifier);
		assert_ok!(Personhood::verify(signed(&alice), CITIZENS, root, new_nullifier, proof));
		assert_eq!(Personhood::verified_until(&alice, CITIZENS), Some(2 * PERIOD - 1));
	});
}

#[test]
fn a_new_period_length_applies_from_the_next_period() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Personhood::set_verification_period(signed(&account(Alice)), 10),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Personhood::set_verification_period(root(), 0),
			Error::<Test>::InvalidPeriodLength
		);
		// Attack: a one-block period lets one person verify a fresh account every block. The
		// mock's constitution wants at least two blocks.
		assert_noop!(
			Personhood::set_verification_period(root(), 1),
			Error::<Test>::Unconstitutional
		);
		assert_ok!(Personhood::set_verification_period(root(), 10));
		System::assert_last_event(Event::PeriodLengthScheduled { length: 10 }.into());
		assert_eq!(CurrentPeriod::<Test>::get().length, PERIOD);
		run_to_block(PERIOD);
		assert_eq!(
			CurrentPeriod::<Test>::get(),
			PeriodInfo { index: 1, start: PERIOD, length: 10 }
		);
		run_to_block(PERIOD + 10);
		assert_eq!(CurrentPeriod::<Test>::get().index, 2);
	});
}
