//! The gate's behaviour, by concern: every call, every error, the hook, the Committed origin,
//! the pool's check and the weights the calls and the hook report.

mod commits;
mod governance;
mod groups;
mod invariants;
mod pool;
mod refunds;
mod submission;
mod vetoes;
mod withdrawal;

use polkadot_sdk::frame_support::{assert_ok, traits::fungible::InspectHold};

use crate::{mock::*, Event, HoldReason};

fn submit(group: u32, call: Box<RuntimeCall>) -> u32 {
	let id = crate::NextProposalId::<Test>::get();
	assert_ok!(CommitGate::submit(RuntimeOrigin::signed(bob()), group, call, b"why".to_vec()));
	id
}

fn held(who: &polkadot_sdk::sp_runtime::AccountId32) -> u128 {
	Balances::balance_on_hold(&RuntimeHoldReason::CommitGate(HoldReason::ProposalDeposit), who)
}

fn remaining_budget(agent: &polkadot_sdk::sp_runtime::AccountId32) -> u64 {
	let budget = ActionBudget::agent_budget(agent).expect("a registered agent");
	budget.allowance - budget.spent_on_chain
}

fn committed_result(id: u32) -> Option<polkadot_sdk::sp_runtime::DispatchResult> {
	gate_events().into_iter().find_map(|e| match e {
		Event::Committed { id: committed, result, .. } if committed == id => Some(result),
		_ => None,
	})
}
