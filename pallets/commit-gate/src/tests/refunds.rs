//! The weights the calls and the block hook report: `veto` and `enact` are refunded down to the
//! branch they took (`crate::branch`); the hook reports its idle check plus what it committed.

use polkadot_sdk::frame_support::{dispatch::GetDispatchInfo, traits::Hooks, weights::Weight};

use super::{submit, veto_anonymously};
use crate::{mock::*, CommitCount, Proposals, Queue, WeightInfo};

/// The mock's weights.
type Weights = <Test as crate::Config>::WeightInfo;

/// The encoded length of pending proposal `id`'s call.
fn call_len(id: u32) -> u32 {
	Proposals::<Test>::get(id).expect("pending").call.len() as u32
}

#[test]
fn a_veto_is_refunded_down_to_its_branch() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		use teo_primitives::traits::PersonhoodInspect;
		let check = People::check_signal_weight();
		let id = submit(TOWN, remark(1));
		let tallied = veto_anonymously(id, 1).expect("a member vetoes");
		assert_eq!(tallied.actual_weight, Some(check + Weights::veto()));
		assert_eq!(tallied.pays_fee, polkadot_sdk::frame_support::dispatch::Pays::No);
		let killed = veto_anonymously(id, 2).expect("another member vetoes");
		assert_eq!(killed.actual_weight, Some(check + Weights::veto_and_kill()));
		assert!(!Proposals::<Test>::contains_key(id));
	});
}

#[test]
fn enact_is_refunded_down_to_the_call_it_ran() {
	ExtBuilder::default().build_and_execute(|| {
		let call = remark(1);
		let call_weight = call.get_dispatch_info().total_weight();
		let id = submit(CITIZENS, call);
		let len = call_len(id);
		// Due, and the block hook has not run: `enact` commits it.
		System::set_block_number(u64::from(1 + TIMELOCK));
		let charged =
			RuntimeCall::CommitGate(crate::Call::enact { id }).get_dispatch_info().total_weight();
		let enacted = CommitGate::enact(RuntimeOrigin::signed(ferdie()), id).expect("due");
		let refunded_to = Weights::enact(len).saturating_add(call_weight);
		assert_eq!(enacted.actual_weight, Some(refunded_to));
		assert!(refunded_to.all_lte(charged));
		assert_eq!(CommitCount::<Test>::get(), 1);
	});
}

/// Submits two remarks for the citizens; returns each one's id, declared weight and encoded
/// length.
fn two_remarks() -> [(u32, Weight, u32); 2] {
	[remark(1), remark(2)].map(|call| {
		let weight = call.get_dispatch_info().total_weight();
		let id = submit(CITIZENS, call);
		(id, weight, call_len(id))
	})
}

#[test]
fn the_hook_weighs_its_idle_check_plus_every_commit() {
	ExtBuilder::default().build_and_execute(|| {
		let [(_, first_weight, first_len), (_, second_weight, second_len)] = two_remarks();
		assert_eq!(
			CommitGate::on_initialize(System::block_number()),
			Weights::on_initialize_idle(),
			"nothing is due"
		);
		let unlock_at = u64::from(1 + TIMELOCK);
		System::set_block_number(unlock_at);
		assert_eq!(
			CommitGate::on_initialize(unlock_at),
			Weights::on_initialize_idle()
				.saturating_add(Weights::commit_one(first_len))
				.saturating_add(first_weight)
				.saturating_add(Weights::commit_one(second_len))
				.saturating_add(second_weight)
		);
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(CommitCount::<Test>::get(), 2);
	});
}

#[test]
fn the_first_due_proposal_runs_over_the_budget_and_counts_in_full() {
	ExtBuilder::default().build_and_execute(|| {
		let [(first, first_weight, first_len), (second, second_weight, second_len)] = two_remarks();
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		let unlock_at = u64::from(1 + TIMELOCK);
		System::set_block_number(unlock_at);
		assert_eq!(
			CommitGate::on_initialize(unlock_at),
			Weights::on_initialize_idle()
				.saturating_add(Weights::commit_one(first_len))
				.saturating_add(first_weight)
		);
		assert!(!Proposals::<Test>::contains_key(first));
		assert!(Proposals::<Test>::contains_key(second), "the second waits for the next block");
		System::set_block_number(unlock_at + 1);
		assert_eq!(
			CommitGate::on_initialize(unlock_at + 1),
			Weights::on_initialize_idle()
				.saturating_add(Weights::commit_one(second_len))
				.saturating_add(second_weight)
		);
		assert!(Queue::<Test>::get().is_empty());
	});
}
