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
//!   the first `add_member`, or is an account nobody holds a key to (the treasury's, zeros), and
//!   nobody can become a citizen. [`Ungovernable::PennilessRegistrar`],
//!   [`Ungovernable::KeylessRegistrar`]. Or nobody outside the treasury can afford an agent and
//!   its first proposal, and only a proposal can spend the treasury:
//!   [`Ungovernable::TooLittleToGovern`].
//! - *Development keys on a production chain*: a validator, the registrar or a founding member
//!   with a well-known key (`//Alice`, the dev identities), which anyone can use.
//!   [`Ungovernable::WellKnownKey`]. A validator key listed twice gives one operator two votes;
//!   a zero weight stalls finality. [`Ungovernable::UnsoundValidatorSet`].
//! - *A key that cannot prove the founding tree*: [`Ungovernable::KeyTooShallow`].
//! - *A spec edited to act before anyone can veto*, which only a raw spec can carry since no
//!   genesis build writes it: an authorized runtime upgrade, a scheduled change of the finality
//!   voters or of the validators, queued pull requests, citizens verified without proofs,
//!   agents, treasury spends.
//!   [`Ungovernable::PreseededState`]. The node also refuses a spec whose runtime is not its own
//!   or that substitutes code (`teo-node launch check`).
//! - *Parameters outside the constitution* or an insecure verifying key are refused by the
//!   pallets' own genesis builds, so a plain spec with them never builds; a raw spec runs no
//!   genesis build, and every pallet's `try_state` (which checks parameters against the
//!   constitution and refuses insecure keys) runs here on it
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

use crate::{AccountId, Balance, Runtime};

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
	/// Group 0's registrar cannot pay for the transactions that add the first members.
	PennilessRegistrar(AccountId),
	/// Group 0's registrar is an account nobody holds a key to (a pallet's account, zeros).
	KeylessRegistrar(AccountId),
	/// The accounts outside the treasury hold less than one agent's deposit and one proposal's
	/// deposit together: no agent could ever propose, and only a proposal can spend the treasury.
	TooLittleToGovern {
		/// What the first proposal needs.
		needed: Balance,
		/// What all accounts but the treasury hold.
		held: Balance,
	},
	/// A publicly known development key or identity on a production chain: anyone could author
	/// blocks, register members or prove as a founding "human" with it.
	WellKnownKey(&'static str),
	/// The same validator key twice (one operator, two votes), or a finality weight of zero.
	UnsoundValidatorSet,
	/// No verifying key is deep enough for the citizens' tree at genesis.
	KeyTooShallow {
		/// The deepest key.
		deepest: u8,
		/// The depth group 0's members need.
		needed: u8,
	},
	/// State a genesis never writes, which would act before any citizen could veto: an
	/// authorized runtime upgrade, a pending finality change, a queued proposal, verified
	/// citizens without proofs, registered agents, treasury spends.
	PreseededState(&'static str),
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
				"the citizens' registrar {registrar} holds less than 1 TEO to pay for adding members: endow it"
			),
			Self::KeylessRegistrar(registrar) => {
				write!(f, "the citizens' registrar {registrar} is an account nobody holds a key to")
			},
			Self::TooLittleToGovern { needed, held } => write!(
				f,
				"the accounts outside the treasury hold {held} planck, less than the {needed} an \
				 agent's and a proposal's deposits need: nobody could ever propose"
			),
			Self::WellKnownKey(what) => write!(
				f,
				"{what} is a publicly known development key or identity; a production chain needs real ones"
			),
			Self::UnsoundValidatorSet => write!(
				f,
				"a validator key appears twice, or a finality weight is zero: one key per validator, weight 1"
			),
			Self::KeyTooShallow { deepest, needed } => write!(
				f,
				"the deepest verifying key is for trees of depth {deepest}; the citizens' tree needs {needed}"
			),
			Self::PreseededState(what) => write!(
				f,
				"the genesis holds {what}, which no launch writes: a spec edited to act before anyone can veto"
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
	use crate::{ActionBudget, CommitGate, Personhood, ValidatorSet};
	let mut found = Vec::new();
	let constitution = pallet_constitution::ChainConstitution::<Runtime>::get();

	check_validators(constitution, &mut found);
	check_sessions(constitution, &mut found);
	if let Some(key) = polkadot_sdk::pallet_sudo::Key::<Runtime>::get() {
		found.push(Ungovernable::SudoKey(key));
	}
	if constitution == Constitution::Development {
		found.push(Ungovernable::DevelopmentConstitution);
	}
	check_citizens(constitution, &mut found);
	check_funds(&mut found);
	check_nothing_preseeded(&mut found);

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
		("validator set", ValidatorSet::do_try_state()),
	] {
		if let Err(error) = result {
			found.push(Ungovernable::BrokenInvariant { pallet, error: format!("{error:?}") });
		}
	}
	found
}

/// Block authors and finality voters: present, paired, distinct, weighted, and (on a production
/// chain) none of the well-known development keys.
fn check_validators(constitution: Constitution, found: &mut Vec<Ungovernable>) {
	use polkadot_sdk::sp_keyring::{Ed25519Keyring, Sr25519Keyring};
	let aura = polkadot_sdk::pallet_aura::Authorities::<Runtime>::get();
	let grandpa = polkadot_sdk::pallet_grandpa::Pallet::<Runtime>::grandpa_authorities();
	if aura.is_empty() {
		found.push(Ungovernable::NoValidators);
	}
	if aura.len() != grandpa.len() {
		found.push(Ungovernable::UnpairedAuthorities { aura: aura.len(), grandpa: grandpa.len() });
	}
	let distinct_aura = aura.iter().collect::<alloc::collections::BTreeSet<_>>().len();
	let distinct_grandpa =
		grandpa.iter().map(|(key, _)| key).collect::<alloc::collections::BTreeSet<_>>().len();
	if distinct_aura != aura.len()
		|| distinct_grandpa != grandpa.len()
		|| grandpa.iter().any(|(_, weight)| *weight == 0)
	{
		found.push(Ungovernable::UnsoundValidatorSet);
	}
	if constitution == Constitution::Production {
		let dev_aura = Sr25519Keyring::iter()
			.any(|dev| aura.iter().any(|key| AsRef::<[u8]>::as_ref(key) == &dev.public().0[..]));
		let dev_grandpa = Ed25519Keyring::iter().any(|dev| {
			grandpa.iter().any(|(key, _)| AsRef::<[u8]>::as_ref(key) == &dev.public().0[..])
		});
		if dev_aura || dev_grandpa {
			found.push(Ungovernable::WellKnownKey("a validator's session key"));
		}
	}
}

/// The session pallet's genesis as a genesis build writes it: the validators' registered keys
/// are Aura's and GRANDPA's authorities, the same validators are queued for the next session
/// with nothing changed, and the citizens' set is theirs. A raw spec that queues other keys or
/// accounts would hand block production and finality to them a session or two in, before any
/// citizen could act. On a production chain no validator account is a well-known one: anyone
/// could register new keys from it and take its seat.
fn check_sessions(constitution: Constitution, found: &mut Vec<Ungovernable>) {
	use polkadot_sdk::{pallet_aura, pallet_grandpa, pallet_session, sp_keyring::Sr25519Keyring};
	let validators = pallet_session::Validators::<Runtime>::get();
	let keys: Option<Vec<crate::SessionKeys>> =
		validators.iter().map(pallet_session::NextKeys::<Runtime>::get).collect();
	let consistent = keys.is_some_and(|keys| {
		let aura: Vec<_> = keys.iter().map(|k| k.aura.clone()).collect();
		let grandpa: Vec<_> = keys.iter().map(|k| (k.grandpa.clone(), 1)).collect();
		let queued: Vec<_> = validators.iter().cloned().zip(keys).collect();
		aura == pallet_aura::Authorities::<Runtime>::get().into_inner()
			&& grandpa == pallet_grandpa::Pallet::<Runtime>::grandpa_authorities()
			&& queued == pallet_session::QueuedKeys::<Runtime>::get()
	});
	if !consistent
		|| pallet_session::QueuedChanged::<Runtime>::get()
		|| pallet_session::CurrentIndex::<Runtime>::get() != 0
		|| !pallet_session::DisabledValidators::<Runtime>::get().is_empty()
		|| pallet_validator_set::Validators::<Runtime>::get().into_inner() != validators
	{
		found.push(Ungovernable::PreseededState("a planned change of the validators"));
	}
	let well_known =
		|who: &AccountId| Sr25519Keyring::iter().any(|dev| dev.to_account_id() == *who);
	if constitution == Constitution::Production && validators.iter().any(well_known) {
		found.push(Ungovernable::WellKnownKey("a validator's account"));
	}
}

/// The citizens' group: present, with a registrar that holds a key and funds, founding members
/// that are not the dev identities on a production chain, and a verifying key deep enough.
fn check_citizens(constitution: Constitution, found: &mut Vec<Ungovernable>) {
	use crate::Balances;
	use polkadot_sdk::{
		frame_support::traits::tokens::{Fortitude, Preservation},
		sp_keyring::Sr25519Keyring,
	};
	let citizens = crate::configs::CITIZENS_GROUP;
	let deepest = pallet_personhood::PreparedKeys::<Runtime>::iter_keys().max();
	if deepest.is_none() {
		found.push(Ungovernable::NoVerifyingKey);
	}
	if pallet_personhood::CurrentPeriod::<Runtime>::get().length == 0 {
		found.push(Ungovernable::NoVerificationPeriod);
	}
	let Some(group) = pallet_personhood::Groups::<Runtime>::get(citizens) else {
		found.push(Ungovernable::NoCitizensGroup);
		return;
	};
	let registrar = group.registrar;
	let raw: &[u8] = registrar.as_ref();
	if raw.starts_with(b"modl") || raw.iter().all(|byte| *byte == 0) {
		found.push(Ungovernable::KeylessRegistrar(registrar.clone()));
	}
	let funds = <Balances as Inspect<AccountId>>::reducible_balance(
		&registrar,
		Preservation::Preserve,
		Fortitude::Polite,
	);
	if funds < crate::token::UNIT {
		found.push(Ungovernable::PennilessRegistrar(registrar.clone()));
	}
	// The tree's depth: the number of levels above the leaves of a LeanIMT of `size` leaves.
	let needed = u32::BITS - group.size.saturating_sub(1).leading_zeros();
	if let Some(deepest) = deepest {
		if u32::from(deepest) < needed {
			found.push(Ungovernable::KeyTooShallow { deepest, needed: needed as u8 });
		}
	}
	if constitution == Constitution::Production {
		if Sr25519Keyring::iter().any(|dev| dev.to_account_id() == registrar) {
			found.push(Ungovernable::WellKnownKey("the citizens' registrar"));
		}
		let dev_member = (0..group.size).any(|index| {
			pallet_personhood::Leaves::<Runtime>::get(citizens, index)
				.is_some_and(|leaf| teo_zk::dev::DEV_IDENTITY_COMMITMENTS.contains(&leaf))
		});
		if dev_member {
			found.push(Ungovernable::WellKnownKey("a founding member's identity"));
		}
	}
}

/// Someone outside the treasury can afford an agent and its first proposal.
fn check_funds(found: &mut Vec<Ungovernable>) {
	let treasury = crate::configs::TreasuryAccount::get();
	let held = polkadot_sdk::frame_system::Account::<Runtime>::iter()
		.filter(|(who, _)| who != &treasury)
		.fold(0 as Balance, |sum, (_, account)| sum.saturating_add(account.data.free));
	let agent_deposit = pallet_action_budget::ParameterEras::<Runtime>::get()
		.last()
		.map_or(0, |era| era.parameters.agent_deposit);
	let proposal_deposit =
		pallet_commit_gate::Parameters::<Runtime>::get().map_or(0, |p| p.proposal_deposit);
	let needed = agent_deposit.saturating_add(proposal_deposit);
	if held < needed {
		found.push(Ungovernable::TooLittleToGovern { needed, held });
	}
}

/// Nothing that only a running chain writes: each of these would act before any citizen could
/// verify, let alone veto.
fn check_nothing_preseeded(found: &mut Vec<Ungovernable>) {
	use polkadot_sdk::{frame_support::storage::storage_prefix, sp_io::storage};
	if storage::get(&storage_prefix(b"System", b"AuthorizedUpgrade")).is_some() {
		found.push(Ungovernable::PreseededState("an authorized runtime upgrade"));
	}
	// A pause is never lifted by any call, and a recovery does not lift it either.
	let finality_live = matches!(
		polkadot_sdk::pallet_grandpa::State::<Runtime>::get(),
		polkadot_sdk::pallet_grandpa::StoredState::Live
	);
	if polkadot_sdk::pallet_grandpa::PendingChange::<Runtime>::exists()
		|| polkadot_sdk::pallet_grandpa::NextForced::<Runtime>::exists()
		|| polkadot_sdk::pallet_grandpa::Stalled::<Runtime>::exists()
		|| !finality_live
	{
		found.push(Ungovernable::PreseededState("a scheduled change of the finality voters"));
	}
	if pallet_commit_gate::Proposals::<Runtime>::iter_keys().next().is_some()
		|| pallet_commit_gate::NextProposalId::<Runtime>::get() != 0
	{
		found.push(Ungovernable::PreseededState("pull requests"));
	}
	if pallet_personhood::Verified::<Runtime>::iter_keys().next().is_some()
		|| pallet_personhood::Nullifiers::<Runtime>::iter_keys().next().is_some()
	{
		found.push(Ungovernable::PreseededState("verified citizens"));
	}
	if pallet_action_budget::Agents::<Runtime>::iter_keys().next().is_some()
		|| pallet_action_budget::Delegations::<Runtime>::iter_keys().next().is_some()
	{
		found.push(Ungovernable::PreseededState("registered agents or delegations"));
	}
	if polkadot_sdk::pallet_treasury::SpendCount::<Runtime>::get() != 0
		|| polkadot_sdk::pallet_treasury::ProposalCount::<Runtime>::get() != 0
	{
		found.push(Ungovernable::PreseededState("treasury spends"));
	}
}
