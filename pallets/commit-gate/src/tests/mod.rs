//! The gate's behaviour, by concern: every call, every error, the hook, the Committed origin,
//! the pool's check and the weights the calls and the hook report.

mod commits;
mod governance;
mod groups;
mod invariants;
mod pool;
mod refunds;
mod submission;
mod vetoes;
mod withdrawal;

use polkadot_sdk::frame_support::{
	assert_ok, dispatch::DispatchResultWithPostInfo, traits::fungible::InspectHold,
};
use teo_pallet_test_utils::TABLE_ROOT;
use teo_primitives::personhood::{FieldBytes, MembershipProof};
use teo_zk::semaphore::{veto_scope, VETO_MESSAGE};

use crate::{mock::*, AnonymousVeto, Event, HoldReason, Proposals};

/// The nullifier of `member` (any byte) for every proposal in the tests.
fn nullifier(member: u8) -> FieldBytes {
	[member; 32]
}

/// An anonymous veto of pending proposal `id` by `member`, which the personhood table accepts
/// as a member's proof for this chain, this proposal and the veto.
fn anonymous_veto(id: u32, member: u8) -> AnonymousVeto {
	let proposal = Proposals::<Test>::get(id).expect("pending");
	let genesis: [u8; 32] = teo_pallet_support::genesis_hash::<Test>().into();
	let scope = veto_scope(&genesis, id, proposal.call_hash.as_fixed_bytes());
	People::sign(proposal.group, nullifier(member), VETO_MESSAGE, scope);
	AnonymousVeto {
		root: TABLE_ROOT,
		nullifier: nullifier(member),
		proof: MembershipProof { depth: 20, a: [0; 64], b: [0; 128], c: [0; 64] },
	}
}

/// `member` vetoes proposal `id` anonymously.
fn veto_anonymously(id: u32, member: u8) -> DispatchResultWithPostInfo {
	CommitGate::veto_anonymously(RuntimeOrigin::none(), id, anonymous_veto(id, member))
}

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
