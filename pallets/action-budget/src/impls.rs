//! What other pallets ask of the action budget, through the traits of `teo_primitives::traits`:
//! the commit gate spends, penalises and slashes through [`ActionBudget`] and takes admissions
//! through [`AdmissionControl`]; personhood asks [`AgentInspect`].

use polkadot_sdk::{
	frame_support::{
		ensure,
		traits::{DefensiveOption, DefensiveResult, OnUnbalanced},
	},
	sp_runtime::{traits::Saturating, DispatchError, DispatchResult, Perbill},
};
use teo_primitives::{
	mesh::BudgetUnits,
	traits::{ActionBudget, AdmissionControl, AgentInspect},
	AccountId, Balance, EpochIndex, GroupId,
};

use crate::{
	AdmissionCount, Admissions, Agents, Config, Error, Event, Pallet, ParameterEras, LOG_TARGET,
};

impl<T: Config> ActionBudget<AccountId> for Pallet<T> {
	fn is_active_agent(agent: &AccountId) -> bool {
		Agents::<T>::get(agent).is_some_and(|info| info.is_active())
	}

	fn sponsor_of(agent: &AccountId) -> Option<AccountId> {
		Agents::<T>::get(agent).map(|info| info.sponsor)
	}

	fn pull_request_cost() -> Result<BudgetUnits, DispatchError> {
		Ok(Self::parameters_for(Self::current_epoch()?)?.costs.pull_request)
	}

	fn ensure_can_spend(agent: &AccountId, units: BudgetUnits) -> DispatchResult {
		let info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(info.is_active(), Error::<T>::AgentNotActive);
		let budget = Self::budget_of(&info, Self::current_epoch()?);
		ensure!(units <= budget.remaining(), Error::<T>::InsufficientBudget);
		Ok(())
	}

	fn spend(agent: &AccountId, units: BudgetUnits) -> DispatchResult {
		Self::ensure_can_spend(agent, units)?;
		let epoch = Self::current_epoch()?;
		let mut info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		Self::fix_budgets(&mut info, epoch);
		// The current epoch's budget was fixed just above.
		let remaining =
			info.spend_fixed(epoch, units).defensive_ok_or(Error::<T>::InsufficientBudget)?;
		Agents::<T>::insert(agent, info);
		Self::deposit_event(Event::BudgetSpent { agent: agent.clone(), epoch, units, remaining });
		Ok(())
	}

	fn penalise(agent: &AccountId) {
		let (Some(mut info), Ok(epoch)) = (Agents::<T>::get(agent), Self::current_epoch()) else {
			log::debug!(target: LOG_TARGET, "no agent {agent:?} to penalise");
			return;
		};
		// The current epoch has parameters, those of the era it belongs to.
		let Some(params) = Self::parameters_for(epoch).defensive_ok() else { return };
		let until_epoch = info.penalise(epoch, params.penalty_epochs, &ParameterEras::<T>::get());
		Agents::<T>::insert(agent, info);
		Self::deposit_event(Event::AgentPenalised { agent: agent.clone(), until_epoch });
	}

	fn slash_deposit(agent: &AccountId, fraction: Perbill) -> Balance {
		let Some(mut info) = Agents::<T>::get(agent) else { return 0 };
		let (amount, _) = Self::slash(&mut info, fraction, |credit| {
			T::Slash::on_unbalanced(credit);
			0
		});
		Agents::<T>::insert(agent, info);
		Self::deposit_event(Event::DepositSlashed { agent: agent.clone(), amount });
		amount
	}
}

impl<T: Config> AdmissionControl for Pallet<T> {
	fn admissions_left(group: GroupId) -> u32 {
		let Ok(epoch) = Self::current_epoch() else { return 0 };
		// The current epoch has parameters, those of the era it belongs to.
		let Some(params) = Self::parameters_for(epoch).defensive_ok() else { return 0 };
		let count = Admissions::<T>::get(group);
		let admitted = if count.epoch == epoch { count.admitted } else { 0 };
		params.max_admissions_per_epoch.saturating_sub(admitted)
	}

	fn admit(group: GroupId) -> Result<EpochIndex, DispatchError> {
		ensure!(Self::admissions_left(group) > 0, Error::<T>::AdmissionsExhausted);
		let epoch = Self::current_epoch()?;
		let admitted = Admissions::<T>::mutate(group, |count| {
			if count.epoch != epoch {
				*count = AdmissionCount { epoch, admitted: 0 };
			}
			count.admitted.saturating_inc();
			count.admitted
		});
		Self::deposit_event(Event::PullRequestAdmitted { group, epoch, admitted });
		Ok(epoch)
	}

	fn admitted(group: GroupId) -> (EpochIndex, u32) {
		let count = Admissions::<T>::get(group);
		(count.epoch, count.admitted)
	}
}

impl<T: Config> AgentInspect<AccountId> for Pallet<T> {
	fn is_agent(who: &AccountId) -> bool {
		Agents::<T>::contains_key(who)
	}
}
