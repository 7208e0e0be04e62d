//! The page's prover, natively: what it builds is what the chain accepts.

use codec::Decode;
use pallet_commit_gate::AnonymousVeto;
use teo_zk::{dev, groth16, semaphore};

use super::*;

const GENESIS: [u8; 32] = [7; 32];
const CALL_HASH: [u8; 32] = [9; 32];

/// The dev group as the chain's genesis holds it: the six dev identities.
fn dev_group() -> Group {
	Group::new(&dev::DEV_IDENTITY_COMMITMENTS.concat(), &[]).unwrap()
}

#[test]
fn identities_are_semaphores() {
	for (key, commitment) in dev::DEV_IDENTITY_KEYS.iter().zip(dev::DEV_IDENTITY_COMMITMENTS) {
		assert_eq!(identity_commitment(key.as_bytes()), commitment.to_vec(), "{key}");
	}
}

#[test]
fn a_veto_decodes_as_the_pallets_argument_and_verifies_with_the_dev_key() {
	let prover = Prover::dev_key().unwrap();
	let group = dev_group();
	let veto = prover.prove_veto(&group, b"//Charlie", &GENESIS, 3, &CALL_HASH).unwrap();

	let decoded = AnonymousVeto::decode(&mut &veto[..]).expect("the pallet's type decodes it");
	assert!(codec::Encode::encode(&decoded) == veto, "nothing left over, nothing reordered");
	assert_eq!(decoded.root.to_vec(), group.root().unwrap());
	assert_eq!(
		decoded.nullifier.to_vec(),
		veto_nullifier(b"//Charlie", &GENESIS, 3, &CALL_HASH).unwrap(),
		"the page predicts the nullifier it will reveal"
	);
	assert_eq!(decoded.proof.depth, dev::DEV_KEY_DEPTH);

	let proof = groth16::ProofBytes { a: decoded.proof.a, b: decoded.proof.b, c: decoded.proof.c }
		.to_proof()
		.unwrap();
	let key = groth16::decode_verifying_key(dev::DEV_VERIFYING_KEY).unwrap();
	assert_eq!(prover.verifying_key(), dev::DEV_VERIFYING_KEY, "the chain's dev key");
	let scope = semaphore::hash_to_field(&semaphore::veto_scope(&GENESIS, 3, &CALL_HASH));
	let inputs = |scope| {
		[
			groth16::fr_from_be_bytes(&decoded.root).unwrap(),
			groth16::fr_from_be_bytes(&decoded.nullifier).unwrap(),
			semaphore::hash_to_field(&semaphore::VETO_MESSAGE),
			scope,
		]
	};
	let prepared = groth16::prepare(&key);
	assert!(groth16::verify(&prepared, &proof, &inputs(scope)));
	let other_proposal = semaphore::hash_to_field(&semaphore::veto_scope(&GENESIS, 4, &CALL_HASH));
	assert!(!groth16::verify(&prepared, &proof, &inputs(other_proposal)));
}

#[test]
fn a_stranger_cannot_prove_and_is_told_so() {
	let prover = Prover::dev_key().unwrap();
	let refused = prover.prove_veto(&dev_group(), b"not a member", &GENESIS, 3, &CALL_HASH);
	assert_eq!(refused.err(), Some(Refusal::new("this identity is not a member of the group")));
}

#[test]
fn a_group_grows_and_changes_as_the_chain_does() {
	let all = dev::DEV_IDENTITY_COMMITMENTS.concat();
	let mut group = Group::new(&all[..4 * 32], &[]).unwrap();
	group.update(0, &all, &[]).unwrap();
	assert_eq!(group.root(), dev_group().root());
	assert_eq!(group.index_of(&dev::DEV_IDENTITY_COMMITMENTS[5]).unwrap(), Some(5));
	// A member removed below the copy's end: the leaves read again differ, the copy is refused
	// and left as it was; the page reads the group again.
	let mut removed = all.clone();
	removed[5 * 32..].fill(0);
	assert!(group.update(0, &removed, &[]).is_err());
	assert_eq!(group.root(), dev_group().root());
	let group = Group::new(&removed, &[]).unwrap();
	assert_eq!(group.index_of(&dev::DEV_IDENTITY_COMMITMENTS[5]).unwrap(), None);
	assert_eq!(group.size(), 6, "a removed member leaves a zero leaf");
	assert!(Group::new(&all[..4 * 32], &[]).unwrap().update(1024, &[], &[]).is_err());
}

#[test]
fn the_chains_subtree_roots_are_taken_and_a_wrong_one_changes_the_root() {
	let leaves: Vec<u8> =
		(0..2500u64).flat_map(|i| groth16::fr_to_be_bytes(&Fr::from(i + 1))).collect();
	let hashed = Group::new(&leaves, &[]).unwrap();
	assert_eq!(hashed.hashed_subtrees(), 3);
	let roots = Group::subtree_roots(&leaves).unwrap();
	assert_eq!(roots.len(), 3 * 32);
	let given = Group::new(&leaves, &roots).unwrap();
	assert_eq!((given.hashed_subtrees(), given.root()), (0, hashed.root()));
	// A zero root is one to hash here.
	let mut one_missing = roots.clone();
	one_missing[32..64].fill(0);
	let partly = Group::new(&leaves, &one_missing).unwrap();
	assert_eq!((partly.hashed_subtrees(), partly.root()), (1, hashed.root()));
	let mut wrong = roots.clone();
	wrong[63] ^= 1;
	assert_ne!(Group::new(&leaves, &wrong).unwrap().root(), hashed.root());
	// A root outside the field is hashed here, as a missing one is.
	let mut outside = roots.clone();
	outside[32..64].fill(0xff);
	let recovered = Group::new(&leaves, &outside).unwrap();
	assert_eq!((recovered.hashed_subtrees(), recovered.root()), (1, hashed.root()));
	// Changed leaves under the right roots: the root holds, the changed subtree does not.
	let mut changed = leaves.clone();
	changed[1500 * 32 + 31] ^= 1;
	let served = Group::new(&changed, &roots).unwrap();
	assert_eq!(served.root(), hashed.root());
	assert!(!served.subtrees_match(&[1]));
	assert!(served.subtrees_match(&[0, 2, 7]));
	// Parts hashed apart give the same roots.
	let parts = [
		Group::subtree_roots(&leaves[..2048 * 32]).unwrap(),
		Group::subtree_roots(&leaves[2048 * 32..]).unwrap(),
	]
	.concat();
	assert_eq!(parts, roots);
}

#[test]
fn bad_bytes_are_refused_with_a_reason() {
	assert!(Group::new(&[1; 33], &[]).is_err(), "not a whole number of leaves");
	assert!(Group::new(&[0xff; 32], &[]).is_err(), "above the field's modulus");
	assert!(Group::new(&[1; 32], &[1; 31]).is_err(), "not a whole number of roots");
	assert!(Group::new(&[1; 32], &[0xff; 32]).is_ok(), "a root outside the field: hashed here");
	assert!(veto_nullifier(b"//Alice", &[0; 31], 0, &CALL_HASH).is_err());
	assert!(Prover::from_key_file(b"zkey and nothing else", 20).is_err());
	assert!(Prover::from_key_file(&[1, 2, 3], 20).is_err());
}

#[test]
fn a_stored_tree_comes_back_whole_and_a_damaged_one_is_refused() {
	let group = dev_group();
	let bytes = group.to_bytes();
	assert_eq!(bytes.len(), (6 + 1) * 32, "six leaves and their subtree's root");
	let back = Group::from_bytes(6, &bytes).unwrap();
	assert_eq!((back.root(), back.size()), (group.root(), 6));
	let prover = Prover::dev_key().unwrap();
	assert!(prover.prove_veto(&back, b"//Eve", &GENESIS, 1, &CALL_HASH).is_ok());

	assert!(Group::from_bytes(6, &bytes[..bytes.len() - 32]).is_err(), "the root missing");
	assert!(Group::from_bytes(5, &bytes).is_err(), "another size");
	let empty = Group::new(&[], &[]).unwrap();
	assert_eq!(Group::from_bytes(0, &empty.to_bytes()).unwrap().root(), None);
}

#[test]
fn stored_trees_of_every_shape_come_back_and_one_node_more_or_less_is_refused() {
	for size in (0u32..=17).chain([31, 32, 33, 64, 1023, 1024, 1025, 2049]) {
		let leaves: Vec<u8> =
			(0..size).flat_map(|i| groth16::fr_to_be_bytes(&Fr::from(u64::from(i) + 1))).collect();
		let group = Group::new(&leaves, &[]).unwrap();
		let bytes = group.to_bytes();
		let back = Group::from_bytes(size, &bytes).unwrap();
		assert_eq!((back.root(), back.size()), (group.root(), size), "size {size}");
		assert!(
			Group::from_bytes(size, &[&bytes[..], &[0; 32]].concat()).is_err(),
			"size {size}, a node more"
		);
		if !bytes.is_empty() {
			assert!(
				Group::from_bytes(size, &bytes[..bytes.len() - 32]).is_err(),
				"size {size}, a node less"
			);
		}
	}
}
