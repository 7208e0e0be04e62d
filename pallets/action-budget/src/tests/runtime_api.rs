//! What the runtime API answers.

use super::*;
use crate::runtime_api::AgentBudget;

#[test]
fn the_api_shows_the_current_budget_and_the_next_allowance() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(ActionBudget::agent_budget(&eve()).is_none());
		register(alice(), eve());
		assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
		assert_ok!(ActionBudget::spend(&eve(), 100));
		assert_eq!(
			ActionBudget::agent_budget(&eve()),
			Some(AgentBudget {
				epoch: 0,
				allowance: 1_000,
				spent_on_chain: 100,
				next_allowance: 1_100
			})
		);
		assert_eq!(
			ActionBudget::current_epoch_info(),
			Some(EpochInfo { index: 0, first_block: 0, last_block: 9 })
		);
		assert_eq!(ActionBudget::current_costs().map(|c| c.pull_request), Some(100));
	});
}

#[test]
fn an_unconfigured_chain_answers_nothing() {
	ExtBuilder::default().unconfigured().build_and_execute(|| {
		assert_eq!(ActionBudget::current_epoch_info(), None);
		assert_eq!(ActionBudget::current_costs(), None);
		assert_eq!(ActionBudget::admissions_left(CITIZENS), 0);
	});
}
