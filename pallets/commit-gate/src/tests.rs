//! The gate's behaviour: every call, every error, the hook, and the Committed origin.

use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, weights::Weight},
	frame_system, pallet_balances,
	sp_runtime::{
		traits::{DispatchTransaction, TransactionExtension},
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
		DispatchError, ModuleError,
	},
};

use crate::{
	mock::*, CheckPullRequest, CommitCount, CommitRoot, Error, Event, GateParameters, HoldReason,
	Parameters, Proposals, Queue,
};

fn submit(group: u32, call: Box<RuntimeCall>) -> u32 {
	let id = crate::NextProposalId::<Test>::get();
	assert_ok!(CommitGate::submit(RuntimeOrigin::signed(bob()), group, call, b"why".to_vec()));
	id
}

fn held(who: &polkadot_sdk::sp_runtime::AccountId32) -> u128 {
	Balances::balance_on_hold(&RuntimeHoldReason::CommitGate(HoldReason::ProposalDeposit), who)
}

fn remaining_budget(agent: &polkadot_sdk::sp_runtime::AccountId32) -> u64 {
	let budget = ActionBudget::agent_budget(agent).expect("a registered agent");
	budget.allowance - budget.spent_on_chain
}

fn committed_result(id: u32) -> Option<polkadot_sdk::sp_runtime::DispatchResult> {
	gate_events().into_iter().find_map(|e| match e {
		Event::Committed { id: committed, result, .. } if committed == id => Some(result),
		_ => None,
	})
}

#[test]
fn submit_stores_the_call_spends_budget_admits_and_holds_the_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		let before = remaining_budget(&bob());
		let call = remark(1);
		assert_ok!(CommitGate::submit(
			RuntimeOrigin::signed(bob()),
			CITIZENS,
			call.clone(),
			"Pave the square".as_bytes().to_vec(),
		));
		let proposal = Proposals::<Test>::get(0).expect("stored");
		assert_eq!(proposal.proposer, bob());
		assert_eq!(proposal.call.to_vec(), codec::Encode::encode(&call));
		assert_eq!(proposal.summary.to_vec(), b"Pave the square".to_vec());
		assert_eq!(proposal.unlock_at, 1 + TIMELOCK);
		assert_eq!(Queue::<Test>::get().to_vec(), vec![(1 + TIMELOCK, 0)]);
		assert_eq!(held(&bob()), PROPOSAL_DEPOSIT);
		assert_eq!(remaining_budget(&bob()), before - PULL_REQUEST_COST);
		assert_eq!(
			<ActionBudget as teo_primitives::traits::AdmissionControl>::admissions_left(CITIZENS),
			1
		);
		System::assert_last_event(
			Event::Submitted {
				id: 0,
				group: CITIZENS,
				proposer: bob(),
				call_hash: proposal.call_hash,
				unlock_at: 1 + TIMELOCK,
			}
			.into(),
		);
	});
}

#[test]
fn submit_refuses_what_the_gate_cannot_accept() {
	ExtBuilder::default().build_and_execute(|| {
		let bob = || RuntimeOrigin::signed(bob());
		let why = || b"why".to_vec();
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(ferdie()), CITIZENS, remark(1), why()),
			Error::<Test>::NotAgent
		);
		assert_noop!(CommitGate::submit(bob(), 7, remark(1), why()), Error::<Test>::NoVetoers);
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, remark(1), vec![b'a'; 65]),
			Error::<Test>::SummaryTooLong
		);
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, remark(1), vec![0xff, 0xfe]),
			Error::<Test>::SummaryNotUtf8
		);
		let large =
			Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 300] }));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, large, why()),
			Error::<Test>::CallTooLarge
		);
		let transfer =
			Box::new(RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: ferdie(),
				value: 1,
			}));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, transfer.clone(), why()),
			Error::<Test>::ForbiddenCall
		);
		// The filter looks inside batches.
		let smuggled = Box::new(RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch {
			calls: vec![*remark(1), *transfer],
		}));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, smuggled, why()),
			Error::<Test>::ForbiddenCall
		);
		// Eve is an agent with too little money for the deposit.
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(eve()), CITIZENS, remark(1), why()),
			Error::<Test>::InsufficientBalance
		);
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		assert_noop!(
			CommitGate::submit(bob(), CITIZENS, remark(1), why()),
			Error::<Test>::CallTooHeavy
		);
	});
}

#[test]
fn batches_nested_too_deep_are_forbidden() {
	ExtBuilder::default().build_and_execute(|| {
		let mut call = *remark(1);
		for _ in 0..crate::origin::MAX_BATCH_DEPTH {
			call = RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch {
				calls: vec![call],
			});
		}
		assert_ok!(CommitGate::submit(
			RuntimeOrigin::signed(bob()),
			CITIZENS,
			Box::new(call.clone()),
			b"deep".to_vec()
		));
		let deeper =
			RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch { calls: vec![call] });
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, Box::new(deeper), vec![]),
			Error::<Test>::ForbiddenCall
		);
	});
}

#[test]
fn submit_fails_unconfigured() {
	ExtBuilder::default().unconfigured().build_and_execute(|| {
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, remark(1), vec![]),
			Error::<Test>::NotConfigured
		);
	});
}

#[test]
fn the_cap_the_budget_and_the_pending_bound_refuse_loudly() {
	ExtBuilder::default().build_and_execute(|| {
		// A long timelock, so that nothing is committed while the queue fills up.
		assert_ok!(CommitGate::set_parameters(
			RuntimeOrigin::root(),
			GateParameters { timelock: 100, ..gate_parameters() }
		));
		submit(CITIZENS, remark(1));
		submit(CITIZENS, remark(2));
		// Two admissions per group and epoch.
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), CITIZENS, remark(3), vec![]),
			Error::<Test>::AdmissionsExhausted
		);
		// 1000 units, 300 a pull request: the fourth one in this epoch is too expensive.
		submit(TOWN, remark(3));
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), GUILD, remark(4), vec![]),
			Error::<Test>::InsufficientBudget
		);
		// Next epoch: a fresh budget and fresh admissions, but only five may be pending.
		run_to_block(u64::from(EPOCH));
		submit(CITIZENS, remark(4));
		submit(TOWN, remark(5));
		assert_eq!(Queue::<Test>::get().len(), 5);
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), GUILD, remark(6), vec![]),
			Error::<Test>::TooManyPending
		);
	});
}

#[test]
fn a_due_proposal_is_committed_by_the_block_hook_with_the_committed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let id = submit(CITIZENS, remark(1));
		let root_before = CommitRoot::<Test>::get();
		run_to_block(u64::from(TIMELOCK));
		assert!(Proposals::<Test>::contains_key(id), "still locked one block before unlock");
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(id));
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(committed_result(id), Some(Ok(())));
		assert_eq!(held(&bob()), 0, "the deposit returned");
		assert_ne!(CommitRoot::<Test>::get(), root_before);
		assert_eq!(CommitCount::<Test>::get(), 1);
	});
}

#[test]
fn commits_run_in_order_within_the_block_budget_and_none_is_dropped() {
	ExtBuilder::default().build_and_execute(|| {
		let committed_ids = || -> Vec<u32> {
			gate_events()
				.into_iter()
				.filter_map(|e| match e {
					Event::Committed { id, .. } => Some(id),
					_ => None,
				})
				.collect()
		};
		submit(CITIZENS, remark(0));
		submit(TOWN, remark(1));
		run_to_block(u64::from(EPOCH));
		assert_eq!(committed_ids(), vec![0, 1], "both due in one block, committed in id order");
		// Epoch 1's two proposals are due in the same block, but only one fits per block.
		submit(CITIZENS, remark(2));
		submit(TOWN, remark(3));
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		System::reset_events();
		run_to_block(u64::from(EPOCH + TIMELOCK));
		assert_eq!(committed_ids(), vec![2]);
		assert_eq!(Queue::<Test>::get().len(), 1, "the second waits for the next block");
		run_to_block(u64::from(EPOCH + TIMELOCK) + 1);
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(committed_ids(), vec![2, 3]);
		assert_eq!(CommitCount::<Test>::get(), 4);
	});
}

#[test]
fn anyone_may_enact_a_due_proposal() {
	ExtBuilder::default().build_and_execute(|| {
		let first = submit(CITIZENS, remark(1));
		let second = submit(CITIZENS, remark(2));
		assert_noop!(
			CommitGate::enact(RuntimeOrigin::signed(ferdie()), first),
			Error::<Test>::StillLocked
		);
		assert_noop!(
			CommitGate::enact(RuntimeOrigin::signed(ferdie()), 9),
			Error::<Test>::UnknownProposal
		);
		// Only one commit fits per block: the hook takes the first, anyone pushes the second.
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(first));
		assert!(Proposals::<Test>::contains_key(second));
		assert_ok!(CommitGate::enact(RuntimeOrigin::signed(ferdie()), second));
		assert_eq!(committed_result(second), Some(Ok(())));
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(CommitCount::<Test>::get(), 2);
	});
}

#[test]
fn a_veto_kills_slashes_and_penalises() {
	ExtBuilder::default().build_and_execute(|| {
		let id = submit(CITIZENS, remark(1));
		let issuance = Balances::total_issuance();
		let next_epoch_allowance = ActionBudget::agent_budget(&bob()).unwrap().next_allowance;
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		assert!(!Proposals::<Test>::contains_key(id), "the call is deleted");
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(held(&bob()), 0);
		assert_eq!(Balances::total_issuance(), issuance - PROPOSAL_DEPOSIT, "slashed and burnt");
		assert!(gate_events().contains(&Event::Killed {
			id,
			group: CITIZENS,
			proposer: bob(),
			slashed: PROPOSAL_DEPOSIT,
		}));
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::ActionBudget(pallet_action_budget::Event::AgentPenalised { agent, .. })
				if *agent == bob()
		)));
		let penalised = ActionBudget::agent_budget(&bob()).unwrap().next_allowance;
		assert!(penalised < next_epoch_allowance, "the agent's allowance is lower");
		// Nothing runs at the unlock block.
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), None);
		assert_eq!(CommitCount::<Test>::get(), 0);
	});
}

#[test]
fn only_verified_members_of_the_group_veto_once_each_within_the_window() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let id = submit(TOWN, remark(1));
		for outsider in [alice(), bob(), ferdie()] {
			assert_noop!(
				CommitGate::veto(RuntimeOrigin::signed(outsider), id),
				Error::<Test>::NotVerifiedMember
			);
		}
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(charlie()), 9),
			Error::<Test>::UnknownProposal
		);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		System::assert_last_event(
			Event::Vetoed { id, group: TOWN, vetoer: charlie(), tally: 1, threshold: 2 }.into(),
		);
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(charlie()), id),
			Error::<Test>::AlreadyVetoed
		);
		assert_eq!(Proposals::<Test>::get(id).unwrap().vetoes, 1);
		// The window ends at unlock: with no room to commit it in the hook, it is due, and a
		// veto comes too late.
		let other = submit(CITIZENS, remark(2));
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(Proposals::<Test>::contains_key(other), "the hook committed only the first");
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(dave()), other),
			Error::<Test>::WindowClosed
		);
	});
}

#[test]
fn a_new_verification_period_starts_a_new_tally() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		TablePersonhood::verify(&charlie(), TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		// The period ends at block 3; from block 4 on, people verify again, possibly with new
		// accounts, so the tally of the old period no longer counts.
		run_to_block(4);
		TablePersonhood::verify(&charlie(), TOWN, 100);
		TablePersonhood::verify(&dave(), TOWN, 100);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		let proposal = Proposals::<Test>::get(id).expect("one veto in the new period");
		assert_eq!((proposal.vetoes, proposal.vetoers.len()), (2, 1));
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(dave()), id));
		assert!(!Proposals::<Test>::contains_key(id));
	});
}

#[test]
fn the_proposer_or_its_sponsor_may_withdraw_before_the_window_ends() {
	ExtBuilder::default().build_and_execute(|| {
		let first = submit(CITIZENS, remark(1));
		let second = submit(TOWN, remark(2));
		let spent = remaining_budget(&bob());
		for stranger in [charlie(), ferdie()] {
			assert_noop!(
				CommitGate::withdraw(RuntimeOrigin::signed(stranger), first),
				Error::<Test>::NotProposerOrSponsor
			);
		}
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(bob()), 9),
			Error::<Test>::UnknownProposal
		);
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(bob()), first));
		System::assert_last_event(
			Event::Withdrawn { id: first, group: CITIZENS, by: bob() }.into(),
		);
		assert_ok!(CommitGate::withdraw(RuntimeOrigin::signed(alice()), second));
		assert_eq!(held(&bob()), 0, "deposits returned");
		assert_eq!(remaining_budget(&bob()), spent, "the budget stays spent");
		assert!(Queue::<Test>::get().is_empty());
		// A proposal that is due but not committed yet can no longer be withdrawn.
		run_to_block(u64::from(EPOCH));
		let committed = submit(CITIZENS, remark(3));
		let due = submit(CITIZENS, remark(4));
		MaxCommitWeight::set(&Weight::from_parts(1, 1));
		run_to_block(u64::from(EPOCH + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(committed));
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(bob()), due),
			Error::<Test>::WindowClosed
		);
	});
}

#[test]
fn a_failing_call_is_committed_as_failed_and_its_deposit_slashed() {
	ExtBuilder::default().build_and_execute(|| {
		// The action budget's admin is root only in this mock: the Committed origin fails.
		let call =
			Box::new(RuntimeCall::ActionBudget(pallet_action_budget::Call::set_parameters {
				parameters: budget_parameters(),
			}));
		let id = submit(CITIZENS, call);
		let issuance = Balances::total_issuance();
		let root = CommitRoot::<Test>::get();
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(Balances::total_issuance(), issuance - PROPOSAL_DEPOSIT);
		assert_ne!(CommitRoot::<Test>::get(), root, "failures are on the commit chain too");
		assert_eq!(CommitCount::<Test>::get(), 1);
	});
}

#[test]
fn the_committed_origin_changes_the_gates_parameters_but_never_shortens_a_pending_wait() {
	ExtBuilder::default().build_and_execute(|| {
		let shorter = GateParameters { timelock: 2, ..gate_parameters() };
		let change = submit(
			CITIZENS,
			Box::new(RuntimeCall::CommitGate(crate::Call::set_parameters { parameters: shorter })),
		);
		run_to_block(2);
		let waiting = submit(CITIZENS, remark(1));
		assert_eq!(Proposals::<Test>::get(change).unwrap().unlock_at, 1 + TIMELOCK);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(change), Some(Ok(())));
		assert_eq!(Parameters::<Test>::get(), Some(shorter));
		// The proposal submitted under the old timelock keeps it.
		assert_eq!(Proposals::<Test>::get(waiting).unwrap().unlock_at, 2 + TIMELOCK);
		run_to_block(u64::from(1 + TIMELOCK) + 1);
		assert_eq!(committed_result(waiting), Some(Ok(())));
	});
}

#[test]
fn another_groups_committed_origin_is_not_the_citizens() {
	ExtBuilder::default().build_and_execute(|| {
		let change = GateParameters { timelock: 2, ..gate_parameters() };
		let id = submit(
			TOWN,
			Box::new(RuntimeCall::CommitGate(crate::Call::set_parameters { parameters: change })),
		);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(Parameters::<Test>::get(), Some(gate_parameters()));
	});
}

#[test]
fn a_batch_runs_every_call_with_the_committed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let shorter = GateParameters { timelock: 3, ..gate_parameters() };
		let batch = Box::new(RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::batch_all {
			calls: vec![
				*remark(1),
				RuntimeCall::CommitGate(crate::Call::set_parameters { parameters: shorter }),
			],
		}));
		let id = submit(CITIZENS, batch);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(committed_result(id), Some(Ok(())));
		assert_eq!(Parameters::<Test>::get(), Some(shorter));
	});
}

#[test]
fn set_parameters_checks_origin_and_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		let signed = RuntimeOrigin::signed(alice());
		assert_noop!(
			CommitGate::set_parameters(signed, gate_parameters()),
			DispatchError::BadOrigin
		);
		for invalid in [
			GateParameters { timelock: 1, ..gate_parameters() },
			GateParameters { veto_threshold: 0, ..gate_parameters() },
			GateParameters { veto_threshold: 4, ..gate_parameters() },
		] {
			assert_noop!(
				CommitGate::set_parameters(RuntimeOrigin::root(), invalid),
				Error::<Test>::InvalidParameters
			);
		}
		let valid = GateParameters { timelock: 2, veto_threshold: 3, proposal_deposit: 0 };
		assert_ok!(CommitGate::set_parameters(RuntimeOrigin::root(), valid));
		System::assert_last_event(Event::ParametersSet { parameters: valid }.into());
	});
}

fn module_error_index(error: Error<Test>) -> u8 {
	match DispatchError::from(error) {
		DispatchError::Module(ModuleError { error, .. }) => error[0],
		other => panic!("not a module error: {other:?}"),
	}
}

fn validate(
	who: polkadot_sdk::sp_runtime::AccountId32,
	call: RuntimeCall,
) -> Result<(), TransactionValidityError> {
	let info = polkadot_sdk::frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&call);
	CheckPullRequest::<Test>::new()
		.validate_only(RuntimeOrigin::signed(who), &call, &info, 0, TransactionSource::External, 0)
		.map(|_| ())
}

#[test]
fn the_pool_refuses_submissions_that_would_fail() {
	ExtBuilder::default().build_and_execute(|| {
		let submit_call = |group, call| {
			RuntimeCall::CommitGate(crate::Call::submit { group, call, summary: b"x".to_vec() })
		};
		assert_ok!(validate(bob(), submit_call(CITIZENS, remark(1))));
		assert_eq!(
			validate(ferdie(), submit_call(CITIZENS, remark(1))),
			Err(InvalidTransaction::Custom(module_error_index(Error::<Test>::NotAgent)).into())
		);
		submit(CITIZENS, remark(1));
		submit(CITIZENS, remark(2));
		assert_eq!(
			validate(bob(), submit_call(CITIZENS, remark(3))),
			Err(InvalidTransaction::Custom(module_error_index(Error::<Test>::AdmissionsExhausted))
				.into())
		);
		// Other calls pass through untouched.
		assert_ok!(validate(ferdie(), RuntimeCall::CommitGate(crate::Call::veto { id: 0 })));
		// The check weighs something for a submission and nothing otherwise.
		let ext = CheckPullRequest::<Test>::new();
		assert!(ext.weight(&submit_call(CITIZENS, remark(1))).ref_time() > 0);
		assert_eq!(
			ext.weight(&RuntimeCall::CommitGate(crate::Call::veto { id: 0 })),
			Weight::zero()
		);
	});
}

#[test]
fn try_state_detects_an_unheld_deposit() {
	ExtBuilder::default().build().execute_with(|| {
		submit(CITIZENS, remark(1));
		assert_ok!(CommitGate::do_try_state());
		Proposals::<Test>::mutate(0, |p| p.as_mut().unwrap().deposit += 1);
		assert!(CommitGate::do_try_state().is_err());
	});
}

#[test]
fn admissions_taken_elsewhere_count_against_the_cap() {
	ExtBuilder::default().build_and_execute(|| {
		use teo_primitives::traits::AdmissionControl;
		assert_ok!(<ActionBudget as AdmissionControl>::admit(TOWN));
		assert_ok!(<ActionBudget as AdmissionControl>::admit(TOWN));
		assert_noop!(
			CommitGate::submit(RuntimeOrigin::signed(bob()), TOWN, remark(1), vec![]),
			Error::<Test>::AdmissionsExhausted
		);
	});
}
