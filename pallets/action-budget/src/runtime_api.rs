//! The runtime API through which `teo-mesh` and clients (polkadot.js: `api.call.actionBudgetApi`)
//! read budgets without decoding storage.

use codec::{Decode, Encode};
use scale_info::TypeInfo;
use teo_primitives::{
	mesh::{BudgetUnits, CostSchedule},
	AccountId, EpochIndex, GroupId,
};

use crate::{AgentInfo, EpochInfo};

/// An agent's budget as the mesh checks messages against it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct AgentBudget {
	/// The current epoch.
	pub epoch: EpochIndex,
	/// Units the agent may spend in it, on the mesh and on chain together.
	pub allowance: BudgetUnits,
	/// Units spent on chain in it; the mesh may use `allowance - spent_on_chain`.
	pub spent_on_chain: BudgetUnits,
	/// The allowance the next epoch will have if nothing changes before it starts.
	pub next_allowance: BudgetUnits,
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Budgets, epochs, prices and admissions of rule A.
	pub trait ActionBudgetApi {
		/// The record of `agent`: sponsor, deposit, status, delegators, penalty.
		fn agent(agent: AccountId) -> Option<AgentInfo>;
		/// The budget of `agent` in the current epoch, if it is registered.
		fn budget(agent: AccountId) -> Option<AgentBudget>;
		/// The current epoch: index, first and last block.
		fn epoch() -> Option<EpochInfo>;
		/// What each action costs in the current epoch.
		fn cost_schedule() -> Option<CostSchedule>;
		/// Pull requests `group` can still admit in the current epoch.
		fn admissions_left(group: GroupId) -> u32;
		/// What the next pull request admitted into `group` costs in the current epoch: the
		/// price rises with each admission of the epoch.
		fn admission_price(group: GroupId) -> Option<BudgetUnits>;
		/// Pull requests `agent` could still have admitted into `group` in the current epoch:
		/// what the group's cap and the share of the agent's sponsor leave (0 for an agent that
		/// cannot act).
		fn admissions_left_for(agent: AccountId, group: GroupId) -> u32;
	}
}
