//! The configuration of every pallet in the runtime.

use polkadot_sdk::{
	frame_support::{
		derive_impl,
		dispatch::DispatchClass,
		parameter_types,
		traits::{ConstBool, ConstU32, ConstU64, ConstU8, VariantCountOf},
		weights::{
			constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
			ConstantMultiplier, IdentityFee, Weight,
		},
	},
	frame_system::{
		self,
		limits::{BlockLength, BlockWeights},
	},
	pallet_aura, pallet_balances, pallet_grandpa, pallet_sudo, pallet_timestamp,
	pallet_transaction_payment::{self, ConstFeeMultiplier, FungibleAdapter, Multiplier},
	pallet_utility,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_core::Void,
	sp_runtime::{traits::One, Perbill},
	sp_version::RuntimeVersion,
};

use super::{
	token, AccountId, ActionBudget, Aura, Balance, Balances, Block, Hash, Nonce, OriginCaller,
	PalletInfo, Personhood, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System, EXISTENTIAL_DEPOSIT, VERSION,
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

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
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
	// No session pallet: equivocations are not provable on chain, so the proof type is empty.
	type KeyOwnerProof = Void;
	type EquivocationReportSystem = ();
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

parameter_types! {
	/// A replaced tree root stays valid for an hour (Semaphore's default), so proofs made just
	/// before a registrar's change still verify.
	pub const RootValidity: BlockNumber = teo_primitives::time::HOURS;
	/// A replaced verifying key stays valid for a day.
	pub const KeyGracePeriod: BlockNumber = teo_primitives::time::DAYS;
	pub const CitizensGroup: teo_primitives::GroupId = CITIZENS_GROUP;
}

impl pallet_personhood::Config for Runtime {
	// Root until the commit gate provides the Committed origin.
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
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
	// Root until the commit gate provides the Committed origin.
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	// Slashed funds beyond the reporter's share are burnt (until the treasury exists).
	type Slash = ();
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
