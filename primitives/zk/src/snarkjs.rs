//! snarkjs' JSON for Groth16 over BN254 ("bn128"): verifying keys
//! (`verification_key.json`), proofs (`proof.json`) and public signals (`public.json`), and
//! Semaphore v4's file of published verifying keys, one per tree depth.
//!
//! Numbers are decimal strings; points are projective triples with `z = 1`; a G2 coordinate
//! `[c0, c1]` is `c0 + c1·u`. Everything read is validated as [`crate::groth16`] validates the
//! bytes on chain.

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ff::PrimeField;
use ark_groth16::{Proof, VerifyingKey};
use serde_json::{json, Value};

use crate::groth16::{self, ProofBytes, PUBLIC_INPUTS};

/// Why a snarkjs file was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SnarkjsError {
	/// A field is missing or has the wrong shape; the string says which.
	Shape(String),
	/// A number is not a canonical decimal below its field's modulus.
	Number(String),
	/// Not a Groth16 file for bn128, or not for [`PUBLIC_INPUTS`] public inputs.
	Unsupported(String),
	/// The points do not form a valid key or proof.
	Invalid(groth16::Groth16Error),
}

impl core::fmt::Display for SnarkjsError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Self::Shape(what) => write!(f, "unexpected JSON shape at {what}"),
			Self::Number(n) => write!(f, "not a canonical field element: {n}"),
			Self::Unsupported(what) => write!(f, "unsupported: {what}"),
			Self::Invalid(e) => write!(f, "invalid points: {e:?}"),
		}
	}
}

impl std::error::Error for SnarkjsError {}

fn shape(what: &str) -> SnarkjsError {
	SnarkjsError::Shape(what.into())
}

/// A canonical decimal below `F`'s modulus (no sign, no leading zeros).
fn number<F: PrimeField>(value: &Value, what: &str) -> Result<F, SnarkjsError> {
	let text = value.as_str().ok_or_else(|| shape(what))?;
	let parsed = F::from_str(text).map_err(|_| SnarkjsError::Number(text.into()))?;
	// Parsing reduces modulo the field; printing it back catches that and any odd spelling.
	if parsed.into_bigint().to_string() != text {
		return Err(SnarkjsError::Number(text.into()));
	}
	Ok(parsed)
}

fn decimal<F: PrimeField>(value: &F) -> Value {
	Value::String(value.into_bigint().to_string())
}

fn array<'a>(value: &'a Value, len: usize, what: &str) -> Result<&'a [Value], SnarkjsError> {
	match value.as_array() {
		Some(items) if items.len() == len => Ok(items),
		_ => Err(shape(what)),
	}
}

fn g1(value: &Value, what: &str) -> Result<G1Affine, SnarkjsError> {
	let [x, y, z] = array(value, 3, what)? else { unreachable!("length checked") };
	if z.as_str() != Some("1") {
		return Err(shape(what));
	}
	Ok(G1Affine::new_unchecked(number(x, what)?, number(y, what)?))
}

fn fq2(value: &Value, what: &str) -> Result<Fq2, SnarkjsError> {
	let [c0, c1] = array(value, 2, what)? else { unreachable!("length checked") };
	Ok(Fq2::new(number::<Fq>(c0, what)?, number::<Fq>(c1, what)?))
}

fn g2(value: &Value, what: &str) -> Result<G2Affine, SnarkjsError> {
	let [x, y, z] = array(value, 3, what)? else { unreachable!("length checked") };
	if z != &json!(["1", "0"]) {
		return Err(shape(what));
	}
	Ok(G2Affine::new_unchecked(fq2(x, what)?, fq2(y, what)?))
}

fn g1_json(p: &G1Affine) -> Value {
	json!([decimal(&p.x), decimal(&p.y), "1"])
}

fn g2_json(p: &G2Affine) -> Value {
	json!([[decimal(&p.x.c0), decimal(&p.x.c1)], [decimal(&p.y.c0), decimal(&p.y.c1)], ["1", "0"]])
}

fn check_header(value: &Value) -> Result<(), SnarkjsError> {
	if value.get("protocol").and_then(Value::as_str) != Some("groth16") {
		return Err(SnarkjsError::Unsupported("protocol is not groth16".into()));
	}
	if value.get("curve").and_then(Value::as_str) != Some("bn128") {
		return Err(SnarkjsError::Unsupported("curve is not bn128".into()));
	}
	Ok(())
}

fn field<'a>(value: &'a Value, name: &str) -> Result<&'a Value, SnarkjsError> {
	value.get(name).ok_or_else(|| shape(name))
}

/// Reads a snarkjs verifying key and validates it.
pub fn verifying_key_from_json(value: &Value) -> Result<VerifyingKey<Bn254>, SnarkjsError> {
	check_header(value)?;
	if field(value, "nPublic")?.as_u64() != Some(PUBLIC_INPUTS as u64) {
		return Err(SnarkjsError::Unsupported(format!("nPublic is not {PUBLIC_INPUTS}")));
	}
	let ic = array(field(value, "IC")?, PUBLIC_INPUTS + 1, "IC")?;
	let key = VerifyingKey {
		alpha_g1: g1(field(value, "vk_alpha_1")?, "vk_alpha_1")?,
		beta_g2: g2(field(value, "vk_beta_2")?, "vk_beta_2")?,
		gamma_g2: g2(field(value, "vk_gamma_2")?, "vk_gamma_2")?,
		delta_g2: g2(field(value, "vk_delta_2")?, "vk_delta_2")?,
		gamma_abc_g1: ic.iter().map(|p| g1(p, "IC")).collect::<Result<_, _>>()?,
	};
	// Validation is the chain's own: through the bytes it stores.
	groth16::decode_verifying_key(&groth16::encode_verifying_key(&key))
		.map_err(SnarkjsError::Invalid)
}

/// Writes a verifying key as snarkjs does (without the optional `vk_alphabeta_12`).
pub fn verifying_key_to_json(key: &VerifyingKey<Bn254>) -> Value {
	json!({
		"protocol": "groth16",
		"curve": "bn128",
		"nPublic": key.gamma_abc_g1.len().saturating_sub(1),
		"vk_alpha_1": g1_json(&key.alpha_g1),
		"vk_beta_2": g2_json(&key.beta_g2),
		"vk_gamma_2": g2_json(&key.gamma_g2),
		"vk_delta_2": g2_json(&key.delta_g2),
		"IC": key.gamma_abc_g1.iter().map(g1_json).collect::<Vec<_>>(),
	})
}

/// Reads a snarkjs proof and validates its points.
pub fn proof_from_json(value: &Value) -> Result<Proof<Bn254>, SnarkjsError> {
	check_header(value)?;
	let proof = Proof {
		a: g1(field(value, "pi_a")?, "pi_a")?,
		b: g2(field(value, "pi_b")?, "pi_b")?,
		c: g1(field(value, "pi_c")?, "pi_c")?,
	};
	ProofBytes::from_proof(&proof).to_proof().map_err(SnarkjsError::Invalid)
}

/// Writes a proof as snarkjs does.
pub fn proof_to_json(proof: &Proof<Bn254>) -> Value {
	json!({
		"pi_a": g1_json(&proof.a),
		"pi_b": g2_json(&proof.b),
		"pi_c": g1_json(&proof.c),
		"protocol": "groth16",
		"curve": "bn128",
	})
}

/// Reads public signals: [`PUBLIC_INPUTS`] canonical decimals.
pub fn public_inputs_from_json(value: &Value) -> Result<[Fr; PUBLIC_INPUTS], SnarkjsError> {
	let items = array(value, PUBLIC_INPUTS, "public signals")?;
	let mut out = [Fr::from(0u64); PUBLIC_INPUTS];
	for (slot, item) in out.iter_mut().zip(items) {
		*slot = number(item, "public signals")?;
	}
	Ok(out)
}

/// Writes public signals.
pub fn public_inputs_to_json(inputs: &[Fr]) -> Value {
	Value::Array(inputs.iter().map(decimal).collect())
}

/// The verifying key for trees of `depth` (1 to 32) from Semaphore v4's published file
/// (`@semaphore-protocol/proof`'s `verification-keys.json`): shared alpha, beta and gamma, one
/// delta and one IC per depth.
pub fn semaphore_verifying_key(
	file: &Value,
	depth: usize,
) -> Result<VerifyingKey<Bn254>, SnarkjsError> {
	let index = depth.checked_sub(1).ok_or_else(|| shape("depth 0"))?;
	let pick = |name: &str| -> Result<Value, SnarkjsError> {
		field(file, name)?.get(index).cloned().ok_or_else(|| shape(name))
	};
	let mut single = file.clone();
	single["vk_delta_2"] = pick("vk_delta_2")?;
	single["IC"] = pick("IC")?;
	verifying_key_from_json(&single)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn key_json() -> Value {
		// Semaphore's depth-1 key, straight from the published file (see fixtures/).
		let file: Value =
			serde_json::from_str(include_str!("../fixtures/semaphore-v4-verification-keys.json"))
				.unwrap();
		let mut single = file.clone();
		single["vk_delta_2"] = file["vk_delta_2"][0].clone();
		single["IC"] = file["IC"][0].clone();
		single
	}

	#[test]
	fn every_published_semaphore_key_loads_and_round_trips() {
		let file: Value =
			serde_json::from_str(include_str!("../fixtures/semaphore-v4-verification-keys.json"))
				.unwrap();
		for depth in 1..=32 {
			let key = semaphore_verifying_key(&file, depth).unwrap();
			let back = verifying_key_from_json(&verifying_key_to_json(&key)).unwrap();
			assert_eq!(back, key, "depth {depth}");
		}
		assert!(semaphore_verifying_key(&file, 0).is_err());
		assert!(semaphore_verifying_key(&file, 33).is_err());
	}

	#[test]
	fn malformed_keys_are_refused_with_a_reason() {
		let good = key_json();
		assert!(verifying_key_from_json(&good).is_ok());

		let mut bad = good.clone();
		bad["curve"] = json!("bls12381");
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Unsupported(_))));
		let mut bad = good.clone();
		bad["nPublic"] = json!(3);
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Unsupported(_))));
		// A coordinate moved off the curve.
		let mut bad = good.clone();
		bad["vk_alpha_1"][1] = json!("1");
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Invalid(_))));
		let mut bad = good.clone();
		bad["vk_delta_2"][0][0] = json!("5");
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Invalid(_))));
		// The modulus itself, and a leading zero, are not canonical.
		let mut bad = good.clone();
		bad["IC"][0][0] =
			json!("21888242871839275222246405745257275088696311157297823662689037894645226208583");
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Number(_))));
		let mut bad = good.clone();
		let x = bad["IC"][0][0].as_str().unwrap().to_string();
		bad["IC"][0][0] = json!(format!("0{x}"));
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Number(_))));
		let mut bad = good;
		bad["IC"].as_array_mut().unwrap().pop();
		assert!(matches!(verifying_key_from_json(&bad), Err(SnarkjsError::Shape(_))));
	}

	#[test]
	fn public_signals_must_be_four_canonical_scalars() {
		let ok = json!(["1", "2", "3", "4"]);
		assert_eq!(public_inputs_from_json(&ok).unwrap()[3], Fr::from(4u64));
		assert_eq!(public_inputs_to_json(&public_inputs_from_json(&ok).unwrap()), ok);
		assert!(public_inputs_from_json(&json!(["1", "2", "3"])).is_err());
		let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
		assert!(public_inputs_from_json(&json!(["1", "2", "3", r])).is_err());
		assert!(public_inputs_from_json(&json!(["1", "2", "3", 4])).is_err());
	}
}
