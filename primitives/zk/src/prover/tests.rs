//! The circuit and the prover against the native code and the verifier. Run them in release:
//! proving in a debug build is slow.

use super::*;
use crate::{
	groth16::{self, ProofBytes},
	lean_imt::LeanImt,
	semaphore::hash_to_field,
};
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
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
fn the_prepared_prover_makes_the_same_proof_bit_for_bit() {
	let max_depth = 4;
	let members = identities(6);
	let tree = tree_of(&members);
	let (message, scope) = (hash_to_field(&[1u8; 32]), hash_to_field(&[2u8; 32]));
	let prepared_prover = Prover::new(dev_setup(max_depth).unwrap(), max_depth).unwrap();
	let verifying = groth16::prepare(&prepared_prover.key().vk);
	for index in [0, 3, 5] {
		let membership = tree.proof(index).unwrap();
		let seed = [index as u8; 32];
		let (proof, inputs) = prepared_prover
			.prove(&members[index], &membership, message, scope, &mut ChaCha20Rng::from_seed(seed))
			.unwrap();
		let (synthesized, same_inputs) = prove(
			prepared_prover.key(),
			max_depth,
			&members[index],
			&membership,
			message,
			scope,
			&mut ChaCha20Rng::from_seed(seed),
		)
		.unwrap();
		assert!(groth16::verify(&verifying, &proof, &inputs.to_array()));
		assert_eq!((proof, inputs), (synthesized, same_inputs), "member {index}");
	}
	// The same refusals as the synthesizing prover.
	let mut rng = ChaCha20Rng::from_seed([9; 32]);
	let stranger = Identity::from_private_key(b"not a member");
	assert_eq!(
		prepared_prover.prove_signal(&tree, &stranger, &[1; 32], &[2; 32], &mut rng).unwrap_err(),
		ProveError::NotAMember
	);
	let deep = tree_of(&identities(17));
	assert_eq!(
		prepared_prover
			.prove(&members[0], &deep.proof(0).unwrap(), message, scope, &mut rng)
			.unwrap_err(),
		ProveError::TreeTooDeep { depth: 5, max_depth }
	);
	// And a key for another circuit is refused when prepared, not at the first proof.
	assert!(matches!(Prover::new(dev_setup(3).unwrap(), max_depth), Err(ProveError::Synthesis(_))));
	// So is a key of the right depth with any query cut or emptied (a damaged file read by
	// other means than the .zkey reader, which checks the shape itself).
	let damaged: [fn(&mut ProvingKey); 5] = [
		|key| key.a_query.clear(),
		|key| key.b_g1_query.truncate(key.b_g1_query.len() - 1),
		|key| key.b_g2_query.truncate(1),
		|key| key.l_query.truncate(key.l_query.len() - 1),
		|key| key.h_query.truncate(key.h_query.len() - 1),
	];
	for damage in damaged {
		let mut key = prepared_prover.key().clone();
		damage(&mut key);
		assert!(matches!(Prover::new(key, max_depth), Err(ProveError::Synthesis(_))));
	}
}

/// A key the citizen did not make must not turn a proof into a carrier of the identity: with
/// `δ₁` zero, `A` would be a sum of the key's points weighted by the witness, chosen by whoever
/// made the key; with a query changed apart from the verifying key, `C` would no longer be fixed
/// by `A` and `B`.
#[test]
fn a_hostile_key_is_refused_before_it_proves_or_its_proof_is_kept() {
	use ark_bn254::{G1Affine, G2Affine};
	use ark_ec::{AffineRepr, CurveGroup};
	let max_depth = 2;
	let honest = dev_setup(max_depth).unwrap();
	let hostile: [(fn(&mut ProvingKey), &str); 5] = [
		(|key| key.delta_g1 = G1Affine::zero(), "delta is zero"),
		// Zero on both sides of the pairing check would pass it: the zero check comes first.
		(|key| (key.delta_g1, key.beta_g1) = (G1Affine::zero(), G1Affine::zero()), "beta is zero"),
		(|key| key.vk.delta_g2 = G2Affine::zero(), "delta is zero"),
		(
			|key| key.delta_g1 = (key.delta_g1 * Fr::from(2u64)).into_affine(),
			"delta and beta disagree between G1 and G2",
		),
		(|key| key.vk.alpha_g1 = G1Affine::zero(), "alpha is zero"),
	];
	for (damage, why) in hostile {
		let mut key = honest.clone();
		damage(&mut key);
		assert_eq!(Prover::new(key, max_depth).err(), Some(ProveError::UnsafeKey(why)));
	}
	// A query changed apart from the verifying key passes every check of the key's own, and
	// its proof is made: it does not verify, so it is not returned.
	let members = identities(3);
	let tree = tree_of(&members);
	let mut key = honest.clone();
	// The constant one's point: its weight is 1 in every witness.
	key.a_query[0] = (key.a_query[0] + G1Affine::generator()).into_affine();
	let prover = Prover::new(key, max_depth).unwrap();
	let mut rng = ChaCha20Rng::from_seed([4; 32]);
	assert_eq!(
		prover.prove_signal(&tree, &members[1], &[1; 32], &[2; 32], &mut rng).unwrap_err(),
		ProveError::UnsafeKey("its proof does not verify with its own verifying key")
	);
	// The honest key proves.
	let prover = Prover::new(honest, max_depth).unwrap();
	assert!(prover.prove_signal(&tree, &members[1], &[1; 32], &[2; 32], &mut rng).is_ok());
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

/// A membership statement of a six-member tree, for the circuit of `max_depth`.
fn statement(max_depth: usize) -> (MembershipCircuit, Identity, MerkleProof, Fr, Fr) {
	let members = identities(6);
	let membership = tree_of(&members).proof(3).unwrap();
	let scope = hash_to_field(&[2u8; 32]);
	let circuit = witness(max_depth, &members[3], &membership, scope);
	let message = circuit.message;
	(circuit, members[3].clone(), membership, message, scope)
}

/// Reads back what `export_r1cs` wrote: per constraint, A, B and C as (wire, coefficient).
fn parse_r1cs(bytes: &[u8]) -> (r1cs::Shape, Vec<[Vec<(usize, Fr)>; 3]>) {
	let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
	assert_eq!(&bytes[..4], b"r1cs");
	assert_eq!((u32_at(4), u32_at(8)), (1, 3), "version 1, three sections");
	// Header: type 1, size 64.
	assert_eq!(u32_at(12), 1);
	assert_eq!(u64::from_le_bytes(bytes[16..24].try_into().unwrap()), 64);
	let h = 24;
	assert_eq!(u32_at(h), 32);
	assert_eq!(&bytes[h + 4..h + 36], Fr::MODULUS.to_bytes_le().as_slice());
	let shape = r1cs::Shape {
		wires: u32_at(h + 36),
		public: u32_at(h + 40) + u32_at(h + 44),
		constraints: u32_at(h + 60),
	};
	// Constraints: type 2.
	let mut at = h + 64;
	assert_eq!(u32_at(at), 2);
	at += 12;
	let mut rows = Vec::new();
	for _ in 0..shape.constraints {
		let mut lcs: [Vec<(usize, Fr)>; 3] = Default::default();
		for lc in &mut lcs {
			let terms = u32_at(at);
			at += 4;
			for _ in 0..terms {
				let wire = u32_at(at);
				let coefficient = Fr::from_le_bytes_mod_order(&bytes[at + 4..at + 36]);
				lc.push((wire, coefficient));
				at += 36;
			}
		}
		rows.push(lcs);
	}
	// Labels: type 3, one u64 per wire.
	assert_eq!(u32_at(at), 3);
	assert_eq!(bytes.len(), at + 12 + 8 * shape.wires);
	(shape, rows)
}

#[test]
fn the_exported_r1cs_is_the_circuit_and_a_real_witness_satisfies_it() {
	let max_depth = 4;
	let (bytes, shape) = r1cs::export_r1cs(max_depth).unwrap();
	let (parsed, rows) = parse_r1cs(&bytes);
	assert_eq!(parsed, shape);
	assert_eq!(shape.public, 4, "root, nullifier, message, scope");
	assert_eq!(shape.constraints, constraint_count(max_depth).unwrap());

	let (circuit, ..) = statement(max_depth);
	let assignment = r1cs::assignment(circuit.clone()).unwrap();
	assert_eq!(assignment.len(), shape.wires);
	assert_eq!(assignment[0], Fr::ONE, "wire 0 is the constant one");
	assert_eq!(assignment[1..5], [circuit.root, circuit.nullifier, circuit.message, circuit.scope]);
	let eval = |lc: &[(usize, Fr)], values: &[Fr]| -> Fr {
		lc.iter().map(|(wire, coefficient)| values[*wire] * coefficient).sum()
	};
	for (i, [a, b, c]) in rows.iter().enumerate() {
		assert!(a.windows(2).all(|w| w[0].0 < w[1].0), "row {i}: wires ascending, once each");
		assert_eq!(eval(a, &assignment) * eval(b, &assignment), eval(c, &assignment), "row {i}");
	}
	// A wrong witness breaks some row.
	let mut forged = assignment.clone();
	forged[1] += Fr::ONE;
	assert!(rows.iter().any(|[a, b, c]| eval(a, &forged) * eval(b, &forged) != eval(c, &forged)));
}

#[test]
fn the_exported_witness_holds_the_assignment_in_wire_order() {
	let (circuit, ..) = statement(3);
	let assignment = r1cs::assignment(circuit).unwrap();
	let bytes = r1cs::export_wtns(&assignment);
	assert_eq!(&bytes[..4], b"wtns");
	let values = &bytes[bytes.len() - 32 * assignment.len()..];
	for (i, value) in assignment.iter().enumerate() {
		assert_eq!(Fr::from_le_bytes_mod_order(&values[32 * i..32 * i + 32]), *value);
	}
}

/// Writes `key` as snarkjs lays out a `.zkey` (sections 1, 2, 3, 5-9), for the reader's tests;
/// the ceremony test in scripts/test.sh reads real snarkjs output.
fn write_zkey(key: &ProvingKey, public: usize, domain: usize) -> Vec<u8> {
	use ark_bn254::{Fq, G1Affine, G2Affine};
	use ark_ec::AffineRepr;
	fn fq(out: &mut Vec<u8>, value: &Fq) {
		for limb in value.0 .0 {
			out.extend(limb.to_le_bytes());
		}
	}
	fn g1(out: &mut Vec<u8>, p: &G1Affine) {
		match p.xy() {
			Some((x, y)) => {
				fq(out, &x);
				fq(out, &y);
			},
			None => out.extend([0u8; 64]),
		}
	}
	fn g2(out: &mut Vec<u8>, p: &G2Affine) {
		match p.xy() {
			Some((x, y)) => [x.c0, x.c1, y.c0, y.c1].iter().for_each(|c| fq(out, c)),
			None => out.extend([0u8; 128]),
		}
	}
	let variables = key.a_query.len();
	let mut header = Vec::new();
	header.extend(32u32.to_le_bytes());
	header.extend(Fq::MODULUS.to_bytes_le());
	header.extend(32u32.to_le_bytes());
	header.extend(Fr::MODULUS.to_bytes_le());
	for n in [variables, public, domain] {
		header.extend((n as u32).to_le_bytes());
	}
	g1(&mut header, &key.vk.alpha_g1);
	g1(&mut header, &key.beta_g1);
	g2(&mut header, &key.vk.beta_g2);
	g2(&mut header, &key.vk.gamma_g2);
	g1(&mut header, &key.delta_g1);
	g2(&mut header, &key.vk.delta_g2);
	let points = |points: &[G1Affine]| {
		let mut out = Vec::new();
		points.iter().for_each(|p| g1(&mut out, p));
		out
	};
	let mut b2 = Vec::new();
	key.b_g2_query.iter().for_each(|p| g2(&mut b2, p));
	let sections = [
		(1u32, 1u32.to_le_bytes().to_vec()),
		(2, header),
		(3, points(&key.vk.gamma_abc_g1)),
		(5, points(&key.a_query)),
		(6, points(&key.b_g1_query)),
		(7, b2),
		(8, points(&key.l_query)),
		(9, points(&key.h_query)),
	];
	let mut file = b"zkey".to_vec();
	file.extend(1u32.to_le_bytes());
	file.extend((sections.len() as u32).to_le_bytes());
	for (id, body) in sections {
		file.extend(id.to_le_bytes());
		file.extend((body.len() as u64).to_le_bytes());
		file.extend(body);
	}
	file
}

#[test]
fn a_zkey_reads_back_into_the_key_that_proves() {
	let max_depth = 3;
	let key = setup(max_depth, &mut ChaCha20Rng::from_seed([5; 32])).unwrap();
	let (_, shape) = r1cs::export_r1cs(max_depth).unwrap();
	let domain = key.h_query.len();
	assert_eq!(domain, (shape.constraints + shape.public + 1).next_power_of_two());
	let bytes = write_zkey(&key, shape.public, domain);

	let read = zkey::read_zkey_for(&bytes, max_depth).unwrap();
	assert_eq!(read, key);

	let (_, identity, membership, message, scope) = statement(max_depth);
	let (proof, inputs) = prove(
		&read,
		max_depth,
		&identity,
		&membership,
		message,
		scope,
		&mut ChaCha20Rng::from_seed([6; 32]),
	)
	.unwrap();
	let prepared = groth16::prepare(&read.vk);
	assert!(groth16::verify(&prepared, &proof, &inputs.to_array()));

	// The key of another circuit is refused by its shape.
	assert!(matches!(zkey::read_zkey_for(&bytes, 4), Err(zkey::ZkeyError::WrongCircuit { .. })));
}

#[test]
fn a_damaged_zkey_is_refused_with_the_reason() {
	use zkey::{read_zkey, ZkeyError};
	let max_depth = 2;
	let key = setup(max_depth, &mut ChaCha20Rng::from_seed([5; 32])).unwrap();
	let (_, shape) = r1cs::export_r1cs(max_depth).unwrap();
	let bytes = write_zkey(&key, shape.public, key.h_query.len());
	let section_start = |id: u32| {
		let mut at = 12;
		loop {
			let this = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
			let size = u64::from_le_bytes(bytes[at + 4..at + 12].try_into().unwrap()) as usize;
			if this == id {
				return at + 12;
			}
			at += 12 + size;
		}
	};

	assert_eq!(read_zkey(b"nope").unwrap_err(), ZkeyError::NotAZkey);
	assert_eq!(read_zkey(&bytes[..bytes.len() - 1]).unwrap_err(), ZkeyError::Truncated("file"));

	// A point moved off the curve.
	let mut off_curve = bytes.clone();
	off_curve[section_start(5) + 40] ^= 1;
	assert_eq!(read_zkey(&off_curve).unwrap_err(), ZkeyError::NotACurvePoint("A"));

	// A coordinate at or above the modulus.
	let mut too_big = bytes.clone();
	let at = section_start(3);
	too_big[at..at + 32].copy_from_slice(&[0xff; 32]);
	assert_eq!(read_zkey(&too_big).unwrap_err(), ZkeyError::NotAFieldElement("IC"));

	// A header that promises more H points than the section holds.
	let mut short = bytes.clone();
	let domain_at = section_start(2) + 4 + 32 + 4 + 32 + 8;
	let domain = u32::from_le_bytes(short[domain_at..domain_at + 4].try_into().unwrap());
	short[domain_at..domain_at + 4].copy_from_slice(&(domain * 2).to_le_bytes());
	assert!(matches!(read_zkey(&short).unwrap_err(), ZkeyError::WrongLength { section: "H", .. }));

	// A zero delta: proofs without blinding, which could leak the secret.
	let mut unblinded = bytes.clone();
	let delta_g1 = section_start(2) + 84 + 64 + 64 + 128 + 128;
	unblinded[delta_g1..delta_g1 + 64].copy_from_slice(&[0; 64]);
	assert_eq!(read_zkey(&unblinded).unwrap_err(), ZkeyError::Inconsistent("delta is zero"));
	// delta on G1 from another scalar than delta on G2.
	let mut mismatched = bytes.clone();
	let alpha_g1 = section_start(2) + 84;
	let alpha = mismatched[alpha_g1..alpha_g1 + 64].to_vec();
	mismatched[delta_g1..delta_g1 + 64].copy_from_slice(&alpha);
	assert_eq!(
		read_zkey(&mismatched).unwrap_err(),
		ZkeyError::Inconsistent("delta and beta disagree between G1 and G2")
	);

	// Another protocol.
	let mut plonk = bytes.clone();
	let at = section_start(1);
	plonk[at..at + 4].copy_from_slice(&2u32.to_le_bytes());
	assert_eq!(read_zkey(&plonk).unwrap_err(), ZkeyError::NotGroth16(2));
}
