//! The work of the gate's calls (after pallet-broker's `dispatchable_impls.rs`): the calls in
//! `lib.rs` check the origin and hand over to a `do_<call>` here, which verifies first and
//! writes last. Also the checks the transaction pool shares, and the helpers the block hook
//! shares (taking a proposal off the queue, settling its deposit).

use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		dispatch::GetDispatchInfo,
		ensure,
		traits::{
			fungible::{BalancedHold, InspectHold, Mutate, MutateHold},
			tokens::{Precision, Preservation},
			Defensive, Get, Imbalance, OnUnbalanced,
		},
		BoundedVec,
	},
	sp_io::hashing::blake2_256,
	sp_runtime::{
		traits::{AccountIdConversion, Saturating},
		DispatchError, DispatchResult,
	},
};
use teo_primitives::{
	traits::{ActionBudget, AdmissionControl, AdmissionRefusal, PersonhoodInspect},
	AccountId, Balance, BlockNumber, GroupId, Hash,
};

use crate::{
	branch::CallBranch, queue, CheckedSubmission, Config, Error, Event, GateParameters,
	GroupSettings, HoldReason, NextProposalId, Pallet, Parameters, PendingCount, Proposal,
	ProposalClass, ProposalId, ProposalOf, ProposalPolicy, Proposals, Queue, Refusal, Settings,
};

impl<T: Config> Pallet<T> {
	/// The work of [`Pallet::submit`].
	pub(crate) fn do_submit(
		proposer: AccountId,
		group: GroupId,
		call: &<T as Config>::RuntimeCall,
		summary: &[u8],
	) -> DispatchResult {
		let checked = Self::check_submission(&proposer, group, call, summary)?;
		let sponsor = T::Budget::sponsor_of(&proposer).ok_or(Error::<T>::NotAgent)?;
		let admission = T::Budget::admit(&proposer, group).map_err(Self::refused)?;
		let deposit = checked.parameters.proposal_deposit;
		T::Currency::hold(&HoldReason::ProposalDeposit.into(), &proposer, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		let id = NextProposalId::<T>::get();
		NextProposalId::<T>::put(id.wrapping_add(1));
		let now = teo_pallet_support::now::<T>();
		let timelock = match checked.class {
			ProposalClass::Ordinary => checked.parameters.timelock,
			ProposalClass::Constitutional => checked.parameters.constitutional_timelock,
		};
		let unlock_at = now.saturating_add(timelock);
		Self::enqueue(unlock_at, id)?;
		PendingCount::<T>::mutate(group, |count| count.saturating_inc());

		let call_hash = Hash::from(blake2_256(&checked.call));
		Proposals::<T>::insert(
			id,
			Proposal {
				proposer: proposer.clone(),
				sponsor,
				group,
				call: checked.call,
				call_hash,
				summary: checked.summary,
				deposit,
				submitted_at: now,
				epoch: admission.epoch,
				unlock_at,
				// The group's own threshold if it set one; never more vetoes than the
				// group has members to cast them.
				veto_threshold: Settings::<T>::get(group)
					.map_or(checked.parameters.veto_threshold, |s| s.veto_threshold)
					.min(T::Personhood::member_count(group))
					.max(1),
				withdrawn_by: None,
				transaction_version: Self::transaction_version(),
				nullifiers: BoundedVec::new(),
			},
		);
		Self::deposit_event(Event::Submitted { id, group, proposer, call_hash, unlock_at });
		Ok(())
	}

	/// The work of [`Pallet::veto`]: a signed veto kills, or is refused.
	pub(crate) fn do_veto(vetoer: AccountId, id: ProposalId) -> DispatchResult {
		let proposal = Self::check_veto(&vetoer, id)?;
		let group = proposal.group;
		Self::deposit_event(Event::Vetoed { id, group, vetoer, tally: 1, threshold: 1 });
		Self::kill(id, proposal);
		Ok(())
	}

	/// Every check of [`Pallet::veto`], changing nothing: the transaction pool runs it too, so
	/// that a veto that would fail never takes block space (vetoes are fee-free).
	///
	/// A signed veto counts only where one veto kills. Where more are needed, a person could
	/// otherwise count twice, once signed and once anonymously: the two cannot be linked,
	/// which is the point of the anonymous veto.
	pub fn check_veto(vetoer: &AccountId, id: ProposalId) -> Result<ProposalOf<T>, Error<T>> {
		let proposal = Self::check_live(id)?;
		ensure!(T::Personhood::is_verified(vetoer, proposal.group), Error::<T>::NotVerifiedMember);
		ensure!(Self::veto_threshold(&proposal) == 1, Error::<T>::NeedsAnonymousVeto);
		Ok(proposal)
	}

	/// The vetoes that kill `proposal` now: its threshold, but never more than the group has
	/// members to cast them (removals cannot make a proposal unvetoable). Members, not verified
	/// accounts: an anonymous veto needs no verification, and counting only this period's
	/// verifications would let one member kill anything in the first blocks of a period.
	pub(crate) fn veto_threshold(proposal: &ProposalOf<T>) -> u32 {
		proposal.veto_threshold.min(T::Personhood::member_count(proposal.group)).max(1)
	}

	/// Proposal `id`, if it is pending and its veto window is open.
	pub(crate) fn check_live(id: ProposalId) -> Result<ProposalOf<T>, Error<T>> {
		let proposal = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
		ensure!(teo_pallet_support::now::<T>() < proposal.unlock_at, Error::<T>::WindowClosed);
		Ok(proposal)
	}

	/// The work of [`Pallet::withdraw`]: the call will not run, but the proposal stays vetoable
	/// and its deposit held until the window ends.
	pub(crate) fn do_withdraw(who: AccountId, id: ProposalId) -> DispatchResult {
		let mut proposal = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
		ensure!(
			who == proposal.proposer || who == proposal.sponsor,
			Error::<T>::NotProposerOrSponsor
		);
		ensure!(teo_pallet_support::now::<T>() < proposal.unlock_at, Error::<T>::WindowClosed);
		ensure!(proposal.withdrawn_by.is_none(), Error::<T>::AlreadyWithdrawn);
		proposal.withdrawn_by = Some(who.clone());
		let group = proposal.group;
		Proposals::<T>::insert(id, proposal);
		Self::deposit_event(Event::Withdrawn { id, group, by: who });
		Ok(())
	}

	/// The work of [`Pallet::enact`]; returns the branch it took, with the weight the proposal's
	/// call used.
	pub(crate) fn do_enact(id: ProposalId) -> Result<CallBranch, DispatchError> {
		let proposal = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
		ensure!(proposal.unlock_at <= teo_pallet_support::now::<T>(), Error::<T>::StillLocked);
		Self::unqueue(id);
		let call_len = proposal.call.len() as u32;
		let call_weight = Self::commit(id, proposal);
		Ok(CallBranch::Enacted { call_len, call_weight })
	}

	/// The work of [`Pallet::set_parameters`].
	pub(crate) fn do_set_parameters(parameters: GateParameters) -> DispatchResult {
		Self::validate_parameters(&parameters)?;
		Parameters::<T>::put(parameters);
		Self::deposit_event(Event::ParametersSet { parameters });
		Ok(())
	}

	/// The work of [`Pallet::spend_from_purse`].
	pub(crate) fn do_spend_from_purse(
		id: ProposalId,
		group: GroupId,
		beneficiary: AccountId,
		amount: Balance,
	) -> DispatchResult {
		T::Currency::transfer(&Self::purse(group), &beneficiary, amount, Preservation::Preserve)
			.map_err(|_| Error::<T>::PurseTooPoor)?;
		Self::deposit_event(Event::PurseSpent { group, id, beneficiary, amount });
		Ok(())
	}

	/// The work of [`Pallet::set_group_settings`].
	pub(crate) fn do_set_group_settings(
		group: GroupId,
		settings: Option<GroupSettings>,
	) -> DispatchResult {
		if let Some(settings) = settings {
			ensure!(
				(1..=T::MaxVetoThreshold::get()).contains(&settings.veto_threshold),
				Error::<T>::InvalidParameters
			);
		}
		Settings::<T>::set(group, settings);
		Self::deposit_event(Event::GroupSettingsSet { group, settings });
		Ok(())
	}

	/// The purse of `group`: an account no key controls, spent only by the group's committed
	/// proposals ([`Pallet::spend_from_purse`]).
	pub fn purse(group: GroupId) -> AccountId {
		T::PalletId::get().into_sub_account_truncating(group)
	}

	/// Checks the parameters: consistent in themselves, and within the chain's constitution.
	pub fn validate_parameters(parameters: &GateParameters) -> Result<(), Error<T>> {
		ensure!(
			(1..=T::MaxVetoThreshold::get()).contains(&parameters.veto_threshold)
				&& parameters.constitutional_timelock >= parameters.timelock,
			Error::<T>::InvalidParameters
		);
		let bounds = T::Constitution::get();
		ensure!(
			bounds.timelock.contains(&parameters.timelock)
				&& bounds.constitutional_timelock.contains(&parameters.constitutional_timelock)
				&& bounds.proposal_deposit.contains(&parameters.proposal_deposit),
			Error::<T>::Unconstitutional
		);
		Ok(())
	}

	/// Every check of [`Pallet::submit`], cheapest first, changing nothing: the transaction
	/// pool runs it too.
	pub fn check_submission(
		proposer: &AccountId,
		group: GroupId,
		call: &<T as Config>::RuntimeCall,
		summary: &[u8],
	) -> Result<CheckedSubmission<T>, Error<T>> {
		let parameters = Parameters::<T>::get().ok_or(Error::<T>::NotConfigured)?;
		// First the cheap check that only agents pass: nobody else makes the pool encode and
		// classify a call.
		ensure!(T::Budget::is_active_agent(proposer), Error::<T>::NotAgent);
		let summary: BoundedVec<u8, T::MaxSummaryLength> =
			summary.to_vec().try_into().map_err(|_| Error::<T>::SummaryTooLong)?;
		core::str::from_utf8(&summary).map_err(|_| Error::<T>::SummaryNotUtf8)?;
		let call_bytes: BoundedVec<u8, T::MaxCallSize> =
			call.encode().try_into().map_err(|_| Error::<T>::CallTooLarge)?;
		let class = T::ProposalPolicy::classify(group, call).map_err(|refusal| match refusal {
			Refusal::Forbidden => Error::<T>::ForbiddenCall,
			Refusal::WrongGroup => Error::<T>::WrongGroup,
			Refusal::Unconstitutional => Error::<T>::Unconstitutional,
		})?;
		ensure!(
			call.get_dispatch_info().total_weight().all_lte(T::MaxCommitWeight::get()),
			Error::<T>::CallTooHeavy
		);
		ensure!(T::Personhood::verified_count(group) > 0, Error::<T>::NoVetoers);
		Self::ensure_room(group)?;
		let admission = T::Budget::quote(proposer, group).map_err(Self::refused)?;
		T::Currency::ensure_can_hold(
			&HoldReason::ProposalDeposit.into(),
			proposer,
			parameters.proposal_deposit,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(CheckedSubmission {
			call: call_bytes,
			summary,
			cost: admission.price,
			parameters,
			class,
		})
	}

	/// Whether `group` has room for one more pending proposal: its own share, and, for any
	/// group but the citizens', the places the citizens' share leaves.
	fn ensure_room(group: GroupId) -> Result<(), Error<T>> {
		let pending = Queue::<T>::decode_len().unwrap_or(0) as u32;
		let room = if group == T::CitizensGroup::get() {
			T::MaxPending::get()
		} else {
			T::MaxPending::get().saturating_sub(T::MaxPendingPerGroup::get())
		};
		ensure!(
			pending < room && PendingCount::<T>::get(group) < T::MaxPendingPerGroup::get(),
			Error::<T>::TooManyPending
		);
		Ok(())
	}

	/// The gate's error for a refused admission.
	fn refused(refusal: AdmissionRefusal) -> Error<T> {
		match refusal {
			AdmissionRefusal::NotConfigured => Error::<T>::NotConfigured,
			AdmissionRefusal::NotAgent => Error::<T>::NotAgent,
			AdmissionRefusal::Exhausted => Error::<T>::AdmissionsExhausted,
			AdmissionRefusal::PersonShareTaken => Error::<T>::PersonShareTaken,
			AdmissionRefusal::InsufficientBudget => Error::<T>::InsufficientBudget,
		}
	}

	/// The runtime's `transaction_version`: it changes when the encoding of calls does.
	pub(crate) fn transaction_version() -> u32 {
		<T as polkadot_sdk::frame_system::Config>::Version::get().transaction_version
	}

	/// Puts proposal `id`, unlocking at `unlock_at`, at its place in the queue.
	fn enqueue(unlock_at: BlockNumber, id: ProposalId) -> Result<(), Error<T>> {
		Queue::<T>::try_mutate(|pending| {
			queue::insert(pending, (unlock_at, id)).map_err(|_| Error::<T>::TooManyPending)
		})
	}

	/// Takes proposal `id` off the queue.
	fn unqueue(id: ProposalId) {
		Queue::<T>::mutate(|pending| {
			queue::remove(pending, id);
		});
	}

	/// Deletes a vetoed proposal, slashes its deposit and penalises its agent.
	pub(crate) fn kill(id: ProposalId, proposal: ProposalOf<T>) {
		Self::unqueue(id);
		Self::forget(id, proposal.group);
		let slashed = Self::slash_deposit(&proposal);
		T::Budget::penalise(&proposal.proposer, &proposal.sponsor);
		Self::deposit_event(Event::Killed {
			id,
			group: proposal.group,
			proposer: proposal.proposer,
			slashed,
		});
	}

	/// Deletes proposal `id` of `group`, already off the queue.
	pub(crate) fn forget(id: ProposalId, group: GroupId) {
		Proposals::<T>::remove(id);
		PendingCount::<T>::mutate_exists(group, |count| {
			let left = count.unwrap_or_default().saturating_sub(1);
			*count = (left > 0).then_some(left);
		});
	}

	/// Returns the deposit of a proposal that ended well (committed with success, withdrawn and
	/// not vetoed, voided); returns the amount released.
	pub(crate) fn release_deposit(proposal: &ProposalOf<T>) -> Balance {
		T::Currency::release(
			&HoldReason::ProposalDeposit.into(),
			&proposal.proposer,
			proposal.deposit,
			Precision::BestEffort,
		)
		.defensive_proof("the deposit of a pending proposal is held")
		.unwrap_or_default()
	}

	/// Slashes the deposit of a proposal that ended badly (vetoed, or failed when committed) to
	/// [`Config::Slash`]; returns the amount slashed.
	pub(crate) fn slash_deposit(proposal: &ProposalOf<T>) -> Balance {
		let (credit, _missing) = <T::Currency as BalancedHold<AccountId>>::slash(
			&HoldReason::ProposalDeposit.into(),
			&proposal.proposer,
			proposal.deposit,
		);
		let slashed = credit.peek();
		T::Slash::on_unbalanced(credit);
		slashed
	}
}
