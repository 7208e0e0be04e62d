//! Tests of the action-budget pallet in the mock runtime: every call, every error, the epoch
//! rules and the traits, one file per concern. The pure arithmetic has its own unit tests in
//! `epochs.rs` and `allowance.rs`.

mod agents;
mod budgets;
mod delegation;
mod fraud;
mod parameters;
mod persons;
mod runtime_api;

use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		dispatch::{Pays, PostDispatchInfo},
		traits::fungible::InspectHold,
	},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{DispatchError, Perbill},
};
use teo_primitives::{
	traits::{ActionBudget as _, AdmissionControl as _, AdmissionRefusal, AgentInspect as _},
	AccountId, Balance, EpochIndex,
};

use crate::{
	mock::*, Admissions, AgentStatus, Agents, BudgetParameters, Delegations, EpochInfo, HoldReason,
	Offence, ParameterEras, SignedMeshHeader, SponsorPenalties, SponsoredAgents,
};

type Error = crate::Error<Test>;
type Event = crate::Event<Test>;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn register(sponsor: AccountId, agent: AccountId) {
	assert_ok!(ActionBudget::register_agent(signed(sponsor), agent));
}

fn held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::AgentDeposit.into(), who)
}

fn allowance(agent: &AccountId) -> u64 {
	let info = Agents::<Test>::get(agent).unwrap();
	ActionBudget::budget_of(&info, ActionBudget::current_epoch().unwrap()).allowance
}

fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}
