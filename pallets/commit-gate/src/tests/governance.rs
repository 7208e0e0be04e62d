//! The gate's parameters and the constitution: set by the admin origin, which the citizens'
//! Committed origin is; a change of the rules waits the constitutional timelock, never shortens
//! a pending wait, and can never cross the constitution.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

use super::{committed_result, submit};
use crate::{mock::*, Error, Event, GateParameters, Parameters, Proposals};

fn set_gate(parameters: GateParameters) -> Box<RuntimeCall> {
	Box::new(RuntimeCall::CommitGate(crate::Call::set_parameters { parameters }))
}

fn shorter() -> GateParameters {
	GateParameters { timelock: 2, constitutional_timelock: 4, ..gate_parameters() }
}

#[test]
fn the_committed_origin_changes_the_gates_parameters_but_never_shortens_a_pending_wait() {
	ExtBuilder::default().build_and_execute(|| {
		let change = submit(CITIZENS, set_gate(shorter()));
		// A change of the rules waits the constitutional timelock.
		assert_eq!(Proposals::<Test>::get(change).unwrap().unlock_at, 1 + CONSTITUTIONAL_TIMELOCK);
		run_to_block(u64::from(CONSTITUTIONAL_TIMELOCK));
		let waiting = submit(CITIZENS, remark(1));
		run_to_block(u64::from(1 + CONSTITUTIONAL_TIMELOCK));
		assert_eq!(committed_result(change), Some(Ok(())));
		assert_eq!(Parameters::<Test>::get(), Some(shorter()));
		// The proposal submitted under the old timelock keeps it.
		let unlock_at = CONSTITUTIONAL_TIMELOCK + TIMELOCK;
		assert_eq!(Proposals::<Test>::get(waiting).unwrap().unlock_at, unlock_at);
		run_to_block(u64::from(unlock_at));
		assert_eq!(committed_result(waiting), Some(Ok(())));
	});
}

/// Attack: an agent proposes a change of the protocol for a tiny group whose few members
/// would not veto it. The powers of the protocol belong to the citizens' group.
#[test]
fn another_group_cannot_propose_what_only_the_citizens_may() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), TOWN, set_gate(shorter()), vec![]),
			Error::<Test>::WrongGroup
		);
		assert_eq!(Parameters::<Test>::get(), Some(gate_parameters()));
	});
}

#[test]
fn a_batch_runs_every_call_with_the_committed_origin_and_waits_for_its_strictest_call() {
	ExtBuilder::default().build_and_execute(|| {
		let batch = Box::new(RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
			calls: vec![*remark(1), *set_gate(shorter())],
		}));
		let id = submit(CITIZENS, batch);
		assert_eq!(Proposals::<Test>::get(id).unwrap().unlock_at, 1 + CONSTITUTIONAL_TIMELOCK);
		run_to_block(u64::from(1 + CONSTITUTIONAL_TIMELOCK));
		assert_eq!(committed_result(id), Some(Ok(())));
		assert_eq!(Parameters::<Test>::get(), Some(shorter()));
	});
}

#[test]
fn set_parameters_checks_origin_consistency_and_the_constitution() {
	ExtBuilder::default().build_and_execute(|| {
		let signed = RuntimeOrigin::signed(alice());
		assert_noop!(
			CommitGate::set_parameters(signed, gate_parameters()),
			DispatchError::BadOrigin
		);
		for inconsistent in [
			GateParameters { veto_threshold: 0, ..gate_parameters() },
			GateParameters { veto_threshold: 4, ..gate_parameters() },
			GateParameters { constitutional_timelock: TIMELOCK - 1, ..gate_parameters() },
		] {
			assert_noop!(
				CommitGate::set_parameters(RuntimeOrigin::root(), inconsistent),
				Error::<Test>::InvalidParameters
			);
		}
		// The mock's constitution: timelock 2..=100, constitutional 4..=200, deposit 1..=10^6.
		for unconstitutional in [
			GateParameters { timelock: 1, ..gate_parameters() },
			GateParameters { timelock: 101, constitutional_timelock: 150, ..gate_parameters() },
			GateParameters { constitutional_timelock: 201, ..gate_parameters() },
			GateParameters { proposal_deposit: 0, ..gate_parameters() },
			GateParameters { proposal_deposit: 1_000_001, ..gate_parameters() },
		] {
			assert_noop!(
				CommitGate::set_parameters(RuntimeOrigin::root(), unconstitutional),
				Error::<Test>::Unconstitutional
			);
		}
		let valid = GateParameters {
			timelock: 2,
			constitutional_timelock: 4,
			veto_threshold: 3,
			proposal_deposit: 1,
		};
		assert_ok!(CommitGate::set_parameters(RuntimeOrigin::root(), valid));
		System::assert_last_event(Event::ParametersSet { parameters: valid }.into());
	});
}

/// Attack: one proposal that survives one window sets a one-block timelock, zero admissions or
/// an unpayable price, and then blocks the proposal that would undo it. Refused at submission,
/// before it takes an admission or a deposit.
#[test]
fn a_rule_breaking_parameter_proposal_is_refused_at_submission() {
	ExtBuilder::default().build_and_execute(|| {
		let one_block = GateParameters { timelock: 1, ..gate_parameters() };
		let no_bandwidth = pallet_action_budget::BudgetParameters {
			max_admissions_per_epoch: 0,
			..budget_parameters()
		};
		for breaking in [
			set_gate(one_block),
			Box::new(RuntimeCall::ActionBudget(pallet_action_budget::Call::set_parameters {
				parameters: no_bandwidth,
			})),
		] {
			assert_noop!(
				CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, breaking, vec![]),
				Error::<Test>::Unconstitutional
			);
		}
	});
}
