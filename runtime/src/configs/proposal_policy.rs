//! What a pull request may carry, for which group, and how long it waits: the runtime's
//! [`ProposalPolicy`] for the commit gate.
//!
//! - Any group may propose remarks (a group's word on the record), spend its own purse, and
//!   change its own settings (constitutional: it changes the group's rules). The gate runs the
//!   call with the group's origin, so a group can never reach another group's purse.
//! - The protocol's powers (the treasury, groups and registrars, the pallets' parameters,
//!   verifying keys) belong to the citizens' group: every citizen can veto them. Proposing them
//!   for another group is refused ([`Refusal::WrongGroup`]), so a tiny friendly group buys
//!   nothing.
//! - Changes of the rules themselves (parameters, verifying keys, registrars, the validators,
//!   the runtime's code through `constitution.authorize_upgrade`) are constitutional: they wait
//!   the constitutional timelock, and a change that would cross the constitution is refused at
//!   submission ([`Refusal::Unconstitutional`]), before it takes an admission.
//! - Everything else is forbidden: transfers, sudo, the gate's own calls, `system.set_code` and
//!   raw storage writes (which could rewrite the constitution), and the utility pallet's `batch`
//!   and `force_batch`, which succeed when their calls fail. `batch_all` is looked into by
//!   [`WithBatches`](pallet_commit_gate::WithBatches).

use pallet_commit_gate::{ProposalClass, ProposalPolicy, Refusal};
use polkadot_sdk::{frame_support::traits::Get, frame_system, pallet_treasury};
use teo_primitives::GroupId;

use super::CITIZENS_GROUP;
use crate::{ActionBudget, CommitGate, Constitution, Runtime, RuntimeCall};

/// The runtime's rules for proposals (see the module's docs).
pub struct TeoProposalPolicy;

impl ProposalPolicy<RuntimeCall> for TeoProposalPolicy {
	fn classify(group: GroupId, call: &RuntimeCall) -> Result<ProposalClass, Refusal> {
		use pallet_personhood::Call as Personhood;
		use ProposalClass::{Constitutional, Ordinary};

		let citizens_only = |class| match group == CITIZENS_GROUP {
			true => Ok(class),
			false => Err(Refusal::WrongGroup),
		};
		let constitutional = |valid: bool| {
			citizens_only(Constitutional)?;
			valid.then_some(Constitutional).ok_or(Refusal::Unconstitutional)
		};
		match call {
			RuntimeCall::System(frame_system::Call::remark { .. }) => Ok(Ordinary),
			RuntimeCall::CommitGate(pallet_commit_gate::Call::spend_from_purse { .. }) => {
				Ok(Ordinary)
			},
			RuntimeCall::CommitGate(pallet_commit_gate::Call::set_group_settings { .. }) => {
				Ok(Constitutional)
			},
			RuntimeCall::Treasury(
				pallet_treasury::Call::spend { .. } | pallet_treasury::Call::void_spend { .. },
			) => citizens_only(Ordinary),
			// A registrar decides who belongs to its group, and so who spends the group's purse
			// and vetoes its proposals: replacing one is a change of the rules.
			RuntimeCall::Personhood(Personhood::set_registrar { .. }) => constitutional(true),
			RuntimeCall::Personhood(Personhood::create_group { .. }) => citizens_only(Ordinary),
			RuntimeCall::Personhood(
				Personhood::set_verifying_key { .. } | Personhood::remove_verifying_key { .. },
			) => constitutional(true),
			// A new runtime is a new constitution: authorized by the citizens, applied by anyone
			// (`system.apply_authorized_upgrade`, outside the gate).
			RuntimeCall::Constitution(pallet_constitution::Call::authorize_upgrade { .. }) => {
				constitutional(true)
			},
			// Who authors blocks and votes on finality, and the way out of stalled finality.
			RuntimeCall::ValidatorSet(
				pallet_validator_set::Call::add_validator { .. }
				| pallet_validator_set::Call::remove_validator { .. },
			) => constitutional(true),
			// A delay of zero or of a session or more is refused at submission: it could only
			// fail, or freeze GRANDPA's next change of voters.
			RuntimeCall::ValidatorSet(pallet_validator_set::Call::recover_finality {
				delay,
				..
			}) => {
				let session = super::SessionLength::get();
				constitutional(*delay > 0 && *delay < session)
			},
			RuntimeCall::Personhood(Personhood::set_verification_period { length }) => {
				let bounds = <Constitution as Get<teo_primitives::constitution::Bounds>>::get();
				constitutional(*length > 0 && bounds.verification_period.contains(length))
			},
			RuntimeCall::ActionBudget(pallet_action_budget::Call::set_parameters {
				parameters,
			}) => constitutional(ActionBudget::validate_parameters(parameters).is_ok()),
			RuntimeCall::CommitGate(pallet_commit_gate::Call::set_parameters { parameters }) => {
				constitutional(CommitGate::validate_parameters(parameters).is_ok())
			},
			_ => Err(Refusal::Forbidden),
		}
	}
}

/// The runtime's policy applied inside `batch_all` too.
pub type Policy =
	pallet_commit_gate::WithBatches<TeoProposalPolicy, pallet_commit_gate::UtilityBatches<Runtime>>;
