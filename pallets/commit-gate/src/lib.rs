//! # Commit Gate Pallet
//!
//! Rule B of TEO, `gamma > 0`: nothing an agent wants becomes law until verified humans have had
//! the time to read it and the power to stop it.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, storage, events and errors, and [`Config`] for the
//! configuration. Other pallets accept the gate's decisions through the origin it dispatches
//! with, checked by [`EnsureCommitted`] or [`EnsureCommittedBy`]. Clients read pending proposals
//! through the [`runtime_api::CommitGateApi`]. The pool-level check [`CheckPullRequest`] refuses
//! a submission that would fail before it reaches a block.
//!
//! ## Overview
//!
//! A proposal (a *pull request*) lives through these states:
//!
//! ```text
//!   submit ──► Pending ──(now >= unlock_at)──► dispatched ──► Committed (deposit returned)
//!                │  │                                    └──► Failed    (deposit slashed)
//!                │  └──(vetoes reach the threshold)──► Vetoed (deposit slashed, agent penalised)
//!                └─────(proposer or sponsor, before unlock)──► Withdrawn (deposit returned)
//! ```
//!
//! - **Submit.** An active agent calls [`Pallet::submit`] with the group it affects, the runtime
//!   call and a summary. The call must pass [`Config::ProposalFilter`] (which the runtime applies
//!   inside batches too), fit [`Config::MaxCallSize`] encoded and [`Config::MaxCommitWeight`]. The
//!   submission spends the pull-request cost from the agent's budget, takes one of the group's
//!   admissions for the epoch (the human-bandwidth cap) and holds `proposal_deposit`.
//! - **Timelock.** The proposal may not run before `unlock_at = submitted_at + timelock`, fixed at
//!   submission: no origin, not even root, can move it earlier. A change to the gate's own
//!   parameters is itself a proposal, so it waits out the timelock in force when it was
//!   submitted, and it never shortens the wait of proposals already pending.
//! - **Veto.** Until `unlock_at`, any verified member of the proposal's group may
//!   [`Pallet::veto`] it, once per person. When the vetoes reach the threshold fixed at
//!   submission the proposal dies at once: its call is deleted, its deposit slashed to
//!   [`Config::Slash`] and its agent penalised through the action budget.
//! - **Commit.** From `unlock_at`, proposals are dispatched in order of `unlock_at` (then id) by
//!   the block's `on_initialize`, with the origin [`Origin::Committed`], within
//!   [`Config::MaxCommitWeight`] per block; what does not fit waits for the next block and is
//!   never dropped. Anyone may push a due proposal at once with [`Pallet::enact`]. The result is
//!   an event; the deposit returns on success and is slashed on failure (a proposal must still
//!   be valid when it runs). Every commit extends the hash chain [`CommitRoot`].
//! - **Withdraw.** The proposer or its sponsor may [`Pallet::withdraw`] a proposal before its
//!   window ends; the deposit returns, the budget and the admission stay spent.
//!
//! ## Low Level / Implementation Details
//!
//! One veto per *person*: within a verification period every person has at most one verified
//! account per group (personhood nullifiers), so the tally counts accounts verified in the same
//! period. A veto from a later period (after the period rolled over inside the window) starts
//! a new tally, which keeps the rule exact and the stored tally bounded by the threshold. With
//! the seed's threshold of one, the first veto kills.
//!
//! The queue of pending proposals is one bounded vector sorted by `(unlock_at, id)`: the hook
//! reads its head, veto and withdraw remove from it, and its bound [`Config::MaxPending`]
//! refuses submissions loudly rather than dropping anything.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
mod extension;
pub use extension::CheckPullRequest;
mod origin;
pub use origin::{BatchInspect, EnsureCommitted, EnsureCommittedBy, WithBatches};
pub mod runtime_api;
mod types;
pub use types::*;
pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use teo_primitives::traits::{ActionBudget, AdmissionControl, PersonhoodInspect};

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use codec::{DecodeLimit, Encode};
	use polkadot_sdk::{
		frame_support::{
			dispatch::{extract_actual_weight, GetDispatchInfo, PostDispatchInfo},
			pallet_prelude::*,
			traits::{
				fungible::{self, BalancedHold, InspectHold, MutateHold},
				tokens::Precision,
				Contains, Imbalance, OnUnbalanced,
			},
			DefaultNoBound, MAX_EXTRINSIC_DEPTH,
		},
		frame_system::{self, pallet_prelude::*},
		sp_io::hashing::blake2_256,
		sp_runtime::{
			traits::{Dispatchable, Saturating},
			SaturatedConversion,
		},
	};
	use teo_primitives::{AccountId, Balance, BlockNumber, GroupId, Hash};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// Funds the pallet slashes.
	pub type CreditOf<T> = fungible::Credit<AccountId, <T as Config>::Currency>;

	/// A proposal with the runtime's bounds.
	pub type ProposalOf<T> = Proposal<
		<T as Config>::MaxCallSize,
		<T as Config>::MaxSummaryLength,
		<T as Config>::MaxVetoThreshold,
	>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<AccountId = AccountId, Hash = Hash>
	{
		/// The runtime origin, which includes the gate's [`Origin`].
		type RuntimeOrigin: From<Origin> + IsType<<Self as frame_system::Config>::RuntimeOrigin>;

		/// The runtime call a proposal carries.
		type RuntimeCall: Parameter
			+ Dispatchable<
				RuntimeOrigin = <Self as frame_system::Config>::RuntimeOrigin,
				PostInfo = PostDispatchInfo,
			> + GetDispatchInfo
			+ From<frame_system::Call<Self>>
			+ IsType<<Self as frame_system::Config>::RuntimeCall>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency in which proposal deposits are held.
		type Currency: fungible::Inspect<AccountId, Balance = Balance>
			+ fungible::Mutate<AccountId>
			+ fungible::MutateHold<AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<AccountId>;

		/// Who is a verified member of a group: the vetoers.
		type Personhood: PersonhoodInspect<AccountId>;

		/// Agents, their budgets and the human-bandwidth cap.
		type Budget: ActionBudget<AccountId> + AdmissionControl;

		/// The calls a proposal may carry. The runtime applies it inside batches too
		/// ([`WithBatches`]).
		type ProposalFilter: Contains<<Self as Config>::RuntimeCall>;

		/// May change the gate's parameters.
		type AdminOrigin: EnsureOrigin<<Self as frame_system::Config>::RuntimeOrigin>;

		/// Receives slashed proposal deposits.
		type Slash: OnUnbalanced<CreditOf<Self>>;

		/// The largest encoded call a proposal may carry, in bytes.
		#[pallet::constant]
		type MaxCallSize: Get<u32>;

		/// The longest summary, in bytes of UTF-8.
		#[pallet::constant]
		type MaxSummaryLength: Get<u32>;

		/// The highest veto threshold the parameters may set.
		#[pallet::constant]
		type MaxVetoThreshold: Get<u32>;

		/// The most proposals pending at once, in all groups.
		#[pallet::constant]
		type MaxPending: Get<u32>;

		/// The shortest timelock the parameters may set.
		#[pallet::constant]
		type MinTimelock: Get<BlockNumber>;

		/// The weight of calls the block hook commits per block, and the heaviest call a proposal
		/// may carry (so every proposal fits in some block).
		#[pallet::constant]
		type MaxCommitWeight: Get<Weight>;

		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;

		/// Makes agents and verified members for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The origin of a committed proposal's call: the gate decided, for `group`.
	#[pallet::origin]
	#[derive(
		Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
	)]
	pub enum Origin {
		/// Proposal `id` of `group` passed its veto window and is being committed.
		Committed { id: ProposalId, group: GroupId },
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a pending proposal.
		ProposalDeposit,
	}

	/// The gate's parameters; without them every submission fails with `NotConfigured`.
	#[pallet::storage]
	pub type Parameters<T: Config> = StorageValue<_, GateParameters>;

	/// Pending proposals.
	#[pallet::storage]
	pub type Proposals<T: Config> = StorageMap<_, Twox64Concat, ProposalId, ProposalOf<T>>;

	/// The id the next proposal gets.
	#[pallet::storage]
	pub type NextProposalId<T: Config> = StorageValue<_, ProposalId, ValueQuery>;

	/// Every pending proposal as `(unlock_at, id)`, in commit order.
	#[pallet::storage]
	pub type Queue<T: Config> =
		StorageValue<_, BoundedVec<(BlockNumber, ProposalId), T::MaxPending>, ValueQuery>;

	/// The hash chain of commits: `blake2_256(previous root, id, group, call hash, succeeded,
	/// block)`, from zero at genesis.
	#[pallet::storage]
	pub type CommitRoot<T: Config> = StorageValue<_, Hash, ValueQuery>;

	/// How many proposals were committed (succeeded or failed).
	#[pallet::storage]
	pub type CommitCount<T: Config> = StorageValue<_, u64, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The gate's parameters from block 0.
		pub parameters: Option<GateParameters>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				Pallet::<T>::validate_parameters(parameters)
					.expect("the genesis parameters of the commit gate must be valid");
				Parameters::<T>::put(parameters);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `proposer` submitted proposal `id` for `group`; it may be committed from `unlock_at`.
		Submitted {
			id: ProposalId,
			group: GroupId,
			proposer: AccountId,
			call_hash: Hash,
			unlock_at: BlockNumber,
		},
		/// `vetoer` vetoed proposal `id`; `tally` of the `threshold` needed so far.
		Vetoed { id: ProposalId, group: GroupId, vetoer: AccountId, tally: u32, threshold: u32 },
		/// Proposal `id` reached its veto threshold and is gone: its call deleted, `slashed`
		/// taken from `proposer`'s deposit, the agent penalised.
		Killed { id: ProposalId, group: GroupId, proposer: AccountId, slashed: Balance },
		/// Proposal `id` was withdrawn by `by`; its deposit returned.
		Withdrawn { id: ProposalId, group: GroupId, by: AccountId },
		/// Proposal `id` ran with the `Committed` origin: `result` is its outcome, `commit_root`
		/// the new head of the commit chain.
		Committed {
			id: ProposalId,
			group: GroupId,
			call_hash: Hash,
			result: DispatchResult,
			commit_root: Hash,
		},
		/// The gate's parameters changed; pending proposals keep theirs.
		ParametersSet { parameters: GateParameters },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The chain has no commit-gate parameters; governance must set them.
		NotConfigured,
		/// The parameters are invalid: the timelock is below the minimum, or the veto threshold
		/// is zero or above the maximum.
		InvalidParameters,
		/// Only a registered, active agent may submit a pull request.
		NotAgent,
		/// The group has no verified member who could veto: it does not exist, or nobody has
		/// proven personhood in it this period.
		NoVetoers,
		/// The summary is longer than `MaxSummaryLength` bytes.
		SummaryTooLong,
		/// The summary is not valid UTF-8.
		SummaryNotUtf8,
		/// The encoded call is longer than `MaxCallSize` bytes.
		CallTooLarge,
		/// The call is heavier than one block's commit budget (`MaxCommitWeight`).
		CallTooHeavy,
		/// Proposals may not carry this call (the runtime's proposal filter).
		ForbiddenCall,
		/// The agent's budget for this epoch cannot pay for a pull request.
		InsufficientBudget,
		/// The group has admitted as many pull requests as humans can review this epoch; wait
		/// for the next epoch.
		AdmissionsExhausted,
		/// The proposer cannot hold the proposal deposit.
		InsufficientBalance,
		/// As many proposals are pending as the chain can hold; wait for some to end.
		TooManyPending,
		/// No pending proposal has this id.
		UnknownProposal,
		/// Only a verified member of the proposal's group may veto it.
		NotVerifiedMember,
		/// This person already vetoed this proposal.
		AlreadyVetoed,
		/// The veto window of this proposal has ended.
		WindowClosed,
		/// The proposal's timelock has not ended yet.
		StillLocked,
		/// Only the proposer or its sponsor may withdraw a proposal.
		NotProposerOrSponsor,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::commit_due()
		}

		fn integrity_test() {
			assert!(T::MaxVetoThreshold::get() > 0, "a veto threshold of at least one must fit");
			assert!(T::MinTimelock::get() > 0, "a timelock of zero blocks is no timelock");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits a pull request: `call` to run for `group` after the timelock, unless vetoed.
		///
		/// ## Dispatch Origin
		/// Signed by a registered, active agent.
		///
		/// ## Details
		/// Spends the pull-request cost from the agent's budget, takes one of `group`'s
		/// admissions for the epoch and holds `proposal_deposit`. The transaction pool runs the
		/// same checks ([`CheckPullRequest`]), so a submission that would fail never reaches a
		/// block.
		///
		/// ## Errors
		/// `NotConfigured`, `NotAgent`, `NoVetoers`, `SummaryTooLong`, `SummaryNotUtf8`,
		/// `CallTooLarge`, `CallTooHeavy`, `ForbiddenCall`, `TooManyPending`,
		/// `InsufficientBudget`, `AdmissionsExhausted`, `InsufficientBalance`.
		///
		/// ## Events
		/// `Submitted` (and the budget pallet's `BudgetSpent` and `PullRequestAdmitted`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit(
			call.encoded_size().saturated_into(),
			summary.len().saturated_into(),
		))]
		pub fn submit(
			origin: OriginFor<T>,
			group: GroupId,
			call: Box<<T as Config>::RuntimeCall>,
			summary: Vec<u8>,
		) -> DispatchResult {
			let proposer = ensure_signed(origin)?;
			let checked = Self::check_submission(&proposer, group, &call, &summary)?;
			T::Budget::spend(&proposer, checked.cost)
				.map_err(|_| Error::<T>::InsufficientBudget)?;
			let epoch = T::Budget::admit(group).map_err(|_| Error::<T>::AdmissionsExhausted)?;
			let deposit = checked.parameters.proposal_deposit;
			T::Currency::hold(&HoldReason::ProposalDeposit.into(), &proposer, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			let id = NextProposalId::<T>::get();
			NextProposalId::<T>::put(id.wrapping_add(1));
			let now = Self::now();
			let unlock_at = now.saturating_add(checked.parameters.timelock);
			let mut queue = Queue::<T>::get();
			let position = queue.partition_point(|entry| *entry < (unlock_at, id));
			queue.try_insert(position, (unlock_at, id)).map_err(|_| Error::<T>::TooManyPending)?;
			Queue::<T>::put(queue);

			let call_hash = Hash::from(blake2_256(&checked.call));
			Proposals::<T>::insert(
				id,
				Proposal {
					proposer: proposer.clone(),
					group,
					call: checked.call,
					call_hash,
					summary: checked.summary,
					deposit,
					submitted_at: now,
					epoch,
					unlock_at,
					veto_threshold: checked.parameters.veto_threshold,
					vetoes: 0,
					tally_period_end: 0,
					vetoers: BoundedVec::new(),
				},
			);
			Self::deposit_event(Event::Submitted { id, group, proposer, call_hash, unlock_at });
			Ok(())
		}

		/// Vetoes proposal `id`.
		///
		/// ## Dispatch Origin
		/// Signed by a verified member of the proposal's group.
		///
		/// ## Details
		/// One veto per person. When the vetoes reach the proposal's threshold, the proposal is
		/// deleted, its deposit slashed and its agent penalised.
		///
		/// ## Errors
		/// `UnknownProposal`, `WindowClosed`, `NotVerifiedMember`, `AlreadyVetoed`.
		///
		/// ## Events
		/// `Vetoed`, then `Killed` at the threshold (and the budget pallet's `AgentPenalised`).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::veto().max(T::WeightInfo::veto_and_kill()))]
		pub fn veto(origin: OriginFor<T>, id: ProposalId) -> DispatchResultWithPostInfo {
			let vetoer = ensure_signed(origin)?;
			let mut proposal = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
			ensure!(Self::now() < proposal.unlock_at, Error::<T>::WindowClosed);
			let period_end = T::Personhood::verified_until(&vetoer, proposal.group)
				.ok_or(Error::<T>::NotVerifiedMember)?;
			if period_end > proposal.tally_period_end {
				// The verification period rolled over: people may hold new accounts now, so
				// the tally starts again among this period's verifications.
				proposal.tally_period_end = period_end;
				proposal.vetoers.clear();
			}
			ensure!(!proposal.vetoers.contains(&vetoer), Error::<T>::AlreadyVetoed);
			// The tally stays below the threshold, which is at most `MaxVetoThreshold`.
			if proposal.vetoers.try_push(vetoer.clone()).is_err() {
				defensive!("the tally is below the threshold, which fits");
				return Err(Error::<T>::AlreadyVetoed.into());
			}
			proposal.vetoes.saturating_inc();
			let tally = proposal.vetoers.len() as u32;
			Self::deposit_event(Event::Vetoed {
				id,
				group: proposal.group,
				vetoer,
				tally,
				threshold: proposal.veto_threshold,
			});
			if tally < proposal.veto_threshold {
				Proposals::<T>::insert(id, proposal);
				return Ok(Some(T::WeightInfo::veto()).into());
			}
			Self::kill(id, proposal);
			Ok(Some(T::WeightInfo::veto_and_kill()).into())
		}

		/// Withdraws proposal `id` before its window ends.
		///
		/// ## Dispatch Origin
		/// Signed by the proposer or the proposer's sponsor.
		///
		/// ## Details
		/// The deposit returns; the budget spent and the admission taken stay spent.
		///
		/// ## Errors
		/// `UnknownProposal`, `WindowClosed`, `NotProposerOrSponsor`.
		///
		/// ## Events
		/// `Withdrawn`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>, id: ProposalId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let proposal = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
			ensure!(
				who == proposal.proposer
					|| T::Budget::sponsor_of(&proposal.proposer).as_ref() == Some(&who),
				Error::<T>::NotProposerOrSponsor
			);
			ensure!(Self::now() < proposal.unlock_at, Error::<T>::WindowClosed);
			Self::unqueue(id);
			Proposals::<T>::remove(id);
			Self::release_deposit(&proposal);
			Self::deposit_event(Event::Withdrawn { id, group: proposal.group, by: who });
			Ok(())
		}

		/// Commits proposal `id` now that its timelock is over, without waiting for the block
		/// hook.
		///
		/// ## Dispatch Origin
		/// Signed by anyone.
		///
		/// ## Details
		/// Runs the call with the `Committed` origin. The transaction succeeds whatever the
		/// call's outcome, which the `Committed` event reports.
		///
		/// ## Errors
		/// `UnknownProposal`, `StillLocked`.
		///
		/// ## Events
		/// `Committed`.
		#[pallet::call_index(3)]
		#[pallet::weight(
			T::WeightInfo::enact(T::MaxCallSize::get()).saturating_add(T::MaxCommitWeight::get())
		)]
		pub fn enact(origin: OriginFor<T>, id: ProposalId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let proposal = Proposals::<T>::get(id).ok_or(Error::<T>::UnknownProposal)?;
			ensure!(proposal.unlock_at <= Self::now(), Error::<T>::StillLocked);
			Self::unqueue(id);
			let call_len = proposal.call.len() as u32;
			let call_weight = Self::commit(id, proposal);
			Ok(Some(T::WeightInfo::enact(call_len).saturating_add(call_weight)).into())
		}

		/// Sets the gate's parameters for proposals submitted from now on.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`]: on a production chain, the gate itself.
		///
		/// ## Errors
		/// `InvalidParameters`.
		///
		/// ## Events
		/// `ParametersSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: GateParameters) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::validate_parameters(&parameters)?;
			Parameters::<T>::put(parameters);
			Self::deposit_event(Event::ParametersSet { parameters });
			Ok(())
		}
	}

	/// What [`Pallet::check_submission`] found: the submission, ready to store.
	pub struct CheckedSubmission<T: Config> {
		/// The encoded call.
		pub call: BoundedVec<u8, T::MaxCallSize>,
		/// The summary.
		pub summary: BoundedVec<u8, T::MaxSummaryLength>,
		/// What the pull request costs the agent.
		pub cost: teo_primitives::mesh::BudgetUnits,
		/// The parameters in force.
		pub parameters: GateParameters,
	}

	impl<T: Config> Pallet<T> {
		/// The current block number.
		pub fn now() -> BlockNumber {
			frame_system::Pallet::<T>::block_number().saturated_into()
		}

		/// Checks the parameters against the runtime's bounds.
		pub fn validate_parameters(parameters: &GateParameters) -> Result<(), Error<T>> {
			ensure!(parameters.timelock >= T::MinTimelock::get(), Error::<T>::InvalidParameters);
			ensure!(
				(1..=T::MaxVetoThreshold::get()).contains(&parameters.veto_threshold),
				Error::<T>::InvalidParameters
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
			let summary: BoundedVec<u8, T::MaxSummaryLength> =
				summary.to_vec().try_into().map_err(|_| Error::<T>::SummaryTooLong)?;
			core::str::from_utf8(&summary).map_err(|_| Error::<T>::SummaryNotUtf8)?;
			let call_bytes: BoundedVec<u8, T::MaxCallSize> =
				call.encode().try_into().map_err(|_| Error::<T>::CallTooLarge)?;
			ensure!(T::ProposalFilter::contains(call), Error::<T>::ForbiddenCall);
			ensure!(
				call.get_dispatch_info().total_weight().all_lte(T::MaxCommitWeight::get()),
				Error::<T>::CallTooHeavy
			);
			ensure!(T::Budget::is_active_agent(proposer), Error::<T>::NotAgent);
			ensure!(T::Personhood::verified_count(group) > 0, Error::<T>::NoVetoers);
			ensure!(
				(Queue::<T>::decode_len().unwrap_or(0) as u32) < T::MaxPending::get(),
				Error::<T>::TooManyPending
			);
			ensure!(T::Budget::admissions_left(group) > 0, Error::<T>::AdmissionsExhausted);
			let cost = T::Budget::pull_request_cost().map_err(|_| Error::<T>::NotConfigured)?;
			T::Budget::ensure_can_spend(proposer, cost)
				.map_err(|_| Error::<T>::InsufficientBudget)?;
			T::Currency::ensure_can_hold(
				&HoldReason::ProposalDeposit.into(),
				proposer,
				parameters.proposal_deposit,
			)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
			Ok(CheckedSubmission { call: call_bytes, summary, cost, parameters })
		}

		/// Commits the due proposals at the head of the queue within the block's commit budget;
		/// returns the weight used.
		pub(crate) fn commit_due() -> Weight {
			let now = Self::now();
			let mut queue = Queue::<T>::get();
			let weight = T::WeightInfo::on_initialize_idle();
			let budget = T::MaxCommitWeight::get();
			let mut used = Weight::zero();
			let mut committed = 0u32;
			while let Some(&(unlock_at, id)) = queue.first() {
				if unlock_at > now {
					break;
				}
				let Some(proposal) = Proposals::<T>::get(id) else {
					defensive!("a queued proposal is stored");
					queue.remove(0);
					Queue::<T>::put(&queue);
					continue;
				};
				let overhead = T::WeightInfo::commit_one(proposal.call.len() as u32);
				let declared = Self::decode_call(&proposal.call)
					.map(|call| call.get_dispatch_info().total_weight())
					.unwrap_or_default();
				// The first due proposal always runs: submission bounded its weight by the
				// budget, so the queue can never stall behind it.
				if committed > 0
					&& !used.saturating_add(overhead).saturating_add(declared).all_lte(budget)
				{
					break;
				}
				queue.remove(0);
				// The queue is written before the call runs, so the call sees itself gone.
				Queue::<T>::put(&queue);
				let actual = Self::commit(id, proposal);
				used.saturating_accrue(overhead.saturating_add(actual));
				committed.saturating_inc();
			}
			weight.saturating_add(used)
		}

		/// Decodes a stored call.
		fn decode_call(bytes: &[u8]) -> Option<<T as Config>::RuntimeCall> {
			<T as Config>::RuntimeCall::decode_all_with_depth_limit(
				MAX_EXTRINSIC_DEPTH,
				&mut &bytes[..],
			)
			.ok()
		}

		/// Runs proposal `id`, already taken off the queue, with the `Committed` origin; settles
		/// its deposit and extends the commit chain. Returns the weight the call used.
		fn commit(id: ProposalId, proposal: ProposalOf<T>) -> Weight {
			Proposals::<T>::remove(id);
			let group = proposal.group;
			let (result, weight) = match Self::decode_call(&proposal.call) {
				Some(call) => {
					let info = call.get_dispatch_info();
					let origin =
						<T as Config>::RuntimeOrigin::from(Origin::Committed { id, group }).into();
					let outcome = call.dispatch(origin);
					let weight = extract_actual_weight(&outcome, &info);
					(outcome.map(|_| ()).map_err(|e| e.error), weight)
				},
				// Only a runtime upgrade that changed the call's encoding can cause this.
				None => (Err(DispatchError::Other("the call no longer decodes")), Weight::zero()),
			};
			if result.is_ok() {
				Self::release_deposit(&proposal);
			} else {
				Self::slash_deposit(&proposal);
			}
			let commit_root = Hash::from(blake2_256(
				&(
					CommitRoot::<T>::get(),
					id,
					group,
					proposal.call_hash,
					result.is_ok(),
					Self::now(),
				)
					.encode(),
			));
			CommitRoot::<T>::put(commit_root);
			CommitCount::<T>::mutate(|count| count.saturating_inc());
			Self::deposit_event(Event::Committed {
				id,
				group,
				call_hash: proposal.call_hash,
				result,
				commit_root,
			});
			weight
		}

		/// Deletes a vetoed proposal, slashes its deposit and penalises its agent.
		fn kill(id: ProposalId, proposal: ProposalOf<T>) {
			Self::unqueue(id);
			Proposals::<T>::remove(id);
			let slashed = Self::slash_deposit(&proposal);
			T::Budget::penalise(&proposal.proposer);
			Self::deposit_event(Event::Killed {
				id,
				group: proposal.group,
				proposer: proposal.proposer,
				slashed,
			});
		}

		/// Takes `id` off the queue.
		fn unqueue(id: ProposalId) {
			Queue::<T>::mutate(|queue| queue.retain(|(_, queued)| *queued != id));
		}

		fn release_deposit(proposal: &ProposalOf<T>) {
			let released = T::Currency::release(
				&HoldReason::ProposalDeposit.into(),
				&proposal.proposer,
				proposal.deposit,
				Precision::BestEffort,
			);
			debug_assert!(released.is_ok(), "the deposit of a pending proposal is held");
		}

		fn slash_deposit(proposal: &ProposalOf<T>) -> Balance {
			let (credit, _missing) = <T::Currency as BalancedHold<AccountId>>::slash(
				&HoldReason::ProposalDeposit.into(),
				&proposal.proposer,
				proposal.deposit,
			);
			let slashed = credit.peek();
			T::Slash::on_unbalanced(credit);
			slashed
		}

		/// The pending proposals of `group`, in commit order.
		pub fn pending_of(group: GroupId) -> Vec<(ProposalId, ProposalOf<T>)> {
			Queue::<T>::get()
				.into_iter()
				.filter_map(|(_, id)| Proposals::<T>::get(id).map(|p| (id, p)))
				.filter(|(_, p)| p.group == group)
				.collect()
		}

		/// The pallet's invariants.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let queue = Queue::<T>::get();
			ensure!(
				queue.windows(2).all(|pair| pair[0] < pair[1]),
				"the queue is not strictly sorted by (unlock_at, id)"
			);
			ensure!(
				Proposals::<T>::iter_keys().count() == queue.len(),
				"pending proposals and the queue differ in number"
			);
			let next = NextProposalId::<T>::get();
			let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
			let mut admitted: BTreeMap<(GroupId, teo_primitives::EpochIndex), u32> =
				BTreeMap::new();
			for (unlock_at, id) in queue.iter() {
				let proposal = Proposals::<T>::get(id).ok_or("a queued proposal is not stored")?;
				ensure!(*id < next, "a proposal id not issued yet");
				ensure!(proposal.unlock_at == *unlock_at, "the queue's unlock block is wrong");
				ensure!(
					proposal.unlock_at > proposal.submitted_at,
					"a proposal without a timelock"
				);
				ensure!(
					(proposal.vetoers.len() as u32) < proposal.veto_threshold,
					"a pending proposal has reached its veto threshold"
				);
				ensure!(
					proposal.call_hash == Hash::from(blake2_256(&proposal.call)),
					"a call hash does not match its call"
				);
				*deposits.entry(proposal.proposer.clone()).or_default() += proposal.deposit;
				*admitted.entry((proposal.group, proposal.epoch)).or_default() += 1;
			}
			for (proposer, deposit) in deposits {
				let held =
					T::Currency::balance_on_hold(&HoldReason::ProposalDeposit.into(), &proposer);
				ensure!(held == deposit, "held deposits differ from pending proposals");
			}
			for ((group, epoch), pending) in admitted {
				let (latest, count) = T::Budget::admitted(group);
				ensure!(epoch <= latest, "a proposal admitted in an epoch the cap never saw");
				ensure!(
					epoch < latest || pending <= count,
					"more proposals pending than admitted in their epoch"
				);
			}
			Ok(())
		}
	}
}
