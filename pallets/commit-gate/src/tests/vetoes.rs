//! Vetoes: who may veto, signed or anonymously, once per person, until the window ends; the
//! threshold kills.

use polkadot_sdk::frame_support::{assert_noop, assert_ok};

use super::{anonymous_veto, committed_result, held, nullifier, submit, veto_anonymously};
use crate::{mock::*, CommitCount, Error, Event, Proposals, Queue};
use teo_primitives::traits::PersonhoodInspect;
use teo_zk::semaphore::{veto_scope, VETO_MESSAGE};

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
fn only_verified_members_of_the_group_veto_in_the_open_within_the_window() {
	ExtBuilder::default().build_and_execute(|| {
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
		System::assert_has_event(
			Event::Vetoed { id, group: TOWN, vetoer: charlie(), tally: 1, threshold: 1 }.into(),
		);
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(dave()), id),
			Error::<Test>::UnknownProposal
		);
		// The window ends at unlock: in the unlock block, before the hook commits it, a veto
		// comes too late.
		let due = submit(CITIZENS, remark(2));
		System::set_block_number(u64::from(1 + TIMELOCK));
		assert!(Proposals::<Test>::contains_key(due));
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(dave()), due),
			Error::<Test>::WindowClosed
		);
		assert_noop!(veto_anonymously(due, 1), Error::<Test>::WindowClosed);
	});
}

/// Attack: where two vetoes are needed, one person vetoes once anonymously and once with their
/// verified account, and kills the proposal alone: the two vetoes cannot be linked. A signed
/// veto is accepted only where it kills at once.
#[test]
fn one_person_cannot_veto_twice_signed_and_anonymously() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let id = submit(TOWN, remark(1));
		assert_ok!(veto_anonymously(id, 1));
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(charlie()), id),
			Error::<Test>::NeedsAnonymousVeto
		);
		assert_eq!(Proposals::<Test>::get(id).unwrap().nullifiers.len(), 1, "still one veto");
	});
}

#[test]
fn anonymous_vetoes_count_nullifiers_and_name_no_account() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let id = submit(TOWN, remark(1));
		assert_ok!(veto_anonymously(id, 1));
		System::assert_last_event(
			Event::VetoedAnonymously {
				id,
				group: TOWN,
				nullifier: nullifier(1),
				tally: 1,
				threshold: 2,
			}
			.into(),
		);
		// The same person again, whatever the proof's bytes: the nullifier is counted.
		assert_noop!(veto_anonymously(id, 1), Error::<Test>::NullifierAlreadyUsed);
		// Nobody signs an anonymous veto.
		assert_noop!(
			CommitGate::veto_anonymously(
				RuntimeOrigin::signed(charlie()),
				id,
				anonymous_veto(id, 2)
			),
			polkadot_sdk::sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(veto_anonymously(id, 2));
		assert!(!Proposals::<Test>::contains_key(id), "killed at the threshold");
		assert!(gate_events().contains(&Event::Killed {
			id,
			group: TOWN,
			proposer: bob(),
			slashed: PROPOSAL_DEPOSIT,
		}));
		// No event of the gate names a vetoer's account.
		assert!(!gate_events().iter().any(|e| matches!(e, Event::Vetoed { .. })));
	});
}

/// Attack: a member replays a valid proof made for another proposal, for the same proposal on
/// another chain, or against a root the group has since replaced (a removed member's last
/// chance), or sends a proof that does not hold. Each is refused with its own error, and
/// nothing is written.
#[test]
fn an_anonymous_veto_counts_only_for_its_proposal_chain_and_a_recent_root() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let id = submit(TOWN, remark(1));
		let other = submit(TOWN, remark(2));
		let for_other = anonymous_veto(other, 1);
		assert_noop!(
			CommitGate::veto_anonymously(RuntimeOrigin::none(), id, for_other.clone()),
			Error::<Test>::InvalidVetoProof
		);
		// Another chain: the same proposal id and call, another genesis hash.
		let call_hash = Proposals::<Test>::get(id).unwrap().call_hash;
		let elsewhere = veto_scope(&[0xee; 32], id, call_hash.as_fixed_bytes());
		People::sign(TOWN, nullifier(3), VETO_MESSAGE, elsewhere);
		let mut from_elsewhere = anonymous_veto(other, 3);
		from_elsewhere.nullifier = nullifier(3);
		assert_noop!(
			CommitGate::veto_anonymously(RuntimeOrigin::none(), id, from_elsewhere),
			Error::<Test>::InvalidVetoProof
		);
		let mut stale = anonymous_veto(id, 4);
		stale.root = People::STALE_ROOT;
		assert_noop!(
			CommitGate::veto_anonymously(RuntimeOrigin::none(), id, stale),
			Error::<Test>::ExpiredRoot
		);
		let mut unknown = anonymous_veto(id, 4);
		unknown.root = [9; 32];
		assert_noop!(
			CommitGate::veto_anonymously(RuntimeOrigin::none(), id, unknown),
			Error::<Test>::UnknownRoot
		);
		assert_noop!(
			CommitGate::veto_anonymously(RuntimeOrigin::none(), 99, anonymous_veto(id, 4)),
			Error::<Test>::UnknownProposal
		);
		assert!(Proposals::<Test>::get(id).unwrap().nullifiers.is_empty());
		// The proof made for `other` counts there.
		assert_ok!(CommitGate::veto_anonymously(RuntimeOrigin::none(), other, for_other));
	});
}

/// Attack on a signed tally: people verify new accounts in a new period and veto again. An
/// anonymous veto's nullifier belongs to the proposal, not the period: it stays counted.
#[test]
fn an_anonymous_tally_outlives_the_verification_period() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		People::verify(&charlie(), TOWN, 3);
		People::verify(&dave(), TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_ok!(veto_anonymously(id, 1));
		run_to_block(4);
		People::verify(&charlie(), TOWN, 100);
		People::verify(&dave(), TOWN, 100);
		assert_noop!(veto_anonymously(id, 1), Error::<Test>::NullifierAlreadyUsed);
		assert_ok!(veto_anonymously(id, 2));
		assert!(!Proposals::<Test>::contains_key(id));
	});
}

/// Attack: a member waits for a new verification period, when nobody has verified again yet.
/// Had the threshold been capped by this period's verifications, it would fall to one, and one
/// anonymous veto would kill anything. Anonymous vetoes need membership, not verification, so
/// the threshold is capped by the members the group has.
#[test]
fn a_new_verification_period_does_not_lower_the_threshold() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		People::verify(&charlie(), TOWN, 3);
		People::verify(&dave(), TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_eq!(Proposals::<Test>::get(id).unwrap().veto_threshold, 2);
		run_to_block(4);
		assert_eq!(People::verified_count(TOWN), 0, "nobody verified in the new period yet");
		assert_ok!(veto_anonymously(id, 1));
		assert!(Proposals::<Test>::contains_key(id), "one veto of two");
		assert_noop!(
			CommitGate::veto(RuntimeOrigin::signed(charlie()), id),
			Error::<Test>::NotVerifiedMember
		);
	});
}

/// Attack: the registrar removes members after a proposal was submitted with a threshold of
/// all of them, so it can never gather enough vetoes. The threshold is counted again at each
/// veto against the members the group has then.
#[test]
fn removed_members_cannot_make_a_proposal_unvetoable() {
	ExtBuilder::default().veto_threshold(3).build_and_execute(|| {
		People::set_members(TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_eq!(Proposals::<Test>::get(id).unwrap().veto_threshold, 3);
		People::set_members(TOWN, 2);
		assert_ok!(veto_anonymously(id, 1));
		assert_ok!(veto_anonymously(id, 2));
		assert!(!Proposals::<Test>::contains_key(id), "killed by every member left");
	});
}

/// Attack: two of three members veto; then the group shrinks to two, who have both vetoed and
/// cannot veto again, and the proposal would commit with a tally at its threshold. The commit
/// kills it instead.
#[test]
fn a_proposal_whose_group_shrank_to_its_tally_is_killed_at_its_unlock() {
	ExtBuilder::default().veto_threshold(3).build_and_execute(|| {
		People::set_members(TOWN, 3);
		let id = submit(TOWN, remark(1));
		assert_ok!(veto_anonymously(id, 1));
		assert_ok!(veto_anonymously(id, 2));
		People::set_members(TOWN, 2);
		run_to_block(u64::from(1 + TIMELOCK));
		assert!(!Proposals::<Test>::contains_key(id));
		assert_eq!(committed_result(id), None, "nothing ran");
		assert!(gate_events().contains(&Event::Killed {
			id,
			group: TOWN,
			proposer: bob(),
			slashed: PROPOSAL_DEPOSIT,
		}));
	});
}

/// Attack: the sponsor deregisters the agent as soon as it submits and releases its deposit
/// before the veto lands, so the penalty finds no agent; or the freed account is registered by
/// someone else, who would be penalised instead. The proposal remembers its sponsor, and the veto
/// penalises that person.
#[test]
fn a_veto_penalises_the_sponsor_at_submission_even_after_the_agent_is_gone() {
	use crate::GateParameters;
	let long = GateParameters { timelock: 100, constitutional_timelock: 100, ..gate_parameters() };
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(CommitGate::set_parameters(RuntimeOrigin::root(), long));
		let id = submit(CITIZENS, remark(1));
		assert_eq!(Proposals::<Test>::get(id).unwrap().sponsor, alice());
		assert_ok!(ActionBudget::deregister_agent(RuntimeOrigin::signed(alice()), bob()));
		run_to_block(u64::from(4 * EPOCH));
		assert_ok!(ActionBudget::release_deposit(RuntimeOrigin::signed(ferdie()), bob()));
		assert!(pallet_action_budget::Agents::<Test>::get(bob()).is_none());
		// Dave sponsors the freed account now; the old proposal is still Alice's doing.
		assert_ok!(ActionBudget::register_agent(RuntimeOrigin::signed(dave()), bob()));
		assert_noop!(
			CommitGate::withdraw(RuntimeOrigin::signed(dave()), id),
			Error::<Test>::NotProposerOrSponsor
		);
		assert_ok!(CommitGate::veto(RuntimeOrigin::signed(charlie()), id));
		assert!(pallet_action_budget::SponsorPenalties::<Test>::get(alice()).is_some());
		assert!(pallet_action_budget::SponsorPenalties::<Test>::get(dave()).is_none());
		assert_eq!(pallet_action_budget::Agents::<Test>::get(bob()).unwrap().penalised_until, 0);
		// Eve, Alice's other agent, carries her person's penalty.
		assert!(pallet_action_budget::Agents::<Test>::get(eve()).unwrap().penalised_until > 0);
	});
}

/// Attack: one proposal sets a veto threshold above the number of members a group has, so
/// that group can never veto again. A proposal never needs more vetoes than its group has
/// verified members.
#[test]
fn a_threshold_never_exceeds_the_groups_members() {
	ExtBuilder::default().veto_threshold(3).build_and_execute(|| {
		// The town has two verified members (Charlie and Dave); the citizens three.
		let town = submit(TOWN, remark(1));
		let citizens = submit(CITIZENS, remark(2));
		assert_eq!(Proposals::<Test>::get(town).unwrap().veto_threshold, 2);
		assert_eq!(Proposals::<Test>::get(citizens).unwrap().veto_threshold, 3);
		assert_ok!(veto_anonymously(town, 1));
		assert_ok!(veto_anonymously(town, 2));
		assert!(!Proposals::<Test>::contains_key(town), "killed by every member it has");
	});
}
