//! The circuit and the prover against the native code and the verifier. Run them in release:
//! proving in a debug build is slow.

use super::*;
use crate::{
	groth16::{self, ProofBytes},
	lean_imt::LeanImt,
	semaphore::hash_to_field,
};
use ark_ff::{AdditiveGroup, Field, PrimeField};
use ark_relations::gr1cs::ConstraintSystemRef;

fn identities(n: usize) -> Vec<Identity> {
	(0..n).map(|i| Identity::from_private_key(format!("member {i}").as_bytes())).collect()
}

fn tree_of(members: &[Identity]) -> LeanImt {
	LeanImt::from_leaves(members.iter().map(|m| m.commitment))
}

fn witness(
	max_depth: usize,
	identity: &Identity,
	membership: &MerkleProof,
	scope: Fr,
) -> MembershipCircuit {
	let mut siblings = membership.siblings.clone();
	siblings.resize(max_depth, Fr::ZERO);
	MembershipCircuit {
		max_depth,
		secret: identity.secret,
		path_length: membership.siblings.len(),
		path_index: membership.index,
		siblings,
		root: membership.root,
		nullifier: identity.nullifier(scope),
		message: hash_to_field(&[7u8; 32]),
		scope,
	}
}

fn satisfied(circuit: MembershipCircuit) -> bool {
	let cs: ConstraintSystemRef<Fr> = ConstraintSystem::new_ref();
	circuit.generate_constraints(cs.clone()).unwrap();
	cs.is_satisfied().unwrap()
}

#[test]
fn every_member_of_trees_of_many_shapes_satisfies_the_circuit() {
	let members = identities(9);
	let scope = Fr::from(42u64);
	for size in [1, 2, 3, 5, 8, 9] {
		let tree = tree_of(&members[..size]);
		for index in [0, size / 2, size - 1] {
			let membership = tree.proof(index).unwrap();
			assert!(satisfied(witness(4, &members[index], &membership, scope)), "{size}/{index}");
		}
	}
}

#[test]
fn a_wrong_root_nullifier_or_path_does_not_satisfy_it() {
	let members = identities(5);
	let tree = tree_of(&members);
	let membership = tree.proof(3).unwrap();
	let scope = Fr::from(42u64);
	let good = witness(4, &members[3], &membership, scope);
	assert!(satisfied(good.clone()));

	let mut bad = good.clone();
	bad.root += Fr::ONE;
	assert!(!satisfied(bad));
	let mut bad = good.clone();
	bad.nullifier = members[3].nullifier(scope + Fr::ONE);
	assert!(!satisfied(bad));
	let mut bad = good.clone();
	bad.secret = members[2].secret;
	assert!(!satisfied(bad));
	let mut bad = good.clone();
	bad.path_index ^= 1;
	assert!(!satisfied(bad));
	// A path length past the circuit's depth matches no level: refused, not a zero root.
	let mut bad = good.clone();
	bad.path_length = 5;
	bad.root = Fr::ZERO;
	assert!(!satisfied(bad));
}

#[test]
fn a_secret_above_the_subgroup_order_is_refused() {
	// secret + l has the same public key (so the same commitment) but another nullifier: the
	// circuit must refuse it, or one person could hold two nullifiers per scope.
	let identity = Identity::from_private_key(b"small secret");
	let order = Fr::from_bigint(ark_ed_on_bn254::Fr::MODULUS).unwrap();
	let small = Identity { secret: Fr::from(5u64), ..identity };
	let pk = crate::babyjubjub::mul(crate::babyjubjub::BASE8, &[true, false, true]);
	let small = Identity { public_key: pk, commitment: poseidon2(pk.0, pk.1), ..small };
	let tree = LeanImt::from_leaves([small.commitment, Fr::from(3u64)]);
	let membership = tree.proof(0).unwrap();
	let scope = Fr::from(1u64);
	assert!(satisfied(witness(2, &small, &membership, scope)));
	let aliased = Identity { secret: small.secret + order, ..small.clone() };
	assert!(!satisfied(witness(2, &aliased, &membership, scope)));
}

#[test]
fn proofs_verify_for_their_inputs_only() {
	let max_depth = 4;
	let key = dev_setup(max_depth).unwrap();
	let prepared = groth16::decode_prepared_key(&groth16::prepare_verifying_key(&key.vk)).unwrap();
	let members = identities(6);
	let tree = tree_of(&members);
	let membership = tree.proof(4).unwrap();
	let message = hash_to_field(&[1u8; 32]);
	let scope = hash_to_field(&[2u8; 32]);
	let mut rng = ChaCha20Rng::from_seed([9; 32]);
	let (proof, inputs) =
		prove(&key, max_depth, &members[4], &membership, message, scope, &mut rng).unwrap();
	assert_eq!(inputs.nullifier, members[4].nullifier(scope));

	// Through the wire encoding, as the chain sees it.
	let proof = ProofBytes::from_proof(&proof).to_proof().unwrap();
	assert!(groth16::verify(&prepared, &proof, &inputs.to_array()));
	for i in 0..4 {
		let mut other = inputs.to_array();
		other[i] += Fr::ONE;
		assert!(!groth16::verify(&prepared, &proof, &other), "input {i}");
	}
	// The key of another depth does not accept it.
	let other_key = dev_setup(3).unwrap();
	let other =
		groth16::decode_prepared_key(&groth16::prepare_verifying_key(&other_key.vk)).unwrap();
	assert!(!groth16::verify(&other, &proof, &inputs.to_array()));
}

#[test]
fn the_prover_refuses_non_members_and_too_deep_trees() {
	let members = identities(5);
	let tree = tree_of(&members[..4]);
	let key = dev_setup(1).unwrap();
	let mut rng = ChaCha20Rng::from_seed([9; 32]);
	let membership = tree.proof(0).unwrap();
	assert_eq!(
		prove(&key, 1, &members[0], &membership, Fr::ONE, Fr::ONE, &mut rng).unwrap_err(),
		ProveError::TreeTooDeep { depth: 2, max_depth: 1 }
	);
	assert_eq!(
		prove(&key, 1, &members[4], &membership, Fr::ONE, Fr::ONE, &mut rng).unwrap_err(),
		ProveError::NotAMember
	);
}

#[test]
fn the_dev_setup_is_deterministic() {
	let a = groth16::encode_verifying_key(&dev_setup(2).unwrap().vk);
	let b = groth16::encode_verifying_key(&dev_setup(2).unwrap().vk);
	assert_eq!(a, b);
	assert_eq!(a.len(), groth16::VERIFYING_KEY_BYTES);
	assert!(groth16::decode_verifying_key(&a).is_ok());
}

/// The dev setup's keys of every depth are recognised by the one constant, so are its keys with
/// `alpha` and `beta` rescaled or negated (which accept the dev proofs unchanged), and a key of
/// another setup is not.
#[test]
fn every_dev_key_is_recognised_and_no_other() {
	use crate::dev::is_dev_key;
	let recognised =
		|vk: &ark_groth16::VerifyingKey<ark_bn254::Bn254>| is_dev_key(&groth16::prepare(vk));
	for depth in [1, 2, 5] {
		assert!(recognised(&dev_setup(depth).unwrap().vk), "depth {depth}");
	}
	let dev = groth16::decode_verifying_key(crate::dev::DEV_VERIFYING_KEY).unwrap();
	assert!(recognised(&dev));

	// A disguise: s·alpha and beta/s, and both negated. The dev proofs still verify.
	let key = dev_setup(2).unwrap();
	let s = Fr::from(7u64);
	let mut rescaled = key.vk.clone();
	rescaled.alpha_g1 = (rescaled.alpha_g1 * s).into();
	rescaled.beta_g2 = (rescaled.beta_g2 * s.inverse().unwrap()).into();
	let mut negated = key.vk.clone();
	negated.alpha_g1 = -negated.alpha_g1;
	negated.beta_g2 = -negated.beta_g2;
	for disguised in [rescaled, negated] {
		assert_ne!(disguised.alpha_g1, key.vk.alpha_g1);
		assert!(recognised(&disguised));
	}

	let mut rng = ChaCha20Rng::from_seed([7; 32]);
	assert!(!recognised(&setup(2, &mut rng).unwrap().vk));
}

#[test]
fn the_dev_constants_are_what_the_code_derives() {
	use crate::dev::*;
	for (key, commitment) in DEV_IDENTITY_KEYS.iter().zip(DEV_IDENTITY_COMMITMENTS) {
		let identity = Identity::from_private_key(key.as_bytes());
		assert_eq!(groth16::fr_to_be_bytes(&identity.commitment), commitment, "{key}");
	}
	let key = dev_setup(DEV_KEY_DEPTH as usize).unwrap();
	assert_eq!(
		groth16::encode_verifying_key(&key.vk),
		DEV_VERIFYING_KEY,
		"regenerate with: cargo test --release -p teo-zk --features prover -- --ignored regenerate_dev_key"
	);
	assert_eq!(dev_alpha_beta(&key.vk), DEV_ALPHA_BETA, "regenerate as above");
}

fn dev_alpha_beta(vk: &ark_groth16::VerifyingKey<ark_bn254::Bn254>) -> Vec<u8> {
	use ark_serialize::CanonicalSerialize;
	let mut out = Vec::new();
	groth16::prepare(vk).alpha_g1_beta_g2.serialize_uncompressed(&mut out).unwrap();
	out
}

/// Writes `keys/dev-depth-20.vk`.
#[test]
#[ignore]
fn regenerate_dev_key() {
	let key = dev_setup(crate::dev::DEV_KEY_DEPTH as usize).unwrap();
	std::fs::write(
		concat!(env!("CARGO_MANIFEST_DIR"), "/keys/dev-depth-20.vk"),
		groth16::encode_verifying_key(&key.vk),
	)
	.unwrap();
	std::fs::write(
		concat!(env!("CARGO_MANIFEST_DIR"), "/keys/dev-alpha-beta.bin"),
		dev_alpha_beta(&key.vk),
	)
	.unwrap();
}
