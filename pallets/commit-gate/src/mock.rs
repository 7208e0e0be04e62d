//! A test runtime: System, Balances, Utility, the real action budget and the gate, with
//! personhood as a table the tests fill (the gate sees personhood only through
//! `PersonhoodInspect`; the runtime's tests and the end-to-end suite use real proofs).

use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU32, EitherOfDiverse, Hooks},
		weights::Weight,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, pallet_utility, sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{traits::IdentityLookup, BuildStorage, Perbill},
};
use teo_pallet_test_utils::{TablePersonhood, COST_SCHEDULE};
use teo_primitives::{mesh::CostSchedule, AccountId, Balance, BlockNumber, GroupId};

use crate::{
	self as pallet_commit_gate, EnsureCommittedBy, GateParameters, ProposalClass, ProposalPolicy,
	Refusal, UtilityBatches,
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Utility: pallet_utility,
		ActionBudget: pallet_action_budget,
		CommitGate: pallet_commit_gate,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	type Version = MockVersion;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_utility::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = ();
}

pub const CITIZENS: GroupId = 0;
pub const TOWN: GroupId = 1;
pub const GUILD: GroupId = 2;

parameter_types! {
	pub const CitizensGroup: GroupId = CITIZENS;
	pub const GatePalletId: frame_support::PalletId = frame_support::PalletId(*b"teo/gate");
	/// Tests lower it to see the hook spread commits over blocks.
	pub storage MaxCommitWeight: Weight = Weight::from_parts(1_000_000_000_000, 1 << 20);
}

/// Personhood as a table the tests fill, lapsing with the mock's block number.
pub type People = TablePersonhood<Test>;

impl pallet_action_budget::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Personhood = People;
	type CitizensGroup = CitizensGroup;
	type Constitution = teo_pallet_test_utils::TestConstitution;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Slash = ();
	type MaxAgentsPerSponsor = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkPeople;
}

/// What proposals may carry in the tests: remarks in any group; the gate's and the budget's
/// parameters, constitutional and for the citizens only, and only within the constitution.
/// Batches are looked into by [`WithBatches`](crate::WithBatches).
pub struct TestPolicy;
impl ProposalPolicy<RuntimeCall> for TestPolicy {
	fn classify(group: GroupId, call: &RuntimeCall) -> Result<ProposalClass, Refusal> {
		let protocol = |valid: bool| match (group == CITIZENS, valid) {
			(false, _) => Err(Refusal::WrongGroup),
			(true, false) => Err(Refusal::Unconstitutional),
			(true, true) => Ok(ProposalClass::Constitutional),
		};
		match call {
			RuntimeCall::System(
				frame_system::Call::remark { .. } | frame_system::Call::remark_with_event { .. },
			) if RemarksAllowed::get() => Ok(ProposalClass::Ordinary),
			RuntimeCall::CommitGate(crate::Call::set_parameters { parameters }) => {
				protocol(CommitGate::validate_parameters(parameters).is_ok())
			},
			RuntimeCall::ActionBudget(pallet_action_budget::Call::set_parameters {
				parameters,
			}) => protocol(ActionBudget::validate_parameters(parameters).is_ok()),
			// A group's own affairs: any group, for itself.
			RuntimeCall::CommitGate(crate::Call::spend_from_purse { .. }) => {
				Ok(ProposalClass::Ordinary)
			},
			RuntimeCall::CommitGate(crate::Call::set_group_settings { .. }) => {
				Ok(ProposalClass::Constitutional)
			},
			_ => Err(Refusal::Forbidden),
		}
	}
}

parameter_types! {
	/// Tests raise it to see a runtime upgrade change the encoding of calls.
	pub storage TransactionVersion: u32 = 1;
	/// Tests clear it to see a runtime upgrade forbid a call that proposals carried.
	pub storage RemarksAllowed: bool = true;
	pub MockVersion: polkadot_sdk::sp_version::RuntimeVersion = polkadot_sdk::sp_version::RuntimeVersion {
		transaction_version: TransactionVersion::get(),
		..Default::default()
	};
}

impl pallet_commit_gate::Config for Test {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Personhood = People;
	type Budget = ActionBudget;
	type ProposalPolicy = crate::WithBatches<TestPolicy, UtilityBatches<Test>>;
	type Constitution = teo_pallet_test_utils::TestConstitution;
	type CitizensGroup = CitizensGroup;
	type CommittedOrigin = crate::EnsureCommitted;
	type PalletId = GatePalletId;
	type AdminOrigin = EitherOfDiverse<EnsureRoot<AccountId>, EnsureCommittedBy<CitizensGroup>>;
	type Slash = ();
	type MaxCallSize = ConstU32<256>;
	type MaxSummaryLength = ConstU32<64>;
	type MaxVetoThreshold = ConstU32<3>;
	type MaxPending = ConstU32<6>;
	type MaxPendingPerGroup = ConstU32<3>;
	type MaxCommitWeight = MaxCommitWeight;
	type CommitHistory = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkPeople;
}

/// The benchmark helpers of both pallets, over [`People`] (a local type: the orphan rule keeps
/// the mock from implementing another crate's trait for `TablePersonhood<Test>`).
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkPeople;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_action_budget::BenchmarkHelper for BenchmarkPeople {
	fn make_citizen(who: &AccountId, until: BlockNumber) {
		People::verify(who, CITIZENS, until);
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for BenchmarkPeople {
	fn make_member(who: &AccountId, group: GroupId) {
		People::verify(who, group, FOREVER);
	}

	fn make_agent(agent: &AccountId) {
		use frame_support::traits::Get;
		let sponsor = account(Sr25519Keyring::Two);
		People::verify(&sponsor, CITIZENS, FOREVER);
		pallet_action_budget::Pallet::<Test>::register_agent(
			RuntimeOrigin::signed(sponsor.clone()),
			agent.clone(),
		)
		.expect("a verified, funded sponsor registers an agent");
		let most = <Test as pallet_action_budget::Config>::MaxAgentsPerSponsor::get();
		for n in 1..most {
			let sibling = AccountId::new([n as u8; 32]);
			pallet_action_budget::Pallet::<Test>::register_agent(
				RuntimeOrigin::signed(sponsor.clone()),
				sibling,
			)
			.expect("the sponsor's list has room");
		}
	}

	fn costliest_call(len: u32) -> Vec<u8> {
		let remark = frame_system::Call::<Test>::remark { remark: Vec::new() }.into();
		crate::benchmarking::batch_of::<Test>(len, remark)
	}
}

pub const EPOCH: BlockNumber = 10;
pub const TIMELOCK: BlockNumber = 5;
/// The veto window of proposals that change the rules.
pub const CONSTITUTIONAL_TIMELOCK: BlockNumber = 8;
pub const PROPOSAL_DEPOSIT: Balance = 500;
pub const PULL_REQUEST_COST: u64 = 300;
/// Verification of the test members lasts far beyond every test.
pub const FOREVER: BlockNumber = 1_000_000;

pub fn gate_parameters() -> GateParameters {
	GateParameters {
		timelock: TIMELOCK,
		constitutional_timelock: CONSTITUTIONAL_TIMELOCK,
		veto_threshold: 1,
		proposal_deposit: PROPOSAL_DEPOSIT,
	}
}

pub fn budget_parameters() -> pallet_action_budget::BudgetParameters {
	pallet_action_budget::BudgetParameters {
		epoch_length: EPOCH,
		base_allowance: 1_000,
		per_delegator_allowance: 100,
		max_allowance: 2_000,
		penalty_epochs: 3,
		penalty_allowance: Perbill::from_percent(10),
		costs: CostSchedule { pull_request: PULL_REQUEST_COST, ..COST_SCHEDULE },
		max_admissions_per_epoch: 2,
		person_admission_share: Perbill::from_percent(100),
		agent_deposit: 1_000,
		fraud_slash: Perbill::from_percent(50),
		reporter_share: Perbill::from_percent(20),
		unbonding_epochs: 3,
	}
}

pub fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// A verified citizen who sponsors the agent.
pub fn alice() -> AccountId {
	account(Sr25519Keyring::Alice)
}
/// The agent, sponsored by Alice.
pub fn bob() -> AccountId {
	account(Sr25519Keyring::Bob)
}
/// Verified citizens, members of the town too; the vetoers.
pub fn charlie() -> AccountId {
	account(Sr25519Keyring::Charlie)
}
pub fn dave() -> AccountId {
	account(Sr25519Keyring::Dave)
}
/// A second agent, sponsored by Alice, with almost no funds.
pub fn eve() -> AccountId {
	account(Sr25519Keyring::Eve)
}
/// Nobody in particular: funded, neither verified nor an agent.
pub fn ferdie() -> AccountId {
	account(Sr25519Keyring::Ferdie)
}

pub struct ExtBuilder {
	gate: Option<GateParameters>,
	budget: pallet_action_budget::BudgetParameters,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { gate: Some(gate_parameters()), budget: budget_parameters() }
	}
}

impl ExtBuilder {
	pub fn unconfigured(mut self) -> Self {
		self.gate = None;
		self
	}

	/// The share of a group's admissions one person's agents may take per epoch.
	pub fn person_share(mut self, share: Perbill) -> Self {
		self.budget.person_admission_share = share;
		self
	}

	pub fn veto_threshold(mut self, threshold: u32) -> Self {
		self.gate.as_mut().expect("configured").veto_threshold = threshold;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut balances: Vec<(AccountId, Balance)> =
			[alice(), bob(), charlie(), dave(), ferdie(), account(Sr25519Keyring::Two)]
				.into_iter()
				.map(|a| (a, 100_000))
				.collect();
		balances.push((eve(), 100));
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
			action_budget: pallet_action_budget::GenesisConfig {
				parameters: Some(self.budget),
				..Default::default()
			},
			commit_gate: pallet_commit_gate::GenesisConfig {
				parameters: self.gate,
				_config: Default::default(),
			},
		}
		.build_storage()
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			People::clear();
			System::set_block_number(1);
			for citizen in [alice(), charlie(), dave()] {
				People::verify(&citizen, CITIZENS, FOREVER);
			}
			for member in [charlie(), dave()] {
				People::verify(&member, TOWN, FOREVER);
			}
			People::verify(&dave(), GUILD, FOREVER);
			for agent in [bob(), eve()] {
				ActionBudget::register_agent(RuntimeOrigin::signed(alice()), agent)
					.expect("Alice is a verified, funded citizen");
			}
			System::reset_events();
		});
		ext
	}

	/// Runs `test`, then checks both pallets' invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			CommitGate::do_try_state().expect("the gate's invariants hold after the test");
			ActionBudget::do_try_state().expect("the budget's invariants hold after the test");
		});
	}
}

/// Moves to block `n`, running the gate's block hook in every block on the way.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		System::set_block_number(System::block_number() + 1);
		CommitGate::on_initialize(System::block_number());
		CommitGate::do_try_state().expect("the gate's invariants hold in every block");
	}
}

/// A remark proposals may carry; `tag` makes each one distinct.
pub fn remark(tag: u8) -> Box<RuntimeCall> {
	Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![tag; 8] }))
}

/// The gate's events so far.
pub fn gate_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::CommitGate(e) => Some(e),
			_ => None,
		})
		.collect()
}
