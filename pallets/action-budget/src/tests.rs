//! Tests of the action-budget pallet: every call, every error, the epoch rules and the traits.

use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		dispatch::{Pays, PostDispatchInfo},
		traits::fungible::InspectHold,
	},
	sp_keyring::Sr25519Keyring,
	sp_runtime::{DispatchError, Perbill},
};
use teo_primitives::{
	traits::{ActionBudget as _, AdmissionControl as _, AgentInspect as _},
	AccountId, Balance,
};

use crate::{
	mock::*, AgentStatus, Agents, BudgetParameters, Delegations, EpochInfo, HoldReason, Offence,
	ParameterEras, SignedMeshHeader, SponsoredAgents,
};

type Error = crate::Error<Test>;
type Event = crate::Event<Test>;

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn register(sponsor: AccountId, agent: AccountId) {
	assert_ok!(ActionBudget::register_agent(signed(sponsor), agent));
}

fn held(who: &AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::AgentDeposit.into(), who)
}

fn allowance(agent: &AccountId) -> u64 {
	let info = Agents::<Test>::get(agent).unwrap();
	ActionBudget::budget_of(&info, ActionBudget::current_epoch().unwrap()).allowance
}

fn free(who: &AccountId) -> Balance {
	Balances::free_balance(who)
}

mod agents {
	use super::*;

	#[test]
	fn a_citizen_registers_an_agent_and_holds_the_deposit() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());

			let info = Agents::<Test>::get(eve()).unwrap();
			assert_eq!(info.sponsor, alice());
			assert_eq!(info.deposit, DEPOSIT);
			assert_eq!(info.status, AgentStatus::Active);
			assert_eq!(held(&alice()), DEPOSIT);
			assert_eq!(SponsoredAgents::<Test>::get(alice()).into_inner(), vec![eve()]);
			assert!(ActionBudget::is_agent(&eve()));
			assert!(ActionBudget::is_active_agent(&eve()));
			assert_eq!(ActionBudget::sponsor_of(&eve()), Some(alice()));
			System::assert_last_event(
				Event::AgentRegistered { agent: eve(), sponsor: alice(), deposit: DEPOSIT }.into(),
			);
		});
	}

	#[test]
	fn registration_needs_parameters() {
		ExtBuilder::default().unconfigured().build_and_execute(|| {
			assert_noop!(
				ActionBudget::register_agent(signed(alice()), eve()),
				Error::NotConfigured
			);
		});
	}

	#[test]
	fn only_verified_citizens_sponsor() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				ActionBudget::register_agent(signed(ferdie()), eve()),
				Error::NotVerifiedCitizen
			);
			// A member of another group is not a citizen.
			TablePersonhood::verify(&ferdie(), 7, FOREVER);
			assert_noop!(
				ActionBudget::register_agent(signed(ferdie()), eve()),
				Error::NotVerifiedCitizen
			);
			// Nor is a citizen whose verification lapsed.
			TablePersonhood::verify(&ferdie(), CITIZENS, 1);
			run_to_block(2);
			assert_noop!(
				ActionBudget::register_agent(signed(ferdie()), eve()),
				Error::NotVerifiedCitizen
			);
		});
	}

	#[test]
	fn carbon_and_silicon_stay_apart() {
		ExtBuilder::default().build_and_execute(|| {
			// A verified human cannot become an agent...
			assert_noop!(ActionBudget::register_agent(signed(alice()), bob()), Error::AgentIsHuman);
			// ...and an agent cannot sponsor, even if personhood were to vouch for it.
			register(alice(), eve());
			TablePersonhood::verify(&eve(), CITIZENS, FOREVER);
			assert_noop!(
				ActionBudget::register_agent(signed(eve()), ferdie()),
				Error::SponsorIsAgent
			);
		});
	}

	#[test]
	fn an_agent_registers_once() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_noop!(
				ActionBudget::register_agent(signed(bob()), eve()),
				Error::AlreadyRegistered
			);
		});
	}

	#[test]
	fn a_sponsor_has_a_bounded_number_of_agents() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			register(alice(), ferdie());
			assert_noop!(
				ActionBudget::register_agent(signed(alice()), reporter()),
				Error::TooManyAgents
			);
		});
	}

	#[test]
	fn a_sponsor_must_afford_the_deposit() {
		ExtBuilder::default().build_and_execute(|| {
			let poor = account(Sr25519Keyring::Two);
			TablePersonhood::verify(&poor, CITIZENS, FOREVER);
			assert_noop!(
				ActionBudget::register_agent(signed(poor), eve()),
				Error::InsufficientBalance
			);
		});
	}

	#[test]
	fn deregistration_stops_the_agent_and_unbonds_the_deposit() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
			System::assert_last_event(
				Event::AgentDeregistered { agent: eve(), release_epoch: 3 }.into(),
			);
			assert!(!ActionBudget::is_active_agent(&eve()));
			assert!(ActionBudget::is_agent(&eve()), "it stays registered while unbonding");
			assert_eq!(held(&alice()), DEPOSIT);
			assert_noop!(ActionBudget::ensure_can_spend(&eve(), 1), Error::AgentNotActive);
			// Nothing more to earn from the next epoch on.
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 0);
		});
	}

	#[test]
	fn deregistration_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				ActionBudget::deregister_agent(signed(alice()), eve()),
				Error::UnknownAgent
			);
			register(alice(), eve());
			assert_noop!(ActionBudget::deregister_agent(signed(bob()), eve()), Error::NotSponsor);
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
			assert_noop!(
				ActionBudget::deregister_agent(signed(alice()), eve()),
				Error::AgentNotActive
			);
		});
	}

	#[test]
	fn the_deposit_returns_after_unbonding() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let before = free(&alice());
			assert_noop!(
				ActionBudget::release_deposit(signed(reporter()), eve()),
				Error::StillActive
			);
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
			run_to_epoch(2);
			assert_noop!(
				ActionBudget::release_deposit(signed(reporter()), eve()),
				Error::UnbondingNotOver
			);
			run_to_epoch(3);
			assert_ok!(ActionBudget::release_deposit(signed(reporter()), eve()));
			System::assert_last_event(
				Event::DepositReleased { agent: eve(), sponsor: alice(), amount: DEPOSIT }.into(),
			);
			assert_eq!(free(&alice()), before + DEPOSIT);
			assert_eq!(held(&alice()), 0);
			assert!(!Agents::<Test>::contains_key(eve()));
			assert!(!SponsoredAgents::<Test>::contains_key(alice()));
			assert_noop!(
				ActionBudget::release_deposit(signed(reporter()), eve()),
				Error::UnknownAgent
			);
		});
	}
}

mod delegation {
	use super::*;

	#[test]
	fn delegation_raises_the_allowance_from_the_next_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_eq!(allowance(&eve()), 1_000);

			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			System::assert_last_event(
				Event::Delegated { delegator: charlie(), agent: eve(), verified_until: FOREVER }
					.into(),
			);
			assert_eq!(Delegations::<Test>::get(charlie()).unwrap().agent, eve());
			// The epoch's allowance is fixed; the delegation counts from the next one.
			assert_eq!(allowance(&eve()), 1_000);
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 1_100);
		});
	}

	#[test]
	fn undelegation_lowers_the_allowance_from_the_next_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			assert_ok!(ActionBudget::delegate(signed(dave()), eve()));
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 1_200);

			assert_ok!(ActionBudget::undelegate(signed(charlie())));
			System::assert_last_event(
				Event::Undelegated { delegator: charlie(), agent: eve() }.into(),
			);
			assert!(Delegations::<Test>::get(charlie()).is_none());
			assert_eq!(allowance(&eve()), 1_200);
			run_to_epoch(2);
			assert_eq!(allowance(&eve()), 1_100);
		});
	}

	#[test]
	fn the_allowance_is_capped() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			for citizen in [alice(), bob(), charlie(), dave()] {
				assert_ok!(ActionBudget::delegate(signed(citizen), eve()));
			}
			run_to_epoch(1);
			// 1,000 + 4 × 100 = 1,400, capped at 1,250.
			assert_eq!(allowance(&eve()), 1_250);
		});
	}

	#[test]
	fn a_citizen_delegates_to_one_agent_at_a_time() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			register(bob(), ferdie());
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			assert_ok!(ActionBudget::delegate(signed(charlie()), ferdie()));
			assert_eq!(
				budget_events()[budget_events().len() - 2..],
				[
					Event::Undelegated { delegator: charlie(), agent: eve() },
					Event::Delegated {
						delegator: charlie(),
						agent: ferdie(),
						verified_until: FOREVER
					},
				]
			);
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 1_000);
			assert_eq!(allowance(&ferdie()), 1_100);
		});
	}

	#[test]
	fn delegating_again_renews_without_double_counting() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			TablePersonhood::verify(&charlie(), CITIZENS, 50);
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			// Charlie proves personhood again for a later period and renews.
			TablePersonhood::verify(&charlie(), CITIZENS, 500);
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			assert_eq!(Agents::<Test>::get(eve()).unwrap().delegation_records(), 1);
			run_to_epoch(6);
			assert_eq!(allowance(&eve()), 1_100, "the renewed delegation outlives the first");
		});
	}

	#[test]
	fn delegation_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(ActionBudget::delegate(signed(charlie()), eve()), Error::UnknownAgent);
			register(alice(), eve());
			assert_noop!(
				ActionBudget::delegate(signed(reporter()), eve()),
				Error::NotVerifiedCitizen
			);
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
			assert_noop!(ActionBudget::delegate(signed(charlie()), eve()), Error::AgentNotActive);
			assert_noop!(ActionBudget::undelegate(signed(charlie())), Error::NotDelegating);
		});
	}

	#[test]
	fn distinct_verification_ends_are_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let citizens: Vec<_> = (0..5u8)
				.map(|i| {
					let who = AccountId::new([100 + i; 32]);
					TablePersonhood::verify(&who, CITIZENS, 100 + u32::from(i));
					who
				})
				.collect();
			for who in &citizens[..4] {
				assert_ok!(ActionBudget::delegate(signed(who.clone()), eve()));
			}
			assert_noop!(
				ActionBudget::delegate(signed(citizens[4].clone()), eve()),
				Error::TooManyDelegatorBuckets
			);
			// Once the earliest verification has lapsed its bucket makes room.
			run_to_block(101);
			assert_ok!(ActionBudget::delegate(signed(citizens[4].clone()), eve()));
		});
	}

	#[test]
	fn a_lapsed_delegator_stops_counting_from_the_next_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			// Charlie's verification ends in the middle of epoch 1 (blocks 10..=19).
			TablePersonhood::verify(&charlie(), CITIZENS, 15);
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 1_100);
			run_to_block(16);
			assert_eq!(allowance(&eve()), 1_100, "epoch 1 keeps the allowance it started with");
			run_to_epoch(2);
			assert_eq!(allowance(&eve()), 1_000, "no pruning needed for the lapse to count");

			// Anyone may clear the lapsed record.
			assert_ok!(ActionBudget::prune_delegation(signed(reporter()), charlie()));
			System::assert_last_event(
				Event::DelegationPruned { delegator: charlie(), agent: eve() }.into(),
			);
			assert!(Delegations::<Test>::get(charlie()).is_none());
			assert_eq!(Agents::<Test>::get(eve()).unwrap().delegation_records(), 0);
		});
	}

	#[test]
	fn only_lapsed_delegations_are_pruned() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_noop!(
				ActionBudget::prune_delegation(signed(reporter()), charlie()),
				Error::NotDelegating
			);
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			assert_noop!(
				ActionBudget::prune_delegation(signed(reporter()), charlie()),
				Error::DelegationNotLapsed
			);
		});
	}

	#[test]
	fn a_lapsed_human_can_still_undelegate() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			TablePersonhood::verify(&charlie(), CITIZENS, 5);
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			run_to_block(6);
			assert_ok!(ActionBudget::undelegate(signed(charlie())));
		});
	}

	#[test]
	fn old_delegations_do_not_count_for_a_new_registration() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
			run_to_epoch(3);
			assert_ok!(ActionBudget::release_deposit(signed(alice()), eve()));
			register(bob(), eve());
			assert_ok!(ActionBudget::delegate(signed(dave()), eve()));
			// Charlie's stale record must not remove Dave's count.
			assert_ok!(ActionBudget::undelegate(signed(charlie())));
			assert_eq!(Agents::<Test>::get(eve()).unwrap().delegation_records(), 1);
			run_to_epoch(4);
			assert_eq!(allowance(&eve()), 1_100);
		});
	}
}

mod budgets {
	use super::*;

	#[test]
	fn on_chain_spending_draws_on_the_epoch_budget() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_ok!(ActionBudget::spend(&eve(), 600));
			System::assert_last_event(
				Event::BudgetSpent { agent: eve(), epoch: 0, units: 600, remaining: 400 }.into(),
			);
			assert_ok!(ActionBudget::ensure_can_spend(&eve(), 400));
			assert_noop!(ActionBudget::spend(&eve(), 401), Error::InsufficientBudget);
			// Unused units do not roll over; the next epoch starts afresh.
			run_to_epoch(1);
			assert_ok!(ActionBudget::ensure_can_spend(&eve(), 1_000));
			assert_noop!(ActionBudget::ensure_can_spend(&eve(), 1_001), Error::InsufficientBudget);
		});
	}

	#[test]
	fn only_active_agents_spend() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(ActionBudget::spend(&eve(), 1), Error::UnknownAgent);
		});
	}

	#[test]
	fn a_penalty_reduces_the_allowance_for_a_while() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			ActionBudget::penalise(&eve());
			System::assert_last_event(
				Event::AgentPenalised { agent: eve(), until_epoch: 6 }.into(),
			);
			assert_eq!(allowance(&eve()), 1_000, "the current epoch is fixed");
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 100);
			run_to_epoch(5);
			assert_eq!(allowance(&eve()), 100);
			run_to_epoch(6);
			assert_eq!(allowance(&eve()), 1_000);
		});
	}

	#[test]
	fn another_pallet_can_slash_part_of_the_deposit() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_eq!(ActionBudget::slash_deposit(&eve(), Perbill::from_percent(30)), 300);
			System::assert_last_event(Event::DepositSlashed { agent: eve(), amount: 300 }.into());
			assert_eq!(held(&alice()), 700);
			assert_eq!(Agents::<Test>::get(eve()).unwrap().deposit, 700);
		});
	}

	#[test]
	fn admissions_are_capped_per_group_and_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(ActionBudget::admissions_left(CITIZENS), 3);
			for n in 1..=3 {
				assert_ok!(ActionBudget::admit(CITIZENS));
				System::assert_last_event(
					Event::PullRequestAdmitted { group: CITIZENS, epoch: 0, admitted: n }.into(),
				);
			}
			assert_eq!(ActionBudget::admissions_left(CITIZENS), 0);
			assert_noop!(ActionBudget::admit(CITIZENS), Error::AdmissionsExhausted);
			// Other groups have their own cap; the next epoch starts afresh.
			assert_ok!(ActionBudget::admit(1));
			run_to_epoch(1);
			assert_eq!(ActionBudget::admissions_left(CITIZENS), 3);
			assert_ok!(ActionBudget::admit(CITIZENS));
		});
	}
}

mod runtime_api {
	use super::*;
	use crate::runtime_api::AgentBudget;

	#[test]
	fn the_api_shows_the_current_budget_and_the_next_allowance() {
		ExtBuilder::default().build_and_execute(|| {
			assert!(ActionBudget::agent_budget(&eve()).is_none());
			register(alice(), eve());
			assert_ok!(ActionBudget::delegate(signed(charlie()), eve()));
			assert_ok!(ActionBudget::spend(&eve(), 100));
			assert_eq!(
				ActionBudget::agent_budget(&eve()),
				Some(AgentBudget {
					epoch: 0,
					allowance: 1_000,
					spent_on_chain: 100,
					next_allowance: 1_100
				})
			);
			assert_eq!(
				ActionBudget::current_epoch_info(),
				Some(EpochInfo { index: 0, first_block: 0, last_block: 9 })
			);
			assert_eq!(ActionBudget::current_costs().map(|c| c.pull_request), Some(100));
		});
	}

	#[test]
	fn an_unconfigured_chain_answers_nothing() {
		ExtBuilder::default().unconfigured().build_and_execute(|| {
			assert_eq!(ActionBudget::current_epoch_info(), None);
			assert_eq!(ActionBudget::current_costs(), None);
			assert_eq!(ActionBudget::admissions_left(CITIZENS), 0);
		});
	}
}

mod fraud {
	use super::*;

	const AGENT: Sr25519Keyring = Sr25519Keyring::Eve;

	fn equivocation() -> (SignedMeshHeader, SignedMeshHeader) {
		(signed_header(AGENT, eve(), 0, 0, 0, 10), signed_header(AGENT, eve(), 0, 1, 5, 10))
	}

	#[test]
	fn an_equivocation_is_punished_and_the_reporter_rewarded() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let before = free(&reporter());
			let (a, b) = equivocation();
			let result = ActionBudget::report_equivocation(signed(reporter()), a, b);
			assert_eq!(
				result,
				Ok(PostDispatchInfo { actual_weight: None, pays_fee: Pays::No }),
				"a valid report costs no fee"
			);
			// Half the deposit slashed, a fifth of that to the reporter, the rest burned.
			System::assert_last_event(
				Event::FraudPunished {
					agent: eve(),
					offence: Offence::Equivocation,
					epoch: 0,
					reporter: reporter(),
					slashed: 500,
					reward: 100,
				}
				.into(),
			);
			assert_eq!(free(&reporter()), before + 100);
			assert_eq!(held(&alice()), 500);
			// The rest of the epoch's budget is gone and a penalty follows.
			assert_noop!(ActionBudget::ensure_can_spend(&eve(), 1), Error::InsufficientBudget);
			run_to_epoch(1);
			assert_eq!(allowance(&eve()), 100);
		});
	}

	#[test]
	fn an_overspend_is_punished() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let over = signed_header(AGENT, eve(), 0, 3, 995, 10);
			assert_ok!(ActionBudget::report_overspend(signed(reporter()), over));
			assert!(matches!(
				budget_events().last(),
				Some(Event::FraudPunished { offence: Offence::Overspend, slashed: 500, .. })
			));
		});
	}

	#[test]
	fn a_spend_within_the_allowance_is_no_overspend() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let fine = signed_header(AGENT, eve(), 0, 3, 990, 10);
			assert_noop!(
				ActionBudget::report_overspend(signed(reporter()), fine),
				Error::NotOverspent
			);
		});
	}

	mod in_the_pool {
		use super::*;
		use crate::CheckFraudReport;
		use polkadot_sdk::frame_support::dispatch::GetDispatchInfo;
		use polkadot_sdk::sp_runtime::{
			traits::DispatchTransaction,
			transaction_validity::{
				InvalidTransaction, TransactionSource, TransactionValidityError,
			},
		};

		fn validate(call: RuntimeCall) -> Result<Vec<Vec<u8>>, TransactionValidityError> {
			let info = call.get_dispatch_info();
			CheckFraudReport::<Test>::new()
				.validate_only(signed(reporter()), &call, &info, 0, TransactionSource::External, 0)
				.map(|(valid, _, _)| valid.provides)
		}

		fn custom(error: Error) -> TransactionValidityError {
			use codec::Encode;
			TransactionValidityError::Invalid(InvalidTransaction::Custom(error.encode()[0]))
		}

		#[test]
		fn a_valid_report_passes_tagged_by_its_offence() {
			ExtBuilder::default().build_and_execute(|| {
				register(alice(), eve());
				let (a, b) = equivocation();
				let call = RuntimeCall::ActionBudget(crate::Call::report_equivocation {
					first: a.clone(),
					second: b,
				});
				let tags = validate(call).unwrap();
				// Another pair of headers for the same agent and epoch is the same offence.
				let c = signed_header(AGENT, eve(), 0, 0, 0, 12);
				let other = RuntimeCall::ActionBudget(crate::Call::report_equivocation {
					first: a,
					second: c,
				});
				assert_eq!(validate(other).unwrap(), tags);
				let over = signed_header(AGENT, eve(), 0, 3, 995, 10);
				let overspend =
					RuntimeCall::ActionBudget(crate::Call::report_overspend { header: over });
				assert_eq!(validate(overspend).unwrap(), tags);
			});
		}

		#[test]
		fn invalid_and_duplicate_reports_never_reach_a_block() {
			ExtBuilder::default().build_and_execute(|| {
				register(alice(), eve());
				let a = signed_header(AGENT, eve(), 0, 0, 0, 10);
				let fine = signed_header(AGENT, eve(), 0, 1, 10, 10);
				let call = |first, second| {
					RuntimeCall::ActionBudget(crate::Call::report_equivocation { first, second })
				};
				assert_eq!(validate(call(a.clone(), fine)), Err(custom(Error::NotConflicting)));
				// Signed by someone else than the agent.
				let forged = signed_header(Sr25519Keyring::Ferdie, eve(), 0, 0, 0, 12);
				assert_eq!(validate(call(a.clone(), forged)), Err(custom(Error::InvalidSignature)));
				// Once punished for the epoch, a second report is refused.
				let (x, y) = equivocation();
				assert_ok!(ActionBudget::report_equivocation(
					signed(reporter()),
					x.clone(),
					y.clone()
				));
				assert_eq!(validate(call(x, y)), Err(custom(Error::AlreadyPunished)));
				let within = signed_header(AGENT, eve(), 0, 3, 990, 10);
				let overspend =
					RuntimeCall::ActionBudget(crate::Call::report_overspend { header: within });
				assert!(validate(overspend).is_err());
			});
		}

		#[test]
		fn other_calls_pass_untouched() {
			ExtBuilder::default().build_and_execute(|| {
				let call = RuntimeCall::ActionBudget(crate::Call::undelegate {});
				assert_eq!(validate(call), Ok(vec![]));
			});
		}
	}

	#[test]
	fn headers_that_do_not_conflict_are_no_equivocation() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let a = signed_header(AGENT, eve(), 0, 0, 0, 10);
			let b = signed_header(AGENT, eve(), 0, 1, 10, 10);
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a.clone(), b),
				Error::NotConflicting
			);
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a.clone(), a),
				Error::NotConflicting
			);
		});
	}

	#[test]
	fn forged_headers_are_rejected() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			// Headers naming Eve but signed by Mallory (Ferdie's key).
			let a = signed_header(Sr25519Keyring::Ferdie, eve(), 0, 0, 0, 10);
			let b = signed_header(Sr25519Keyring::Ferdie, eve(), 0, 0, 0, 20);
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a.clone(), b),
				Error::InvalidSignature
			);
			let over = signed_header(Sr25519Keyring::Ferdie, eve(), 0, 0, 0, 5_000);
			assert_noop!(
				ActionBudget::report_overspend(signed(reporter()), over),
				Error::InvalidSignature
			);
		});
	}

	#[test]
	fn evidence_about_unknown_agents_is_rejected() {
		ExtBuilder::default().build_and_execute(|| {
			let (a, b) = equivocation();
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a, b),
				Error::UnknownAgent
			);
		});
	}

	#[test]
	fn evidence_must_be_recent() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let (a, b) = equivocation();
			run_to_epoch(2);
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a, b),
				Error::EvidenceTooOld
			);
			let future = (
				signed_header(AGENT, eve(), 3, 0, 0, 10),
				signed_header(AGENT, eve(), 3, 0, 0, 20),
			);
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), future.0, future.1),
				Error::EvidenceFromFuture
			);
		});
	}

	#[test]
	fn evidence_from_before_registration_is_rejected() {
		ExtBuilder::default().build_and_execute(|| {
			run_to_epoch(1);
			register(alice(), eve());
			let (a, b) = equivocation();
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a, b),
				Error::BeforeRegistration
			);
		});
	}

	#[test]
	fn an_agent_is_punished_once_per_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			let (a, b) = equivocation();
			assert_ok!(ActionBudget::report_equivocation(signed(reporter()), a.clone(), b.clone()));
			assert_noop!(
				ActionBudget::report_equivocation(signed(reporter()), a, b),
				Error::AlreadyPunished
			);
			let over = signed_header(AGENT, eve(), 0, 9, 5_000, 10);
			assert_noop!(
				ActionBudget::report_overspend(signed(reporter()), over),
				Error::AlreadyPunished
			);
			// The previous epoch's offence can still be punished in the next epoch.
			run_to_epoch(1);
			let next = (
				signed_header(AGENT, eve(), 1, 0, 0, 10),
				signed_header(AGENT, eve(), 1, 0, 0, 20),
			);
			assert_ok!(ActionBudget::report_equivocation(signed(reporter()), next.0, next.1));
		});
	}

	#[test]
	fn an_unbonding_agent_is_still_punishable() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
			let (a, b) = equivocation();
			assert_ok!(ActionBudget::report_equivocation(signed(reporter()), a, b));
			run_to_epoch(3);
			assert_ok!(ActionBudget::release_deposit(signed(alice()), eve()));
			System::assert_last_event(
				Event::DepositReleased { agent: eve(), sponsor: alice(), amount: 500 }.into(),
			);
		});
	}
}

mod parameters {
	use super::*;

	#[test]
	fn only_the_admin_origin_sets_parameters() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				ActionBudget::set_parameters(signed(alice()), parameters()),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn inconsistent_parameters_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let broken = [
				BudgetParameters { epoch_length: 0, ..parameters() },
				BudgetParameters { base_allowance: 2_000, max_allowance: 1_000, ..parameters() },
				BudgetParameters { unbonding_epochs: 1, ..parameters() },
			];
			for p in broken {
				assert_noop!(
					ActionBudget::set_parameters(RuntimeOrigin::root(), p),
					Error::InvalidParameters
				);
			}
			let mut free_pull_requests = parameters();
			free_pull_requests.costs.pull_request = 0;
			assert_noop!(
				ActionBudget::set_parameters(RuntimeOrigin::root(), free_pull_requests),
				Error::InvalidParameters
			);
		});
	}

	#[test]
	fn new_parameters_apply_from_the_next_epoch() {
		ExtBuilder::default().build_and_execute(|| {
			register(alice(), eve());
			run_to_block(13);
			let richer = BudgetParameters { base_allowance: 1_200, ..parameters() };
			assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), richer));
			System::assert_last_event(
				Event::ParametersScheduled { first_epoch: 2, first_block: 20 }.into(),
			);
			assert_eq!(allowance(&eve()), 1_000);
			run_to_epoch(2);
			assert_eq!(allowance(&eve()), 1_200);
		});
	}

	#[test]
	fn a_new_epoch_length_continues_the_numbering() {
		ExtBuilder::default().build_and_execute(|| {
			run_to_block(25);
			let longer = BudgetParameters { epoch_length: 100, ..parameters() };
			assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), longer));
			// Epoch 2 (blocks 20..=29) runs its course; epoch 3 starts at 30 and lasts 100.
			assert_eq!(ActionBudget::current_epoch().ok(), Some(2));
			assert_eq!(
				ActionBudget::epoch_info(3),
				Some(EpochInfo { index: 3, first_block: 30, last_block: 129 })
			);
			run_to_block(129);
			assert_eq!(ActionBudget::current_epoch().ok(), Some(3));
			run_to_block(130);
			assert_eq!(ActionBudget::current_epoch().ok(), Some(4));
			// The history keeps what the previous and current epochs need, and no more.
			run_to_block(300);
			assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), parameters()));
			assert!(ParameterEras::<Test>::get().len() <= 3);
		});
	}

	#[test]
	fn rescheduling_within_an_epoch_replaces_the_pending_set() {
		ExtBuilder::default().build_and_execute(|| {
			let a = BudgetParameters { base_allowance: 1_100, ..parameters() };
			let b = BudgetParameters { base_allowance: 1_200, ..parameters() };
			assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), a));
			assert_ok!(ActionBudget::set_parameters(RuntimeOrigin::root(), b));
			let eras = ParameterEras::<Test>::get();
			assert_eq!(eras.len(), 2);
			assert_eq!(eras[1].parameters.base_allowance, 1_200);
			assert_eq!(ActionBudget::parameters_for(1).unwrap().base_allowance, 1_200);
		});
	}
}
