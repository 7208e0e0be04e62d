//! The work of the calls, apart from the fraud reports (`fraud.rs`): verify first, write last.

use polkadot_sdk::{
	frame_support::{
		ensure,
		traits::{fungible::MutateHold, tokens::Precision, DefensiveOption, Get},
	},
	sp_runtime::DispatchResult,
};
use teo_pallet_support::now;
use teo_primitives::{traits::PersonhoodInspect, AccountId, EpochIndex};

use crate::{
	epochs, AgentInfo, AgentStatus, Agents, BudgetParameters, Config, Delegation, Delegations,
	Error, Event, HoldReason, Pallet, ParameterEras, SponsorPenalties, SponsoredAgents,
};

impl<T: Config> Pallet<T> {
	/// Registers `agent` for `sponsor`, holding the deposit.
	pub(crate) fn do_register_agent(sponsor: AccountId, agent: AccountId) -> DispatchResult {
		let epoch = Self::current_epoch()?;
		let deposit = Self::parameters_for(epoch)?.agent_deposit;
		ensure!(
			T::Personhood::is_verified(&sponsor, T::CitizensGroup::get()),
			Error::<T>::NotVerifiedCitizen
		);
		ensure!(!Agents::<T>::contains_key(&sponsor), Error::<T>::SponsorIsAgent);
		ensure!(!T::Personhood::is_human(&agent), Error::<T>::AgentIsHuman);
		ensure!(!Agents::<T>::contains_key(&agent), Error::<T>::AlreadyRegistered);
		let mut sponsored = SponsoredAgents::<T>::get(&sponsor);
		sponsored.try_push(agent.clone()).map_err(|_| Error::<T>::TooManyAgents)?;

		T::Currency::hold(&HoldReason::AgentDeposit.into(), &sponsor, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		SponsoredAgents::<T>::insert(&sponsor, sponsored);
		// A fresh account does not escape its person's penalty.
		let penalised_until = match SponsorPenalties::<T>::get(&sponsor) {
			Some(until) if until > epoch => until,
			Some(_) => {
				SponsorPenalties::<T>::remove(&sponsor);
				0
			},
			None => 0,
		};
		Agents::<T>::insert(
			&agent,
			AgentInfo {
				sponsor: sponsor.clone(),
				bond: deposit,
				deposit,
				registered_at: now::<T>(),
				registered_epoch: epoch,
				status: AgentStatus::Active,
				delegators: Default::default(),
				penalised_until,
				budgets: Default::default(),
				punished_epochs: Default::default(),
			},
		);
		Self::deposit_event(Event::AgentRegistered { agent, sponsor, deposit });
		Ok(())
	}

	/// Deregisters `agent` at the request of `who`, which must be its sponsor.
	pub(crate) fn do_deregister_agent(who: AccountId, agent: AccountId) -> DispatchResult {
		let epoch = Self::current_epoch()?;
		let mut info = Agents::<T>::get(&agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(info.sponsor == who, Error::<T>::NotSponsor);
		ensure!(info.is_active(), Error::<T>::AgentNotActive);
		let unbonding = Self::parameters_for(epoch)?.unbonding_epochs;

		Self::fix_budgets(&mut info, epoch);
		let release_epoch = epoch.saturating_add(unbonding);
		info.status = AgentStatus::Unbonding { release_epoch };
		Agents::<T>::insert(&agent, info);
		Self::deposit_event(Event::AgentDeregistered { agent, release_epoch });
		Ok(())
	}

	/// Returns the deposit of the unbonded `agent` to its sponsor and removes the agent.
	pub(crate) fn do_release_deposit(agent: AccountId) -> DispatchResult {
		let epoch = Self::current_epoch()?;
		let info = Agents::<T>::get(&agent).ok_or(Error::<T>::UnknownAgent)?;
		let AgentStatus::Unbonding { release_epoch } = info.status else {
			return Err(Error::<T>::StillActive.into());
		};
		ensure!(epoch >= release_epoch, Error::<T>::UnbondingNotOver);

		let amount = T::Currency::release(
			&HoldReason::AgentDeposit.into(),
			&info.sponsor,
			info.deposit,
			Precision::BestEffort,
		)?;
		SponsoredAgents::<T>::mutate_exists(&info.sponsor, |agents| {
			if let Some(list) = agents {
				list.retain(|a| a != &agent);
				if list.is_empty() {
					*agents = None;
				}
			}
		});
		Agents::<T>::remove(&agent);
		Self::deposit_event(Event::DepositReleased { agent, sponsor: info.sponsor, amount });
		Ok(())
	}

	/// Makes `delegator` delegate to `agent`, replacing or renewing its delegation.
	pub(crate) fn do_delegate(delegator: AccountId, agent: AccountId) -> DispatchResult {
		let epoch = Self::current_epoch()?;
		let verified_until = T::Personhood::verified_until(&delegator, T::CitizensGroup::get())
			.ok_or(Error::<T>::NotVerifiedCitizen)?;
		let mut info = Agents::<T>::get(&agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(info.is_active(), Error::<T>::AgentNotActive);

		let previous = Delegations::<T>::get(&delegator);
		// Verify first, write last: compute the new agent record before touching storage.
		Self::fix_budgets(&mut info, epoch);
		if let Some(old) =
			previous.as_ref().filter(|d| d.agent == agent && d.since >= info.registered_at)
		{
			info.remove_delegator(old.verified_until);
		}
		info.add_delegator(verified_until, now::<T>())
			.map_err(|()| Error::<T>::TooManyDelegatorBuckets)?;

		if let Some(old) = previous.filter(|d| d.agent != agent) {
			Self::detach(&old, epoch);
			Self::deposit_event(Event::Undelegated {
				delegator: delegator.clone(),
				agent: old.agent,
			});
		}
		Agents::<T>::insert(&agent, info);
		Delegations::<T>::insert(
			&delegator,
			Delegation { agent: agent.clone(), verified_until, since: now::<T>() },
		);
		Self::deposit_event(Event::Delegated { delegator, agent, verified_until });
		Ok(())
	}

	/// Withdraws the delegation of `delegator`.
	pub(crate) fn do_undelegate(delegator: AccountId) -> DispatchResult {
		let epoch = Self::current_epoch()?;
		let delegation = Delegations::<T>::get(&delegator).ok_or(Error::<T>::NotDelegating)?;
		Self::detach(&delegation, epoch);
		Delegations::<T>::remove(&delegator);
		Self::deposit_event(Event::Undelegated { delegator, agent: delegation.agent });
		Ok(())
	}

	/// Removes the delegation of `delegator`, whose verification has lapsed.
	pub(crate) fn do_prune_delegation(delegator: AccountId) -> DispatchResult {
		let epoch = Self::current_epoch()?;
		let delegation = Delegations::<T>::get(&delegator).ok_or(Error::<T>::NotDelegating)?;
		ensure!(delegation.verified_until < now::<T>(), Error::<T>::DelegationNotLapsed);
		Self::detach(&delegation, epoch);
		Delegations::<T>::remove(&delegator);
		Self::deposit_event(Event::DelegationPruned { delegator, agent: delegation.agent });
		Ok(())
	}

	/// Schedules `parameters` from the next epoch on.
	pub(crate) fn do_set_parameters(parameters: BudgetParameters) -> DispatchResult {
		Self::validate_parameters(&parameters)?;
		let mut eras = ParameterEras::<T>::get();
		let (first_epoch, first_block) = epochs::schedule(&mut eras, now::<T>(), parameters)
			.defensive_ok_or(Error::<T>::InvalidParameters)?;
		ParameterEras::<T>::put(eras);
		Self::deposit_event(Event::ParametersScheduled { first_epoch, first_block });
		Ok(())
	}

	/// Removes a delegation's count from its agent, if it counts there: the agent may be gone,
	/// or registered again since the delegation.
	fn detach(delegation: &Delegation, epoch: EpochIndex) {
		let Some(mut info) = Agents::<T>::get(&delegation.agent) else { return };
		if delegation.since < info.registered_at {
			return;
		}
		Self::fix_budgets(&mut info, epoch);
		info.remove_delegator(delegation.verified_until);
		Agents::<T>::insert(&delegation.agent, info);
	}
}
