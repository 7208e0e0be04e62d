//! A test runtime: System and Personhood, with a table of agents, and real proofs made with
//! teo-zk's prover against a small (depth 4) insecure key.

use core::cell::RefCell;
use std::{collections::BTreeSet, sync::OnceLock};

use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU32, Hooks},
		weights::Weight,
	},
	frame_system::{self, EnsureRoot},
	sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{traits::IdentityLookup, BuildStorage},
};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use teo_primitives::{AccountId, BlockNumber, GroupId};
use teo_zk::{
	groth16,
	identity::Identity,
	lean_imt::LeanImt,
	prover::{self, ProvingKey},
	semaphore,
};

use crate::{self as pallet_personhood, *};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Personhood: pallet_personhood,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
}

thread_local! {
	static AGENTS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

/// Agents as a table the tests fill.
pub struct TableAgents;

impl TableAgents {
	pub fn add(who: &AccountId) {
		AGENTS.with(|a| a.borrow_mut().insert(who.clone()));
	}
}

impl AgentInspect<AccountId> for TableAgents {
	fn is_agent(who: &AccountId) -> bool {
		AGENTS.with(|a| a.borrow().contains(who))
	}
}

pub const ROOT_VALIDITY: BlockNumber = 5;
pub const KEY_GRACE: BlockNumber = 10;
pub const PERIOD: BlockNumber = 100;
pub const MAX_ROOTS: u32 = 4;
pub const MAX_MEMBERS: u32 = 12;

parameter_types! {
	// Raised by the tests of trees larger than a subtree.
	pub static GroupCapacity: u32 = MAX_MEMBERS;
	pub static BatchCapacity: u32 = 4;
	pub const RootValidity: BlockNumber = ROOT_VALIDITY;
	pub const KeyGracePeriod: BlockNumber = KEY_GRACE;
}

impl pallet_personhood::Config for Test {
	type AdminOrigin = EnsureRoot<AccountId>;
	type Agents = TableAgents;
	type MaxGroups = ConstU32<3>;
	type MaxMembers = GroupCapacity;
	type MaxBatch = BatchCapacity;
	type MaxNameLength = ConstU32<16>;
	type MaxRoots = ConstU32<MAX_ROOTS>;
	type RootValidity = RootValidity;
	type KeyGracePeriod = KeyGracePeriod;
	type Constitution = teo_pallet_test_utils::TestConstitution;
	type MaxCleanupPerBlock = ConstU32<8>;
	type WeightInfo = ();
}

/// The circuit depth of the test key: trees of up to 16 members.
pub const DEPTH: u8 = 4;
pub const CITIZENS: GroupId = 0;
pub const GENESIS_HASH: [u8; 32] = [7; 32];

pub fn registrar() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}

pub fn account(keyring: Sr25519Keyring) -> AccountId {
	keyring.to_account_id()
}

/// The insecure test proving key for [`DEPTH`], made once per test process.
pub fn proving_key() -> &'static ProvingKey {
	static KEY: OnceLock<ProvingKey> = OnceLock::new();
	KEY.get_or_init(|| prover::dev_setup(DEPTH as usize).expect("the circuit synthesises"))
}

/// Another key for the same circuit (another setup), to rotate to.
pub fn other_proving_key() -> &'static ProvingKey {
	static KEY: OnceLock<ProvingKey> = OnceLock::new();
	KEY.get_or_init(|| {
		prover::setup(DEPTH as usize, &mut ChaCha20Rng::from_seed([1; 32]))
			.expect("the circuit synthesises")
	})
}

pub fn key_bytes(key: &ProvingKey) -> VerifyingKeyBytes {
	groth16::encode_verifying_key(&key.vk).try_into().unwrap()
}

/// The test identities: members 0 to 5 of the citizens at genesis.
pub fn identity(n: usize) -> Identity {
	Identity::from_private_key(format!("citizen {n}").as_bytes())
}

pub fn commitment(n: usize) -> Commitment {
	groth16::fr_to_be_bytes(&identity(n).commitment)
}

pub struct ExtBuilder {
	period: BlockNumber,
	members: usize,
	verified: Vec<(GroupId, AccountId)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { period: PERIOD, members: 6, verified: Vec::new() }
	}
}

impl ExtBuilder {
	pub fn period(mut self, period: BlockNumber) -> Self {
		self.period = period;
		self
	}

	/// Accounts verified at genesis, without a proof.
	pub fn verified(mut self, accounts: Vec<(GroupId, AccountId)>) -> Self {
		self.verified = accounts;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_personhood::GenesisConfig::<Test> {
			groups: vec![GenesisGroup {
				name: b"citizens".to_vec(),
				registrar: registrar(),
				members: (0..self.members).map(commitment).collect(),
			}],
			verifying_keys: vec![(DEPTH, key_bytes(proving_key()).into_inner())],
			verification_period: self.period,
			verified: self.verified,
			_config: Default::default(),
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			frame_system::BlockHash::<Test>::insert(0, sp_core_hash(GENESIS_HASH));
			System::set_block_number(1);
		});
		ext
	}

	/// Builds, runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Personhood::do_try_state().expect("invariants hold");
		});
	}
}

fn sp_core_hash(bytes: [u8; 32]) -> <Test as frame_system::Config>::Hash {
	bytes.into()
}

/// Advances to block `n`, running the pallet's hooks.
pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n.into() {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Personhood::on_initialize(next);
		Personhood::on_idle(next, Weight::MAX);
	}
}

/// The group's tree, rebuilt from storage as a client does.
pub fn tree_of(group: GroupId) -> LeanImt {
	let size = Groups::<Test>::get(group).map(|g| g.size).unwrap_or(0);
	LeanImt::from_leaves(
		(0..size)
			.map(|i| groth16::fr_from_be_bytes(&Leaves::<Test>::get(group, i).unwrap()).unwrap()),
	)
}

/// The siblings of the leaf at `index` of `tree`, from the leaf up: what `remove_member` takes.
pub fn siblings_at(tree: &LeanImt, index: usize) -> Siblings {
	let siblings: Vec<FieldBytes> =
		tree.proof(index).expect("a leaf").siblings.iter().map(groth16::fr_to_be_bytes).collect();
	siblings.try_into().expect("a tree within the deepest depth")
}

/// A proof by identity `n` that `who` is a member of `group` in the current period, with
/// `key`; returns (root, nullifier, proof).
pub fn prove_with(
	key: &ProvingKey,
	n: usize,
	who: &AccountId,
	group: GroupId,
) -> (FieldBytes, FieldBytes, MembershipProof) {
	let identity = identity(n);
	let tree = tree_of(group);
	let index = tree.index_of(&identity.commitment).expect("a member");
	let membership = tree.proof(index).unwrap();
	let scope = semaphore::hash_to_field(&Personhood::current_scope(group));
	let message = semaphore::hash_to_field(who.as_ref());
	let mut rng = ChaCha20Rng::from_seed([n as u8; 32]);
	let (proof, inputs) =
		prover::prove(key, DEPTH as usize, &identity, &membership, message, scope, &mut rng)
			.expect("a member can prove");
	(
		groth16::fr_to_be_bytes(&inputs.root),
		groth16::fr_to_be_bytes(&inputs.nullifier),
		MembershipProof::from_points(DEPTH, groth16::ProofBytes::from_proof(&proof)),
	)
}

/// [`prove_with`] the genesis key.
pub fn prove(
	n: usize,
	who: &AccountId,
	group: GroupId,
) -> (FieldBytes, FieldBytes, MembershipProof) {
	prove_with(proving_key(), n, who, group)
}
