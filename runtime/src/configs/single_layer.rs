//! The counterfactual's admission: what a chain without TEO's human-bandwidth cap does.
//!
//! The flash-crash harness (docs/FLASH-CRASH.md) measures TEO's rules against the same network
//! configured as a single layer: a chain that admits every pull request an active agent sends,
//! with no cap per epoch, no person's share and no price in budget units. That chain is this
//! runtime built with the feature `single-layer`, a WASM blob of its own
//! (`teo_runtime::single_layer::WASM_BINARY`, built beside the upgrade rehearsal's), whose
//! commit gate admits through [`Unbounded`] instead of the action budget. Everything else is
//! TEO's: the deposit, the timelock, the veto, the storage bounds (`MaxPendingPerGroup` becomes
//! the only limit on what the humans must review).
//!
//! It can never be a TEO chain's runtime:
//! - the native runtime refuses the feature (`lib.rs`), so no node or genesis builder carries it;
//! - its version is `spec_version` 0 under the `impl_name` `teo-single-layer`, so no chain can
//!   upgrade to it;
//! - even so, the cap comes off only under the development constitution: on any other chain
//!   [`Unbounded`] admits as the action budget does.
//!
//! TEO's constitution has no setting that turns the cap off, which is why the counterfactual is
//! a runtime and not a parameter. The adapter is compiled in every build, so that its tests run
//! natively against the real action budget. On the counterfactual's chain the action budget's
//! `try_state` fails once a group admits past D_max (the admissions are counted, the people who
//! took them are not): that is the rule it measures the absence of.

use crate::Constitution as ConstitutionPallet;
use teo_primitives::constitution::Constitution;

use polkadot_sdk::{frame_system, sp_runtime::DispatchResult};
use teo_primitives::{
	mesh::BudgetUnits,
	traits::{ActionBudget as Budget, AdmissionControl, AdmissionQuote, AdmissionRefusal},
	AccountId, Balance, EpochIndex, GroupId,
};

use crate::{ActionBudget, Runtime, RuntimeEvent};

/// The action budget with its admission unbounded: agents, budgets, penalties and slashes are
/// the action budget's; every active agent's pull request is admitted, free, however many came
/// before it in the epoch and whoever sponsors it. The admissions are still counted per group
/// and epoch (and announced as the action budget announces them, `PullRequestAdmitted` with a
/// price of 0), so that the harness reads both chains alike.
pub struct Unbounded;

impl Unbounded {
	/// Whether the cap is off: only on a development chain.
	fn unbounded() -> bool {
		ConstitutionPallet::constitution() == Constitution::Development
	}

	/// Pull requests `group` can still admit in the current epoch: no end to them.
	pub fn admissions_left(group: GroupId) -> u32 {
		if !Self::unbounded() {
			return ActionBudget::admissions_left(group);
		}
		u32::MAX
	}

	/// What the next admission costs: nothing.
	pub fn admission_price(group: GroupId) -> Option<BudgetUnits> {
		if !Self::unbounded() {
			return ActionBudget::admission_price(group);
		}
		ActionBudget::current_epoch().is_ok().then_some(0)
	}

	/// Pull requests `agent` could still have admitted: none unless it may act, no end if it may.
	pub fn admissions_left_for(agent: &AccountId, group: GroupId) -> u32 {
		if !Self::unbounded() {
			return ActionBudget::admissions_left_for(agent, group);
		}
		if Self::quote(agent, group).is_ok() {
			u32::MAX
		} else {
			0
		}
	}
}

impl Budget<AccountId> for Unbounded {
	fn is_active_agent(agent: &AccountId) -> bool {
		<ActionBudget as Budget<AccountId>>::is_active_agent(agent)
	}

	fn sponsor_of(agent: &AccountId) -> Option<AccountId> {
		<ActionBudget as Budget<AccountId>>::sponsor_of(agent)
	}

	fn ensure_can_spend(agent: &AccountId, units: BudgetUnits) -> DispatchResult {
		<ActionBudget as Budget<AccountId>>::ensure_can_spend(agent, units)
	}

	fn spend(agent: &AccountId, units: BudgetUnits) -> DispatchResult {
		<ActionBudget as Budget<AccountId>>::spend(agent, units)
	}

	fn penalise(agent: &AccountId, sponsor: &AccountId) {
		<ActionBudget as Budget<AccountId>>::penalise(agent, sponsor)
	}

	fn slash_deposit(agent: &AccountId, fraction: polkadot_sdk::sp_runtime::Perbill) -> Balance {
		<ActionBudget as Budget<AccountId>>::slash_deposit(agent, fraction)
	}
}

impl AdmissionControl<AccountId> for Unbounded {
	fn quote(agent: &AccountId, group: GroupId) -> Result<AdmissionQuote, AdmissionRefusal> {
		if !Self::unbounded() {
			return <ActionBudget as AdmissionControl<AccountId>>::quote(agent, group);
		}
		let epoch = ActionBudget::current_epoch().map_err(|_| AdmissionRefusal::NotConfigured)?;
		if !Self::is_active_agent(agent) {
			return Err(AdmissionRefusal::NotAgent);
		}
		Ok(AdmissionQuote { epoch, price: 0 })
	}

	fn admit(agent: &AccountId, group: GroupId) -> Result<AdmissionQuote, AdmissionRefusal> {
		if !Self::unbounded() {
			return <ActionBudget as AdmissionControl<AccountId>>::admit(agent, group);
		}
		let quote = Self::quote(agent, group)?;
		let mut count =
			pallet_action_budget::Admissions::<Runtime>::get(group).in_epoch(quote.epoch);
		// The count only: the record of who took them is bounded by TEO's cap.
		count.admitted = count.admitted.saturating_add(1);
		let admitted = count.admitted;
		pallet_action_budget::Admissions::<Runtime>::insert(group, count);
		frame_system::Pallet::<Runtime>::deposit_event(RuntimeEvent::ActionBudget(
			pallet_action_budget::Event::PullRequestAdmitted {
				group,
				epoch: quote.epoch,
				admitted,
				agent: agent.clone(),
				price: 0,
			},
		));
		Ok(quote)
	}

	fn admitted(group: GroupId) -> (EpochIndex, u32) {
		<ActionBudget as AdmissionControl<AccountId>>::admitted(group)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{configs::CITIZENS_GROUP, genesis_config_presets, RuntimeGenesisConfig};
	use polkadot_sdk::{
		sp_io::TestExternalities, sp_keyring::Sr25519Keyring, sp_runtime::BuildStorage,
	};

	/// The local preset with one sponsor (Alice, verified) and `agents` agents of hers, past
	/// TEO's cap and her share of it.
	fn chain(agents: u8) -> (TestExternalities, Vec<AccountId>) {
		let mut config: RuntimeGenesisConfig =
			genesis_config_presets::preset_config(&genesis_config_presets::LOCAL_PRESET.into())
				.expect("the local preset");
		let alice = Sr25519Keyring::Alice.to_account_id();
		let agents: Vec<AccountId> =
			(0..agents).map(|i| AccountId::new([i.wrapping_add(100); 32])).collect();
		config.personhood.verified.push((CITIZENS_GROUP, alice.clone()));
		config.action_budget.agents = agents.iter().map(|a| (alice.clone(), a.clone())).collect();
		config
			.balances
			.balances
			.extend(agents.iter().map(|a| (a.clone(), genesis_config_presets::DEV_ENDOWMENT)));
		let mut ext = TestExternalities::new(config.build_storage().expect("genesis builds"));
		ext.execute_with(|| frame_system::Pallet::<Runtime>::set_block_number(1));
		(ext, agents)
	}

	#[test]
	fn every_active_agents_pull_request_is_admitted_free_past_teos_cap_and_share() {
		let (mut ext, agents) = chain(8);
		ext.execute_with(|| {
			let max = ActionBudget::parameters_for(0).unwrap().max_admissions_per_epoch;
			let before: Vec<_> = agents.iter().map(|a| ActionBudget::agent_budget(a)).collect();
			// TEO admits D_max in all and two of one person's; the single layer all of them,
			// three times over.
			for _ in 0..3 {
				for agent in &agents {
					let quote = Unbounded::admit(agent, CITIZENS_GROUP).expect("admitted");
					assert_eq!(quote.price, 0);
				}
			}
			let admitted = 3 * agents.len() as u32;
			assert!(admitted > max);
			assert_eq!(Unbounded::admitted(CITIZENS_GROUP), (0, admitted));
			let after: Vec<_> = agents.iter().map(|a| ActionBudget::agent_budget(a)).collect();
			assert_eq!(before, after, "no budget unit spent");
			let announced = frame_system::Pallet::<Runtime>::events()
				.iter()
				.filter(|record| {
					matches!(
						record.event,
						RuntimeEvent::ActionBudget(
							pallet_action_budget::Event::PullRequestAdmitted { price: 0, .. }
						)
					)
				})
				.count();
			assert_eq!(announced as u32, admitted);
			assert_eq!(Unbounded::admissions_left(CITIZENS_GROUP), u32::MAX);
			assert_eq!(Unbounded::admission_price(CITIZENS_GROUP), Some(0));
			// TEO's own admission refuses the same agents now.
			assert!(<ActionBudget as AdmissionControl<AccountId>>::quote(
				&agents[0],
				CITIZENS_GROUP
			)
			.is_err());
		});
	}

	#[test]
	fn off_a_development_chain_the_cap_stays_on() {
		let (mut ext, agents) = chain(8);
		ext.execute_with(|| {
			pallet_constitution::ChainConstitution::<Runtime>::put(Constitution::Testnet);
			let max = ActionBudget::parameters_for(0).unwrap().max_admissions_per_epoch;
			let admitted = agents
				.iter()
				.chain(&agents)
				.filter(|agent| Unbounded::admit(agent, CITIZENS_GROUP).is_ok())
				.count() as u32;
			// One person's eight agents, twice over: the person's share of D_max, no more.
			assert!(admitted >= 1 && admitted < max, "{admitted}");
			assert_eq!(Unbounded::admissions_left(CITIZENS_GROUP), max - admitted);
			assert!(Unbounded::admission_price(CITIZENS_GROUP).unwrap() > 0);
		});
	}

	#[test]
	fn an_account_that_is_no_agent_is_refused_as_teo_refuses_it() {
		let (mut ext, _) = chain(1);
		ext.execute_with(|| {
			let stranger = Sr25519Keyring::Ferdie.to_account_id();
			assert_eq!(
				Unbounded::admit(&stranger, CITIZENS_GROUP),
				Err(AdmissionRefusal::NotAgent)
			);
			assert_eq!(Unbounded::admissions_left_for(&stranger, CITIZENS_GROUP), 0);
			assert_eq!(Unbounded::admitted(CITIZENS_GROUP).1, 0);
		});
	}
}
