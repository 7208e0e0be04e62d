//! Baby Jubjub in circom's twisted Edwards form (`a = 168700`, `d = 168696`), the curve of
//! Semaphore identities. Tool-side arithmetic (not constant time): the citizen's own machine.

use ark_bn254::Fr;
use ark_ff::{Field, MontFp};

/// `a` in circom's twisted Edwards form.
pub const A: Fr = MontFp!("168700");
/// `d` in circom's twisted Edwards form.
pub const D: Fr = MontFp!("168696");
/// The generator of the prime-order subgroup (circomlib's `Base8`).
pub const BASE8: Point = (
	MontFp!("5299619240641551281634865583518297030282874472190772894086521144482721001553"),
	MontFp!("16950150798460657717958625567821834550301663161624707787222815936182638968203"),
);
/// The neutral element.
pub const IDENTITY: Point = (MontFp!("0"), MontFp!("1"));
/// Bits of the subgroup order `l` (`l < 2^251`): secrets are below `l`.
pub const SECRET_BITS: usize = 251;

/// A point in affine coordinates.
pub type Point = (Fr, Fr);

/// The complete twisted Edwards addition law (`d` is not a square, so it never divides by zero
/// for points on the curve).
pub fn add(p: Point, q: Point) -> Point {
	let (x1, y1) = p;
	let (x2, y2) = q;
	let dxy = D * x1 * x2 * y1 * y2;
	let x = (x1 * y2 + y1 * x2) * (Fr::ONE + dxy).inverse().expect("1 + dxy != 0 on the curve");
	let y = (y1 * y2 - A * x1 * x2) * (Fr::ONE - dxy).inverse().expect("1 - dxy != 0 on the curve");
	(x, y)
}

/// `scalar × point`, the scalar given as little-endian bits.
pub fn mul(point: Point, scalar: &[bool]) -> Point {
	let mut acc = IDENTITY;
	for bit in scalar.iter().rev() {
		acc = add(acc, acc);
		if *bit {
			acc = add(acc, point);
		}
	}
	acc
}

/// Whether `point` satisfies the curve equation.
pub fn is_on_curve(point: Point) -> bool {
	let (x2, y2) = (point.0.square(), point.1.square());
	A * x2 + y2 == Fr::ONE + D * x2 * y2
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn base8_is_on_the_curve() {
		assert!(is_on_curve(BASE8));
	}

	#[test]
	fn the_neutral_element_is_neutral() {
		assert_eq!(add(BASE8, IDENTITY), BASE8);
		assert_eq!(mul(BASE8, &[true]), BASE8);
		assert_eq!(mul(BASE8, &[false, true]), add(BASE8, BASE8));
	}
}
