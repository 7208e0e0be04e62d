//! Persons, not accounts: the attention of a group priced and shared between people, penalties
//! that follow the person, agents that stop with their sponsor's verification, reporters who
//! cannot profit from their own slash, and repeated offences that end in expulsion.

use super::*;

/// Attack: one agent takes every admission of the epoch at the flat price, the moment the epoch
/// starts. Now each admission costs more than the one before.
#[test]
fn each_admission_of_an_epoch_costs_more_than_the_last() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_eq!(ActionBudget::admission_price(CITIZENS), Some(100));
		let quote = ActionBudget::quote(&eve(), CITIZENS).unwrap();
		assert_eq!((quote.epoch, quote.price), (0, 100));
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
		assert_eq!(ActionBudget::admission_price(CITIZENS), Some(200));
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
		assert_eq!(ActionBudget::admission_price(CITIZENS), Some(300));
		// 100 + 200 spent of 1 000; the third costs 300.
		let budget = ActionBudget::agent_budget(&eve()).unwrap();
		assert_eq!(budget.spent_on_chain, 300);
		// Another group's price is its own.
		assert_eq!(ActionBudget::admission_price(1), Some(100));
	});
}

#[test]
fn an_agent_that_cannot_pay_the_price_is_refused_and_nothing_changes() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_ok!(ActionBudget::spend(&eve(), 850));
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
		// 50 left; the next admission costs 200.
		let before = Admissions::<Test>::get(CITIZENS);
		assert_eq!(
			ActionBudget::admit(&eve(), CITIZENS),
			Err(AdmissionRefusal::InsufficientBudget)
		);
		assert_eq!(Admissions::<Test>::get(CITIZENS), before);
	});
}

/// Attack: one person registers several agents and lets them take every admission of a group.
/// All of one sponsor's agents share one quota.
#[test]
fn one_persons_agents_share_one_quota_of_a_groups_admissions() {
	let third =
		BudgetParameters { person_admission_share: Perbill::from_percent(34), ..parameters() };
	ExtBuilder::default().with(third).build_and_execute(|| {
		register(alice(), eve());
		register(alice(), ferdie());
		register(bob(), account(Sr25519Keyring::Two));
		// ⌈34 % × 3⌉ = 2 admissions for Alice's agents together.
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
		assert_ok!(ActionBudget::admit(&ferdie(), CITIZENS));
		assert_eq!(ActionBudget::quote(&eve(), CITIZENS), Err(AdmissionRefusal::PersonShareTaken));
		assert_eq!(
			ActionBudget::admit(&ferdie(), CITIZENS),
			Err(AdmissionRefusal::PersonShareTaken)
		);
		// Another person's agent still gets the last admission of the epoch.
		assert_ok!(ActionBudget::admit(&account(Sr25519Keyring::Two), CITIZENS));
		// Each group has its own quota, and the next epoch a new one.
		assert_ok!(ActionBudget::admit(&eve(), 1));
		run_to_epoch(1);
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
	});
}

/// Attack: a person's verification lapses (or was never renewed) and their agents act on.
#[test]
fn agents_stop_acting_while_their_sponsor_is_not_verified() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		People::verify(&alice(), CITIZENS, 25);
		run_to_block(26);
		assert!(!ActionBudget::is_active_agent(&eve()));
		assert_noop!(ActionBudget::ensure_can_spend(&eve(), 1), Error::SponsorLapsed);
		assert_eq!(ActionBudget::quote(&eve(), CITIZENS), Err(AdmissionRefusal::NotAgent));
		// The sponsor verifies again: the agent acts again.
		People::verify(&alice(), CITIZENS, FOREVER);
		assert!(ActionBudget::is_active_agent(&eve()));
		assert_ok!(ActionBudget::admit(&eve(), CITIZENS));
	});
}

/// Attack: a penalised agent's sponsor lets its other agents act in its place. The penalty
/// binds every agent of the person.
#[test]
fn a_penalty_binds_every_agent_of_the_person() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		register(alice(), ferdie());
		register(bob(), account(Sr25519Keyring::Two));
		ActionBudget::penalise(&eve(), &alice());
		let until = 1 + 5;
		assert_eq!(Agents::<Test>::get(eve()).unwrap().penalised_until, until);
		assert_eq!(Agents::<Test>::get(ferdie()).unwrap().penalised_until, until);
		assert_eq!(SponsorPenalties::<Test>::get(alice()), Some(until));
		// Another person's agent is untouched.
		assert_eq!(Agents::<Test>::get(account(Sr25519Keyring::Two)).unwrap().penalised_until, 0);
		run_to_epoch(1);
		assert_eq!(allowance(&ferdie()), 100, "10 % of 1 000");
	});
}

/// Attack: a penalised agent is replaced by a fresh account. The fresh agent inherits its
/// person's penalty; once the penalty is over, a registration clears the record.
#[test]
fn a_fresh_agent_does_not_escape_its_persons_penalty() {
	ExtBuilder::default().build_and_execute(|| {
		let fresh = |n: u8| AccountId::new([n; 32]);
		register(alice(), eve());
		ActionBudget::penalise(&eve(), &alice());
		let until = 1 + 5;
		register(alice(), fresh(7));
		assert_eq!(Agents::<Test>::get(fresh(7)).unwrap().penalised_until, until);
		// The penalty ends; Alice retires both agents and registers another one.
		run_to_epoch(until);
		for agent in [eve(), fresh(7)] {
			assert_ok!(ActionBudget::deregister_agent(signed(alice()), agent.clone()));
		}
		run_to_epoch(until + 3);
		for agent in [eve(), fresh(7)] {
			assert_ok!(ActionBudget::release_deposit(signed(reporter()), agent));
		}
		register(alice(), fresh(8));
		assert_eq!(Agents::<Test>::get(fresh(8)).unwrap().penalised_until, 0);
		assert_eq!(SponsorPenalties::<Test>::get(alice()), None);
	});
}

/// Attack: the offender's sponsor (or the agent itself) reports the offence first, or replaces
/// an honest report in the pool, and collects the reporter's reward from its own slash.
#[test]
fn neither_the_agent_nor_its_sponsor_may_report_it() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		let first = signed_header(Sr25519Keyring::Eve, eve(), 0, 0, 0, 10);
		let second = signed_header(Sr25519Keyring::Eve, eve(), 0, 1, 5, 10);
		for insider in [alice(), eve()] {
			assert_noop!(
				ActionBudget::report_equivocation(signed(insider), first.clone(), second.clone()),
				Error::ReporterIsOffender
			);
		}
		let over = signed_header(Sr25519Keyring::Eve, eve(), 0, 3, 995, 10);
		assert_noop!(
			ActionBudget::report_overspend(signed(alice()), over),
			Error::ReporterIsOffender
		);
		assert_ok!(ActionBudget::report_equivocation(signed(reporter()), first, second));
	});
}

/// Attack: slashing half of what remains lets an agent offend forever at a fading price. Each
/// slash takes a share of the bond; when the rest cannot pay another, the agent is expelled.
#[test]
fn repeated_offences_end_in_expulsion_not_in_dust() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		let report = |epoch: EpochIndex| {
			let first = signed_header(Sr25519Keyring::Eve, eve(), epoch, 0, 0, 10);
			let second = signed_header(Sr25519Keyring::Eve, eve(), epoch, 1, 5, 10);
			ActionBudget::report_equivocation(signed(reporter()), first, second)
		};
		assert_ok!(report(0));
		assert_eq!(Agents::<Test>::get(eve()).unwrap().deposit, 500, "half the bond");
		assert!(Agents::<Test>::get(eve()).unwrap().is_active());
		run_to_epoch(1);
		assert_ok!(report(1));
		let info = Agents::<Test>::get(eve()).unwrap();
		assert_eq!(info.deposit, 0, "the second slash takes the other half, not a quarter");
		assert_eq!(info.status, AgentStatus::Unbonding { release_epoch: 1 + 3 });
		System::assert_has_event(
			Event::AgentExpelled { agent: eve(), sponsor: alice(), release_epoch: 4 }.into(),
		);
		assert!(!ActionBudget::is_active_agent(&eve()));
	});
}
