//! Fraud proofs: equivocation and overspend reports, on chain and in the pool.

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
		assert_noop!(ActionBudget::report_overspend(signed(reporter()), fine), Error::NotOverspent);
	});
}

#[test]
fn spending_one_allowance_on_both_layers_is_an_overspend() {
	// The attack: spend the whole allowance on the mesh, then again on chain. The pull request
	// is accepted (the chain cannot see the mesh), but from then on the mesh header that used
	// the same units proves the double spend, whichever came first.
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		// 950 of 1000 units: within the allowance while nothing is spent on chain.
		let mesh = signed_header(AGENT, eve(), 0, 3, 900, 50);
		assert_noop!(
			ActionBudget::report_overspend(signed(reporter()), mesh.clone()),
			Error::NotOverspent
		);
		assert_ok!(ActionBudget::spend(&eve(), 100));
		assert_ok!(ActionBudget::report_overspend(signed(reporter()), mesh));
		assert!(matches!(
			budget_events().last(),
			Some(Event::FraudPunished { offence: Offence::Overspend, .. })
		));
	});
}

#[test]
fn an_honest_agent_sharing_its_allowance_between_the_layers_is_no_overspend() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_ok!(ActionBudget::spend(&eve(), 100));
		// 900 units left for the mesh: a header ending at 900 is within them.
		let fine = signed_header(AGENT, eve(), 0, 3, 850, 50);
		assert_noop!(ActionBudget::report_overspend(signed(reporter()), fine), Error::NotOverspent);
	});
}

#[test]
fn a_punishment_does_not_turn_the_agents_honest_spending_into_a_second_offence() {
	// The attack: once an agent is punished for last epoch's fraud, its budget for this epoch
	// is exhausted (spent on chain in full), so every header it signed honestly this epoch
	// would prove an "overspend". Reporting one must not slash it a second time.
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		run_to_epoch(1);
		let honest_this_epoch = signed_header(AGENT, eve(), 1, 0, 0, 10);
		let (a, b) = equivocation();
		assert_ok!(ActionBudget::report_equivocation(signed(reporter()), a, b));
		assert_noop!(
			ActionBudget::report_overspend(signed(reporter()), honest_this_epoch),
			Error::AlreadyPunished
		);
	});
}

mod in_the_pool {
	use super::*;
	use crate::CheckFraudReport;
	use polkadot_sdk::frame_support::dispatch::GetDispatchInfo;
	use polkadot_sdk::sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
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
			let other =
				RuntimeCall::ActionBudget(crate::Call::report_equivocation { first: a, second: c });
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
			assert_ok!(ActionBudget::report_equivocation(signed(reporter()), x.clone(), y.clone()));
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
		let future =
			(signed_header(AGENT, eve(), 3, 0, 0, 10), signed_header(AGENT, eve(), 3, 0, 0, 20));
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
		let next =
			(signed_header(AGENT, eve(), 1, 0, 0, 10), signed_header(AGENT, eve(), 1, 0, 0, 20));
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
