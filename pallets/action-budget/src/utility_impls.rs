//! Read-only queries: the epoch and parameters in force, an agent's budget, and what the runtime
//! API answers. The arithmetic is in `epochs.rs` and `allowance.rs`; these read its inputs from
//! storage.

use polkadot_sdk::frame_support::{ensure, traits::Get};
use teo_pallet_support::now;
use teo_primitives::{mesh::CostSchedule, AccountId, EpochIndex};

use crate::{
	epochs, runtime_api::AgentBudget, AgentInfo, Agents, BudgetParameters, Config, EpochBudget,
	EpochInfo, Error, Pallet, ParameterEras,
};

impl<T: Config> Pallet<T> {
	/// The epoch of the current block.
	pub fn current_epoch() -> Result<EpochIndex, Error<T>> {
		epochs::epoch_at(&ParameterEras::<T>::get(), now::<T>()).ok_or(Error::<T>::NotConfigured)
	}

	/// Where epoch `e` lies.
	pub fn epoch_info(e: EpochIndex) -> Option<EpochInfo> {
		epochs::epoch_info(&ParameterEras::<T>::get(), e)
	}

	/// The parameters that govern epoch `e`.
	pub fn parameters_for(e: EpochIndex) -> Result<BudgetParameters, Error<T>> {
		epochs::era_of_epoch(&ParameterEras::<T>::get(), e)
			.map(|era| era.parameters.clone())
			.ok_or(Error::<T>::NotConfigured)
	}

	/// Checks a parameter set: consistent in itself, and within the chain's constitution.
	pub fn validate_parameters(p: &BudgetParameters) -> Result<(), Error<T>> {
		ensure!(p.is_valid(), Error::<T>::InvalidParameters);
		ensure!(p.is_constitutional(&T::Constitution::get()), Error::<T>::Unconstitutional);
		Ok(())
	}

	/// The budget of `info` in epoch `e`: the one fixed in storage, or else the one its current
	/// state gives (no change happened in `e` yet, or it would be fixed).
	pub fn budget_of(info: &AgentInfo, e: EpochIndex) -> EpochBudget {
		info.budget_in(e, &ParameterEras::<T>::get())
	}

	/// Fixes the budgets of the previous and current epoch before the agent changes, so that a
	/// change within an epoch affects only the epochs after it.
	pub(crate) fn fix_budgets(info: &mut AgentInfo, epoch: EpochIndex) {
		info.fix_budgets(epoch, &ParameterEras::<T>::get());
	}

	/// `agent`'s budget in the current epoch and its projected allowance for the next (for the
	/// runtime API).
	pub fn agent_budget(agent: &AccountId) -> Option<AgentBudget> {
		let info = Agents::<T>::get(agent)?;
		let epoch = Self::current_epoch().ok()?;
		let eras = ParameterEras::<T>::get();
		let budget = info.budget_in(epoch, &eras);
		Some(AgentBudget {
			epoch,
			allowance: budget.allowance,
			spent_on_chain: budget.spent_on_chain,
			next_allowance: info.allowance_in(epoch.saturating_add(1), &eras),
		})
	}

	/// The current epoch (for the runtime API).
	pub fn current_epoch_info() -> Option<EpochInfo> {
		Self::epoch_info(Self::current_epoch().ok()?)
	}

	/// The cost schedule of the current epoch (for the runtime API).
	pub fn current_costs() -> Option<CostSchedule> {
		Self::parameters_for(Self::current_epoch().ok()?).ok().map(|p| p.costs)
	}
}
