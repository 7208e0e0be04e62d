//! A test runtime: System, Balances and the action budget, with personhood as a simple table
//! (the pallet sees personhood only through `PersonhoodInspect`).

use polkadot_sdk::{
	frame_support::{self, derive_impl, parameter_types, traits::ConstU32},
	frame_system::{self, EnsureRoot},
	pallet_balances,
	sp_core::{sr25519, Pair, H256},
	sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{traits::IdentityLookup, BuildStorage, MultiSignature, Perbill},
};
use teo_pallet_test_utils::{TablePersonhood, COST_SCHEDULE};
use teo_primitives::{
	mesh::{MeshHeader, MessageKind, SignedMeshHeader},
	AccountId, Balance, BlockNumber, EpochIndex, GroupId,
};

use crate::{self as pallet_action_budget, BudgetParameters};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ActionBudget: pallet_action_budget,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const CITIZENS: GroupId = 0;

parameter_types! {
	pub const CitizensGroup: GroupId = CITIZENS;
}

/// Personhood as a table the tests fill, lapsing with this runtime's block number.
pub type People = TablePersonhood<Test>;

impl pallet_action_budget::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Personhood = People;
	type CitizensGroup = CitizensGroup;
	type Constitution = teo_pallet_test_utils::TestConstitution;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Slash = ();
	type MaxAgentsPerSponsor = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = People;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for People {
	fn make_citizen(who: &AccountId, until: BlockNumber) {
		Self::verify(who, CITIZENS, until);
	}
}

pub const EPOCH: BlockNumber = 10;
pub const DEPOSIT: Balance = 1_000;
/// Verification of the test citizens lasts far beyond every test.
pub const FOREVER: BlockNumber = 1_000_000;

pub fn parameters() -> BudgetParameters {
	BudgetParameters {
		epoch_length: EPOCH,
		base_allowance: 1_000,
		per_delegator_allowance: 100,
		max_allowance: 1_250,
		penalty_epochs: 5,
		penalty_allowance: Perbill::from_percent(10),
		costs: COST_SCHEDULE,
		max_admissions_per_epoch: 3,
		person_admission_share: Perbill::from_percent(100),
		agent_deposit: DEPOSIT,
		fraud_slash: Perbill::from_percent(50),
		reporter_share: Perbill::from_percent(20),
		unbonding_epochs: 3,
	}
}

pub fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// Sponsors (verified citizens with funds).
pub fn alice() -> AccountId {
	account(Sr25519Keyring::Alice)
}
pub fn bob() -> AccountId {
	account(Sr25519Keyring::Bob)
}
/// Citizens who delegate.
pub fn charlie() -> AccountId {
	account(Sr25519Keyring::Charlie)
}
pub fn dave() -> AccountId {
	account(Sr25519Keyring::Dave)
}
/// Agents: not verified.
pub fn eve() -> AccountId {
	account(Sr25519Keyring::Eve)
}
pub fn ferdie() -> AccountId {
	account(Sr25519Keyring::Ferdie)
}
/// A reporter with no special role.
pub fn reporter() -> AccountId {
	account(Sr25519Keyring::One)
}

pub struct ExtBuilder {
	parameters: Option<BudgetParameters>,
	agents: Vec<(AccountId, AccountId)>,
	delegations: Vec<(AccountId, AccountId)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { parameters: Some(parameters()), agents: Vec::new(), delegations: Vec::new() }
	}
}

impl ExtBuilder {
	pub fn unconfigured(mut self) -> Self {
		self.parameters = None;
		self
	}

	/// Starts the chain with `parameters` instead of [`parameters()`].
	pub fn with(mut self, parameters: BudgetParameters) -> Self {
		self.parameters = Some(parameters);
		self
	}

	/// Agents, as (sponsor, agent), and delegations, as (citizen, agent), from genesis.
	pub fn genesis(
		mut self,
		agents: Vec<(AccountId, AccountId)>,
		delegations: Vec<(AccountId, AccountId)>,
	) -> Self {
		self.agents = agents;
		self.delegations = delegations;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		// The table outlives one test on its thread; genesis agents need verified sponsors.
		People::clear();
		for citizen in [alice(), bob(), charlie(), dave()] {
			People::verify(&citizen, CITIZENS, FOREVER);
		}
		let balances = [alice(), bob(), charlie(), dave(), eve(), ferdie(), reporter()]
			.into_iter()
			.map(|a| (a, 100_000))
			.collect();
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
			action_budget: pallet_action_budget::GenesisConfig {
				parameters: self.parameters,
				agents: self.agents,
				delegations: self.delegations,
				_config: Default::default(),
			},
		}
		.build_storage()
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		// The benchmarks sign mesh headers with keystore keys.
		#[cfg(feature = "runtime-benchmarks")]
		ext.register_extension(polkadot_sdk::sp_keystore::KeystoreExt::new(
			polkadot_sdk::sp_keystore::testing::MemoryKeystore::new(),
		));
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			ActionBudget::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// Moves to the first block of epoch `e`.
pub fn run_to_epoch(e: EpochIndex) {
	run_to_block(u64::from(e * EPOCH));
}

/// A header of `agent` in `epoch`, signed by `signer`.
pub fn signed_header(
	signer: Sr25519Keyring,
	agent: AccountId,
	epoch: EpochIndex,
	seq: u64,
	spent_before: u64,
	cost: u64,
) -> SignedMeshHeader {
	let header = MeshHeader {
		agent,
		group: CITIZENS,
		kind: MessageKind::Draft,
		epoch,
		seq,
		spent_before,
		cost,
		body_len: 10,
		body_hash: H256::repeat_byte(seq as u8),
		anchor_number: 1,
		anchor_hash: H256::repeat_byte(7),
		commit_root: H256::zero(),
	};
	let genesis = System::block_hash(0);
	let pair: sr25519::Pair = signer.pair();
	let signature = MultiSignature::from(pair.sign(&header.signing_payload(&genesis)));
	SignedMeshHeader { header, signature }
}

/// The events of this pallet so far.
pub fn budget_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ActionBudget(e) => Some(e),
			_ => None,
		})
		.collect()
}
