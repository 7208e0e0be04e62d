//! The work of the calls that neither change a group's members (`tree.rs`) nor verify or set
//! verifying keys (`verification.rs`): creating groups, appointing registrars and setting the
//! length of verification periods.

use super::*;
use polkadot_sdk::frame_support::pallet_prelude::*;
use teo_primitives::{AccountId, BlockNumber, GroupId};

impl<T: Config> Pallet<T> {
	/// Creates an empty group with `registrar` and `name`; returns its id.
	pub(crate) fn do_create_group(
		registrar: AccountId,
		name: BoundedVec<u8, T::MaxNameLength>,
	) -> Result<GroupId, DispatchError> {
		let group = NextGroupId::<T>::get();
		ensure!(group < T::MaxGroups::get(), Error::<T>::TooManyGroups);
		Groups::<T>::insert(
			group,
			GroupInfo {
				registrar: registrar.clone(),
				name,
				size: 0,
				side_nodes: Default::default(),
				created_at: teo_pallet_support::now::<T>(),
			},
		);
		NextGroupId::<T>::put(group.saturating_add(1));
		Self::deposit_event(Event::GroupCreated { group, registrar });
		Ok(group)
	}

	/// Appoints `registrar` for `group`.
	pub(crate) fn do_set_registrar(group: GroupId, registrar: AccountId) -> DispatchResult {
		Groups::<T>::try_mutate(group, |info| -> DispatchResult {
			let info = info.as_mut().ok_or(Error::<T>::UnknownGroup)?;
			info.registrar = registrar.clone();
			Ok(())
		})?;
		Self::deposit_event(Event::RegistrarChanged { group, registrar });
		Ok(())
	}

	/// Sets the length of the periods after the current one, or, on a chain that has no period
	/// yet, starts the first one now.
	pub(crate) fn do_set_verification_period(length: BlockNumber) -> DispatchResult {
		ensure!(length > 0, Error::<T>::InvalidPeriodLength);
		ensure!(
			T::Constitution::get().verification_period.contains(&length),
			Error::<T>::Unconstitutional
		);
		let period = CurrentPeriod::<T>::get();
		if period.is_configured() {
			NextPeriodLength::<T>::put(length);
		} else {
			let start = teo_pallet_support::now::<T>();
			CurrentPeriod::<T>::put(PeriodInfo { index: period.index, start, length });
		}
		Self::deposit_event(Event::PeriodLengthScheduled { length });
		Ok(())
	}
}
