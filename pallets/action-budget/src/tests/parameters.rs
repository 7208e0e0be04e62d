//! Parameters: who sets them, which are refused, and from when they apply.

use super::*;

#[test]
fn only_the_admin_origin_sets_parameters() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			ActionBudget::set_parameters(signed(alice()), parameters()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn inconsistent_parameters_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let broken = [
			BudgetParameters { epoch_length: 0, ..parameters() },
			BudgetParameters { base_allowance: 2_000, max_allowance: 1_000, ..parameters() },
			BudgetParameters { unbonding_epochs: 1, ..parameters() },
		];
		for p in broken {
			assert_noop!(
				ActionBudget::set_parameters(RuntimeOrigin::root(), p),
				Error::InvalidParameters
			);
		}
		let mut free_pull_requests = parameters();
		free_pull_requests.costs.pull_request = 0;
		assert_noop!(
			ActionBudget::set_parameters(RuntimeOrigin::root(), free_pull_requests),
			Error::InvalidParameters
		);
	});
}

/// Attack: one committed proposal zeroes the human bandwidth, prices pull requests beyond any
/// allowance, or makes fraud free, and then blocks the proposal that would undo it. The
/// constitution refuses each, whoever asks (root included).
#[test]
fn parameters_outside_the_constitution_are_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let mut unreachable_admissions = parameters();
		// Three admissions: the last one would cost 3 × 500 = 1 500 > the 1 250 maximum.
		unreachable_admissions.costs.pull_request = 500;
		let unconstitutional = [
			BudgetParameters { max_admissions_per_epoch: 0, ..parameters() },
			BudgetParameters { max_admissions_per_epoch: 65, ..parameters() },
			unreachable_admissions,
			BudgetParameters { fraud_slash: Perbill::zero(), ..parameters() },
			BudgetParameters { reporter_share: Perbill::from_percent(90), ..parameters() },
			BudgetParameters { penalty_epochs: 0, ..parameters() },
			BudgetParameters { person_admission_share: Perbill::zero(), ..parameters() },
			BudgetParameters { agent_deposit: 0, ..parameters() },
			BudgetParameters { epoch_length: 1, ..parameters() },
			// Agents that cannot pay a single pull request: governance silenced for good.
			BudgetParameters { base_allowance: 99, ..parameters() },
			// A penalty that costs nothing, a deposit locked for ever.
			BudgetParameters { penalty_allowance: Perbill::one(), ..parameters() },
			BudgetParameters { unbonding_epochs: 20_000, ..parameters() },
		];
		for p in unconstitutional {
			assert_noop!(
				ActionBudget::set_parameters(RuntimeOrigin::root(), p.clone()),
				Error::Unconstitutional
			);
		}
		// The edge itself is constitutional: the last admission costs exactly the maximum.
		let mut at_the_edge = parameters();
		at_the_edge.costs.pull_request = 400;
		at_the_edge.max_allowance = 1_200;
		assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), at_the_edge));
	});
}

#[test]
fn new_parameters_apply_from_the_next_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		run_to_block(13);
		let richer = BudgetParameters { base_allowance: 1_200, ..parameters() };
		assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), richer));
		System::assert_last_event(
			Event::ParametersScheduled { first_epoch: 2, first_block: 20 }.into(),
		);
		assert_eq!(allowance(&eve()), 1_000);
		run_to_epoch(2);
		assert_eq!(allowance(&eve()), 1_200);
	});
}

#[test]
fn a_new_epoch_length_continues_the_numbering() {
	ExtBuilder::default().build_and_execute(|| {
		run_to_block(25);
		let longer = BudgetParameters { epoch_length: 100, ..parameters() };
		assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), longer));
		// Epoch 2 (blocks 20..=29) runs its course; epoch 3 starts at 30 and lasts 100.
		assert_eq!(ActionBudget::current_epoch().ok(), Some(2));
		assert_eq!(
			ActionBudget::epoch_info(3),
			Some(EpochInfo { index: 3, first_block: 30, last_block: 129 })
		);
		run_to_block(129);
		assert_eq!(ActionBudget::current_epoch().ok(), Some(3));
		run_to_block(130);
		assert_eq!(ActionBudget::current_epoch().ok(), Some(4));
		// The history keeps what the previous and current epochs need, and no more.
		run_to_block(300);
		assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), parameters()));
		assert!(ParameterEras::<Test>::get().len() <= 3);
	});
}

#[test]
fn rescheduling_within_an_epoch_replaces_the_pending_set() {
	ExtBuilder::default().build_and_execute(|| {
		let a = BudgetParameters { base_allowance: 1_100, ..parameters() };
		let b = BudgetParameters { base_allowance: 1_200, ..parameters() };
		assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), a));
		assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), b));
		let eras = ParameterEras::<Test>::get();
		assert_eq!(eras.len(), 2);
		assert_eq!(eras[1].parameters.base_allowance, 1_200);
		assert_eq!(ActionBudget::parameters_for(1).unwrap().base_allowance, 1_200);
	});
}
