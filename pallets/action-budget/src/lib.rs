//! # Action Budget Pallet
//!
//! Rule A of TEO, `dS/dt < D_max`: agents act only within budgets that verified humans grant
//! them, and humans see no more pull requests than they can read.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, storage, events and errors, and [`Config`] for the
//! configuration. Other pallets use it through the traits of `teo_primitives::traits`:
//! `ActionBudget` (spend on chain, penalise, slash) and `AdmissionControl` (the
//! human-bandwidth cap); personhood asks `AgentInspect` to keep agents and humans apart.
//!
//! ## Overview
//!
//! - **Agents.** A verified citizen (a verified member of [`Config::CitizensGroup`]) registers an
//!   agent account with [`Pallet::register_agent`] and becomes its *sponsor*, holding
//!   `agent_deposit` on hold. [`Pallet::deregister_agent`] stops the agent at once; the deposit
//!   stays held for `unbonding_epochs`, long enough for evidence about its last epochs to be
//!   punished, then anyone may [`Pallet::release_deposit`] it back to the sponsor. An account is
//!   either a verified human or an agent, never both.
//! - **Liquid delegation.** A verified citizen [`Pallet::delegate`]s to one agent at a time and
//!   can [`Pallet::undelegate`] at any moment; both take effect in the same block. Delegators are
//!   counted in buckets by the end of their verification, so a delegator whose personhood lapses
//!   stops counting from the next epoch without any iteration; [`Pallet::prune_delegation`]
//!   (anyone) clears the lapsed record.
//! - **Budgets.** In every epoch of `epoch_length` blocks an agent's allowance is
//!   `min(max_allowance, base_allowance + per_delegator_allowance × delegators)`, scaled by
//!   `penalty_allowance` while under penalty. An epoch's allowance is fixed by the state at the
//!   epoch's start: the first change to an agent within an epoch records the allowance before
//!   changing anything, so the chain and every mesh peer agree on it. Unused units do not roll
//!   over. Mesh messages and on-chain pull requests spend from the same allowance.
//! - **Human bandwidth.** At most `max_admissions_per_epoch` pull requests enter a group's veto
//!   window per epoch ([`AdmissionControl`]).
//! - **Fraud proofs.** Mesh messages carry a signed [`SignedMeshHeader`]. Anyone may prove an
//!   equivocation (two conflicting headers: [`Pallet::report_equivocation`]) or an overspend (a
//!   header past the allowance: [`Pallet::report_overspend`]). A valid report slashes
//!   `fraud_slash` of the agent's deposit, pays the reporter `reporter_share` of it, exhausts the
//!   agent's current budget, puts it under penalty, and costs the reporter no fee.
//! - **Parameters** live in storage ([`BudgetParameters`]), set at genesis and changed by
//!   [`Config::AdminOrigin`] with [`Pallet::set_parameters`], always from the next epoch on.
//!
//! ## Low Level / Implementation Details
//!
//! Parameters are kept as a short history of [`ParameterEra`]s (the previous, current and next
//! epoch's), which also defines the epoch of every block when the epoch length changes. An
//! agent's record holds the budgets of the current and previous epoch once fixed, which is all
//! that fraud proofs need: evidence is accepted for those two epochs only.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
mod extension;
pub use extension::{CheckFraudReport, FRAUD_REPORT_PRIORITY};
pub mod runtime_api;
mod types;
pub use types::*;
pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use teo_primitives::mesh::{BudgetUnits, SignedMeshHeader};
use teo_primitives::traits::{ActionBudget, AdmissionControl, AgentInspect, PersonhoodInspect};

/// Epochs for which evidence is accepted: the current one and the one before.
pub const EVIDENCE_EPOCHS: teo_primitives::EpochIndex = 2;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::{
				fungible::{self, Balanced, BalancedHold, MutateHold},
				tokens::Precision,
				Imbalance, OnUnbalanced,
			},
			DefaultNoBound,
		},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::{
			traits::{Saturating, Zero},
			Perbill, SaturatedConversion,
		},
	};
	use teo_primitives::{
		mesh::BudgetUnits, AccountId, Balance, BlockNumber, EpochIndex, GroupId, Hash,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// Funds the pallet slashes, before the reporter's share is paid out of them.
	pub type CreditOf<T> = fungible::Credit<AccountId, <T as Config>::Currency>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<AccountId = AccountId, Hash = Hash>
	{
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency in which deposits are held.
		type Currency: fungible::Inspect<AccountId, Balance = Balance>
			+ fungible::Mutate<AccountId>
			+ fungible::Balanced<AccountId>
			+ fungible::MutateHold<AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<AccountId>;

		/// Who is a verified human.
		type Personhood: PersonhoodInspect<AccountId>;

		/// The group whose verified members are citizens: they sponsor agents and delegate.
		#[pallet::constant]
		type CitizensGroup: Get<GroupId>;

		/// May change the parameters.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives what is slashed beyond the reporter's share.
		type Slash: OnUnbalanced<CreditOf<Self>>;

		/// The most agents (active or unbonding) one sponsor may have.
		#[pallet::constant]
		type MaxAgentsPerSponsor: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes verified citizens for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit a sponsor holds for one of its agents.
		AgentDeposit,
	}

	/// The parameters of the previous, current and scheduled epochs, oldest first.
	#[pallet::storage]
	pub type ParameterEras<T: Config> =
		StorageValue<_, BoundedVec<ParameterEra<Balance>, ConstU32<3>>, ValueQuery>;

	/// Registered agents, active or unbonding.
	#[pallet::storage]
	pub type Agents<T: Config> = StorageMap<_, Blake2_128Concat, AccountId, AgentInfo<Balance>>;

	/// The agents of each sponsor.
	#[pallet::storage]
	pub type SponsoredAgents<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		AccountId,
		BoundedVec<AccountId, T::MaxAgentsPerSponsor>,
		ValueQuery,
	>;

	/// Each citizen's delegation.
	#[pallet::storage]
	pub type Delegations<T: Config> = StorageMap<_, Blake2_128Concat, AccountId, Delegation>;

	/// Pull requests admitted per group in its latest epoch with an admission.
	#[pallet::storage]
	pub type Admissions<T: Config> =
		StorageMap<_, Blake2_128Concat, GroupId, AdmissionCount, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters from block 0; without them every call fails with `NotConfigured`.
		pub parameters: Option<BudgetParameters<Balance>>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				Pallet::<T>::validate_parameters(parameters)
					.expect("the genesis parameters of the action budget must be valid");
				let era =
					ParameterEra { first_epoch: 0, first_block: 0, parameters: parameters.clone() };
				ParameterEras::<T>::put(
					BoundedVec::try_from(alloc::vec![era]).expect("one era fits in three; qed"),
				);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// New parameters take effect from `first_epoch`, which starts at `first_block`.
		ParametersScheduled { first_epoch: EpochIndex, first_block: BlockNumber },
		/// `sponsor` registered `agent` and holds `deposit` for it.
		AgentRegistered { agent: AccountId, sponsor: AccountId, deposit: Balance },
		/// `agent` was deregistered; its deposit can be released from `release_epoch`.
		AgentDeregistered { agent: AccountId, release_epoch: EpochIndex },
		/// The remaining deposit of `agent` returned to `sponsor`; the agent is gone.
		DepositReleased { agent: AccountId, sponsor: AccountId, amount: Balance },
		/// `delegator` delegates to `agent`, counting while verified (until `verified_until`).
		Delegated { delegator: AccountId, agent: AccountId, verified_until: BlockNumber },
		/// `delegator` withdrew their delegation from `agent`.
		Undelegated { delegator: AccountId, agent: AccountId },
		/// The lapsed delegation of `delegator` to `agent` was removed.
		DelegationPruned { delegator: AccountId, agent: AccountId },
		/// `agent` spent `units` on chain in `epoch`; `remaining` are left.
		BudgetSpent {
			agent: AccountId,
			epoch: EpochIndex,
			units: BudgetUnits,
			remaining: BudgetUnits,
		},
		/// A pull request of `group` entered the veto window: `admitted` so far in `epoch`.
		PullRequestAdmitted { group: GroupId, epoch: EpochIndex, admitted: u32 },
		/// `agent` is under penalty for the epochs before `until_epoch`.
		AgentPenalised { agent: AccountId, until_epoch: EpochIndex },
		/// `slashed` of `agent`'s deposit was taken for `offence` in `epoch`; the reporter got
		/// `reward`.
		FraudPunished {
			agent: AccountId,
			offence: Offence,
			epoch: EpochIndex,
			reporter: AccountId,
			slashed: Balance,
			reward: Balance,
		},
		/// `amount` of `agent`'s deposit was slashed on another pallet's request.
		DepositSlashed { agent: AccountId, amount: Balance },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The chain has no action-budget parameters; governance must set them.
		NotConfigured,
		/// The parameters are inconsistent: an epoch needs a block, the base allowance must not
		/// exceed the maximum, unbonding must cover the evidence window, shares are fractions.
		InvalidParameters,
		/// Only a verified citizen may do this; prove personhood first.
		NotVerifiedCitizen,
		/// A verified human cannot be registered as an agent.
		AgentIsHuman,
		/// The sponsor is itself an agent.
		SponsorIsAgent,
		/// This account is already registered as an agent.
		AlreadyRegistered,
		/// The sponsor has as many agents as allowed; deregister one first.
		TooManyAgents,
		/// The sponsor cannot hold the agent deposit: not enough free balance.
		InsufficientBalance,
		/// No agent is registered under this account.
		UnknownAgent,
		/// Only the agent's sponsor may do this.
		NotSponsor,
		/// The agent is deregistered and can no longer act or receive delegations.
		AgentNotActive,
		/// The agent is still active: deregister it before releasing its deposit.
		StillActive,
		/// The unbonding period is not over yet.
		UnbondingNotOver,
		/// The caller has no delegation.
		NotDelegating,
		/// The delegator is still verified: only lapsed delegations can be pruned.
		DelegationNotLapsed,
		/// The agent's delegators have too many distinct verification ends; try again when
		/// older verifications have lapsed.
		TooManyDelegatorBuckets,
		/// The agent's budget for this epoch is too small.
		InsufficientBudget,
		/// The group has no admissions left in this epoch; wait for the next epoch.
		AdmissionsExhausted,
		/// A header's signature is not its agent's for this chain.
		InvalidSignature,
		/// The two headers do not conflict: they belong to different agents or epochs, or
		/// neither share a sequence number nor overlap.
		NotConflicting,
		/// The header's spend range stays within the allowance.
		NotOverspent,
		/// The evidence is about an epoch older than the previous one.
		EvidenceTooOld,
		/// The evidence is about a future epoch.
		EvidenceFromFuture,
		/// The agent was already punished for this epoch.
		AlreadyPunished,
		/// The evidence is about an epoch before the agent was registered.
		BeforeRegistration,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers `agent`, sponsored by the caller.
		///
		/// ## Dispatch Origin
		/// Signed by a verified citizen (the sponsor).
		///
		/// ## Details
		/// Holds `agent_deposit` from the sponsor. `agent` must not be a verified human.
		///
		/// ## Errors
		/// `NotConfigured`, `NotVerifiedCitizen`, `SponsorIsAgent`, `AgentIsHuman`,
		/// `AlreadyRegistered`, `TooManyAgents`, `InsufficientBalance`.
		///
		/// ## Events
		/// `AgentRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_agent())]
		pub fn register_agent(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
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
			Agents::<T>::insert(
				&agent,
				AgentInfo {
					sponsor: sponsor.clone(),
					deposit,
					registered_at: Self::now(),
					registered_epoch: epoch,
					status: AgentStatus::Active,
					delegators: Default::default(),
					penalised_until: 0,
					budgets: Default::default(),
					punished_epochs: Default::default(),
				},
			);
			Self::deposit_event(Event::AgentRegistered { agent, sponsor, deposit });
			Ok(())
		}

		/// Deregisters `agent`: it can no longer act, and its deposit is released after
		/// `unbonding_epochs`.
		///
		/// ## Dispatch Origin
		/// Signed by the agent's sponsor.
		///
		/// ## Errors
		/// `UnknownAgent`, `NotSponsor`, `AgentNotActive`.
		///
		/// ## Events
		/// `AgentDeregistered`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_agent())]
		pub fn deregister_agent(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let epoch = Self::current_epoch()?;
			let mut info = Agents::<T>::get(&agent).ok_or(Error::<T>::UnknownAgent)?;
			ensure!(info.sponsor == who, Error::<T>::NotSponsor);
			ensure!(info.is_active(), Error::<T>::AgentNotActive);
			let unbonding = Self::parameters_for(epoch)?.unbonding_epochs;

			Self::fix_budgets(&mut info, epoch)?;
			let release_epoch = epoch.saturating_add(unbonding);
			info.status = AgentStatus::Unbonding { release_epoch };
			Agents::<T>::insert(&agent, info);
			Self::deposit_event(Event::AgentDeregistered { agent, release_epoch });
			Ok(())
		}

		/// Returns the deposit of a deregistered agent to its sponsor once unbonding is over,
		/// and removes the agent.
		///
		/// ## Dispatch Origin
		/// Signed by anyone.
		///
		/// ## Errors
		/// `UnknownAgent`, `StillActive`, `UnbondingNotOver`.
		///
		/// ## Events
		/// `DepositReleased`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::release_deposit())]
		pub fn release_deposit(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			ensure_signed(origin)?;
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

		/// Delegates the caller's voice to `agent`, replacing any earlier delegation. Calling it
		/// again for the same agent after re-proving personhood renews the delegation.
		///
		/// ## Dispatch Origin
		/// Signed by a verified citizen.
		///
		/// ## Details
		/// Takes effect in this block; the agent's allowance rises from the next epoch.
		///
		/// ## Errors
		/// `NotVerifiedCitizen`, `UnknownAgent`, `AgentNotActive`, `TooManyDelegatorBuckets`.
		///
		/// ## Events
		/// `Undelegated` (for a replaced delegation), `Delegated`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::delegate())]
		pub fn delegate(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			let delegator = ensure_signed(origin)?;
			let epoch = Self::current_epoch()?;
			let verified_until = T::Personhood::verified_until(&delegator, T::CitizensGroup::get())
				.ok_or(Error::<T>::NotVerifiedCitizen)?;
			let mut info = Agents::<T>::get(&agent).ok_or(Error::<T>::UnknownAgent)?;
			ensure!(info.is_active(), Error::<T>::AgentNotActive);

			let previous = Delegations::<T>::get(&delegator);
			// Verify first, write last: compute the new agent record before touching storage.
			Self::fix_budgets(&mut info, epoch)?;
			if let Some(old) =
				previous.as_ref().filter(|d| d.agent == agent && d.since >= info.registered_at)
			{
				Self::remove_delegator(&mut info, old.verified_until);
			}
			Self::add_delegator(&mut info, verified_until)?;

			if let Some(old) = previous.filter(|d| d.agent != agent) {
				Self::detach(&old, epoch)?;
				Self::deposit_event(Event::Undelegated {
					delegator: delegator.clone(),
					agent: old.agent,
				});
			}
			Agents::<T>::insert(&agent, info);
			let since = Self::now();
			Delegations::<T>::insert(
				&delegator,
				Delegation { agent: agent.clone(), verified_until, since },
			);
			Self::deposit_event(Event::Delegated { delegator, agent, verified_until });
			Ok(())
		}

		/// Withdraws the caller's delegation, in this block.
		///
		/// ## Dispatch Origin
		/// Signed by a delegator (verified or not: a lapsed human can always withdraw).
		///
		/// ## Errors
		/// `NotDelegating`.
		///
		/// ## Events
		/// `Undelegated`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::undelegate())]
		pub fn undelegate(origin: OriginFor<T>) -> DispatchResult {
			let delegator = ensure_signed(origin)?;
			let epoch = Self::current_epoch()?;
			let delegation = Delegations::<T>::get(&delegator).ok_or(Error::<T>::NotDelegating)?;
			Self::detach(&delegation, epoch)?;
			Delegations::<T>::remove(&delegator);
			Self::deposit_event(Event::Undelegated { delegator, agent: delegation.agent });
			Ok(())
		}

		/// Removes the delegation of `delegator` whose verification has lapsed. Lapsed
		/// delegators already count for nothing; this frees their storage.
		///
		/// ## Dispatch Origin
		/// Signed by anyone.
		///
		/// ## Errors
		/// `NotDelegating`, `DelegationNotLapsed`.
		///
		/// ## Events
		/// `DelegationPruned`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::prune_delegation())]
		pub fn prune_delegation(origin: OriginFor<T>, delegator: AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			let epoch = Self::current_epoch()?;
			let delegation = Delegations::<T>::get(&delegator).ok_or(Error::<T>::NotDelegating)?;
			ensure!(delegation.verified_until < Self::now(), Error::<T>::DelegationNotLapsed);
			Self::detach(&delegation, epoch)?;
			Delegations::<T>::remove(&delegator);
			Self::deposit_event(Event::DelegationPruned { delegator, agent: delegation.agent });
			Ok(())
		}

		/// Proves that an agent equivocated: two distinct signed headers of one epoch with the
		/// same sequence number or overlapping spend ranges.
		///
		/// ## Dispatch Origin
		/// Signed by anyone: the reporter, who pays no fee for a valid report and receives
		/// `reporter_share` of the slashed deposit.
		///
		/// ## Errors
		/// `NotConflicting`, `UnknownAgent`, `EvidenceTooOld`, `EvidenceFromFuture`,
		/// `AlreadyPunished`, `InvalidSignature`.
		///
		/// ## Events
		/// `FraudPunished`, `AgentPenalised`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::report_equivocation())]
		pub fn report_equivocation(
			origin: OriginFor<T>,
			first: SignedMeshHeader,
			second: SignedMeshHeader,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::check_equivocation(&first, &second)?;
			Self::punish(&first.header.agent, first.header.epoch, Offence::Equivocation, reporter)?;
			Ok(Pays::No.into())
		}

		/// Proves that an agent overspent: a signed header whose spend range ends past the
		/// agent's allowance for its epoch.
		///
		/// ## Dispatch Origin
		/// Signed by anyone, as for `report_equivocation`.
		///
		/// ## Errors
		/// `UnknownAgent`, `EvidenceTooOld`, `EvidenceFromFuture`, `AlreadyPunished`,
		/// `NotOverspent`, `InvalidSignature`.
		///
		/// ## Events
		/// `FraudPunished`, `AgentPenalised`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::report_overspend())]
		pub fn report_overspend(
			origin: OriginFor<T>,
			header: SignedMeshHeader,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::check_overspend(&header)?;
			Self::punish(&header.header.agent, header.header.epoch, Offence::Overspend, reporter)?;
			Ok(Pays::No.into())
		}

		/// Schedules new parameters from the next epoch on.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Errors
		/// `InvalidParameters`.
		///
		/// ## Events
		/// `ParametersScheduled`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(
			origin: OriginFor<T>,
			parameters: BudgetParameters<Balance>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::validate_parameters(&parameters)?;
			let now = Self::now();
			let mut eras = ParameterEras::<T>::get();
			let (first_epoch, first_block) = match eras.last() {
				Some(last) if last.first_block > now => (last.first_epoch, last.first_block),
				Some(_) => {
					let current = Self::era_at(&eras, now).ok_or(Error::<T>::NotConfigured)?;
					let epoch = current.epoch_of(now);
					let next = epoch.saturating_add(1);
					(next, current.first_block_of(next))
				},
				// Unconfigured: the parameters apply from this block on, as epoch 0.
				None => (0, now),
			};
			eras.retain(|era| era.first_epoch < first_epoch);
			// Keep only what the previous and current epochs still need.
			let previous = first_epoch.saturating_sub(EVIDENCE_EPOCHS);
			while eras.len() >= 2 && eras[1].first_epoch <= previous {
				eras.remove(0);
			}
			eras.try_push(ParameterEra { first_epoch, first_block, parameters })
				.map_err(|_| Error::<T>::InvalidParameters)?;
			ParameterEras::<T>::put(eras);
			Self::deposit_event(Event::ParametersScheduled { first_epoch, first_block });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The current block number.
		pub fn now() -> BlockNumber {
			frame_system::Pallet::<T>::block_number().saturated_into()
		}

		/// The genesis hash: header signatures are bound to it.
		fn genesis_hash() -> Hash {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// The era that governs block `n`.
		fn era_at(
			eras: &[ParameterEra<Balance>],
			n: BlockNumber,
		) -> Option<&ParameterEra<Balance>> {
			eras.iter().rev().find(|era| era.first_block <= n)
		}

		/// The era that governs epoch `e`.
		fn era_of_epoch(e: EpochIndex) -> Option<ParameterEra<Balance>> {
			ParameterEras::<T>::get().into_iter().rev().find(|era| era.first_epoch <= e)
		}

		/// The epoch of the current block.
		pub fn current_epoch() -> Result<EpochIndex, Error<T>> {
			let now = Self::now();
			let eras = ParameterEras::<T>::get();
			Self::era_at(&eras, now).map(|era| era.epoch_of(now)).ok_or(Error::<T>::NotConfigured)
		}

		/// Where epoch `e` lies.
		pub fn epoch_info(e: EpochIndex) -> Option<EpochInfo> {
			let era = Self::era_of_epoch(e)?;
			let first_block = era.first_block_of(e);
			let last_block =
				first_block.saturating_add(era.parameters.epoch_length.saturating_sub(1));
			Some(EpochInfo { index: e, first_block, last_block })
		}

		/// The parameters that govern epoch `e`.
		pub fn parameters_for(e: EpochIndex) -> Result<BudgetParameters<Balance>, Error<T>> {
			Self::era_of_epoch(e).map(|era| era.parameters).ok_or(Error::<T>::NotConfigured)
		}

		/// `agent`'s budget in the current epoch and its projected allowance for the next
		/// (for the runtime API).
		pub fn agent_budget(agent: &AccountId) -> Option<runtime_api::AgentBudget> {
			let info = Agents::<T>::get(agent)?;
			let epoch = Self::current_epoch().ok()?;
			let budget = Self::budget_of(&info, epoch);
			Some(runtime_api::AgentBudget {
				epoch,
				allowance: budget.allowance,
				spent_on_chain: budget.spent_on_chain,
				next_allowance: Self::compute_allowance(&info, epoch.saturating_add(1)),
			})
		}

		/// The current epoch (for the runtime API).
		pub fn current_epoch_info() -> Option<EpochInfo> {
			Self::epoch_info(Self::current_epoch().ok()?)
		}

		/// The cost schedule of the current epoch (for the runtime API).
		pub fn current_costs() -> Option<teo_primitives::mesh::CostSchedule> {
			Self::parameters_for(Self::current_epoch().ok()?).ok().map(|p| p.costs)
		}

		/// Checks the consistency of a parameter set.
		pub fn validate_parameters(p: &BudgetParameters<Balance>) -> Result<(), Error<T>> {
			ensure!(p.epoch_length > 0, Error::<T>::InvalidParameters);
			ensure!(p.base_allowance <= p.max_allowance, Error::<T>::InvalidParameters);
			ensure!(p.unbonding_epochs >= EVIDENCE_EPOCHS, Error::<T>::InvalidParameters);
			ensure!(p.costs.pull_request > 0, Error::<T>::InvalidParameters);
			Ok(())
		}

		/// The allowance `info` earns in epoch `e`, from the agent's current state.
		fn compute_allowance(info: &AgentInfo<Balance>, e: EpochIndex) -> BudgetUnits {
			if e < info.registered_epoch || !info.is_active() {
				return 0;
			}
			let (Ok(p), Some(epoch)) = (Self::parameters_for(e), Self::epoch_info(e)) else {
				return 0;
			};
			let delegators = BudgetUnits::from(info.delegators_at(epoch.first_block));
			let earned = p
				.base_allowance
				.saturating_add(p.per_delegator_allowance.saturating_mul(delegators))
				.min(p.max_allowance);
			if e < info.penalised_until {
				p.penalty_allowance.mul_floor(earned)
			} else {
				earned
			}
		}

		/// The budget of `info` in epoch `e`: the one fixed in storage, or else the one its
		/// current state gives (no change happened in `e` yet, or it would be fixed).
		pub fn budget_of(info: &AgentInfo<Balance>, e: EpochIndex) -> EpochBudget {
			info.budget(e).copied().unwrap_or_else(|| EpochBudget {
				epoch: e,
				allowance: Self::compute_allowance(info, e),
				spent_on_chain: 0,
			})
		}

		/// Fixes the budgets of the previous and current epoch before the agent changes, so
		/// that a change within an epoch affects only the epochs after it.
		fn fix_budgets(info: &mut AgentInfo<Balance>, epoch: EpochIndex) -> Result<(), Error<T>> {
			let budgets: alloc::vec::Vec<EpochBudget> = [epoch.checked_sub(1), Some(epoch)]
				.into_iter()
				.flatten()
				.map(|e| Self::budget_of(info, e))
				.collect();
			info.budgets =
				BoundedVec::try_from(budgets).map_err(|_| Error::<T>::InvalidParameters)?;
			Ok(())
		}

		/// Counts one more delegator, verified until `verified_until`.
		fn add_delegator(
			info: &mut AgentInfo<Balance>,
			verified_until: BlockNumber,
		) -> Result<(), Error<T>> {
			if let Some(bucket) =
				info.delegators.iter_mut().find(|b| b.verified_until == verified_until)
			{
				bucket.count.saturating_inc();
				return Ok(());
			}
			if info.delegators.is_full() {
				// Lapsed delegators count for nothing: their bucket can go.
				let now = Self::now();
				info.delegators.retain(|b| b.verified_until >= now);
			}
			info.delegators
				.try_push(DelegatorBucket { verified_until, count: 1 })
				.map_err(|_| Error::<T>::TooManyDelegatorBuckets)
		}

		/// Counts one delegator less. A bucket already dropped as lapsed has nothing to remove.
		fn remove_delegator(info: &mut AgentInfo<Balance>, verified_until: BlockNumber) {
			if let Some(bucket) =
				info.delegators.iter_mut().find(|b| b.verified_until == verified_until)
			{
				bucket.count.saturating_dec();
			}
			info.delegators.retain(|b| b.count > 0);
		}

		/// Removes a delegation's count from its agent, if it counts there: the agent may be
		/// gone, or re-registered since the delegation.
		fn detach(delegation: &Delegation, epoch: EpochIndex) -> Result<(), Error<T>> {
			let Some(mut info) = Agents::<T>::get(&delegation.agent) else { return Ok(()) };
			if delegation.since < info.registered_at {
				return Ok(());
			}
			Self::fix_budgets(&mut info, epoch)?;
			Self::remove_delegator(&mut info, delegation.verified_until);
			Agents::<T>::insert(&delegation.agent, info);
			Ok(())
		}

		/// Checks that evidence about `agent` in `epoch` can be punished.
		fn check_punishable(
			agent: &AccountId,
			epoch: EpochIndex,
		) -> Result<AgentInfo<Balance>, DispatchError> {
			let info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
			let current = Self::current_epoch()?;
			ensure!(epoch <= current, Error::<T>::EvidenceFromFuture);
			ensure!(current - epoch < EVIDENCE_EPOCHS, Error::<T>::EvidenceTooOld);
			ensure!(epoch >= info.registered_epoch, Error::<T>::BeforeRegistration);
			ensure!(!info.punished_epochs.contains(&epoch), Error::<T>::AlreadyPunished);
			Ok(info)
		}

		/// Checks equivocation evidence without changing anything.
		pub fn check_equivocation(
			first: &SignedMeshHeader,
			second: &SignedMeshHeader,
		) -> DispatchResult {
			ensure!(first.header.conflicts_with(&second.header), Error::<T>::NotConflicting);
			Self::check_punishable(&first.header.agent, first.header.epoch)?;
			let genesis = Self::genesis_hash();
			ensure!(
				first.verify(&genesis) && second.verify(&genesis),
				Error::<T>::InvalidSignature
			);
			Ok(())
		}

		/// Checks overspend evidence without changing anything.
		pub fn check_overspend(header: &SignedMeshHeader) -> DispatchResult {
			let h = &header.header;
			let info = Self::check_punishable(&h.agent, h.epoch)?;
			let allowance = Self::budget_of(&info, h.epoch).allowance;
			ensure!(h.spend_end().is_none_or(|end| end > allowance), Error::<T>::NotOverspent);
			ensure!(header.verify(&Self::genesis_hash()), Error::<T>::InvalidSignature);
			Ok(())
		}

		/// Punishes `agent` for an offence in `epoch`: slashes its deposit (paying the reporter
		/// a share), exhausts its current budget and puts it under penalty.
		fn punish(
			agent: &AccountId,
			epoch: EpochIndex,
			offence: Offence,
			reporter: AccountId,
		) -> DispatchResult {
			let mut info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
			let current = Self::current_epoch()?;
			let params = Self::parameters_for(current)?;

			Self::fix_budgets(&mut info, current)?;
			if let Some(budget) = info.budgets.iter_mut().find(|b| b.epoch == current) {
				budget.spent_on_chain = budget.allowance;
			}
			let until_epoch = Self::penalty_end(&info, current, &params);
			info.penalised_until = until_epoch;
			info.punished_epochs.retain(|e| current.saturating_sub(*e) < EVIDENCE_EPOCHS);
			info.punished_epochs.try_push(epoch).map_err(|_| Error::<T>::AlreadyPunished)?;

			let (slashed, reward) = Self::slash(&mut info, params.fraud_slash, |credit| {
				let reward = params.reporter_share.mul_floor(credit.peek());
				let (to_reporter, rest) = credit.split(reward);
				let paid = match T::Currency::resolve(&reporter, to_reporter) {
					Ok(()) => reward,
					// The reward would not create the reporter's account: it goes with the rest.
					Err(unpaid) => {
						T::Slash::on_unbalanced(unpaid);
						0
					},
				};
				T::Slash::on_unbalanced(rest);
				paid
			});
			Agents::<T>::insert(agent, info);
			Self::deposit_event(Event::AgentPenalised { agent: agent.clone(), until_epoch });
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

		/// The end of a penalty starting after `current`.
		fn penalty_end(
			info: &AgentInfo<Balance>,
			current: EpochIndex,
			params: &BudgetParameters<Balance>,
		) -> EpochIndex {
			info.penalised_until
				.max(current.saturating_add(1).saturating_add(params.penalty_epochs))
		}

		/// Slashes `fraction` of the agent's deposit and hands the funds to `spend`; returns
		/// the amount slashed and what `spend` reports.
		fn slash(
			info: &mut AgentInfo<Balance>,
			fraction: Perbill,
			spend: impl FnOnce(CreditOf<T>) -> Balance,
		) -> (Balance, Balance) {
			let amount = fraction.mul_floor(info.deposit);
			let (credit, _missing) = <T::Currency as BalancedHold<AccountId>>::slash(
				&HoldReason::AgentDeposit.into(),
				&info.sponsor,
				amount,
			);
			let slashed = credit.peek();
			info.deposit.saturating_reduce(slashed);
			(slashed, spend(credit))
		}

		/// The invariants of the pallet's storage.
		///
		/// # Invariants
		/// - the parameter eras are at most three, ordered, and start at epoch boundaries;
		/// - every agent is listed under its sponsor, and every listed agent exists with that
		///   sponsor;
		/// - the deposits of a sponsor's agents add up to its funds held for agent deposits;
		/// - no fixed budget has more spent on chain than allowed;
		/// - every delegation bucket is non-empty and holds no more than the delegation records
		///   pointing at it.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use polkadot_sdk::frame_support::traits::fungible::InspectHold;

			let eras = ParameterEras::<T>::get();
			for pair in eras.windows(2) {
				ensure!(pair[0].first_epoch < pair[1].first_epoch, "eras out of order");
				ensure!(
					pair[0].first_block_of(pair[1].first_epoch) == pair[1].first_block,
					"an era does not start at an epoch boundary"
				);
			}

			let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
			for (agent, info) in Agents::<T>::iter() {
				ensure!(
					SponsoredAgents::<T>::get(&info.sponsor).contains(&agent),
					"an agent is missing from its sponsor's list"
				);
				*deposits.entry(info.sponsor.clone()).or_default() += info.deposit;
				for budget in &info.budgets {
					ensure!(budget.spent_on_chain <= budget.allowance, "spent beyond allowance");
				}
				for bucket in &info.delegators {
					ensure!(bucket.count > 0, "an empty delegator bucket");
					let records = Delegations::<T>::iter_values()
						.filter(|d| {
							d.agent == agent
								&& d.verified_until == bucket.verified_until
								&& d.since >= info.registered_at
						})
						.count() as u32;
					ensure!(bucket.count <= records, "a bucket counts more than its delegations");
				}
			}
			for (sponsor, agents) in SponsoredAgents::<T>::iter() {
				ensure!(!agents.is_empty(), "an empty sponsor list");
				for agent in agents {
					let info = Agents::<T>::get(&agent).ok_or("a listed agent does not exist")?;
					ensure!(info.sponsor == sponsor, "an agent listed under the wrong sponsor");
				}
				let held = T::Currency::balance_on_hold(&HoldReason::AgentDeposit.into(), &sponsor);
				ensure!(
					held == deposits.get(&sponsor).copied().unwrap_or_default(),
					"held deposits differ from the registry"
				);
			}
			Ok(())
		}
	}

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
			let left = budget.allowance.saturating_sub(budget.spent_on_chain);
			ensure!(units <= left, Error::<T>::InsufficientBudget);
			Ok(())
		}

		fn spend(agent: &AccountId, units: BudgetUnits) -> DispatchResult {
			Self::ensure_can_spend(agent, units)?;
			let epoch = Self::current_epoch()?;
			let mut info = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
			Self::fix_budgets(&mut info, epoch)?;
			let budget = info
				.budgets
				.iter_mut()
				.find(|b| b.epoch == epoch)
				.ok_or(Error::<T>::InsufficientBudget)?;
			budget.spent_on_chain.saturating_accrue(units);
			let remaining = budget.allowance.saturating_sub(budget.spent_on_chain);
			Agents::<T>::insert(agent, info);
			Self::deposit_event(Event::BudgetSpent {
				agent: agent.clone(),
				epoch,
				units,
				remaining,
			});
			Ok(())
		}

		fn penalise(agent: &AccountId) {
			let (Some(mut info), Ok(epoch)) = (Agents::<T>::get(agent), Self::current_epoch())
			else {
				return;
			};
			let Ok(params) = Self::parameters_for(epoch) else { return };
			if Self::fix_budgets(&mut info, epoch).is_err() {
				return;
			}
			let until_epoch = Self::penalty_end(&info, epoch, &params);
			info.penalised_until = until_epoch;
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
			let Ok(params) = Self::parameters_for(epoch) else { return 0 };
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
}
