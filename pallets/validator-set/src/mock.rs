//! A test runtime: System, Balances, the real session and GRANDPA pallets, and this pallet as
//! the session manager. Accounts are numbers and each one's session key is its own number.

use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU32, ConstU64},
	},
	frame_system::{self, EnsureRoot},
	pallet_balances, pallet_grandpa, pallet_session, sp_core,
	sp_runtime::{
		impl_opaque_keys,
		testing::UintAuthorityId,
		traits::{ConvertInto, OpaqueKeys},
		BuildStorage, KeyTypeId, RuntimeAppPublic,
	},
};

use crate as pallet_validator_set;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Grandpa: pallet_grandpa,
		Session: pallet_session,
		ValidatorSet: pallet_validator_set,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_grandpa::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<8>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl_opaque_keys! {
	/// One test key per validator.
	pub struct MockSessionKeys {
		pub dummy: UintAuthorityId,
	}
}

/// Records nothing: the tests read the session pallet's own storage.
pub struct NoSessionHandler;

impl pallet_session::SessionHandler<u64> for NoSessionHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[<UintAuthorityId as RuntimeAppPublic>::ID];
	fn on_genesis_session<Ks: OpaqueKeys>(_: &[(u64, Ks)]) {}
	fn on_new_session<Ks: OpaqueKeys>(_: bool, _: &[(u64, Ks)], _: &[(u64, Ks)]) {}
	fn on_disabled(_: u32) {}
}

/// Blocks per session.
pub const SESSION_LENGTH: u64 = 5;
/// What registering keys holds.
pub const KEY_DEPOSIT: u64 = 10;

parameter_types! {
	pub const Period: u64 = SESSION_LENGTH;
	pub const Offset: u64 = 0;
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
	type SessionManager = ValidatorSet;
	type SessionHandler = NoSessionHandler;
	type Keys = MockSessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<KEY_DEPOSIT>;
}

/// The most validators in the tests' set.
pub const MAX_VALIDATORS: u32 = 5;
/// The fewest.
pub const MIN_VALIDATORS: u32 = 2;

impl pallet_validator_set::Config for Test {
	type ChangeOrigin = EnsureRoot<u64>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type WeightInfo = ();
}

/// The session keys of account `who`.
pub fn keys(who: u64) -> MockSessionKeys {
	MockSessionKeys { dummy: UintAuthorityId(who) }
}

/// The proof that the holder of `key`'s session key registers it for `owner` (a test
/// signature is its signer and the message).
pub fn ownership_proof(key: u64, owner: u64) -> Vec<u8> {
	use codec::Encode;
	(polkadot_sdk::sp_runtime::testing::TestSignature(key, owner.encode()),).encode()
}

/// Validators 1, 2 and 3 from genesis; accounts 1 to 10 hold 1,000 each.
pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=10).map(|who| (who, 1_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: (1..=3).map(|who| (who, who, keys(who))).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_validator_set::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
