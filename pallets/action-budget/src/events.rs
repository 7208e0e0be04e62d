//! The pallet's events: what happened, for clients and for the metadata that
//! polkadot.js apps shows.
//!
//! A section of the pallet module (FRAME's `pallet_section`): `lib.rs` imports it with
//! `#[import_section(events::events)]`, which expands it inside `mod pallet`, where it sees what
//! that module imports.

use polkadot_sdk::frame_support::pallet_macros::pallet_section;

#[pallet_section]
mod events {
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// New parameters take effect from `first_epoch`, which starts at `first_block`.
		ParametersScheduled {
			/// The first epoch the new parameters govern.
			first_epoch: EpochIndex,
			/// The first block of that epoch.
			first_block: BlockNumber,
		},
		/// `sponsor` registered `agent` and holds `deposit` for it.
		AgentRegistered {
			/// The new agent.
			agent: AccountId,
			/// The verified citizen who registered it.
			sponsor: AccountId,
			/// The deposit now held from the sponsor.
			deposit: Balance,
		},
		/// `agent` was deregistered; its deposit can be released from `release_epoch`.
		AgentDeregistered {
			/// The agent, which can no longer act.
			agent: AccountId,
			/// The first epoch in which its deposit can be released.
			release_epoch: EpochIndex,
		},
		/// The remaining deposit of `agent` returned to `sponsor`; the agent is gone.
		DepositReleased {
			/// The agent, now removed.
			agent: AccountId,
			/// Its sponsor, who got the deposit back.
			sponsor: AccountId,
			/// What was released: the deposit less any slashes.
			amount: Balance,
		},
		/// `delegator` delegates to `agent`, counting while verified (until `verified_until`).
		Delegated {
			/// The citizen who delegates.
			delegator: AccountId,
			/// The agent delegated to.
			agent: AccountId,
			/// The last block of the delegator's verification: the delegation counts until then.
			verified_until: BlockNumber,
		},
		/// `delegator` withdrew their delegation from `agent`.
		Undelegated {
			/// The citizen who withdrew.
			delegator: AccountId,
			/// The agent they had delegated to.
			agent: AccountId,
		},
		/// The lapsed delegation of `delegator` to `agent` was removed.
		DelegationPruned {
			/// The delegator whose verification lapsed.
			delegator: AccountId,
			/// The agent they had delegated to.
			agent: AccountId,
		},
		/// `agent` spent `units` on chain in `epoch`; `remaining` are left.
		BudgetSpent {
			/// The agent that spent.
			agent: AccountId,
			/// The epoch whose budget it spent from.
			epoch: EpochIndex,
			/// The units spent.
			units: BudgetUnits,
			/// The units left in the epoch after this spend.
			remaining: BudgetUnits,
		},
		/// A pull request of `group` entered the veto window: `admitted` so far in `epoch`.
		PullRequestAdmitted {
			/// The group whose veto window the pull request entered.
			group: GroupId,
			/// The epoch of the admission.
			epoch: EpochIndex,
			/// The group's admissions in that epoch, this one included.
			admitted: u32,
			/// The agent whose pull request took it.
			agent: AccountId,
			/// What it cost the agent: the price rises with each admission of the epoch.
			price: BudgetUnits,
		},
		/// `agent` is under penalty for the epochs before `until_epoch`.
		AgentPenalised {
			/// The penalised agent.
			agent: AccountId,
			/// The first epoch after the penalty.
			until_epoch: EpochIndex,
		},
		/// `slashed` of `agent`'s deposit was taken for `offence` in `epoch`; the reporter got
		/// `reward`.
		FraudPunished {
			/// The agent proven to cheat.
			agent: AccountId,
			/// What it did.
			offence: Offence,
			/// The epoch of the offence.
			epoch: EpochIndex,
			/// Who proved it.
			reporter: AccountId,
			/// The amount slashed from the agent's deposit.
			slashed: Balance,
			/// The reporter's share of it (zero if it could not be paid).
			reward: Balance,
		},
		/// `amount` of `agent`'s deposit was slashed on another pallet's request.
		DepositSlashed {
			/// The agent whose deposit was slashed.
			agent: AccountId,
			/// The amount slashed.
			amount: Balance,
		},
		/// `agent` was expelled after repeated offences: its remaining deposit could not pay
		/// another slash. It stops acting now; what is left of the deposit is released from
		/// `release_epoch` on.
		AgentExpelled {
			/// The expelled agent.
			agent: AccountId,
			/// Its sponsor, who holds the deposit.
			sponsor: AccountId,
			/// The first epoch in which the rest of the deposit can be released.
			release_epoch: EpochIndex,
		},
	}
}
