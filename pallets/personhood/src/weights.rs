//! Weights of the personhood calls.
//!
//! Conservative estimates until `teo-node benchmark pallet` on the compiled runtime replaces
//! this file with measured weights (docs/PERSONHOOD.md has the command): storage accesses, a
//! Poseidon hash budget for tree changes, and a Groth16 check budget for `verify`.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weights of the calls of this pallet.
pub trait WeightInfo {
	fn create_group() -> Weight;
	fn set_registrar() -> Weight;
	/// Appending `n` commitments.
	fn add_members(n: u32) -> Weight;
	fn remove_member() -> Weight;
	/// `verify` when the current key rejects the proof and a retired key is tried too.
	fn verify_against_retired_key() -> Weight;
	/// `verify` with one pairing check.
	fn verify_one_key() -> Weight;
	fn set_verifying_key() -> Weight;
	fn remove_verifying_key() -> Weight;
	fn set_verification_period() -> Weight;
}

/// Estimates priced with the database weights `D`.
pub struct Estimates<D>(PhantomData<D>);

/// Estimates priced with the runtime's database weights.
pub type SubstrateWeight<T> = Estimates<<T as polkadot_sdk::frame_system::Config>::DbWeight>;

const BASE: u64 = 50_000_000;
/// One Poseidon(2) in WASM is about 120 µs; a depth-32 path is 32 of them.
const POSEIDON: u64 = 150_000_000;
/// One Groth16 check with a prepared key, decoding included.
const GROTH16: u64 = 15_000_000_000;
/// Preparing a key: a pairing and two G2 line-coefficient expansions, after validation.
const PREPARE_KEY: u64 = 30_000_000_000;

impl<D: Get<RuntimeDbWeight>> WeightInfo for Estimates<D> {
	fn create_group() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(1, 2))
	}
	fn set_registrar() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(1, 1))
	}
	fn add_members(n: u32) -> Weight {
		// A batch hashes about 2n + depth nodes.
		Weight::from_parts(BASE + POSEIDON * (2 * n as u64 + 32), 4_000)
			.saturating_add(D::get().reads_writes(2 + n as u64, 2 + 2 * n as u64))
	}
	fn remove_member() -> Weight {
		Weight::from_parts(BASE + POSEIDON * 64, 4_000).saturating_add(D::get().reads_writes(3, 4))
	}
	fn verify_against_retired_key() -> Weight {
		Self::verify_one_key().saturating_add(Weight::from_parts(GROTH16, 36_000))
	}
	fn verify_one_key() -> Weight {
		Weight::from_parts(BASE + GROTH16, 40_000).saturating_add(D::get().reads_writes(8, 4))
	}
	fn set_verifying_key() -> Weight {
		Weight::from_parts(BASE + PREPARE_KEY, 40_000).saturating_add(D::get().reads_writes(2, 3))
	}
	fn remove_verifying_key() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(1, 3))
	}
	fn set_verification_period() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(1, 1))
	}
}

/// For tests.
impl WeightInfo for () {
	fn create_group() -> Weight {
		Estimates::<RocksDbWeight>::create_group()
	}
	fn set_registrar() -> Weight {
		Estimates::<RocksDbWeight>::set_registrar()
	}
	fn add_members(n: u32) -> Weight {
		Estimates::<RocksDbWeight>::add_members(n)
	}
	fn remove_member() -> Weight {
		Estimates::<RocksDbWeight>::remove_member()
	}
	fn verify_against_retired_key() -> Weight {
		Estimates::<RocksDbWeight>::verify_against_retired_key()
	}
	fn verify_one_key() -> Weight {
		Estimates::<RocksDbWeight>::verify_one_key()
	}
	fn set_verifying_key() -> Weight {
		Estimates::<RocksDbWeight>::set_verifying_key()
	}
	fn remove_verifying_key() -> Weight {
		Estimates::<RocksDbWeight>::remove_verifying_key()
	}
	fn set_verification_period() -> Weight {
		Estimates::<RocksDbWeight>::set_verification_period()
	}
}
