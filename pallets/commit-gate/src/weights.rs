//! Weights for `pallet_commit_gate`. Provisional figures until `scripts/benchmark-pallets.sh`
//! measures them.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use polkadot_sdk::frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weights of the calls of `pallet_commit_gate`.
pub trait WeightInfo {
	fn submit(c: u32, s: u32, ) -> Weight;
	fn check_submission(c: u32, s: u32, ) -> Weight;
	fn veto() -> Weight;
	fn veto_and_kill() -> Weight;
	fn withdraw() -> Weight;
	fn enact(c: u32, ) -> Weight;
	fn commit_one(c: u32, ) -> Weight;
	fn on_initialize_idle() -> Weight;
	fn set_parameters() -> Weight;
}

/// Measured weights, priced with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit(c: u32, s: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 40_000)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(c.into()))
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(12))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn check_submission(c: u32, s: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(c.into()))
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(10))
	}
	fn veto() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn veto_and_kill() -> Weight {
		Weight::from_parts(200_000_000, 40_000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(150_000_000, 40_000)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn enact(c: u32, ) -> Weight {
		Weight::from_parts(150_000_000, 40_000)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	fn commit_one(c: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(5_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(1))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

impl WeightInfo for () {
	fn submit(_c: u32, _s: u32, ) -> Weight { Weight::from_parts(200_000_000, 40_000) }
	fn check_submission(_c: u32, _s: u32, ) -> Weight { Weight::from_parts(100_000_000, 20_000) }
	fn veto() -> Weight { Weight::from_parts(100_000_000, 20_000) }
	fn veto_and_kill() -> Weight { Weight::from_parts(200_000_000, 40_000) }
	fn withdraw() -> Weight { Weight::from_parts(150_000_000, 40_000) }
	fn enact(_c: u32, ) -> Weight { Weight::from_parts(150_000_000, 40_000) }
	fn commit_one(_c: u32, ) -> Weight { Weight::from_parts(100_000_000, 20_000) }
	fn on_initialize_idle() -> Weight { Weight::from_parts(5_000_000, 10_000) }
	fn set_parameters() -> Weight { Weight::from_parts(10_000_000, 0) }
}
