//! Groups govern their own affairs: a purse each, spent only by the group's committed
//! proposals, and settings only the group changes.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::fungible::Mutate},
	sp_runtime::DispatchError,
};

use super::{committed_result, submit};
use crate::{mock::*, Error, Event, GroupSettings, Proposals, Settings};

fn spend(to: polkadot_sdk::sp_runtime::AccountId32, amount: u128) -> Box<RuntimeCall> {
	Box::new(RuntimeCall::CommitGate(crate::Call::spend_from_purse { beneficiary: to, amount }))
}

#[test]
fn a_groups_committed_proposal_spends_its_purse_and_no_other() {
	ExtBuilder::default().build_and_execute(|| {
		let town = CommitGate::purse(TOWN);
		assert_ne!(town, CommitGate::purse(GUILD), "each group has its own purse");
		assert_ok!(Balances::mint_into(&town, 10_000));
		let paid = submit(TOWN, spend(ferdie(), 3_000));
		// The guild's proposal spends from the guild's (empty) purse, never the town's.
		let raid = submit(GUILD, spend(ferdie(), 3_000));
		let before = Balances::free_balance(ferdie());
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(paid), Some(Ok(())));
		assert_eq!(committed_result(raid), Some(Err(Error::<Test>::PurseTooPoor.into())));
		assert_eq!(Balances::free_balance(ferdie()), before + 3_000);
		assert_eq!(Balances::free_balance(&town), 7_000);
		assert!(gate_events().contains(&Event::PurseSpent {
			group: TOWN,
			id: paid,
			beneficiary: ferdie(),
			amount: 3_000,
		}));
	});
}

/// Attack: an account (root included) spends a group's purse directly, or a group changes
/// another group's settings. Only the group's own committed proposals can.
#[test]
fn nobody_else_touches_a_groups_purse_or_settings() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(Balances::mint_into(&CommitGate::purse(TOWN), 10_000));
		for origin in [RuntimeOrigin::signed(charlie()), RuntimeOrigin::root()] {
			assert_noop!(
				CommitGate::spend_from_purse(origin.clone(), ferdie(), 1),
				DispatchError::BadOrigin
			);
			assert_noop!(
				CommitGate::set_group_settings(origin, Some(GroupSettings { veto_threshold: 2 })),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn a_group_sets_its_own_veto_threshold_with_the_constitutional_timelock() {
	ExtBuilder::default().build_and_execute(|| {
		let settings = GroupSettings { veto_threshold: 2 };
		let call = Box::new(RuntimeCall::CommitGate(crate::Call::set_group_settings {
			settings: Some(settings),
		}));
		let id = submit(TOWN, call);
		assert_eq!(Proposals::<Test>::get(id).unwrap().unlock_at, 1 + CONSTITUTIONAL_TIMELOCK);
		run_to_block(u64::from(1 + CONSTITUTIONAL_TIMELOCK));
		assert_eq!(committed_result(id), Some(Ok(())));
		assert_eq!(Settings::<Test>::get(TOWN), Some(settings));
		// The town's next proposal needs two vetoes; the citizens' still one.
		run_to_block(u64::from(EPOCH));
		let town = submit(TOWN, remark(1));
		let citizens = submit(CITIZENS, remark(2));
		assert_eq!(Proposals::<Test>::get(town).unwrap().veto_threshold, 2);
		assert_eq!(Proposals::<Test>::get(citizens).unwrap().veto_threshold, 1);
		// A threshold the gate cannot hold is refused when it runs.
		run_to_block(u64::from(2 * EPOCH));
		let too_many = GroupSettings { veto_threshold: 4 };
		let refused = submit(
			TOWN,
			Box::new(RuntimeCall::CommitGate(crate::Call::set_group_settings {
				settings: Some(too_many),
			})),
		);
		run_to_block(u64::from(2 * EPOCH + CONSTITUTIONAL_TIMELOCK));
		assert_eq!(committed_result(refused), Some(Err(Error::<Test>::InvalidParameters.into())));
		// The town clears its settings and follows the gate's threshold again.
		run_to_block(u64::from(3 * EPOCH));
		let cleared = submit(
			TOWN,
			Box::new(RuntimeCall::CommitGate(crate::Call::set_group_settings { settings: None })),
		);
		run_to_block(u64::from(3 * EPOCH + CONSTITUTIONAL_TIMELOCK));
		assert_eq!(committed_result(cleared), Some(Ok(())));
		assert_eq!(Settings::<Test>::get(TOWN), None);
		run_to_block(u64::from(4 * EPOCH));
		let town = submit(TOWN, remark(3));
		assert_eq!(Proposals::<Test>::get(town).unwrap().veto_threshold, 1);
	});
}
