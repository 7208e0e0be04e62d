//! Reading a snarkjs `.zkey`: the proving key a trusted-setup ceremony produces.
//!
//! Layout (snarkjs' `zkey_new.js` and `zkey_utils.js`, little-endian): `"zkey" | u32 1 | u32
//! sections`, then sections of `u32 id | u64 size | body`:
//! 1. `u32 protocol` (1: Groth16);
//! 2. `u32 n8q | q | u32 n8r | r | u32 nVars | u32 nPublic | u32 domainSize | α₁ | β₁ | β₂ | γ₂ |
//!    δ₁ | δ₂`;
//! 3. IC, `nPublic + 1` G1 points; 5. A, 6. B₁ (G1) and 7. B₂ (G2), `nVars` each; 8. C,
//!    `nVars − nPublic − 1` G1 points; 9. H, `domainSize` G1 points;
//! 4 (the constraint coefficients) and 10 (the contributions) are not needed to prove.
//!
//! Coordinates are 32 little-endian bytes in Montgomery form, the representation arkworks holds
//! in memory; G2 coordinates are `c0 | c1`; the point at infinity is all zero bytes. Every
//! field element is checked to be below the modulus and every point to lie on its curve and in
//! its prime-order subgroup; every section's length is checked, because arkworks' multi-scalar
//! multiplication would silently truncate a short query. A key that fails any check is refused
//! with the reason, never half-read.

use std::collections::BTreeMap;

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};
use ark_groth16::VerifyingKey;

use super::ProvingKey;

/// The bytes of a G1 point and of a G2 point.
const G1: usize = 64;
const G2: usize = 128;

/// Why a `.zkey` was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ZkeyError {
	/// Not a `.zkey` of version 1.
	NotAZkey,
	/// A section the prover needs is missing, or the file ends inside one.
	Truncated(&'static str),
	/// A protocol other than Groth16.
	NotGroth16(u32),
	/// Another curve than BN254.
	WrongCurve,
	/// A section holds another number of points than the header implies.
	WrongLength { section: &'static str, expected: usize, found: usize },
	/// A coordinate is not below the field's modulus.
	NotAFieldElement(&'static str),
	/// A point is not on the curve or not in the prime-order subgroup.
	NotACurvePoint(&'static str),
	/// Our own circuit could not be synthesized to compare.
	Circuit(String),
	/// The key's fixed points are degenerate or disagree: a zero δ removes the proofs' blinding
	/// (they could leak the secret), and δ or β that is not the same scalar on both groups makes
	/// the key unusable.
	Inconsistent(&'static str),
	/// The key is for another circuit than ours.
	WrongCircuit { expected: (usize, usize, usize), found: (usize, usize, usize) },
}

impl core::fmt::Display for ZkeyError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Self::NotAZkey => write!(f, "not a snarkjs .zkey (version 1)"),
			Self::Truncated(section) => write!(f, "the {section} section is missing or cut short"),
			Self::NotGroth16(protocol) => write!(f, "protocol {protocol}, not Groth16 (1)"),
			Self::WrongCurve => write!(f, "not a key over BN254"),
			Self::WrongLength { section, expected, found } => {
				write!(f, "the {section} section holds {found} points, not {expected}")
			},
			Self::NotAFieldElement(section) => {
				write!(f, "a coordinate in the {section} section is not a field element")
			},
			Self::NotACurvePoint(section) => {
				write!(f, "a point in the {section} section is not in BN254's prime-order group")
			},
			Self::Circuit(reason) => write!(f, "our circuit: {reason}"),
			Self::Inconsistent(what) => write!(f, "an unsafe key: {what}"),
			Self::WrongCircuit { expected, found } => write!(
				f,
				"the key is for a circuit of (variables, public inputs, domain) {found:?}, ours is \
				 {expected:?}"
			),
		}
	}
}

impl std::error::Error for ZkeyError {}

/// The numbers a `.zkey` header states about its circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZkeyShape {
	/// Variables, the constant one included.
	pub variables: usize,
	/// Public inputs.
	pub public: usize,
	/// The size of the QAP's evaluation domain.
	pub domain: usize,
}

/// Reads a `.zkey` into a proving key.
pub fn read_zkey(bytes: &[u8]) -> Result<(ProvingKey, ZkeyShape), ZkeyError> {
	let sections = sections(bytes)?;
	let section = |id: u32, name: &'static str| {
		sections.get(&id).map(|range| &bytes[range.clone()]).ok_or(ZkeyError::Truncated(name))
	};

	let mut protocol = Reader::new(section(1, "protocol")?, "protocol");
	match protocol.u32()? {
		1 => {},
		other => return Err(ZkeyError::NotGroth16(other)),
	}

	let mut header = Reader::new(section(2, "header")?, "header");
	let q = header.sized_integer()?;
	let r = header.sized_integer()?;
	if q != Fq::MODULUS.to_bytes_le() || r != Fr::MODULUS.to_bytes_le() {
		return Err(ZkeyError::WrongCurve);
	}
	let shape = ZkeyShape {
		variables: header.u32()? as usize,
		public: header.u32()? as usize,
		domain: header.u32()? as usize,
	};
	let alpha_g1 = header.g1()?;
	let beta_g1 = header.g1()?;
	let beta_g2 = header.g2()?;
	let gamma_g2 = header.g2()?;
	let delta_g1 = header.g1()?;
	let delta_g2 = header.g2()?;
	super::prepared::check_fixed_points(
		[alpha_g1, beta_g1, delta_g1],
		[beta_g2, gamma_g2, delta_g2],
	)
	.map_err(ZkeyError::Inconsistent)?;
	let private = shape
		.variables
		.checked_sub(shape.public.saturating_add(1))
		.ok_or(ZkeyError::Truncated("header"))?;

	let g1s = |id, name, count| Reader::new(section(id, name)?, name).all(count, G1, Reader::g1);
	let gamma_abc_g1 = g1s(3, "IC", shape.public.saturating_add(1))?;
	let a_query = g1s(5, "A", shape.variables)?;
	let b_g1_query = g1s(6, "B1", shape.variables)?;
	let b_g2_query = Reader::new(section(7, "B2")?, "B2").all(shape.variables, G2, Reader::g2)?;
	let l_query = g1s(8, "C", private)?;
	let h_query = g1s(9, "H", shape.domain)?;

	let vk = VerifyingKey { alpha_g1, beta_g2, gamma_g2, delta_g2, gamma_abc_g1 };
	let key =
		ProvingKey { vk, beta_g1, delta_g1, a_query, b_g1_query, b_g2_query, h_query, l_query };
	Ok((key, shape))
}

/// Reads a `.zkey` and checks that it is for the circuit of `max_depth`.
pub fn read_zkey_for(bytes: &[u8], max_depth: usize) -> Result<ProvingKey, ZkeyError> {
	let (key, shape) = read_zkey(bytes)?;
	let ours = super::r1cs::export_r1cs(max_depth)
		.map(|(_, shape)| shape)
		.map_err(|e| ZkeyError::Circuit(e.to_string()))?;
	let domain = (ours.constraints + ours.public + 1).next_power_of_two();
	let expected = (ours.wires, ours.public, domain);
	let found = (shape.variables, shape.public, shape.domain);
	if expected != found {
		return Err(ZkeyError::WrongCircuit { expected, found });
	}
	Ok(key)
}

/// The byte range of every section, by id.
fn sections(bytes: &[u8]) -> Result<BTreeMap<u32, core::ops::Range<usize>>, ZkeyError> {
	let mut file = Reader::new(bytes, "file");
	if file.take(4).ok() != Some(b"zkey".as_slice()) || file.u32().ok() != Some(1) {
		return Err(ZkeyError::NotAZkey);
	}
	let count = file.u32()?;
	let mut sections = BTreeMap::new();
	for _ in 0..count {
		let id = file.u32()?;
		let size = usize::try_from(file.u64()?).map_err(|_| ZkeyError::Truncated("file"))?;
		let start = bytes.len() - file.rest.len();
		file.take(size)?;
		if sections.insert(id, start..start + size).is_some() {
			return Err(ZkeyError::NotAZkey);
		}
	}
	Ok(sections)
}

/// A cursor over a section, whose errors name it.
struct Reader<'a> {
	rest: &'a [u8],
	section: &'static str,
}

impl<'a> Reader<'a> {
	fn new(rest: &'a [u8], section: &'static str) -> Self {
		Self { rest, section }
	}

	fn take(&mut self, n: usize) -> Result<&'a [u8], ZkeyError> {
		if self.rest.len() < n {
			return Err(ZkeyError::Truncated(self.section));
		}
		let (head, tail) = self.rest.split_at(n);
		self.rest = tail;
		Ok(head)
	}

	fn u32(&mut self) -> Result<u32, ZkeyError> {
		Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("took 4 bytes; qed")))
	}

	fn u64(&mut self) -> Result<u64, ZkeyError> {
		Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("took 8 bytes; qed")))
	}

	/// `u32 n8 | n8 bytes`, as the header writes the two moduli.
	fn sized_integer(&mut self) -> Result<Vec<u8>, ZkeyError> {
		let n8 = self.u32()? as usize;
		Ok(self.take(n8)?.to_vec())
	}

	/// A base-field element in Montgomery form.
	fn fq(&mut self) -> Result<Fq, ZkeyError> {
		let bytes = self.take(32)?;
		let limbs: [u64; 4] = core::array::from_fn(|i| {
			u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 of 32 bytes; qed"))
		});
		let montgomery = BigInt::new(limbs);
		if montgomery >= Fq::MODULUS {
			return Err(ZkeyError::NotAFieldElement(self.section));
		}
		Ok(Fq::new_unchecked(montgomery))
	}

	fn g1(&mut self) -> Result<G1Affine, ZkeyError> {
		let (x, y) = (self.fq()?, self.fq()?);
		if x.is_zero() && y.is_zero() {
			return Ok(G1Affine::zero());
		}
		let point = G1Affine::new_unchecked(x, y);
		if !point.is_on_curve() || !point.is_in_correct_subgroup_assuming_on_curve() {
			return Err(ZkeyError::NotACurvePoint(self.section));
		}
		Ok(point)
	}

	fn g2(&mut self) -> Result<G2Affine, ZkeyError> {
		let x = Fq2::new(self.fq()?, self.fq()?);
		let y = Fq2::new(self.fq()?, self.fq()?);
		if x.is_zero() && y.is_zero() {
			return Ok(G2Affine::zero());
		}
		let point = G2Affine::new_unchecked(x, y);
		if !point.is_on_curve() || !point.is_in_correct_subgroup_assuming_on_curve() {
			return Err(ZkeyError::NotACurvePoint(self.section));
		}
		Ok(point)
	}

	/// Exactly `count` items of `size` bytes filling the section.
	fn all<T>(
		mut self,
		count: usize,
		size: usize,
		mut item: impl FnMut(&mut Self) -> Result<T, ZkeyError>,
	) -> Result<Vec<T>, ZkeyError> {
		let found = self.rest.len() / size;
		if found != count || self.rest.len() % size != 0 {
			return Err(ZkeyError::WrongLength { section: self.section, expected: count, found });
		}
		(0..count).map(|_| item(&mut self)).collect()
	}
}
