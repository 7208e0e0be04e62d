//! The interfaces through which TEO's pallets talk to each other. They live here, not in any
//! pallet, so that each pallet depends on the others' *roles*, never on their code.

use crate::{BlockNumber, GroupId};

/// What other pallets may ask about personhood (implemented by `pallet-personhood`).
pub trait PersonhoodInspect<AccountId> {
	/// The last block at which `who` is still a verified member of `group`, if they are one now.
	fn verified_until(who: &AccountId, group: GroupId) -> Option<BlockNumber>;

	/// Whether `who` is a verified member of `group` now.
	fn is_verified(who: &AccountId, group: GroupId) -> bool {
		Self::verified_until(who, group).is_some()
	}

	/// Whether `who` is a verified member of any group now, that is, a verified human.
	fn is_human(who: &AccountId) -> bool;

	/// How many verified members `group` has now.
	fn verified_count(group: GroupId) -> u32;

	/// How many members `group` has now (identity commitments in its tree, removed ones not
	/// counted): everyone who can make a [`PersonhoodInspect::check_signal`] for it.
	fn member_count(group: GroupId) -> u32;

	/// Checks an anonymous signal of a member of `group` (the root recent, the proof valid for
	/// the signal's message, scope and nullifier), cheapest checks first and the pairing last.
	/// Changes nothing: the caller keeps its own record of the nullifiers it has seen.
	fn check_signal(
		group: GroupId,
		signal: &crate::personhood::Signal,
	) -> Result<(), crate::personhood::SignalRefusal>;

	/// The weight of [`PersonhoodInspect::check_signal`] at its heaviest.
	fn check_signal_weight() -> polkadot_sdk::sp_runtime::Weight;
}

/// Whether an account is a registered agent (implemented by `pallet-action-budget`). Personhood
/// asks it to keep carbon and silicon apart: an agent can never become a verified human.
pub trait AgentInspect<AccountId> {
	/// Whether `who` is registered as an agent (active or unbonding).
	fn is_agent(who: &AccountId) -> bool;
}

impl<AccountId> AgentInspect<AccountId> for () {
	fn is_agent(_: &AccountId) -> bool {
		false
	}
}

/// An agent's action budget as other pallets use it (implemented by `pallet-action-budget`;
/// used by the commit gate to charge pull requests and penalise vetoed proposers).
pub trait ActionBudget<AccountId> {
	/// Whether `agent` is registered and may act.
	fn is_active_agent(agent: &AccountId) -> bool;

	/// The verified citizen who sponsors `agent`.
	fn sponsor_of(agent: &AccountId) -> Option<AccountId>;

	/// Whether `agent` could spend `units` in the current epoch; changes nothing, so the
	/// transaction pool can ask it.
	fn ensure_can_spend(
		agent: &AccountId,
		units: crate::mesh::BudgetUnits,
	) -> polkadot_sdk::sp_runtime::DispatchResult;

	/// Spends `units` of `agent`'s budget for the current epoch on chain.
	fn spend(
		agent: &AccountId,
		units: crate::mesh::BudgetUnits,
	) -> polkadot_sdk::sp_runtime::DispatchResult;

	/// Puts the person `sponsor` under penalty for what their agent `agent` did: a reduced
	/// allowance for the coming epochs for every agent of `sponsor`, present and future. Binds
	/// the sponsor even when `agent` is gone or belongs to someone else by now.
	fn penalise(agent: &AccountId, sponsor: &AccountId);

	/// Slashes `fraction` of the deposit held for `agent`; returns the amount slashed.
	fn slash_deposit(
		agent: &AccountId,
		fraction: polkadot_sdk::sp_runtime::Perbill,
	) -> crate::Balance;
}

/// Why a group cannot admit an agent's pull request now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AdmissionRefusal {
	/// The chain has no action-budget parameters.
	NotConfigured,
	/// The proposer is not an active agent (unknown, deregistered, or its sponsor's
	/// verification lapsed).
	NotAgent,
	/// The group admitted as many pull requests as its humans can review this epoch.
	Exhausted,
	/// The agents of the proposer's sponsor took their whole share of the group's admissions
	/// this epoch.
	PersonShareTaken,
	/// The agent's budget for this epoch cannot pay the admission's price.
	InsufficientBudget,
}

/// The price of one admission, and the epoch it is taken in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct AdmissionQuote {
	/// The epoch whose admissions it counts in.
	pub epoch: crate::EpochIndex,
	/// What it costs the agent, in budget units.
	pub price: crate::mesh::BudgetUnits,
}

/// The human-bandwidth cap, priced and shared (implemented by `pallet-action-budget`; called by
/// the commit gate at submission): how many pull requests a group's veto window admits per
/// epoch, what the next one costs, and how many one person's agents may take.
pub trait AdmissionControl<AccountId> {
	/// What admitting a pull request of `agent` into `group` would cost now, or why it would be
	/// refused. Changes nothing, so the transaction pool can ask it.
	fn quote(agent: &AccountId, group: GroupId) -> Result<AdmissionQuote, AdmissionRefusal>;

	/// Takes one of `group`'s admissions for `agent` and spends its price from the agent's
	/// budget, or changes nothing and says why not.
	fn admit(agent: &AccountId, group: GroupId) -> Result<AdmissionQuote, AdmissionRefusal>;

	/// The latest epoch in which `group` admitted pull requests, and how many it admitted then.
	fn admitted(group: GroupId) -> (crate::EpochIndex, u32);
}
