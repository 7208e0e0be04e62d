//! Fraud proofs: the checks of equivocation and overspend evidence, and the punishment.
//!
//! The checks change nothing, so that the transaction pool runs them too
//! ([`CheckFraudReport`](crate::CheckFraudReport)). A punishment slashes `fraud_slash` of the
//! agent's bond (its deposit at registration), of which the reporter receives `reporter_share`
//! and [`Config::Slash`] the rest, spends what is left of the agent's current budget and puts
//! every agent of its sponsor under penalty. An agent whose remaining deposit cannot pay another
//! such slash is expelled: repeated offences end the agent, they never fade into dust. An agent
//! is punished at most once per epoch, and only for the current and the previous epoch
//! ([`EVIDENCE_EPOCHS`]). Neither the agent nor its sponsor may report it: they would collect
//! the reward of their own slash (and could replace an honest report in the pool to do so).

use polkadot_sdk::{
	frame_support::{
		ensure,
		traits::{
			fungible::{Balanced, BalancedHold},
			DefensiveResult, Imbalance, OnUnbalanced,
		},
	},
	sp_runtime::{traits::Saturating, DispatchError, DispatchResult},
};
use teo_pallet_support::genesis_hash;
use teo_primitives::{AccountId, Balance, EpochIndex};

use crate::{
	AgentInfo, AgentStatus, Agents, Config, CreditOf, Error, Event, HoldReason, Offence, Pallet,
	SignedMeshHeader, EVIDENCE_EPOCHS, LOG_TARGET,
};

impl<T: Config> Pallet<T> {
	/// Checks equivocation evidence without changing anything.
	pub fn check_equivocation(
		reporter: &AccountId,
		first: &SignedMeshHeader,
		second: &SignedMeshHeader,
	) -> DispatchResult {
		ensure!(first.header.conflicts_with(&second.header), Error::<T>::NotConflicting);
		Self::check_punishable(reporter, &first.header.agent, first.header.epoch)?;
		let genesis = genesis_hash::<T>();
		ensure!(first.verify(&genesis) && second.verify(&genesis), Error::<T>::InvalidSignature);
		Ok(())
	}

	/// Checks overspend evidence without changing anything. One budget covers both layers:
	/// the mesh spends the epoch's units from the bottom, pull requests on chain from the top,
	/// so a mesh header whose range ends past `allowance - spent_on_chain` proves that the
	/// agent spent more than its allowance in all, whichever layer it spent on first.
	/// `spent_on_chain` only grows within an epoch, so what this proves stays proven.
	pub fn check_overspend(reporter: &AccountId, header: &SignedMeshHeader) -> DispatchResult {
		let h = &header.header;
		let info = Self::check_punishable(reporter, &h.agent, h.epoch)?;
		let left_for_the_mesh = Self::budget_of(&info, h.epoch).remaining();
		ensure!(h.spend_end().is_none_or(|end| end > left_for_the_mesh), Error::<T>::NotOverspent);
		ensure!(header.verify(&genesis_hash::<T>()), Error::<T>::InvalidSignature);
		Ok(())
	}

	/// Punishes the agent of two conflicting headers, for `reporter`.
	pub(crate) fn do_report_equivocation(
		reporter: AccountId,
		first: SignedMeshHeader,
		second: SignedMeshHeader,
	) -> DispatchResult {
		Self::check_equivocation(&reporter, &first, &second)?;
		Self::punish(&first.header.agent, first.header.epoch, Offence::Equivocation, reporter)
	}

	/// Punishes the agent of a header that spends past what its allowance leaves after its
	/// on-chain spending, for `reporter`.
	pub(crate) fn do_report_overspend(
		reporter: AccountId,
		header: SignedMeshHeader,
	) -> DispatchResult {
		Self::check_overspend(&reporter, &header)?;
		Self::punish(&header.header.agent, header.header.epoch, Offence::Overspend, reporter)
	}

	/// Slashes up to `amount` of the deposit held for `info`'s agent, hands the funds to
	/// `spend` and returns the amount slashed and what `spend` returned.
	pub(crate) fn slash(
		info: &mut AgentInfo,
		amount: Balance,
		spend: impl FnOnce(CreditOf<T>) -> Balance,
	) -> (Balance, Balance) {
		let (credit, _missing) = <T::Currency as BalancedHold<AccountId>>::slash(
			&HoldReason::AgentDeposit.into(),
			&info.sponsor,
			amount.min(info.deposit),
		);
		let slashed = credit.peek();
		info.deposit.saturating_reduce(slashed);
		(slashed, spend(credit))
	}

	fn check_punishable(
		reporter: &AccountId,
		agent: &AccountId,
		epoch: EpochIndex,
	) -> Result<AgentInfo, DispatchError> {
		let info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(reporter != agent && reporter != &info.sponsor, Error::<T>::ReporterIsOffender);
		let current = Self::current_epoch()?;
		ensure!(epoch <= current, Error::<T>::EvidenceFromFuture);
		ensure!(current.saturating_sub(epoch) < EVIDENCE_EPOCHS, Error::<T>::EvidenceTooOld);
		ensure!(epoch >= info.registered_epoch, Error::<T>::BeforeRegistration);
		ensure!(!info.punished_epochs.contains(&epoch), Error::<T>::AlreadyPunished);
		Ok(info)
	}

	/// Punishes `agent` for an offence in `epoch` (checked by the caller): slashes its deposit,
	/// paying `reporter` a share, exhausts its current budget and puts it under penalty. The
	/// current epoch, whose budget it exhausts, cannot be punished again.
	fn punish(
		agent: &AccountId,
		epoch: EpochIndex,
		offence: Offence,
		reporter: AccountId,
	) -> DispatchResult {
		let sponsor = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?.sponsor;
		let current = Self::current_epoch()?;
		let params = Self::parameters_for(current)?;

		// The penalty binds the person: every agent of the sponsor, and the ones it registers
		// before the penalty ends.
		Self::penalise_person(&sponsor, current, params.penalty_epochs);
		let mut info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		info.exhaust_fixed(current);
		// What the evidence window no longer reaches cannot be punished again anyway.
		info.punished_epochs.retain(|e| current.saturating_sub(*e) < EVIDENCE_EPOCHS);
		// The current epoch counts as punished too: exhausting its budget made its on-chain
		// spend the whole allowance, so every mesh header the agent signed in it before now
		// would read as an overspend (one budget across both layers) for spending it did
		// honestly. Its later messages are not relayed (peers see the budget exhausted). Both
		// epochs are in the window, and the bound is the window's size.
		for punished in [epoch, current] {
			if !info.punished_epochs.contains(&punished) {
				info.punished_epochs
					.try_push(punished)
					.defensive_map_err(|_| Error::<T>::AlreadyPunished)?;
			}
		}

		let one_slash = params.fraud_slash.mul_floor(info.bond);
		let (slashed, reward) = Self::slash(&mut info, one_slash, |credit| {
			let reward = params.reporter_share.mul_floor(credit.peek());
			let (to_reporter, rest) = credit.split(reward);
			let paid = match T::Currency::resolve(&reporter, to_reporter) {
				Ok(()) => reward,
				// The reward would not create the reporter's account: it goes with the rest.
				Err(unpaid) => {
					log::debug!(
						target: LOG_TARGET,
						"the reward of {reward} cannot create the account of {reporter:?}",
					);
					T::Slash::on_unbalanced(unpaid);
					0
				},
			};
			T::Slash::on_unbalanced(rest);
			paid
		});
		let expelled = info.is_active() && (info.deposit == 0 || info.deposit < one_slash);
		if expelled {
			let release_epoch = current.saturating_add(params.unbonding_epochs);
			info.status = AgentStatus::Unbonding { release_epoch };
			Self::deposit_event(Event::AgentExpelled {
				agent: agent.clone(),
				sponsor: sponsor.clone(),
				release_epoch,
			});
		}
		Agents::<T>::insert(agent, info);
		Self::deposit_event(Event::FraudPunished {
			agent: agent.clone(),
			offence,
			epoch,
			reporter,
			slashed,
			reward,
		});
		Ok(())
	}
}
