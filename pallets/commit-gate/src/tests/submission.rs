//! Submitting a pull request: what it stores and spends, and everything that refuses one.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, weights::Weight},
	frame_system, pallet_balances,
};

use super::{held, remaining_budget, submit};
use crate::{mock::*, Error, Event, GateParameters, Proposals, Queue};

#[test]
fn submit_stores_the_call_spends_budget_admits_and_holds_the_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		let before = remaining_budget(&bob());
		let call = remark(1);
		assert_ok!(CommitGate::submit(
			RuntimeOrigin::signed(bob()),
			CITIZENS,
			call.clone(),
			"Pave the square".as_bytes().to_vec(),
		));
		let proposal = Proposals::<Test>::get(0).expect("stored");
		assert_eq!(proposal.proposer, bob());
		assert_eq!(proposal.call.to_vec(), codec::Encode::encode(&call));
		assert_eq!(proposal.summary.to_vec(), b"Pave the square".to_vec());
		assert_eq!(proposal.unlock_at, 1 + TIMELOCK);
		assert_eq!(Queue::<Test>::get().to_vec(), vec![(1 + TIMELOCK, 0)]);
		assert_eq!(held(&bob()), PROPOSAL_DEPOSIT);
		assert_eq!(remaining_budget(&bob()), before - PULL_REQUEST_COST);
		assert_eq!(ActionBudget::admissions_left(CITIZENS), 1);
		System::assert_last_event(
			Event::Submitted {
				id: 0,
				group: CITIZENS,
				proposer: bob(),
				call_hash: proposal.call_hash,
				unlock_at: 1 + TIMELOCK,
			}
			.into(),
		);
	});
}

#[test]
fn submit_refuses_what_the_gate_cannot_accept() {
	ExtBuilder::default().build_and_execute(|| {
		let bob = || RuntimeOrigin::signed(bob());
		let why = || b"why".to_vec();
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(ferdie()), CITIZENS, remark(1), why()),
			Error::<Test>::NotAgent
		);
		assert_noop!(CommitGate::submit(bob(), 7, remark(1), why()), Error::<Test>::NoVetoers);
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, remark(1), vec![b'a'; 65]),
			Error::<Test>::SummaryTooLong
		);
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, remark(1), vec![0xff, 0xfe]),
			Error::<Test>::SummaryNotUtf8
		);
		let large =
			Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 300] }));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, large, why()),
			Error::<Test>::CallTooLarge
		);
		let transfer =
			Box::new(RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: ferdie(),
				value: 1,
			}));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, transfer.clone(), why()),
			Error::<Test>::ForbiddenCall
		);
		// The filter looks inside batches.
		let smuggled = Box::new(RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch {
			calls: vec![*remark(1), *transfer],
		}));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, smuggled, why()),
			Error::<Test>::ForbiddenCall
		);
		// Eve is an agent with too little money for the deposit.
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(eve()), CITIZENS, remark(1), why()),
			Error::<Test>::InsufficientBalance
		);
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, remark(1), why()),
			Error::<Test>::CallTooHeavy
		);
	});
}

#[test]
fn batches_nested_too_deep_are_forbidden() {
	ExtBuilder::default().build_and_execute(|| {
		let mut call = *remark(1);
		for _ in 0..crate::MAX_BATCH_DEPTH {
			call = RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
				calls: vec![call],
			});
		}
		assert_ok!(CommitGate::submit(
			RuntimeOrigin::signed(bob()),
			CITIZENS,
			Box::new(call.clone()),
			b"deep".to_vec()
		));
		let deeper = RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
			calls: vec![call],
		});
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, Box::new(deeper), vec![]),
			Error::<Test>::ForbiddenCall
		);
	});
}

#[test]
fn submit_fails_unconfigured() {
	ExtBuilder::default().unconfigured().build_and_execute(|| {
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, remark(1), vec![]),
			Error::<Test>::NotConfigured
		);
	});
}

/// Attack: a proposal carries `batch` or `force_batch`, whose failing calls are skipped while
/// the batch succeeds, so a half-failed proposal counts as a success and its deposit returns.
/// Only `batch_all` (all or nothing) may be proposed.
#[test]
fn only_all_or_nothing_batches_may_be_proposed() {
	ExtBuilder::default().build_and_execute(|| {
		use polkadot_sdk::pallet_utility::Call as Utility;
		for half_failing in [
			Utility::batch { calls: vec![*remark(1)] },
			Utility::force_batch { calls: vec![*remark(1)] },
		] {
			assert_noop!(
				CommitGate::submit(
					RuntimeOrigin::signed(bob()),
					CITIZENS,
					Box::new(RuntimeCall::Utility(half_failing)),
					vec![]
				),
				Error::<Test>::ForbiddenCall
			);
		}
		submit(
			CITIZENS,
			Box::new(RuntimeCall::Utility(Utility::batch_all { calls: vec![*remark(1)] })),
		);
	});
}

#[test]
fn the_cap_and_the_rising_price_refuse_loudly() {
	ExtBuilder::default().build_and_execute(|| {
		submit(CITIZENS, remark(1));
		submit(CITIZENS, remark(2));
		// Two admissions per group and epoch.
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, remark(3), vec![]),
			Error::<Test>::AdmissionsExhausted
		);
		// 1 000 units: 300 and 600 spent; the town's first admission costs 300 more.
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), TOWN, remark(4), vec![]),
			Error::<Test>::InsufficientBudget
		);
		// Next epoch: a fresh budget and fresh admissions.
		run_to_block(u64::from(EPOCH));
		submit(TOWN, remark(5));
	});
}

/// Attack: spam in small groups fills the queue and starves the citizens' group, the one that
/// governs the protocol. Each group has its own share of the queue, and the others together
/// always leave the citizens' share free.
#[test]
fn small_groups_cannot_fill_the_citizens_places_in_the_queue() {
	let long = GateParameters { timelock: 100, constitutional_timelock: 100, ..gate_parameters() };
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(CommitGate::set_parameters(RuntimeOrigin::root(), long));
		// Mock: 6 places, 3 per group; the other groups share 6 - 3 = 3.
		submit(TOWN, remark(1));
		submit(GUILD, remark(2));
		run_to_block(u64::from(EPOCH));
		submit(TOWN, remark(3));
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), GUILD, remark(4), vec![]),
			Error::<Test>::TooManyPending
		);
		// The citizens still have their three places, and no more.
		submit(CITIZENS, remark(5));
		run_to_block(u64::from(2 * EPOCH));
		submit(CITIZENS, remark(6));
		submit(CITIZENS, remark(7));
		run_to_block(u64::from(3 * EPOCH));
		assert_eq!(crate::PendingCount::<Test>::get(CITIZENS), 3);
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, remark(8), vec![]),
			Error::<Test>::TooManyPending
		);
	});
}
#[test]
fn admissions_taken_elsewhere_count_against_the_cap() {
	ExtBuilder::default().build_and_execute(|| {
		use teo_primitives::traits::AdmissionControl;
		assert_ok!(<ActionBudget as AdmissionControl<_>>::admit(&eve(), TOWN));
		assert_ok!(<ActionBudget as AdmissionControl<_>>::admit(&eve(), TOWN));
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), TOWN, remark(1), vec![]),
			Error::<Test>::AdmissionsExhausted
		);
	});
}
