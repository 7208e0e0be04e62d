//! What other pallets ask of the action budget, through the traits of `teo_primitives::traits`:
//! the commit gate spends, penalises and slashes through [`ActionBudget`] and takes admissions
//! through [`AdmissionControl`]; personhood asks [`AgentInspect`].

use polkadot_sdk::{
	frame_support::{
		ensure,
		traits::{Defensive, DefensiveOption, DefensiveResult, Get, OnUnbalanced},
	},
	sp_runtime::{DispatchError, DispatchResult, Perbill},
};
use teo_primitives::{
	mesh::BudgetUnits,
	traits::{
		ActionBudget, AdmissionControl, AdmissionQuote, AdmissionRefusal, AgentInspect,
		PersonhoodInspect,
	},
	AccountId, Balance, EpochIndex, GroupId,
};

use crate::{
	admissions, AdmissionCount, Admissions, AgentInfo, Agents, Config, Error, Event, Pallet,
	ParameterEras, SponsorPenalties, SponsoredAgents, LOG_TARGET,
};

impl<T: Config> ActionBudget<AccountId> for Pallet<T> {
	fn is_active_agent(agent: &AccountId) -> bool {
		Self::ensure_acting(agent).is_ok()
	}

	fn sponsor_of(agent: &AccountId) -> Option<AccountId> {
		Agents::<T>::get(agent).map(|info| info.sponsor)
	}

	fn ensure_can_spend(agent: &AccountId, units: BudgetUnits) -> DispatchResult {
		let info = Self::ensure_acting(agent)?;
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

	fn penalise(agent: &AccountId, sponsor: &AccountId) {
		let Ok(epoch) = Self::current_epoch() else {
			log::debug!(target: LOG_TARGET, "no epoch to penalise {agent:?}'s sponsor in");
			return;
		};
		// The current epoch has parameters, those of the era it belongs to.
		let Some(params) = Self::parameters_for(epoch).defensive_ok() else { return };
		Self::penalise_person(sponsor, epoch, params.penalty_epochs);
	}

	fn slash_deposit(agent: &AccountId, fraction: Perbill) -> Balance {
		let Some(mut info) = Agents::<T>::get(agent) else { return 0 };
		let amount = fraction.mul_floor(info.deposit);
		let (amount, _) = Self::slash(&mut info, amount, |credit| {
			T::Slash::on_unbalanced(credit);
			0
		});
		Agents::<T>::insert(agent, info);
		Self::deposit_event(Event::DepositSlashed { agent: agent.clone(), amount });
		amount
	}
}

impl<T: Config> AdmissionControl<AccountId> for Pallet<T> {
	fn quote(agent: &AccountId, group: GroupId) -> Result<AdmissionQuote, AdmissionRefusal> {
		Self::quote_admission(agent, group).map(|(quote, _)| quote)
	}

	fn admit(agent: &AccountId, group: GroupId) -> Result<AdmissionQuote, AdmissionRefusal> {
		let (quote, mut count) = Self::quote_admission(agent, group)?;
		let sponsor = Agents::<T>::get(agent).ok_or(AdmissionRefusal::NotAgent)?.sponsor;
		// The quote checked the person's quota, which is at most the group's cap, which is at
		// most the record's bound.
		count.record(&sponsor).defensive_map_err(|()| AdmissionRefusal::Exhausted)?;
		Self::spend(agent, quote.price).map_err(|_| AdmissionRefusal::InsufficientBudget)?;
		let admitted = count.admitted;
		Admissions::<T>::insert(group, count);
		Self::deposit_event(Event::PullRequestAdmitted {
			group,
			epoch: quote.epoch,
			admitted,
			agent: agent.clone(),
			price: quote.price,
		});
		Ok(quote)
	}

	fn admitted(group: GroupId) -> (EpochIndex, u32) {
		let count = Admissions::<T>::get(group);
		(count.epoch, count.admitted)
	}
}

impl<T: Config> Pallet<T> {
	/// The agent's record, if it may act now: registered, active, and sponsored by a citizen
	/// who is still verified.
	pub(crate) fn ensure_acting(agent: &AccountId) -> Result<AgentInfo, DispatchError> {
		let info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(info.is_active(), Error::<T>::AgentNotActive);
		ensure!(
			T::Personhood::is_verified(&info.sponsor, T::CitizensGroup::get()),
			Error::<T>::SponsorLapsed
		);
		Ok(info)
	}

	/// Pull requests `group` can still admit in the current epoch (for the runtime API).
	pub fn admissions_left(group: GroupId) -> u32 {
		let Ok(epoch) = Self::current_epoch() else { return 0 };
		let Ok(params) = Self::parameters_for(epoch) else { return 0 };
		params
			.max_admissions_per_epoch
			.saturating_sub(Admissions::<T>::get(group).in_epoch(epoch).admitted)
	}

	/// Pull requests `agent` could still have admitted into `group` in the current epoch, by the
	/// group's cap and its sponsor's share, leaving the price aside (for the runtime API).
	pub fn admissions_left_for(agent: &AccountId, group: GroupId) -> u32 {
		let (Ok(epoch), Ok(info)) = (Self::current_epoch(), Self::ensure_acting(agent)) else {
			return 0;
		};
		let Ok(params) = Self::parameters_for(epoch) else { return 0 };
		let count = Admissions::<T>::get(group).in_epoch(epoch);
		let quota = admissions::person_quota(
			params.person_admission_share,
			params.max_admissions_per_epoch,
		);
		params
			.max_admissions_per_epoch
			.saturating_sub(count.admitted)
			.min(quota.saturating_sub(count.taken_by(&info.sponsor)))
	}

	/// What the next admission into `group` costs in the current epoch (for the runtime API).
	pub fn admission_price(group: GroupId) -> Option<BudgetUnits> {
		let epoch = Self::current_epoch().ok()?;
		let params = Self::parameters_for(epoch).ok()?;
		let admitted = Admissions::<T>::get(group).in_epoch(epoch).admitted;
		Some(admissions::price(params.costs.pull_request, admitted))
	}

	/// The quote for admitting a pull request of `agent` into `group`, and the group's record
	/// of the current epoch, ready to count it.
	fn quote_admission(
		agent: &AccountId,
		group: GroupId,
	) -> Result<(AdmissionQuote, AdmissionCount), AdmissionRefusal> {
		let epoch = Self::current_epoch().map_err(|_| AdmissionRefusal::NotConfigured)?;
		let params = Self::parameters_for(epoch).map_err(|_| AdmissionRefusal::NotConfigured)?;
		let info = Self::ensure_acting(agent).map_err(|_| AdmissionRefusal::NotAgent)?;
		let count = Admissions::<T>::get(group).in_epoch(epoch);
		ensure!(count.admitted < params.max_admissions_per_epoch, AdmissionRefusal::Exhausted);
		let quota = admissions::person_quota(
			params.person_admission_share,
			params.max_admissions_per_epoch,
		);
		ensure!(count.taken_by(&info.sponsor) < quota, AdmissionRefusal::PersonShareTaken);
		let price = admissions::price(params.costs.pull_request, count.admitted);
		ensure!(
			price <= Self::budget_of(&info, epoch).remaining(),
			AdmissionRefusal::InsufficientBudget
		);
		Ok((AdmissionQuote { epoch, price }, count))
	}

	/// Puts every agent of `sponsor` under penalty for `penalty_epochs` epochs after `current`,
	/// and records the penalty for the agents the sponsor registers before it ends: a penalty
	/// binds the person, not the account that offended. Returns the first epoch after it.
	pub(crate) fn penalise_person(
		sponsor: &AccountId,
		current: EpochIndex,
		penalty_epochs: EpochIndex,
	) -> EpochIndex {
		let eras = ParameterEras::<T>::get();
		let mut until_epoch = current.saturating_add(1).saturating_add(penalty_epochs);
		for agent in SponsoredAgents::<T>::get(sponsor) {
			let Some(mut info) = Agents::<T>::get(&agent).defensive() else { continue };
			let until = info.penalise(current, penalty_epochs, &eras);
			until_epoch = until_epoch.max(until);
			Agents::<T>::insert(&agent, info);
			Self::deposit_event(Event::AgentPenalised { agent, until_epoch: until });
		}
		SponsorPenalties::<T>::mutate(sponsor, |recorded| {
			*recorded = Some(recorded.unwrap_or_default().max(until_epoch));
		});
		until_epoch
	}
}

impl<T: Config> AgentInspect<AccountId> for Pallet<T> {
	fn is_agent(who: &AccountId) -> bool {
		Agents::<T>::contains_key(who)
	}
}
