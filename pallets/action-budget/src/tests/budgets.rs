//! On-chain spending, penalties, slashing on request and admissions.

use super::*;

#[test]
fn on_chain_spending_draws_on_the_epoch_budget() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_ok!(ActionBudget::spend(&eve(), 600));
		System::assert_last_event(
			Event::BudgetSpent { agent: eve(), epoch: 0, units: 600, remaining: 400 }.into(),
		);
		assert_ok!(ActionBudget::ensure_can_spend(&eve(), 400));
		assert_noop!(ActionBudget::spend(&eve(), 401), Error::InsufficientBudget);
		// Unused units do not roll over; the next epoch starts afresh.
		run_to_epoch(1);
		assert_ok!(ActionBudget::ensure_can_spend(&eve(), 1_000));
		assert_noop!(ActionBudget::ensure_can_spend(&eve(), 1_001), Error::InsufficientBudget);
	});
}

#[test]
fn only_active_agents_spend() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(ActionBudget::spend(&eve(), 1), Error::UnknownAgent);
	});
}

#[test]
fn a_penalty_reduces_the_allowance_for_a_while() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		ActionBudget::penalise(&eve(), &alice());
		System::assert_last_event(Event::AgentPenalised { agent: eve(), until_epoch: 6 }.into());
		assert_eq!(allowance(&eve()), 1_000, "the current epoch is fixed");
		run_to_epoch(1);
		assert_eq!(allowance(&eve()), 100);
		run_to_epoch(5);
		assert_eq!(allowance(&eve()), 100);
		run_to_epoch(6);
		assert_eq!(allowance(&eve()), 1_000);
	});
}

#[test]
fn another_pallet_can_slash_part_of_the_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_eq!(ActionBudget::slash_deposit(&eve(), Perbill::from_percent(30)), 300);
		System::assert_last_event(Event::DepositSlashed { agent: eve(), amount: 300 }.into());
		assert_eq!(held(&alice()), 700);
		assert_eq!(Agents::<Test>::get(eve()).unwrap().deposit, 700);
	});
}

#[test]
fn admissions_are_capped_per_group_and_epoch() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		register(bob(), ferdie());
		assert_eq!(ActionBudget::admissions_left(CITIZENS), 3);
		for n in 1..=3 {
			let agent = if n == 2 { ferdie() } else { eve() };
			assert_ok!(ActionBudget::admit(&agent, CITIZENS));
			let price = 100 * u64::from(n);
			System::assert_last_event(
				Event::PullRequestAdmitted { group: CITIZENS, epoch: 0, admitted: n, agent, price }
					.into(),
			);
		}
		assert_eq!(ActionBudget::admissions_left(CITIZENS), 0);
		assert_eq!(ActionBudget::admit(&ferdie(), CITIZENS), Err(AdmissionRefusal::Exhausted));
		// Other groups have their own cap; the next epoch starts afresh.
		assert_ok!(ActionBudget::admit(&ferdie(), 1));
		run_to_epoch(1);
		assert_eq!(ActionBudget::admissions_left(CITIZENS), 3);
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
	});
}
