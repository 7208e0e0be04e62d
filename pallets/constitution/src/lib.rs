#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;
pub use teo_primitives::constitution::{Bound, Bounds, Constitution};

use polkadot_sdk::frame_support::traits::Get;

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use polkadot_sdk::{
		frame_support::{pallet_prelude::*, DefaultNoBound},
		frame_system::{self, pallet_prelude::*, WeightInfo as _},
	};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config {
		/// May authorize a new runtime code ([`Pallet::authorize_upgrade`]). On a production
		/// chain, a committed constitutional proposal of the citizens' group.
		type UpgradeOrigin: EnsureOrigin<<Self as frame_system::Config>::RuntimeOrigin>;
	}

	/// The constitution this chain was born with.
	#[pallet::storage]
	pub type ChainConstitution<T: Config> = StorageValue<_, Constitution, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The chain's constitution; `Production` unless a preset says otherwise.
		pub constitution: Constitution,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			ChainConstitution::<T>::put(self.constitution);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Authorizes the runtime code whose hash is `code_hash`; anyone may then apply it with
		/// `system.apply_authorized_upgrade(code)`, which checks the hash and that the code is
		/// the same runtime with a higher `spec_version`.
		///
		/// ## Dispatch Origin
		/// [`Config::UpgradeOrigin`]: on a production chain, a committed proposal of the
		/// citizens, which waits the constitutional timelock (the runtime's code is what the
		/// constitution is compiled into, so it changes only the way the constitution does).
		///
		/// ## Events
		/// `system.UpgradeAuthorized`.
		#[pallet::call_index(0)]
		#[pallet::weight((
			<T as frame_system::Config>::SystemWeightInfo::authorize_upgrade(),
			DispatchClass::Operational,
		))]
		pub fn authorize_upgrade(origin: OriginFor<T>, code_hash: T::Hash) -> DispatchResult {
			T::UpgradeOrigin::ensure_origin(origin)?;
			frame_system::Pallet::<T>::do_authorize_upgrade(code_hash, true);
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's constitution.
	pub fn constitution() -> Constitution {
		ChainConstitution::<T>::get()
	}
}

/// The bounds of the chain's constitution, for the other pallets' `Constitution` config item.
impl<T: Config> Get<Bounds> for Pallet<T> {
	fn get() -> Bounds {
		ChainConstitution::<T>::get().bounds()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::{
		frame_support::{derive_impl, traits::BuildGenesisConfig},
		frame_system, sp_io,
		sp_runtime::BuildStorage,
	};

	type Block = frame_system::mocking::MockBlock<Test>;

	#[polkadot_sdk::frame_support::runtime]
	mod runtime {
		#[runtime::runtime]
		#[runtime::derive(RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask)]
		pub struct Test;

		#[runtime::pallet_index(0)]
		pub type System = frame_system;

		#[runtime::pallet_index(1)]
		pub type Constitution = crate;
	}

	#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
	impl frame_system::Config for Test {
		type Block = Block;
	}

	impl Config for Test {
		type UpgradeOrigin = frame_system::EnsureRoot<u64>;
	}

	fn born_with(constitution: Option<super::Constitution>) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let genesis = match constitution {
			Some(constitution) => GenesisConfig::<Test> { constitution, ..Default::default() },
			None => GenesisConfig::<Test>::default(),
		};
		genesis.assimilate_storage(&mut storage).unwrap();
		storage.into()
	}

	#[test]
	fn a_genesis_that_chooses_nothing_gets_the_production_bounds() {
		born_with(None).execute_with(|| {
			assert_eq!(Pallet::<Test>::constitution(), super::Constitution::Production);
			assert_eq!(
				<Pallet<Test> as Get<Bounds>>::get(),
				super::Constitution::Production.bounds()
			);
		});
	}

	#[test]
	fn the_chosen_constitution_gives_its_bounds() {
		born_with(Some(super::Constitution::Development)).execute_with(|| {
			let bounds = <Pallet<Test> as Get<Bounds>>::get();
			assert_eq!(bounds, super::Constitution::Development.bounds());
			assert!(bounds.allows_insecure_keys);
		});
	}

	#[test]
	fn only_the_upgrade_origin_authorizes_a_runtime_code() {
		use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};
		born_with(None).execute_with(|| {
			let code_hash = <Test as frame_system::Config>::Hash::repeat_byte(7);
			assert_noop!(
				Pallet::<Test>::authorize_upgrade(RuntimeOrigin::signed(1), code_hash),
				DispatchError::BadOrigin
			);
			assert!(Pallet::<Test>::authorize_upgrade(RuntimeOrigin::root(), code_hash).is_ok());
			assert_eq!(
				frame_system::Pallet::<Test>::authorized_upgrade().map(|a| *a.code_hash()),
				Some(code_hash)
			);
		});
	}

	#[test]
	fn genesis_builds_through_the_trait_too() {
		let mut ext: sp_io::TestExternalities =
			frame_system::GenesisConfig::<Test>::default().build_storage().unwrap().into();
		ext.execute_with(|| {
			GenesisConfig::<Test> {
				constitution: super::Constitution::Development,
				..Default::default()
			}
			.build();
			assert_eq!(ChainConstitution::<Test>::get(), super::Constitution::Development);
		});
	}
}
