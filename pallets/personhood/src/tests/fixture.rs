//! The benchmarks' proof (`benchmark_fixture.rs`): that it verifies, and how it is made.

use super::*;
use crate::benchmark_fixture as fixture;
use teo_zk::dev;

#[test]
fn the_benchmark_fixture_verifies() {
	ExtBuilder::default().build_and_execute(|| {
		frame_system::BlockHash::<Test>::insert(
			0,
			<Test as frame_system::Config>::Hash::from(fixture::GENESIS_HASH),
		);
		assert_ok!(Personhood::set_verifying_key(
			root(),
			dev::DEV_KEY_DEPTH,
			dev::DEV_VERIFYING_KEY.to_vec().try_into().unwrap()
		));
		assert_ok!(Personhood::create_group(root(), registrar(), name(b"bench")));
		let members: BoundedVec<_, _> =
			dev::DEV_IDENTITY_COMMITMENTS[..4].to_vec().try_into().unwrap();
		assert_ok!(Personhood::add_members(signed(&registrar()), 1, members));
		let members: BoundedVec<_, _> =
			dev::DEV_IDENTITY_COMMITMENTS[4..].to_vec().try_into().unwrap();
		assert_ok!(Personhood::add_members(signed(&registrar()), 1, members));
		assert_eq!(Personhood::current_root(1), Some(fixture::ROOT));
		let who = AccountId::from(fixture::CALLER);
		assert_ok!(Personhood::verify(
			signed(&who),
			1,
			fixture::ROOT,
			fixture::NULLIFIER,
			fixture::proof()
		));
	});
}

/// Writes `src/benchmark_fixture.rs`: `cargo test -p pallet-personhood -- --ignored
/// regenerate_benchmark_fixture`, then `cargo fmt`. The key, its depth and the members are the
/// dev chains' ones in [`teo_zk::dev`], which the fixture uses rather than copies.
#[test]
#[ignore]
fn regenerate_benchmark_fixture() {
	use teo_zk::{identity::Identity, lean_imt::LeanImt, prover, semaphore};
	let depth = dev::DEV_KEY_DEPTH;
	let key = prover::dev_setup(depth as usize).unwrap();
	assert_eq!(groth16::encode_verifying_key(&key.vk), dev::DEV_VERIFYING_KEY);
	let members: Vec<Identity> =
		dev::DEV_IDENTITY_KEYS.iter().map(|k| Identity::from_private_key(k.as_bytes())).collect();
	let commitments: Vec<Commitment> =
		members.iter().map(|m| groth16::fr_to_be_bytes(&m.commitment)).collect();
	assert_eq!(commitments, dev::DEV_IDENTITY_COMMITMENTS);
	let tree = LeanImt::from_leaves(members.iter().map(|m| m.commitment));
	let caller = Alice.to_account_id();
	let genesis = [0x42u8; 32];
	// Group 1 (created by the benchmark after the genesis group), period 0.
	let scope = semaphore::hash_to_field(&semaphore::personhood_scope(&genesis, 1, 0));
	let message = semaphore::hash_to_field(caller.as_ref());
	let membership = tree.proof(0).unwrap();
	let mut rng =
		<rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::from_seed([3; 32]);
	let (proof, inputs) =
		prover::prove(&key, depth as usize, &members[0], &membership, message, scope, &mut rng)
			.unwrap();
	let points = groth16::ProofBytes::from_proof(&proof);
	let bytes = |b: &[u8]| b.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", ");
	let semaphore_keys: serde_json::Value = serde_json::from_str(include_str!(
		"../../../../primitives/zk/fixtures/semaphore-v4-verification-keys.json"
	))
	.unwrap();
	let other = groth16::encode_verifying_key(
		&teo_zk::snarkjs::semaphore_verifying_key(&semaphore_keys, depth as usize).unwrap(),
	);
	let mut out = String::from(
		"//! A real membership proof for the benchmarks (which cannot prove in the runtime): made\n\
		 //! with the insecure dev key by the ignored test `regenerate_benchmark_fixture`, checked by\n\
		 //! `the_benchmark_fixture_verifies`. The key, its depth and the group's members are the dev\n\
		 //! chains' ([`teo_zk::dev`]: `DEV_VERIFYING_KEY`, `DEV_KEY_DEPTH`, `DEV_IDENTITY_COMMITMENTS`).\n\n\
		 use crate::{FieldBytes, MembershipProof};\n\
		 use teo_zk::dev::DEV_KEY_DEPTH;\n\n",
	);
	out += &format!(
		"/// Semaphore's published key for the same depth: valid, but not for this proof.\npub const OTHER_VERIFYING_KEY: &[u8] = &[{}];\n",
		bytes(&other)
	);
	out += &format!(
		"/// The genesis hash the scope uses.\npub const GENESIS_HASH: [u8; 32] = [{}];\n",
		bytes(&genesis)
	);
	out += &format!(
		"/// The account the proof is for (//Alice).\npub const CALLER: [u8; 32] = [{}];\n",
		bytes(caller.as_ref())
	);
	out += &format!(
		"/// The tree's root.\npub const ROOT: FieldBytes = [{}];\n",
		bytes(&groth16::fr_to_be_bytes(&inputs.root))
	);
	out += &format!(
		"/// The nullifier for group 1, period 0.\npub const NULLIFIER: FieldBytes = [{}];\n",
		bytes(&groth16::fr_to_be_bytes(&inputs.nullifier))
	);
	out += &format!(
		"/// The proof.\npub fn proof() -> MembershipProof {{\n\tMembershipProof {{\n\t\tdepth: DEV_KEY_DEPTH,\n\t\ta: [{}],\n\t\tb: [{}],\n\t\tc: [{}],\n\t}}\n}}\n",
		bytes(&points.a),
		bytes(&points.b),
		bytes(&points.c)
	);
	std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/benchmark_fixture.rs"), out).unwrap();
}
