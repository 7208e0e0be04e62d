#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
use polkadot_sdk::frame_support::pallet_macros::import_section;

mod admissions;
mod allowance;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
mod dispatchable_impls;
pub mod epochs;
mod errors;
mod events;
mod extension;
pub use extension::{CheckFraudReport, FRAUD_REPORT_PRIORITY};
mod fraud;
mod impls;
pub mod runtime_api;
mod try_state;
mod types;
pub use types::*;
mod utility_impls;
pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use teo_primitives::mesh::{BudgetUnits, SignedMeshHeader};

/// The log target of this pallet.
pub(crate) const LOG_TARGET: &str = "runtime::action-budget";

/// Epochs for which evidence is accepted: the current one and the one before.
pub const EVIDENCE_EPOCHS: teo_primitives::EpochIndex = 2;

#[import_section(events::events)]
#[import_section(errors::errors)]
#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::{fungible, OnUnbalanced},
			DefaultNoBound,
		},
		frame_system::pallet_prelude::*,
	};
	use teo_primitives::{
		mesh::BudgetUnits, traits::PersonhoodInspect, AccountId, Balance, BlockNumber, EpochIndex,
		GroupId, Hash,
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

		/// The bounds no parameter may cross (`pallet-constitution`).
		type Constitution: Get<teo_primitives::constitution::Bounds>;

		/// May change the parameters ([`Pallet::set_parameters`]), and nothing else.
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
	pub type ParameterEras<T: Config> = StorageValue<_, ParameterHistory, ValueQuery>;

	/// Registered agents, active or unbonding.
	#[pallet::storage]
	pub type Agents<T: Config> = StorageMap<_, Blake2_128Concat, AccountId, AgentInfo>;

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

	/// Penalties that bind a person, not one account: the first epoch after the penalty of
	/// each sponsor whose agent offended. Agents the sponsor registers later inherit it; an
	/// entry goes when a registration finds it expired.
	#[pallet::storage]
	pub type SponsorPenalties<T: Config> = StorageMap<_, Blake2_128Concat, AccountId, EpochIndex>;

	/// Pull requests admitted per group in its latest epoch with an admission, and by whose
	/// agents.
	#[pallet::storage]
	pub type Admissions<T: Config> =
		StorageMap<_, Blake2_128Concat, GroupId, AdmissionCount, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters from block 0; without them every call fails with `NotConfigured`.
		pub parameters: Option<BudgetParameters>,
		/// Agents registered from block 0, as (sponsor, agent), through the registration's own
		/// checks and deposit hold: each sponsor a verified citizen at genesis (personhood's
		/// genesis, built before this pallet's) with the deposit in its balance.
		pub agents: alloc::vec::Vec<(AccountId, AccountId)>,
		/// Delegations from block 0, as (citizen, agent), made after the agents' registration.
		pub delegations: alloc::vec::Vec<(AccountId, AccountId)>,
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
			for (sponsor, agent) in &self.agents {
				if let Err(e) = Pallet::<T>::do_register_agent(sponsor.clone(), agent.clone()) {
					panic!("the genesis agent {agent:?} of {sponsor:?}: {e:?}");
				}
			}
			for (citizen, agent) in &self.delegations {
				if let Err(e) = Pallet::<T>::do_delegate(citizen.clone(), agent.clone()) {
					panic!("the genesis delegation of {citizen:?} to {agent:?}: {e:?}");
				}
			}
		}
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
		/// Signed by a verified citizen (the sponsor), who is not an agent.
		///
		/// ## Details
		/// Holds `agent_deposit` from the sponsor. `agent` must not be a verified human. The
		/// agent earns its allowance from the current epoch on.
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
			Self::do_register_agent(sponsor, agent)
		}

		/// Deregisters `agent`: it can no longer act, and its deposit is released after
		/// `unbonding_epochs`.
		///
		/// ## Dispatch Origin
		/// Signed by the agent's sponsor.
		///
		/// ## Details
		/// The agent stops at once: it can no longer spend or receive delegations, and earns no
		/// allowance from the next epoch on. Evidence about its past epochs can still be punished
		/// until its deposit is released.
		///
		/// ## Errors
		/// `NotConfigured`, `UnknownAgent`, `NotSponsor`, `AgentNotActive`.
		///
		/// ## Events
		/// `AgentDeregistered`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_agent())]
		pub fn deregister_agent(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
			Self::do_deregister_agent(sponsor, agent)
		}

		/// Returns the deposit of a deregistered agent to its sponsor once unbonding is over,
		/// and removes the agent.
		///
		/// ## Dispatch Origin
		/// Signed by anyone.
		///
		/// ## Details
		/// Releases what is left of the deposit after any slashes. Delegations to the agent stay
		/// until their delegators withdraw or are pruned, and never count for a later agent
		/// registered under the same account.
		///
		/// ## Errors
		/// `NotConfigured`, `UnknownAgent`, `StillActive`, `UnbondingNotOver`.
		///
		/// ## Events
		/// `DepositReleased`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::release_deposit())]
		pub fn release_deposit(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_release_deposit(agent)
		}

		/// Delegates the caller's voice to `agent`, replacing any earlier delegation. Calling it
		/// again for the same agent after re-proving personhood renews the delegation.
		///
		/// ## Dispatch Origin
		/// Signed by a verified citizen.
		///
		/// ## Details
		/// Takes effect in this block; the agent's allowance rises from the next epoch, for as
		/// long as the delegator's verification holds.
		///
		/// ## Errors
		/// `NotConfigured`, `NotVerifiedCitizen`, `UnknownAgent`, `AgentNotActive`,
		/// `TooManyDelegatorBuckets`.
		///
		/// ## Events
		/// `Undelegated` (for a replaced delegation), `Delegated`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::delegate())]
		pub fn delegate(origin: OriginFor<T>, agent: AccountId) -> DispatchResult {
			let delegator = ensure_signed(origin)?;
			Self::do_delegate(delegator, agent)
		}

		/// Withdraws the caller's delegation, in this block.
		///
		/// ## Dispatch Origin
		/// Signed by a delegator (verified or not: a lapsed human can always withdraw).
		///
		/// ## Details
		/// The agent's allowance falls from the next epoch.
		///
		/// ## Errors
		/// `NotConfigured`, `NotDelegating`.
		///
		/// ## Events
		/// `Undelegated`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::undelegate())]
		pub fn undelegate(origin: OriginFor<T>) -> DispatchResult {
			let delegator = ensure_signed(origin)?;
			Self::do_undelegate(delegator)
		}

		/// Removes the delegation of `delegator` whose verification has lapsed.
		///
		/// ## Dispatch Origin
		/// Signed by anyone.
		///
		/// ## Details
		/// Lapsed delegators already count for nothing; this frees their storage.
		///
		/// ## Errors
		/// `NotConfigured`, `NotDelegating`, `DelegationNotLapsed`.
		///
		/// ## Events
		/// `DelegationPruned`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::prune_delegation())]
		pub fn prune_delegation(origin: OriginFor<T>, delegator: AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_prune_delegation(delegator)
		}

		/// Proves that an agent equivocated: two distinct signed headers of one epoch with the
		/// same sequence number or overlapping spend ranges.
		///
		/// ## Dispatch Origin
		/// Signed by anyone: the reporter, who pays no fee for a valid report and receives
		/// `reporter_share` of the slashed deposit.
		///
		/// ## Details
		/// Evidence counts for the current and the previous epoch, once per agent and epoch. The
		/// agent loses `fraud_slash` of its deposit and the rest of its current budget, and is
		/// put under penalty for `penalty_epochs`.
		///
		/// ## Errors
		/// `NotConflicting`, `UnknownAgent`, `NotConfigured`, `EvidenceFromFuture`,
		/// `EvidenceTooOld`, `BeforeRegistration`, `AlreadyPunished`, `InvalidSignature`.
		///
		/// ## Events
		/// `AgentPenalised`, `FraudPunished`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::report_equivocation())]
		pub fn report_equivocation(
			origin: OriginFor<T>,
			first: SignedMeshHeader,
			second: SignedMeshHeader,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::do_report_equivocation(reporter, first, second)?;
			Ok(Pays::No.into())
		}

		/// Proves that an agent overspent: a signed header whose spend range ends past the
		/// agent's allowance for its epoch.
		///
		/// ## Dispatch Origin
		/// Signed by anyone, as for `report_equivocation`.
		///
		/// ## Details
		/// As for `report_equivocation`: the same evidence window, slash, reward and penalty.
		///
		/// ## Errors
		/// `UnknownAgent`, `NotConfigured`, `EvidenceFromFuture`, `EvidenceTooOld`,
		/// `BeforeRegistration`, `AlreadyPunished`, `NotOverspent`, `InvalidSignature`.
		///
		/// ## Events
		/// `AgentPenalised`, `FraudPunished`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::report_overspend())]
		pub fn report_overspend(
			origin: OriginFor<T>,
			header: SignedMeshHeader,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::do_report_overspend(reporter, header)?;
			Ok(Pays::No.into())
		}

		/// Schedules new parameters from the next epoch on.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// A set scheduled earlier for the next epoch is replaced. On a chain without parameters
		/// they apply at once, from this block as epoch 0.
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
			parameters: BudgetParameters,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_parameters(parameters)
		}
	}
}
