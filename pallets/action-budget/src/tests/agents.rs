//! Registration, deregistration and the release of deposits.

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
		assert_noop!(ActionBudget::register_agent(signed(alice()), eve()), Error::NotConfigured);
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
		People::verify(&ferdie(), 7, FOREVER);
		assert_noop!(
			ActionBudget::register_agent(signed(ferdie()), eve()),
			Error::NotVerifiedCitizen
		);
		// Nor is a citizen whose verification lapsed.
		People::verify(&ferdie(), CITIZENS, 1);
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
		People::verify(&eve(), CITIZENS, FOREVER);
		assert_noop!(ActionBudget::register_agent(signed(eve()), ferdie()), Error::SponsorIsAgent);
	});
}

#[test]
fn an_agent_registers_once() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		assert_noop!(ActionBudget::register_agent(signed(bob()), eve()), Error::AlreadyRegistered);
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
		People::verify(&poor, CITIZENS, FOREVER);
		assert_noop!(ActionBudget::register_agent(signed(poor), eve()), Error::InsufficientBalance);
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
		assert_noop!(ActionBudget::deregister_agent(signed(alice()), eve()), Error::UnknownAgent);
		register(alice(), eve());
		assert_noop!(ActionBudget::deregister_agent(signed(bob()), eve()), Error::NotSponsor);
		assert_ok!(ActionBudget::deregister_agent(signed(alice()), eve()));
		assert_noop!(ActionBudget::deregister_agent(signed(alice()), eve()), Error::AgentNotActive);
	});
}

#[test]
fn the_deposit_returns_after_unbonding() {
	ExtBuilder::default().build_and_execute(|| {
		register(alice(), eve());
		let before = free(&alice());
		assert_noop!(ActionBudget::release_deposit(signed(reporter()), eve()), Error::StillActive);
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
		assert_noop!(ActionBudget::release_deposit(signed(reporter()), eve()), Error::UnknownAgent);
	});
}

/// A harness's genesis (`tools/swarm`): agents and delegations from block 0, through the
/// calls' own checks and holds, so that they are what the calls would have made.
#[test]
fn agents_and_delegations_given_at_genesis_are_what_their_calls_make() {
	let agents = vec![(alice(), eve()), (bob(), ferdie())];
	let delegations = vec![(charlie(), eve()), (dave(), eve())];
	ExtBuilder::default().genesis(agents, delegations).build_and_execute(|| {
		assert_eq!(ActionBudget::sponsor_of(&eve()), Some(alice()));
		assert_eq!(ActionBudget::sponsor_of(&ferdie()), Some(bob()));
		assert!(ActionBudget::is_active_agent(&ferdie()));
		assert_eq!(held(&alice()), DEPOSIT);
		assert_eq!(Delegations::<Test>::get(dave()).unwrap().agent, eve());
		// As for delegations made in an epoch's first block by call.
		assert_eq!(allowance(&eve()), 1_000);
		run_to_epoch(1);
		assert_eq!(allowance(&eve()), 1_200);
		assert_eq!(allowance(&ferdie()), 1_000);
	});
}

#[test]
#[should_panic(expected = "NotVerifiedCitizen")]
fn a_genesis_agent_needs_a_verified_sponsor() {
	let _ = ExtBuilder::default().genesis(vec![(ferdie(), eve())], Vec::new()).build();
}

#[test]
#[should_panic(expected = "TooManyAgents")]
fn a_genesis_sponsor_keeps_to_the_agents_limit() {
	// The mock's limit is two agents per sponsor.
	let agents = vec![(alice(), eve()), (alice(), ferdie()), (alice(), reporter())];
	let _ = ExtBuilder::default().genesis(agents, Vec::new()).build();
}
