//! Compatibility with the Semaphore ecosystem: values computed by the official npm packages
//! (`fixtures/generate.cjs`, versions in `fixtures/package.json`) reproduced by this crate.

use core::str::FromStr;

use ark_bn254::Fr;
use serde_json::Value;

use crate::{lean_imt::LeanImt, poseidon::poseidon2, semaphore::hash_to_field};

fn fixtures() -> Value {
	serde_json::from_str(include_str!("../fixtures/semaphore-v4.json")).expect("valid JSON")
}

fn fr(value: &Value) -> Fr {
	Fr::from_str(value.as_str().expect("a decimal string")).expect("a field element")
}

fn frs(values: &Value) -> Vec<Fr> {
	values.as_array().expect("an array").iter().map(fr).collect()
}

#[test]
fn poseidon_matches_poseidon_lite() {
	for case in fixtures()["poseidon2"].as_array().unwrap() {
		let inputs = frs(&case["inputs"]);
		assert_eq!(poseidon2(inputs[0], inputs[1]), fr(&case["output"]), "{case}");
	}
}

#[test]
fn commitments_are_poseidon_of_the_public_key() {
	for id in fixtures()["identities"].as_array().unwrap() {
		let key = frs(&id["publicKey"]);
		assert_eq!(poseidon2(key[0], key[1]), fr(&id["commitment"]), "{}", id["privateKey"]);
	}
}

#[test]
fn identities_of_keys_of_every_length_are_semaphores() {
	// Keys across BLAKE-512's block boundaries: an imported Semaphore export may be any length.
	for id in fixtures()["longIdentities"].as_array().unwrap() {
		let key = id["privateKey"].as_str().unwrap();
		let identity = crate::identity::Identity::from_private_key(key.as_bytes());
		assert_eq!(identity.commitment, fr(&id["commitment"]), "a key of {} bytes", key.len());
	}
}

#[test]
fn nullifiers_are_poseidon_of_scope_and_secret() {
	let data = fixtures();
	for case in data["nullifiers"].as_array().unwrap() {
		let id = data["identities"]
			.as_array()
			.unwrap()
			.iter()
			.find(|id| id["privateKey"] == case["privateKey"])
			.unwrap();
		let nullifier = poseidon2(fr(&case["scope"]), fr(&id["secretScalar"]));
		assert_eq!(nullifier, fr(&case["nullifier"]), "{case}");
	}
}

#[test]
fn lean_imt_roots_and_proofs_match_zk_kit() {
	for case in fixtures()["trees"].as_array().unwrap() {
		let tree = LeanImt::from_leaves(frs(&case["leaves"]));
		assert_eq!(tree.depth() as u64, case["depth"].as_u64().unwrap());
		assert_eq!(tree.root(), Some(fr(&case["root"])));
		for (index, expected) in case["proofs"].as_array().unwrap().iter().enumerate() {
			let proof = tree.proof(index).unwrap();
			assert_eq!(proof.index, expected["index"].as_u64().unwrap(), "leaf {index}");
			assert_eq!(proof.siblings, frs(&expected["siblings"]), "leaf {index}");
			assert!(proof.verify());
		}
	}
}

#[test]
fn removing_a_member_matches_zk_kit() {
	let case = &fixtures()["removal"];
	let mut tree = LeanImt::from_leaves(frs(&case["leaves"]));
	assert!(tree.update(case["removedIndex"].as_u64().unwrap() as usize, Fr::from(0u64)));
	assert_eq!(tree.root(), Some(fr(&case["root"])));
}

#[test]
fn hashes_match_semaphore() {
	for case in fixtures()["hashes"].as_array().unwrap() {
		let message = case["message"].as_str().unwrap();
		let mut bytes = [0u8; 32];
		if let Some(hex) = message.strip_prefix("0x") {
			for (i, byte) in bytes.iter_mut().enumerate() {
				*byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
			}
		} else {
			let n: u128 = message.parse().unwrap();
			bytes[16..].copy_from_slice(&n.to_be_bytes());
		}
		assert_eq!(hash_to_field(&bytes), fr(&case["hash"]), "{message}");
	}
}

#[test]
fn identities_match_semaphore() {
	use crate::identity::Identity;
	for case in fixtures()["identities"].as_array().unwrap() {
		let private_key = case["privateKey"].as_str().unwrap();
		let id = Identity::from_private_key(private_key.as_bytes());
		assert_eq!(id.secret, fr(&case["secretScalar"]), "{private_key}");
		let key = frs(&case["publicKey"]);
		assert_eq!(id.public_key, (key[0], key[1]), "{private_key}");
		assert_eq!(id.commitment, fr(&case["commitment"]), "{private_key}");
	}
}
