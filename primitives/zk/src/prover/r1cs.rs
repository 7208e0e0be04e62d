//! The membership circuit in circom's binary formats, for a trusted-setup ceremony run with
//! snarkjs: the constraint system as `.r1cs`, a proof's witness as `.wtns`.
//!
//! Byte layouts (iden3's `r1csfile` and `wtnsfile`, all little-endian): a magic word, a version,
//! then sections of `u32 type | u64 size | body`. Field elements are 32 canonical little-endian
//! bytes. Wire 0 is the constant one, then the public inputs in their order (root, nullifier,
//! message, scope), then every witness variable: arkworks numbers its variables the same way,
//! so wire `i` is arkworks' column `i`.
//!
//! The system is synthesized exactly as ark-groth16's generator does (optimizing for
//! constraints, linear combinations inlined), so a `.zkey` from this file has the variables,
//! constraints and domain our prover fills in. Public inputs' `x · 0 = 0` rows are not written:
//! snarkjs adds them itself, as arkworks does.

use std::collections::BTreeMap;

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_relations::gr1cs::{
	ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisMode,
	R1CS_PREDICATE_LABEL,
};

use super::{MembershipCircuit, ProveError};

/// The circuit's shape, as a `.r1cs` file declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
	/// Every variable, the constant one included.
	pub wires: usize,
	/// The public inputs (without the constant one).
	pub public: usize,
	/// The R1CS constraints.
	pub constraints: usize,
}

/// The constraint system of the circuit for `max_depth`, synthesized as for key generation.
pub(super) fn setup_system(max_depth: usize) -> Result<ConstraintSystemRef<Fr>, ProveError> {
	let cs = ConstraintSystem::new_ref();
	cs.set_optimization_goal(OptimizationGoal::Constraints);
	cs.set_mode(SynthesisMode::Setup);
	MembershipCircuit::blank(max_depth).generate_constraints(cs.clone())?;
	cs.finalize();
	Ok(cs)
}

/// The circuit for `max_depth` as circom's `.r1cs`, and its shape.
pub fn export_r1cs(max_depth: usize) -> Result<(Vec<u8>, Shape), ProveError> {
	let cs = setup_system(max_depth)?;
	let shape = Shape {
		wires: cs.num_instance_variables() + cs.num_witness_variables(),
		public: cs.num_instance_variables() - 1,
		constraints: cs.num_constraints(),
	};
	let matrices = cs.to_matrices()?.remove(R1CS_PREDICATE_LABEL).ok_or_else(|| {
		ProveError::Synthesis("the constraint system has no R1CS matrices".into())
	})?;

	let mut header = Vec::with_capacity(64);
	header.extend(32u32.to_le_bytes());
	header.extend(Fr::MODULUS.to_bytes_le());
	header.extend(u32_of(shape.wires)?.to_le_bytes());
	header.extend(0u32.to_le_bytes()); // public outputs: ours are all inputs
	header.extend(u32_of(shape.public)?.to_le_bytes());
	header.extend(0u32.to_le_bytes()); // private inputs: snarkjs' Groth16 does not use them
	header.extend((shape.wires as u64).to_le_bytes()); // labels: one per wire
	header.extend(u32_of(shape.constraints)?.to_le_bytes());

	let mut constraints = Vec::new();
	for row in 0..shape.constraints {
		for matrix in &matrices {
			// One term per wire, ascending, without zeros: snarkjs keeps only the last of
			// duplicate wires.
			let mut terms = BTreeMap::<usize, Fr>::new();
			for (coefficient, wire) in &matrix[row] {
				*terms.entry(*wire).or_default() += coefficient;
			}
			terms.retain(|_, coefficient| !coefficient.is_zero());
			constraints.extend(u32_of(terms.len())?.to_le_bytes());
			for (wire, coefficient) in terms {
				constraints.extend(u32_of(wire)?.to_le_bytes());
				constraints.extend(coefficient.into_bigint().to_bytes_le());
			}
		}
	}

	let labels: Vec<u8> = (0..shape.wires as u64).flat_map(u64::to_le_bytes).collect();

	let mut file = b"r1cs".to_vec();
	file.extend(1u32.to_le_bytes());
	file.extend(3u32.to_le_bytes());
	for (kind, body) in [(1u32, header), (2, constraints), (3, labels)] {
		file.extend(kind.to_le_bytes());
		file.extend((body.len() as u64).to_le_bytes());
		file.extend(body);
	}
	Ok((file, shape))
}

/// A full assignment (the constant one, the public inputs, every witness variable) as
/// circom's `.wtns`, for `snarkjs wtns check` and `snarkjs groth16 prove`.
pub fn export_wtns(assignment: &[Fr]) -> Vec<u8> {
	let mut header = 32u32.to_le_bytes().to_vec();
	header.extend(Fr::MODULUS.to_bytes_le());
	header.extend((assignment.len() as u32).to_le_bytes());
	let values: Vec<u8> =
		assignment.iter().flat_map(|value| value.into_bigint().to_bytes_le()).collect();

	let mut file = b"wtns".to_vec();
	file.extend(2u32.to_le_bytes());
	file.extend(2u32.to_le_bytes());
	for (kind, body) in [(1u32, header), (2, values)] {
		file.extend(kind.to_le_bytes());
		file.extend((body.len() as u64).to_le_bytes());
		file.extend(body);
	}
	file
}

/// The full assignment of `circuit` (a satisfied one), in wire order.
pub fn assignment(circuit: MembershipCircuit) -> Result<Vec<Fr>, ProveError> {
	let cs = ConstraintSystem::new_ref();
	cs.set_optimization_goal(OptimizationGoal::Constraints);
	cs.set_mode(SynthesisMode::Prove { construct_matrices: false, generate_lc_assignments: false });
	circuit.generate_constraints(cs.clone())?;
	cs.finalize();
	Ok([cs.instance_assignment()?, cs.witness_assignment()?].concat())
}

fn u32_of(n: usize) -> Result<u32, ProveError> {
	u32::try_from(n).map_err(|_| ProveError::Synthesis(format!("{n} does not fit circom's u32")))
}
