//! The configuration of every pallet in the runtime.

pub(crate) mod proposal_policy;
pub mod single_layer;

use polkadot_sdk::{
	frame_support::{
		derive_impl,
		dispatch::DispatchClass,
		parameter_types,
		traits::{
			tokens::{imbalance::ResolveTo, pay::PayFromAccount, UnityAssetBalanceConversion},
			ConstBool, ConstU32, ConstU64, ConstU8, EitherOf, EitherOfDiverse, MapSuccess,
			VariantCountOf,
		},
		weights::{
			constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
			ConstantMultiplier, IdentityFee, Weight,
		},
		PalletId,
	},
	frame_system::{
		self,
		limits::{BlockLength, BlockWeights},
		EnsureRoot, EnsureRootWithSuccess,
	},
	pallet_aura, pallet_balances, pallet_grandpa, pallet_session, pallet_sudo, pallet_timestamp,
	pallet_transaction_payment::{self, ConstFeeMultiplier, FungibleAdapter, Multiplier},
	pallet_treasury, pallet_utility,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_core::Void,
	sp_runtime::{
		traits::{AccountIdConversion, ConvertInto, IdentityLookup, One, Replace},
		Perbill,
	},
	sp_version::RuntimeVersion,
};

use super::{
	token, AccountId, ActionBudget, Aura, Balance, Balances, Block, Constitution, Hash, Nonce,
	OriginCaller, PalletInfo, Personhood, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, SessionKeys, System, ValidatorSet,
	EXISTENTIAL_DEPOSIT, VERSION,
};
use teo_primitives::{time::SLOT_DURATION, BlockNumber};

/// Normal transactions may fill 75% of a block; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// The maximum number of Aura and GRANDPA authorities.
pub const MAX_AUTHORITIES: u32 = 32;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute in a six-second block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u16 = token::SS58_PREFIX;
}

/// The calls any origin may dispatch: all but the session pallet's `purge_keys`, with which a
/// validator would leave the set, and could empty it, without a proposal. A former validator
/// frees its keys' deposit with `validatorSet.purge_keys`.
pub struct AllowedCalls;

impl polkadot_sdk::frame_support::traits::Contains<RuntimeCall> for AllowedCalls {
	fn contains(call: &RuntimeCall) -> bool {
		!matches!(call, RuntimeCall::Session(pallet_session::Call::purge_keys { .. }))
	}
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type BaseCallFilter = AllowedCalls;
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// The node stores its state in ParityDB only.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No historical sessions: equivocations are not provable on chain, so the proof type is
	// empty (the mesh's own equivocation reports are the action budget's).
	type KeyOwnerProof = Void;
	type EquivocationReportSystem = ();
}

/// Blocks per session, by the chain's constitution ([`Constitution::session_length`]).
///
/// [`Constitution::session_length`]: teo_primitives::constitution::Constitution::session_length
pub struct SessionLength;

impl polkadot_sdk::frame_support::traits::Get<BlockNumber> for SessionLength {
	fn get() -> BlockNumber {
		pallet_constitution::ChainConstitution::<Runtime>::get().session_length()
	}
}

/// Sessions start at block 0 and last [`SessionLength`] blocks.
pub type Sessions = pallet_session::PeriodicSessions<SessionLength, ConstU32<0>>;

parameter_types! {
	/// Held while an account's session keys are registered: they are storage anyone could
	/// otherwise fill.
	pub const SessionKeyDeposit: Balance = 10 * token::UNIT;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// A validator is its account: no stash and controller.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = ValidatorSet;
	type SessionHandler =
		<SessionKeys as polkadot_sdk::sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// No staking, so no slashing and nothing to disable a validator for.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
	// The policy makes it a constitutional proposal of the citizens (proposal_policy.rs).
	type ChangeOrigin = Governance;
	type MaxValidators = ConstU32<MAX_AUTHORITIES>;
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const ExistentialDeposit: Balance = EXISTENTIAL_DEPOSIT;
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// One micro-TEO per byte of an extrinsic.
	pub const TransactionByteFee: Balance = token::MICRO_UNIT;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// The group whose verified members are TEO's citizens.
pub const CITIZENS_GROUP: teo_primitives::GroupId = 0;

/// Who governs the chain: a proposal of the citizens' group committed by the gate (every
/// citizen could have vetoed it), or root, which only sudo can reach, and only on dev and local
/// chains (the production preset has no sudo key).
pub type Governance =
	EitherOfDiverse<EnsureRoot<AccountId>, pallet_commit_gate::EnsureCommittedBy<CitizensGroup>>;

parameter_types! {
	/// A replaced tree root stays valid for an hour (Semaphore's default), so proofs made just
	/// before a registrar's change still verify.
	pub const RootValidity: BlockNumber = teo_primitives::time::HOURS;
	/// A replaced verifying key stays valid for a day.
	pub const KeyGracePeriod: BlockNumber = teo_primitives::time::DAYS;
	pub const CitizensGroup: teo_primitives::GroupId = CITIZENS_GROUP;
}

impl pallet_constitution::Config for Runtime {
	// The policy makes it a constitutional proposal of the citizens (proposal_policy.rs).
	type UpgradeOrigin = Governance;
}

impl pallet_personhood::Config for Runtime {
	type AdminOrigin = Governance;
	type Constitution = Constitution;
	type Agents = ActionBudget;
	type MaxGroups = ConstU32<64>;
	// 2^20 members: the depth of the dev key's circuit.
	type MaxMembers = ConstU32<{ 1 << 20 }>;
	type MaxBatch = ConstU32<64>;
	type MaxNameLength = ConstU32<64>;
	type MaxRoots = ConstU32<32>;
	type RootValidity = RootValidity;
	type KeyGracePeriod = KeyGracePeriod;
	type MaxCleanupPerBlock = ConstU32<1_000>;
	type WeightInfo = pallet_personhood::weights::SubstrateWeight<Runtime>;
}

impl pallet_action_budget::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Personhood = Personhood;
	type CitizensGroup = CitizensGroup;
	type Constitution = Constitution;
	type AdminOrigin = Governance;
	// Slashed funds beyond the reporter's share go to the treasury.
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	type MaxAgentsPerSponsor = ConstU32<8>;
	type WeightInfo = pallet_action_budget::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = CitizenForBenchmarks;
}

/// Verified citizens for the action budget's benchmarks, through the real personhood pallet.
#[cfg(feature = "runtime-benchmarks")]
pub struct CitizenForBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_action_budget::BenchmarkHelper for CitizenForBenchmarks {
	fn make_citizen(who: &AccountId, until: BlockNumber) {
		Personhood::benchmark_verify(who, CITIZENS_GROUP, until);
	}
}

parameter_types! {
	/// Derives each group's purse, spent only by the group's committed proposals.
	pub const GroupPursesPalletId: PalletId = PalletId(*b"teo/grps");
	/// A quarter of a block's compute commits due proposals; the rest of the block stays free
	/// for transactions, vetoes included.
	pub MaxCommitWeight: Weight = RuntimeBlockWeights::get().max_block / 4;
}

impl pallet_commit_gate::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Personhood = Personhood;
	#[cfg(not(feature = "single-layer"))]
	type Budget = ActionBudget;
	// The flash-crash harness's counterfactual: every pull request admitted (single_layer.rs).
	#[cfg(feature = "single-layer")]
	type Budget = single_layer::Unbounded;
	type ProposalPolicy = proposal_policy::Policy;
	type Constitution = Constitution;
	type CitizensGroup = CitizensGroup;
	type CommittedOrigin = pallet_commit_gate::EnsureCommitted;
	type PalletId = GroupPursesPalletId;
	type AdminOrigin = Governance;
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	// 16 KiB: a batch of dozens of governance calls, or a verifying key with room to spare.
	type MaxCallSize = ConstU32<{ 16 * 1024 }>;
	type MaxSummaryLength = ConstU32<2048>;
	type MaxVetoThreshold = ConstU32<16>;
	// What the admissions cap lets in during one constitutional timelock in production (2 per
	// group and hour for 14 days is 672), rounded up; the queue holds four such groups.
	type MaxPendingPerGroup = ConstU32<1024>;
	type MaxPending = ConstU32<4096>;
	type MaxCommitWeight = MaxCommitWeight;
	// At the production admissions cap (two per group and hour), five days of one group's
	// commits; an agent further behind reads the pending proposals and the head afresh.
	type CommitHistory = ConstU32<256>;
	type WeightInfo = pallet_commit_gate::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = CitizenForBenchmarks;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_commit_gate::BenchmarkHelper for CitizenForBenchmarks {
	fn make_member(who: &AccountId, group: teo_primitives::GroupId) {
		Personhood::benchmark_verify(who, group, BlockNumber::MAX);
	}

	fn make_agent(agent: &AccountId) {
		use polkadot_sdk::frame_support::traits::{fungible::Mutate, Get};
		let sponsor: AccountId = polkadot_sdk::frame_benchmarking::account("sponsor", 0, 0);
		Personhood::benchmark_verify(&sponsor, CITIZENS_GROUP, BlockNumber::MAX);
		Balances::set_balance(&sponsor, 1_000_000 * token::UNIT);
		ActionBudget::register_agent(RuntimeOrigin::signed(sponsor.clone()), agent.clone())
			.expect("a verified, funded sponsor registers an agent");
		let most = <Runtime as pallet_action_budget::Config>::MaxAgentsPerSponsor::get();
		for n in 1..most {
			let sibling: AccountId = polkadot_sdk::frame_benchmarking::account("sibling", n, 0);
			ActionBudget::register_agent(RuntimeOrigin::signed(sponsor.clone()), sibling)
				.expect("the sponsor's list has room");
		}
	}

	fn costliest_call(len: u32) -> alloc::vec::Vec<u8> {
		// The smallest call the policy checks against the constitution (a storage read).
		let bounds = <Constitution as polkadot_sdk::frame_support::traits::Get<
			teo_primitives::constitution::Bounds,
		>>::get();
		let length = bounds.verification_period.min.max(1);
		let period =
			RuntimeCall::Personhood(pallet_personhood::Call::set_verification_period { length });
		pallet_commit_gate::benchmarking::batch_of::<Runtime>(len, period)
	}
}

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"teo/trsy");
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
	/// The most one committed proposal may spend at once.
	pub const MaxTreasurySpend: Balance = 1_000_000 * token::UNIT;
}

/// Spending the town budget: a committed proposal of the citizens, up to `MaxTreasurySpend`
/// per spend (or root on dev chains).
pub type TreasurySpender = EitherOf<
	EnsureRootWithSuccess<AccountId, MaxTreasurySpend>,
	MapSuccess<pallet_commit_gate::EnsureCommittedBy<CitizensGroup>, Replace<MaxTreasurySpend>>,
>;

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = Governance;
	type RuntimeEvent = RuntimeEvent;
	// Only `spend` is used; its payouts are claimed with `payout` within `PayoutPeriod`.
	type SpendPeriod = ConstU32<{ teo_primitives::time::DAYS }>;
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<64>;
	type SpendOrigin = TreasurySpender;
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = ConstU32<{ 30 * teo_primitives::time::DAYS }>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TreasuryArguments;
	type BlockNumberProvider = System;
}

/// Arguments for the treasury's benchmarks: the native asset, and accounts from seeds.
#[cfg(feature = "runtime-benchmarks")]
pub struct TreasuryArguments;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_treasury::ArgumentsFactory<(), AccountId> for TreasuryArguments {
	fn create_asset_kind(_seed: u32) {}

	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		AccountId::from(seed)
	}
}
