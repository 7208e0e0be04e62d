//! The R1CS-to-QAP reduction snarkjs and circom use, so that one prover serves the dev setup and
//! a ceremony's `.zkey` alike.
//!
//! Both reductions share the instance map (one Lagrange polynomial per row on the domain `D` of
//! size `N`, with one extra row per public input) and so the verifying key. They differ in how
//! the prover commits to the quotient `H = (A·B − C) / Z`:
//! - arkworks' default (libsnark's) computes the coefficients of `H` and the key holds
//!   `τ^i Z(τ) / δ` for `i < N − 1`;
//! - snarkjs evaluates `P = A·B − C` on the odd points `ω^{2j+1}` of the domain of size `2N`, and
//!   the key holds `L_{2j+1}(τ) / δ`, the odd Lagrange polynomials of that domain.
//!
//! The second is sound because `P` has degree at most `2N − 2` and vanishes on `D` (the even
//! points of the `2N` domain) when the constraints hold, so `P(τ) = Σ_j P(ω^{2j+1}) L_{2j+1}(τ)`,
//! and `P(τ) = H(τ) Z(τ)` is the term the proof needs. A key made by one reduction proves
//! nothing with the other, so every key TEO makes, the insecure dev key included, uses this one.

use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{evaluate_constraint, LibsnarkReduction, R1CSToQAP};
use ark_poly::EvaluationDomain;
use ark_relations::gr1cs::{ConstraintSystemRef, Matrix, Result as R1CSResult, SynthesisError};

/// snarkjs' reduction (see the module docs).
pub struct CircomReduction;

impl R1CSToQAP for CircomReduction {
	fn instance_map_with_evaluation<F: PrimeField, D: EvaluationDomain<F>>(
		cs: ConstraintSystemRef<F>,
		t: &F,
	) -> R1CSResult<(Vec<F>, Vec<F>, Vec<F>, F, usize, usize)> {
		// The same polynomials A_i, B_i, C_i and the same domain as arkworks' default.
		LibsnarkReduction::instance_map_with_evaluation::<F, D>(cs, t)
	}

	fn witness_map_from_matrices<F: PrimeField, D: EvaluationDomain<F>>(
		matrices: &[Matrix<F>],
		num_inputs: usize,
		num_constraints: usize,
		full_assignment: &[F],
	) -> R1CSResult<Vec<F>> {
		let domain =
			D::new(num_constraints + num_inputs).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
		let size = domain.size();
		let odd_points = domain
			.get_coset(primitive_root_of_double::<F, D>(size)?)
			.ok_or(SynthesisError::PolynomialDegreeTooLarge)?;

		// A, B, C on the rows of D (the public inputs' extra rows only touch A), then on the
		// odd points of the double domain: interpolate on D, evaluate on the coset ωD.
		let rows = |matrix: usize, with_inputs: bool| {
			let mut values = vec![F::zero(); size];
			for (value, row) in values.iter_mut().zip(&matrices[matrix][..num_constraints]) {
				*value = evaluate_constraint(row, full_assignment);
			}
			if with_inputs {
				values[num_constraints..num_constraints + num_inputs]
					.copy_from_slice(&full_assignment[..num_inputs]);
			}
			domain.ifft_in_place(&mut values);
			odd_points.fft_in_place(&mut values);
			values
		};
		let a = rows(0, true);
		let b = rows(1, false);
		let c = rows(2, false);
		Ok(a.iter().zip(&b).zip(&c).map(|((a, b), c)| *a * b - c).collect())
	}

	fn h_query_scalars<F: PrimeField, D: EvaluationDomain<F>>(
		max_power: usize,
		t: F,
		_zt: F,
		delta_inverse: F,
	) -> R1CSResult<Vec<F>> {
		// The generator passes N − 1; the proof takes one scalar per odd point of the 2N domain.
		let size = max_power + 1;
		let double = D::new(2 * size).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
		if double.size() != 2 * size {
			return Err(SynthesisError::PolynomialDegreeTooLarge);
		}
		Ok(double
			.evaluate_all_lagrange_coefficients(t)
			.into_iter()
			.skip(1)
			.step_by(2)
			.map(|lagrange| lagrange * delta_inverse)
			.collect())
	}
}

/// ω, the generator of the domain of size `2 · size`: `ω · D` is the set of its odd points.
fn primitive_root_of_double<F: PrimeField, D: EvaluationDomain<F>>(size: usize) -> R1CSResult<F> {
	let double = D::new(2 * size).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
	let omega = double.group_gen();
	// ω^size = −1: the coset is disjoint from D and Z(x) = x^size − 1 is −2 on it. Only a
	// radix-2 domain has that shape; a mixed-radix one (past 2^28 on BN254) must not be used.
	if double.size() != 2 * size || omega.pow([size as u64]) != -F::ONE {
		return Err(SynthesisError::PolynomialDegreeTooLarge);
	}
	Ok(omega)
}

#[cfg(test)]
mod tests {
	use super::*;
	use ark_bn254::Fr;
	use ark_ff::{Field, Zero};
	use ark_poly::GeneralEvaluationDomain;
	use ark_std::{rand::SeedableRng, UniformRand};

	type D = GeneralEvaluationDomain<Fr>;

	#[test]
	fn the_odd_lagrange_sum_of_a_product_vanishing_on_the_domain_is_the_product() {
		// P = Z · H with deg H = N − 2: what the prover's sum must reproduce at τ.
		let rng = &mut rand_chacha::ChaCha20Rng::from_seed([3; 32]);
		let n = 8usize;
		let domain = D::new(n).unwrap();
		let h: Vec<Fr> = (0..n - 1).map(|_| Fr::rand(rng)).collect();
		let eval_h = |x: Fr| h.iter().rev().fold(Fr::zero(), |acc, c| acc * x + c);
		let tau = Fr::rand(rng);
		let p_at = |x: Fr| eval_h(x) * domain.evaluate_vanishing_polynomial(x);

		let omega = primitive_root_of_double::<Fr, D>(n).unwrap();
		let scalars =
			CircomReduction::h_query_scalars::<Fr, D>(n - 1, tau, Fr::zero(), Fr::ONE).unwrap();
		assert_eq!(scalars.len(), n);
		let sum: Fr = (0..n).map(|j| p_at(omega * domain.element(j)) * scalars[j]).sum();
		assert_eq!(sum, p_at(tau));
	}
}
