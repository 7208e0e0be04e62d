//! The membership circuit, constraint for constraint the statement of Semaphore v4's
//! `semaphore.circom`, in arkworks R1CS:
//!
//! - public inputs, in Semaphore's order: `root`, `nullifier`, `message`, `scope` (the last
//!   two already hashed to the field);
//! - private inputs: the identity's `secret`, and a LeanIMT path: its length, its index bits
//!   and `max_depth` siblings (unused ones zero);
//! - `secret < l` (Baby Jubjub's subgroup order), so each identity has one secret and one
//!   nullifier per scope;
//! - `commitment = Poseidon(secret × Base8)`, `root = BinaryMerkleRoot(commitment, path)` for
//!   any path length from 0 to `max_depth` (exactly one length matches), `nullifier =
//!   Poseidon(scope, secret)`, and `message²` so that the proof binds the message.

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use crate::{
	babyjubjub::{self, Point, A, BASE8, D, SECRET_BITS},
	poseidon::{constants, FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH},
};

/// One proof's statement and witness. For key generation the values do not matter: use
/// [`MembershipCircuit::blank`].
#[derive(Clone, Debug)]
pub struct MembershipCircuit {
	/// The deepest tree the circuit accepts; one proving key per value.
	pub max_depth: usize,
	pub secret: Fr,
	/// The number of siblings on the path (zk-kit's proof length).
	pub path_length: usize,
	/// zk-kit's compressed index: bit `i` set when the node is the right child at sibling `i`.
	pub path_index: u64,
	/// Exactly `max_depth` siblings, from the leaf up, zero past `path_length`.
	pub siblings: alloc::vec::Vec<Fr>,
	pub root: Fr,
	pub nullifier: Fr,
	pub message: Fr,
	pub scope: Fr,
}

impl MembershipCircuit {
	/// The statement: what the verifier is given.
	pub fn public_inputs(&self) -> super::PublicInputs {
		super::PublicInputs {
			root: self.root,
			nullifier: self.nullifier,
			message: self.message,
			scope: self.scope,
		}
	}

	/// A circuit of the right shape for key generation.
	pub fn blank(max_depth: usize) -> Self {
		Self {
			max_depth,
			secret: Fr::ZERO,
			path_length: 0,
			path_index: 0,
			siblings: alloc::vec![Fr::ZERO; max_depth],
			root: Fr::ZERO,
			nullifier: Fr::ZERO,
			message: Fr::ZERO,
			scope: Fr::ZERO,
		}
	}
}

impl ConstraintSynthesizer<Fr> for MembershipCircuit {
	fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
		if self.siblings.len() != self.max_depth || self.max_depth >= 64 {
			return Err(SynthesisError::Unsatisfiable);
		}
		// Public inputs first, in Semaphore's order.
		let root = FpVar::new_input(cs.clone(), || Ok(self.root))?;
		let nullifier = FpVar::new_input(cs.clone(), || Ok(self.nullifier))?;
		let message = FpVar::new_input(cs.clone(), || Ok(self.message))?;
		let scope = FpVar::new_input(cs.clone(), || Ok(self.scope))?;

		// The secret, as SECRET_BITS bits (so below 2^251 < p: the decomposition is unique),
		// and below the subgroup order.
		let secret = FpVar::new_witness(cs.clone(), || Ok(self.secret))?;
		let secret_bits_le = self.secret.into_bigint().to_bits_le();
		let bits = (0..SECRET_BITS)
			.map(|i| Boolean::new_witness(cs.clone(), || Ok(secret_bits_le[i])))
			.collect::<Result<alloc::vec::Vec<_>, _>>()?;
		let mut recomposed = FpVar::zero();
		let mut power = Fr::ONE;
		for bit in &bits {
			recomposed += FpVar::from(bit.clone()) * power;
			power.double_in_place();
		}
		recomposed.enforce_equal(&secret)?;
		Boolean::enforce_smaller_or_equal_than_le(&bits, subgroup_order_minus_one())?;

		// The public key: a fixed-base multiplication over precomputed powers of Base8.
		let (ax, ay) = fixed_base_mul(&bits)?;
		let commitment = poseidon2(&ax, &ay)?;

		// The root of the path of variable length (zk-kit's BinaryMerkleRoot).
		let path_length = FpVar::new_witness(cs.clone(), || Ok(Fr::from(self.path_length as u64)))?;
		let mut node = commitment;
		let mut computed_root = FpVar::zero();
		let mut lengths_matched = FpVar::zero();
		for (level, sibling) in self.siblings.iter().enumerate() {
			let is_length = path_length.is_eq(&FpVar::constant(Fr::from(level as u64)))?;
			computed_root += FpVar::from(is_length.clone()) * &node;
			lengths_matched += FpVar::from(is_length);
			let is_right =
				Boolean::new_witness(cs.clone(), || Ok((self.path_index >> level) & 1 == 1))?;
			let sibling = FpVar::new_witness(cs.clone(), || Ok(*sibling))?;
			let left = is_right.select(&sibling, &node)?;
			let right = &node + &sibling - &left;
			node = poseidon2(&left, &right)?;
		}
		let is_length = path_length.is_eq(&FpVar::constant(Fr::from(self.max_depth as u64)))?;
		computed_root += FpVar::from(is_length.clone()) * &node;
		lengths_matched += FpVar::from(is_length);
		lengths_matched.enforce_equal(&FpVar::one())?;
		computed_root.enforce_equal(&root)?;

		poseidon2(&scope, &secret)?.enforce_equal(&nullifier)?;
		// Binds the message to the proof, as Semaphore's dummy square does.
		let _ = message.square()?;
		Ok(())
	}
}

/// `l - 1`, as little-endian limbs.
fn subgroup_order_minus_one() -> [u64; 4] {
	let mut order = ark_ed_on_bn254::Fr::MODULUS;
	order.sub_with_borrow(&ark_ff::BigInt::from(1u64));
	order.0
}

/// `secret × Base8` from the secret's little-endian bits: adds `2^i × Base8` where bit `i` is
/// set. Selecting a constant point by a bit is linear, so each step costs one addition.
fn fixed_base_mul(bits: &[Boolean<Fr>]) -> Result<(FpVar<Fr>, FpVar<Fr>), SynthesisError> {
	let mut power: Point = BASE8;
	let mut acc: Option<(FpVar<Fr>, FpVar<Fr>)> = None;
	for bit in bits {
		let b = FpVar::from(bit.clone());
		// bit ? power : (0, 1)
		let selected = (&b * power.0, &b * (power.1 - Fr::ONE) + Fr::ONE);
		acc = Some(match acc {
			None => selected,
			Some(acc) => edwards_add(&acc, &selected)?,
		});
		power = babyjubjub::add(power, power);
	}
	acc.ok_or(SynthesisError::Unsatisfiable)
}

/// circomlib's `BabyAdd`: six constraints.
fn edwards_add(
	p: &(FpVar<Fr>, FpVar<Fr>),
	q: &(FpVar<Fr>, FpVar<Fr>),
) -> Result<(FpVar<Fr>, FpVar<Fr>), SynthesisError> {
	let (x1, y1) = p;
	let (x2, y2) = q;
	let beta = x1 * y2;
	let gamma = y1 * x2;
	let delta = (y1 - x1 * A) * (x2 + y2);
	let tau = &beta * &gamma * D;
	let x_num = &beta + &gamma;
	let x_den = FpVar::one() + &tau;
	let y_num = delta + &beta * A - &gamma;
	let y_den = FpVar::one() - &tau;
	let cs = x1.cs().or(x2.cs());
	let x = FpVar::new_witness(cs.clone(), || {
		Ok(x_num.value()? * x_den.value()?.inverse().ok_or(SynthesisError::DivisionByZero)?)
	})?;
	let y = FpVar::new_witness(cs, || {
		Ok(y_num.value()? * y_den.value()?.inverse().ok_or(SynthesisError::DivisionByZero)?)
	})?;
	x.mul_equals(&x_den, &x_num)?;
	y.mul_equals(&y_den, &y_num)?;
	Ok((x, y))
}

/// circomlib's `Poseidon(2)`: permute `[0, left, right]`, output the first element.
pub(crate) fn poseidon2(left: &FpVar<Fr>, right: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
	let mut state = [FpVar::zero(), left.clone(), right.clone()];
	let half = FULL_ROUNDS / 2;
	for round in 0..FULL_ROUNDS + PARTIAL_ROUNDS {
		for (i, s) in state.iter_mut().enumerate() {
			*s += constants::ROUND_CONSTANTS[round * WIDTH + i];
		}
		let full = round < half || round >= half + PARTIAL_ROUNDS;
		for s in state.iter_mut().take(if full { WIDTH } else { 1 }) {
			let square = s.square()?;
			*s = square.square()? * &*s;
		}
		let mixed: [FpVar<Fr>; WIDTH] = core::array::from_fn(|i| {
			constants::MDS[i]
				.iter()
				.zip(state.iter())
				.fold(FpVar::zero(), |acc, (m, s)| acc + s * *m)
		});
		state = mixed;
	}
	let [out, _, _] = state;
	Ok(out)
}
