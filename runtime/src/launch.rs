//! Whether a genesis can govern itself: the checks every launched chain must pass.
//!
//! A TEO chain changes only through proposals of its citizens' group (group 0) that survive the
//! timelock: parameters, groups, verifying keys, the runtime itself. A genesis without the pieces
//! that path needs starts, produces blocks, and can never do anything else; one with a shortcut
//! around it (a sudo key, the development constitution) is governed by whoever holds the shortcut.
//! [`check`] reads a built genesis state, so it judges what the chain will hold, whatever wrote
//! it: the launch builder, a hand-edited plain spec or a raw one.
//!
//! # Threat model
//! - *A careless operator* exports the production preset, adds authorities, and launches: no
//!   citizens' group, no verifying key, nothing can ever be proposed. [`Ungovernable::NoCitizensGroup`],
//!   [`Ungovernable::NoVerifyingKey`].
//! - *An operator who wants an escape hatch* leaves a sudo key in the spec, or launches with the
//!   development constitution, whose bounds allow a five-block timelock and whose verifying key
//!   anyone regenerates in 0.2 s to forge "humans". [`Ungovernable::SudoKey`],
//!   [`Ungovernable::DevelopmentConstitution`].
//! - *A registrar that cannot act*: group 0's registrar holds no funds, so it can never pay for
//!   the first `add_member`, and nobody can become a citizen. [`Ungovernable::PennilessRegistrar`].
//! - *Parameters outside the constitution* or an insecure verifying key are refused by the
//!   pallets' own genesis builds, so such a genesis never builds; every pallet's `try_state`
//!   runs here too, so any other broken invariant is reported
//!   ([`Ungovernable::BrokenInvariant`]).
//!
//! What no check can see: whether the registrar's and the validators' keys are held by the
//! people the operators think, and whether the verifying key comes from a ceremony with at least
//! one honest contributor (`docs/OPERATOR.md` says how to verify the transcript).

use alloc::{format, string::String, vec::Vec};
use core::fmt;

use polkadot_sdk::{
	frame_support::traits::fungible::Inspect, sp_io::TestExternalities, sp_runtime::Storage,
};
use teo_primitives::constitution::Constitution;

use crate::{AccountId, Runtime};

/// Why a genesis cannot govern itself.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Ungovernable {
	/// No Aura authority: no block is ever produced.
	NoValidators,
	/// The Aura and GRANDPA authority lists differ in length: some validator would author
	/// blocks without voting on finality, or the other way round.
	UnpairedAuthorities {
		/// Block authors.
		aura: usize,
		/// Finality voters.
		grandpa: usize,
	},
	/// A sudo key: one account above every rule, the timelock and the veto included.
	SudoKey(AccountId),
	/// The development constitution: five-block timelocks and the insecure dev verifying key.
	DevelopmentConstitution,
	/// No group 0, the citizens' group whose proposals govern the chain.
	NoCitizensGroup,
	/// Group 0's registrar cannot pay for the transaction that adds the first member.
	PennilessRegistrar(AccountId),
	/// No verifying key: nobody can prove personhood, so nobody becomes a citizen.
	NoVerifyingKey,
	/// The verification period is zero: no proof would ever be accepted.
	NoVerificationPeriod,
	/// A pallet was built without its parameters.
	MissingParameters(&'static str),
	/// One of a pallet's invariants fails on the genesis state.
	BrokenInvariant {
		/// The pallet whose `try_state` failed.
		pallet: &'static str,
		/// What it said.
		error: String,
	},
}

impl fmt::Display for Ungovernable {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::NoValidators => write!(f, "no validator: name at least one in `validators`"),
			Self::UnpairedAuthorities { aura, grandpa } => write!(
				f,
				"{aura} Aura authorities but {grandpa} GRANDPA authorities: every validator needs both keys"
			),
			Self::SudoKey(key) => write!(
				f,
				"a sudo key ({key}): it could override every proposal, veto and timelock; launch without one"
			),
			Self::DevelopmentConstitution => write!(
				f,
				"the development constitution accepts the insecure dev verifying key and five-block \
				 timelocks; launch with `production`, or `testnet` for a rehearsal"
			),
			Self::NoCitizensGroup => write!(
				f,
				"no group 0: the citizens' group is the only one whose proposals can change the rules"
			),
			Self::PennilessRegistrar(registrar) => write!(
				f,
				"the citizens' registrar {registrar} holds nothing to pay for adding members: endow it"
			),
			Self::NoVerifyingKey => {
				write!(f, "no verifying key: nobody could prove personhood; add the ceremony's key")
			},
			Self::NoVerificationPeriod => write!(f, "the verification period is zero"),
			Self::MissingParameters(pallet) => write!(f, "the {pallet} has no parameters"),
			Self::BrokenInvariant { pallet, error } => {
				write!(f, "the {pallet}'s invariants fail on the genesis state: {error}")
			},
		}
	}
}

/// Everything that keeps the genesis state `storage` from governing itself; empty when it can.
pub fn check(storage: Storage) -> Vec<Ungovernable> {
	TestExternalities::new(storage).execute_with(check_state)
}

/// [`check`] on the state of the externalities it runs in.
fn check_state() -> Vec<Ungovernable> {
	use crate::{ActionBudget, Balances, CommitGate, Personhood};
	let mut found = Vec::new();

	let aura = polkadot_sdk::pallet_aura::Authorities::<Runtime>::get().len();
	let grandpa = polkadot_sdk::pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len();
	if aura == 0 {
		found.push(Ungovernable::NoValidators);
	}
	if aura != grandpa {
		found.push(Ungovernable::UnpairedAuthorities { aura, grandpa });
	}
	if let Some(key) = polkadot_sdk::pallet_sudo::Key::<Runtime>::get() {
		found.push(Ungovernable::SudoKey(key));
	}
	if pallet_constitution::ChainConstitution::<Runtime>::get() == Constitution::Development {
		found.push(Ungovernable::DevelopmentConstitution);
	}

	match pallet_personhood::Groups::<Runtime>::get(crate::configs::CITIZENS_GROUP) {
		None => found.push(Ungovernable::NoCitizensGroup),
		Some(group) => {
			let funds = <Balances as Inspect<AccountId>>::reducible_balance(
				&group.registrar,
				polkadot_sdk::frame_support::traits::tokens::Preservation::Preserve,
				polkadot_sdk::frame_support::traits::tokens::Fortitude::Polite,
			);
			if funds == 0 {
				found.push(Ungovernable::PennilessRegistrar(group.registrar));
			}
		},
	}
	if pallet_personhood::PreparedKeys::<Runtime>::iter_keys().next().is_none() {
		found.push(Ungovernable::NoVerifyingKey);
	}
	if pallet_personhood::CurrentPeriod::<Runtime>::get().length == 0 {
		found.push(Ungovernable::NoVerificationPeriod);
	}
	if pallet_commit_gate::Parameters::<Runtime>::get().is_none() {
		found.push(Ungovernable::MissingParameters("commit gate"));
	}
	if pallet_action_budget::ParameterEras::<Runtime>::get().is_empty() {
		found.push(Ungovernable::MissingParameters("action budget"));
	}

	for (pallet, result) in [
		("personhood", Personhood::do_try_state()),
		("action budget", ActionBudget::do_try_state()),
		("commit gate", CommitGate::do_try_state()),
	] {
		if let Err(error) = result {
			found.push(Ungovernable::BrokenInvariant { pallet, error: format!("{error:?}") });
		}
	}
	found
}
