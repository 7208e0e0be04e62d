//! Weights of the action-budget calls.
//!
//! These are conservative estimates (storage accesses plus a generous compute allowance; two
//! sr25519 verifications for a report). The benchmarks in `benchmarking.rs` run as tests today;
//! once the pallet is in the runtime, `teo-node benchmark pallet` on the compiled runtime
//! replaces this file with measured weights. The pallet is not in the runtime before then.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weights of the calls of this pallet.
pub trait WeightInfo {
	fn register_agent() -> Weight;
	fn deregister_agent() -> Weight;
	fn release_deposit() -> Weight;
	fn delegate() -> Weight;
	fn undelegate() -> Weight;
	fn prune_delegation() -> Weight;
	fn report_equivocation() -> Weight;
	fn report_overspend() -> Weight;
	fn set_parameters() -> Weight;
}

/// Estimates priced with the database weights `D`.
pub struct Estimates<D>(PhantomData<D>);

/// Estimates priced with the runtime's database weights.
pub type SubstrateWeight<T> = Estimates<<T as polkadot_sdk::frame_system::Config>::DbWeight>;

/// Compute per call, before storage: 50 µs, or 250 µs with signature checks.
const BASE: u64 = 50_000_000;
const WITH_SIGNATURES: u64 = 250_000_000;

impl<D: Get<RuntimeDbWeight>> WeightInfo for Estimates<D> {
	fn register_agent() -> Weight {
		Weight::from_parts(BASE, 4_000).saturating_add(D::get().reads_writes(6, 4))
	}
	fn deregister_agent() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(2, 1))
	}
	fn release_deposit() -> Weight {
		Weight::from_parts(BASE, 4_000).saturating_add(D::get().reads_writes(5, 4))
	}
	fn delegate() -> Weight {
		Weight::from_parts(BASE, 4_000).saturating_add(D::get().reads_writes(5, 3))
	}
	fn undelegate() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(3, 2))
	}
	fn prune_delegation() -> Weight {
		Weight::from_parts(BASE, 2_000).saturating_add(D::get().reads_writes(3, 2))
	}
	fn report_equivocation() -> Weight {
		Weight::from_parts(WITH_SIGNATURES, 4_000).saturating_add(D::get().reads_writes(6, 4))
	}
	fn report_overspend() -> Weight {
		Weight::from_parts(WITH_SIGNATURES, 4_000).saturating_add(D::get().reads_writes(6, 4))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(BASE, 1_000).saturating_add(D::get().reads_writes(2, 1))
	}
}

/// For tests: the same estimates with RocksDB's database weights.
impl WeightInfo for () {
	fn register_agent() -> Weight {
		Estimates::<RocksDbWeight>::register_agent()
	}
	fn deregister_agent() -> Weight {
		Estimates::<RocksDbWeight>::deregister_agent()
	}
	fn release_deposit() -> Weight {
		Estimates::<RocksDbWeight>::release_deposit()
	}
	fn delegate() -> Weight {
		Estimates::<RocksDbWeight>::delegate()
	}
	fn undelegate() -> Weight {
		Estimates::<RocksDbWeight>::undelegate()
	}
	fn prune_delegation() -> Weight {
		Estimates::<RocksDbWeight>::prune_delegation()
	}
	fn report_equivocation() -> Weight {
		Estimates::<RocksDbWeight>::report_equivocation()
	}
	fn report_overspend() -> Weight {
		Estimates::<RocksDbWeight>::report_overspend()
	}
	fn set_parameters() -> Weight {
		Estimates::<RocksDbWeight>::set_parameters()
	}
}
