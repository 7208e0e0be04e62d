#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
use polkadot_sdk::frame_support::pallet_macros::import_section;

mod anonymous_veto;
pub use anonymous_veto::ProofCheck;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::BenchmarkHelper;
mod branch;
mod dispatchable_impls;
mod errors;
mod events;
mod extension;
pub mod migrations;
pub use extension::{CheckPullRequest, VETO_PRIORITY};
mod origin;
pub use origin::{EnsureCommitted, EnsureCommittedBy};
mod policy;
pub use policy::{
	BatchInspect, ProposalClass, ProposalPolicy, Refusal, UtilityBatches, WithBatches,
	MAX_BATCH_DEPTH,
};
mod queue;
pub mod runtime_api;
mod tick_impls;
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state;
mod types;
pub use types::*;
pub mod weights;
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use branch::CallBranch;
use teo_primitives::traits::{ActionBudget, AdmissionControl, PersonhoodInspect};

/// The target of the pallet's log lines.
pub(crate) const LOG_TARGET: &str = "runtime::commit-gate";

#[import_section(events::events)]
#[import_section(errors::errors)]
#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;
	use polkadot_sdk::{
		frame_support::{
			dispatch::{GetDispatchInfo, PostDispatchInfo},
			pallet_prelude::*,
			traits::{fungible, OnUnbalanced},
			DefaultNoBound, PalletId,
		},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::{traits::Dispatchable, SaturatedConversion},
	};
	use teo_primitives::{personhood::FieldBytes, AccountId, Balance, BlockNumber, GroupId, Hash};

	/// The in-code storage version: 1 since proposals count anonymous vetoes
	/// ([`crate::migrations::v1`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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

		/// Who is a member of a group (the anonymous vetoers) and who is verified (the signed
		/// ones).
		type Personhood: PersonhoodInspect<AccountId>;

		/// Agents, their budgets and the human-bandwidth cap.
		type Budget: ActionBudget<AccountId> + AdmissionControl<AccountId>;

		/// Which calls a proposal of a group may carry, and which of them change the rules (and
		/// wait the constitutional timelock). The runtime applies it inside batches too
		/// ([`WithBatches`]).
		type ProposalPolicy: ProposalPolicy<<Self as Config>::RuntimeCall>;

		/// The bounds no parameter may cross (`pallet-constitution`).
		type Constitution: Get<teo_primitives::constitution::Bounds>;

		/// The group whose verified members are the citizens: its proposals govern the protocol,
		/// and it always has room in the queue.
		#[pallet::constant]
		type CitizensGroup: Get<GroupId>;

		/// The origin of a committed proposal of any group, yielding `(id, group)`
		/// ([`EnsureCommitted`]): a group's own affairs (its purse, its settings) take it.
		type CommittedOrigin: EnsureOrigin<
			<Self as frame_system::Config>::RuntimeOrigin,
			Success = (ProposalId, GroupId),
		>;

		/// Derives each group's purse account ([`Pallet::purse`]).
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// May change the gate's parameters ([`Pallet::set_parameters`]). On a production chain,
		/// the gate itself: a proposal of the citizens' group.
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

		/// The most proposals pending at once, in all groups. Withdrawn proposals count until
		/// their window ends.
		#[pallet::constant]
		type MaxPending: Get<u32>;

		/// The most proposals pending at once in one group. Groups other than the citizens'
		/// together leave this many places of [`Config::MaxPending`] to the citizens, so spam in
		/// small groups cannot starve the one that governs the protocol.
		#[pallet::constant]
		type MaxPendingPerGroup: Get<u32>;

		/// The weight of calls the block hook commits per block, and the heaviest call a proposal
		/// may carry (so every proposal fits in some block).
		#[pallet::constant]
		type MaxCommitWeight: Get<Weight>;

		/// How many of the latest commits the chain keeps ([`RecentCommits`]): an agent that
		/// fell further behind reads the state afresh instead of the commits it missed.
		#[pallet::constant]
		type CommitHistory: Get<u32>;

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
		Committed {
			/// The proposal.
			id: ProposalId,
			/// The group whose members could have vetoed it.
			group: GroupId,
		},
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

	/// The settings each group gave itself; a group without an entry follows the gate's
	/// parameters.
	#[pallet::storage]
	pub type Settings<T: Config> = StorageMap<_, Twox64Concat, GroupId, GroupSettings>;

	/// How many proposals each group has pending (withdrawn ones included, until their window
	/// ends).
	#[pallet::storage]
	pub type PendingCount<T: Config> = StorageMap<_, Twox64Concat, GroupId, u32, ValueQuery>;

	/// The hash chain of commits: `blake2_256(previous root, id, group, call hash, succeeded,
	/// block)`, from zero at genesis.
	#[pallet::storage]
	pub type CommitRoot<T: Config> = StorageValue<_, Hash, ValueQuery>;

	/// How many proposals were committed (succeeded or failed).
	#[pallet::storage]
	pub type CommitCount<T: Config> = StorageValue<_, u64, ValueQuery>;

	/// The latest [`Config::CommitHistory`] commits by index: the tail of the commit chain,
	/// which [`runtime_api::CommitGateApi::commits_since`] serves.
	#[pallet::storage]
	pub type RecentCommits<T: Config> = StorageMap<_, Twox64Concat, u64, Commit>;

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

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::commit_due()
		}

		fn integrity_test() {
			assert!(T::MaxVetoThreshold::get() > 0, "a veto threshold of at least one must fit");
			assert!(
				T::MaxPendingPerGroup::get() > 0
					&& T::MaxPendingPerGroup::get() < T::MaxPending::get(),
				"each group has room, and the others leave the citizens' share free"
			);
			assert!(T::CommitHistory::get() > 0, "the latest commit is always readable");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
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
		/// Takes one of `group`'s admissions for the epoch at its price (which rises with each
		/// admission of the epoch) from the agent's budget, within its sponsor's share, and
		/// holds `proposal_deposit`. The runtime's [`Config::ProposalPolicy`] decides whether
		/// `group` may carry `call` and whether it waits the ordinary or the constitutional
		/// timelock. The transaction pool runs the same checks ([`CheckPullRequest`]), so a
		/// submission that would fail never reaches a block.
		///
		/// ## Errors
		/// `NotConfigured`, `NotAgent`, `NoVetoers`, `SummaryTooLong`, `SummaryNotUtf8`,
		/// `CallTooLarge`, `CallTooHeavy`, `ForbiddenCall`, `WrongGroup`, `Unconstitutional`,
		/// `TooManyPending`, `InsufficientBudget`, `AdmissionsExhausted`, `PersonShareTaken`,
		/// `InsufficientBalance`.
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
			Self::do_submit(proposer, group, &call, &summary)
		}

		/// Vetoes proposal `id` in the open: the veto names the vetoer's account. Prefer
		/// [`Pallet::veto_anonymously`], which names nobody.
		///
		/// ## Dispatch Origin
		/// Signed by a verified member of the proposal's group.
		///
		/// ## Details
		/// Accepted only where one veto kills the proposal (its threshold, capped by the group's
		/// members, is one); elsewhere it fails with `NeedsAnonymousVeto`, because one
		/// person's signed and anonymous vetoes cannot be told apart and would count twice.
		/// Fee-free, and in the operational class: a share of every block is reserved for it
		/// and it outranks every normal transaction, so filling blocks cannot price vetoes out
		/// during a short window. The transaction pool runs the call's checks first
		/// ([`CheckPullRequest`]), so a veto that would fail never takes block space. The
		/// proposal is deleted, its deposit slashed and its agent's person penalised, even if
		/// the proposal was withdrawn: withdrawing stops the call, never the accountability.
		///
		/// ## Errors
		/// `UnknownProposal`, `WindowClosed`, `NotVerifiedMember`, `NeedsAnonymousVeto`.
		///
		/// ## Events
		/// `Vetoed`, then `Killed` (and the budget pallet's `AgentPenalised`).
		#[pallet::call_index(1)]
		#[pallet::weight((T::WeightInfo::veto_and_kill(), DispatchClass::Operational, Pays::No))]
		pub fn veto(origin: OriginFor<T>, id: ProposalId) -> DispatchResult {
			let vetoer = ensure_signed(origin)?;
			Self::do_veto(vetoer, id)
		}

		/// Withdraws proposal `id` before its window ends: its call will not run.
		///
		/// ## Dispatch Origin
		/// Signed by the proposer or the proposer's sponsor.
		///
		/// ## Details
		/// The proposal stays vetoable until its window ends, and its deposit stays held until
		/// then: a veto still kills, slashes and penalises (an agent that sees a veto coming
		/// cannot escape it by withdrawing). Without a veto the deposit returns when the window
		/// ends (`Expired`). The budget spent and the admission taken stay spent.
		///
		/// ## Errors
		/// `UnknownProposal`, `WindowClosed`, `NotProposerOrSponsor`, `AlreadyWithdrawn`.
		///
		/// ## Events
		/// `Withdrawn`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>, id: ProposalId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, id)
		}

		/// Commits proposal `id` now that its timelock is over, without waiting for the block
		/// hook.
		///
		/// ## Dispatch Origin
		/// Signed by anyone.
		///
		/// ## Details
		/// Runs the call with the `Committed` origin. The transaction succeeds whatever the
		/// call's outcome, which the `Committed` event reports. A withdrawn proposal returns its
		/// deposit instead (`Expired`); a call that a runtime upgrade has since reinterpreted or
		/// forbidden does not run and returns its deposit (`Voided`). It is charged for the
		/// largest and heaviest call a proposal may carry, and refunded down to the call it ran.
		///
		/// ## Errors
		/// `UnknownProposal`, `StillLocked`.
		///
		/// ## Events
		/// `Committed`, `Expired` or `Voided`; `Killed` when the group shrank to the vetoes it
		/// already cast.
		#[pallet::call_index(3)]
		#[pallet::weight(CallBranch::max_enact_weight::<T>())]
		pub fn enact(origin: OriginFor<T>, id: ProposalId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let branch = Self::do_enact(id)?;
			Ok(Some(branch.weight::<T>()).into())
		}

		/// Sets the gate's parameters for proposals submitted from now on.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`]: on a production chain, the gate itself.
		///
		/// ## Details
		/// Pending proposals keep the timelock and veto threshold they were submitted under.
		///
		/// ## Errors
		/// `InvalidParameters`, `Unconstitutional`.
		///
		/// ## Events
		/// `ParametersSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: GateParameters) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_parameters(parameters)
		}

		/// Pays `amount` from the purse of the group whose proposal this is to `beneficiary`.
		///
		/// ## Dispatch Origin
		/// [`Config::CommittedOrigin`]: a committed proposal of the group. Nobody else can spend
		/// a group's purse, and a group can spend only its own.
		///
		/// ## Details
		/// Each group has a purse ([`Pallet::purse`]) that anyone may pay into. The purse keeps
		/// at least the existential deposit.
		///
		/// ## Errors
		/// `PurseTooPoor`.
		///
		/// ## Events
		/// `PurseSpent`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::spend_from_purse())]
		pub fn spend_from_purse(
			origin: OriginFor<T>,
			beneficiary: AccountId,
			amount: Balance,
		) -> DispatchResult {
			let (id, group) = T::CommittedOrigin::ensure_origin(origin)?;
			Self::do_spend_from_purse(id, group, beneficiary, amount)
		}

		/// Sets the settings of the group whose proposal this is.
		///
		/// ## Dispatch Origin
		/// [`Config::CommittedOrigin`]: a committed proposal of the group, which only that group
		/// can veto.
		///
		/// ## Details
		/// The group's veto threshold applies to its proposals submitted from now on, in place of
		/// the gate's; `None` clears the group's settings, and it follows the gate's parameters
		/// again. The runtime's policy makes this a constitutional proposal: it changes the
		/// group's rules.
		///
		/// ## Errors
		/// `InvalidParameters` (a threshold of zero or above `MaxVetoThreshold`).
		///
		/// ## Events
		/// `GroupSettingsSet`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_group_settings())]
		pub fn set_group_settings(
			origin: OriginFor<T>,
			settings: Option<GroupSettings>,
		) -> DispatchResult {
			let (_, group) = T::CommittedOrigin::ensure_origin(origin)?;
			Self::do_set_group_settings(group, settings)
		}

		/// Vetoes proposal `id` anonymously: a member of its group proves membership with a
		/// Semaphore proof, and no account sends, pays for or is named by the veto.
		///
		/// ## Dispatch Origin
		/// None: a bare (unsigned) extrinsic, as `api.tx.commitGate.vetoAnonymously(id,
		/// veto).send()` makes it. The transaction pool checks it in full first
		/// ([`crate::anonymous_veto`]), so a veto that would fail never takes block space.
		///
		/// ## Details
		/// The proof's scope binds the chain, the proposal and its call
		/// ([`teo_zk::semaphore::veto_scope`]); its message is the veto
		/// ([`teo_zk::semaphore::VETO_MESSAGE`]); its root is a recent root of the
		/// proposal's group. The tally counts nullifiers: one veto per person and proposal.
		/// When it reaches the threshold (capped by the group's members), the proposal
		/// is killed as by [`Pallet::veto`]. Operational class and fee-free, like the signed
		/// veto; a veto that only counts is refunded the weight of killing.
		///
		/// ## Errors
		/// `UnknownProposal`, `WindowClosed`, `NullifierAlreadyUsed`, `UnknownRoot`,
		/// `ExpiredRoot`, `MalformedVeto`, `NoVerifyingKey`, `InvalidVetoProof`.
		///
		/// ## Events
		/// `VetoedAnonymously`, then `Killed` at the threshold (and the budget pallet's
		/// `AgentPenalised`).
		#[pallet::call_index(7)]
		#[pallet::weight((
			Pallet::<T>::max_anonymous_veto_weight(),
			DispatchClass::Operational,
			Pays::No
		))]
		pub fn veto_anonymously(
			origin: OriginFor<T>,
			id: ProposalId,
			veto: AnonymousVeto,
		) -> DispatchResultWithPostInfo {
			ensure_none(origin)?;
			let branch = Self::do_veto_anonymously(id, &veto)?;
			let weight = T::Personhood::check_signal_weight().saturating_add(branch.weight::<T>());
			Ok(PostDispatchInfo { actual_weight: Some(weight), pays_fee: Pays::No })
		}
	}

	// Deprecated in stable2609 in favour of `#[pallet::authorize]`, which our clients cannot use
	// yet (docs/COMMIT-GATE.md, "The anonymous veto's transaction").
	#[allow(deprecated)]
	#[pallet::validate_unsigned]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			match call {
				Call::veto_anonymously { id, veto } => {
					Self::validate_anonymous_veto(*id, veto, ProofCheck::Full)
				},
				_ => anonymous_veto::not_an_anonymous_veto(),
			}
		}

		fn pre_dispatch(call: &Self::Call) -> Result<(), TransactionValidityError> {
			match call {
				Call::veto_anonymously { id, veto } => {
					Self::validate_anonymous_veto(*id, veto, ProofCheck::SkipPairing).map(|_| ())
				},
				_ => anonymous_veto::not_an_anonymous_veto().map(|_| ()),
			}
		}
	}
}
