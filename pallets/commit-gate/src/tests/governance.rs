//! The gate's parameters: set by the admin origin, which the citizens' Committed origin is,
//! never shortening a pending wait.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

use super::{committed_result, submit};
use crate::{mock::*, Error, Event, GateParameters, Parameters, Proposals};

#[test]
fn the_committed_origin_changes_the_gates_parameters_but_never_shortens_a_pending_wait() {
	ExtBuilder::default().build_and_execute(|| {
		let shorter = GateParameters { timelock: 2, ..gate_parameters() };
		let change = submit(
			CITIZENS,
			Box::new(RuntimeCall::CommitGate(crate::Call::set_parameters { parameters: shorter })),
		);
		run_to_block(2);
		let waiting = submit(CITIZENS, remark(1));
		assert_eq!(Proposals::<Test>::get(change).unwrap().unlock_at, 1 + TIMELOCK);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(change), Some(Ok(())));
		assert_eq!(Parameters::<Test>::get(), Some(shorter));
		// The proposal submitted under the old timelock keeps it.
		assert_eq!(Proposals::<Test>::get(waiting).unwrap().unlock_at, 2 + TIMELOCK);
		run_to_block(u64::from(1 + TIMELOCK) + 1);
		assert_eq!(committed_result(waiting), Some(Ok(())));
	});
}

#[test]
fn another_groups_committed_origin_is_not_the_citizens() {
	ExtBuilder::default().build_and_execute(|| {
		let change = GateParameters { timelock: 2, ..gate_parameters() };
		let id = submit(
			TOWN,
			Box::new(RuntimeCall::CommitGate(crate::Call::set_parameters { parameters: change })),
		);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(Parameters::<Test>::get(), Some(gate_parameters()));
	});
}

#[test]
fn a_batch_runs_every_call_with_the_committed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let shorter = GateParameters { timelock: 3, ..gate_parameters() };
		let batch = Box::new(RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
			calls: vec![
				*remark(1),
				RuntimeCall::CommitGate(crate::Call::set_parameters { parameters: shorter }),
			],
		}));
		let id = submit(CITIZENS, batch);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), Some(Ok(())));
		assert_eq!(Parameters::<Test>::get(), Some(shorter));
	});
}

#[test]
fn set_parameters_checks_origin_and_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let signed = RuntimeOrigin::signed(alice());
		assert_noop!(
			CommitGate::set_parameters(signed, gate_parameters()),
			DispatchError::BadOrigin
		);
		for invalid in [
			GateParameters { timelock: 1, ..gate_parameters() },
			GateParameters { veto_threshold: 0, ..gate_parameters() },
			GateParameters { veto_threshold: 4, ..gate_parameters() },
		] {
			assert_noop!(
				CommitGate::set_parameters(RuntimeOrigin::root(), invalid),
				Error::<Test>::InvalidParameters
			);
		}
		let valid = GateParameters { timelock: 2, veto_threshold: 3, proposal_deposit: 0 };
		assert_ok!(CommitGate::set_parameters(RuntimeOrigin::root(), valid));
		System::assert_last_event(Event::ParametersSet { parameters: valid }.into());
	});
}
