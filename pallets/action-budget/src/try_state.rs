//! The invariants of the pallet's storage, checked after every test of the mock runtime and by
//! the `try_state` hook under try-runtime.

use crate::{Config, Pallet};

impl<T: Config> Pallet<T> {
	/// The invariants of the pallet's storage.
	///
	/// # Invariants
	/// - the parameter eras are at most three, ordered, start at epoch boundaries, and lie
	///   within the constitution;
	/// - every agent is listed under its sponsor, and every listed agent exists with that
	///   sponsor;
	/// - the deposits of a sponsor's agents add up to its funds held for agent deposits;
	/// - no fixed budget has more spent on chain than allowed;
	/// - every delegation bucket is non-empty and holds no more than the delegation records
	///   pointing at it;
	/// - each group's admissions of its latest epoch are the sum of its people's, within the
	///   cap of that epoch's parameters, and each person's within the quota.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		use crate::{Agents, Delegations, HoldReason, ParameterEras, SponsoredAgents};
		use alloc::collections::btree_map::BTreeMap;
		use polkadot_sdk::frame_support::{
			ensure,
			traits::{fungible::InspectHold, Get},
		};
		use teo_primitives::{AccountId, Balance};

		let eras = ParameterEras::<T>::get();
		let bounds = T::Constitution::get();
		ensure!(
			eras.iter().all(|era| era.parameters.is_constitutional(&bounds)),
			"parameters outside the constitution"
		);
		for pair in eras.windows(2) {
			ensure!(pair[0].first_epoch < pair[1].first_epoch, "eras out of order");
			ensure!(
				pair[0].first_block_of(pair[1].first_epoch) == pair[1].first_block,
				"an era does not start at an epoch boundary"
			);
		}

		let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
		for (agent, info) in Agents::<T>::iter() {
			ensure!(
				SponsoredAgents::<T>::get(&info.sponsor).contains(&agent),
				"an agent is missing from its sponsor's list"
			);
			*deposits.entry(info.sponsor.clone()).or_default() += info.deposit;
			for budget in &info.budgets {
				ensure!(budget.spent_on_chain <= budget.allowance, "spent beyond allowance");
			}
			for bucket in &info.delegators {
				ensure!(bucket.count > 0, "an empty delegator bucket");
				let records = Delegations::<T>::iter_values()
					.filter(|d| {
						d.agent == agent
							&& d.verified_until == bucket.verified_until
							&& d.since >= info.registered_at
					})
					.count() as u32;
				ensure!(bucket.count <= records, "a bucket counts more than its delegations");
			}
		}
		for (_, count) in crate::Admissions::<T>::iter() {
			let by_people = count.by_person.iter().fold(0u32, |sum, (_, n)| sum.saturating_add(*n));
			ensure!(by_people == count.admitted, "admissions differ from their people's sum");
			if let Ok(params) = Self::parameters_for(count.epoch) {
				ensure!(
					count.admitted <= params.max_admissions_per_epoch,
					"a group admitted more than its cap"
				);
				let quota = crate::admissions::person_quota(
					params.person_admission_share,
					params.max_admissions_per_epoch,
				);
				ensure!(
					count.by_person.iter().all(|(_, n)| *n <= quota),
					"a person took more than their share"
				);
			}
		}
		for (sponsor, agents) in SponsoredAgents::<T>::iter() {
			ensure!(!agents.is_empty(), "an empty sponsor list");
			for agent in agents {
				let info = Agents::<T>::get(&agent).ok_or("a listed agent does not exist")?;
				ensure!(info.sponsor == sponsor, "an agent listed under the wrong sponsor");
			}
			let held = T::Currency::balance_on_hold(&HoldReason::AgentDeposit.into(), &sponsor);
			ensure!(
				held == deposits.get(&sponsor).copied().unwrap_or_default(),
				"held deposits differ from the registry"
			);
		}
		Ok(())
	}
}
