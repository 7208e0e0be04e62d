//! The anonymous veto: a veto carried by a Semaphore membership proof instead of a signature.
//! No account sends it, pays for it or is named by it; the tally counts nullifiers.
//!
//! The proof's scope is [`veto_scope`] (the chain's genesis hash, the proposal's id and its call
//! hash), so a person has exactly one nullifier per proposal and their vetoes of different
//! proposals cannot be linked. Its message is [`VETO_MESSAGE`], so no proof made to say anything
//! else counts as a veto. Its root must be one of the group's recent roots
//! (`pallet-personhood`'s `RootValidity`).
//!
//! It travels as a bare (unsigned, version 4) extrinsic: [`Pallet::check_anonymous_veto`] is the
//! one validation, which the pool runs through `ValidateUnsigned`, block building runs again
//! without the pairing, and the call runs in full. The pool deduplicates on the nullifier, never
//! on the transaction hash: a Groth16 proof can be re-randomised into another valid proof with
//! another hash. A later `#[pallet::authorize]` (general transactions, once our clients decode
//! them) calls the same function.

use polkadot_sdk::{
	frame_support::{defensive, ensure, weights::Weight},
	sp_runtime::{
		transaction_validity::{
			InvalidTransaction, TransactionLongevity, TransactionValidity, ValidTransaction,
		},
		DispatchError,
	},
};
use teo_primitives::{
	personhood::{FieldBytes, Signal, SignalRefusal},
	traits::PersonhoodInspect,
};
use teo_zk::semaphore::{veto_scope, VETO_MESSAGE};

use crate::{
	branch::CallBranch, extension::invalid, AnonymousVeto, Config, Error, Event, Pallet,
	ProposalId, ProposalOf, Proposals, VETO_PRIORITY,
};

/// How much of the check to run: the pool and the call run the pairing; block building has
/// already had the pool's word for it and runs the cheap checks only, so a second veto with
/// the same nullifier in one block is dropped before it is applied.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProofCheck {
	/// Every check, the pairing last.
	Full,
	/// The proposal, the window and the nullifier; not the proof.
	SkipPairing,
}

impl<T: Config> Pallet<T> {
	/// The work of [`Pallet::veto_anonymously`]; returns the branch it took.
	pub(crate) fn do_veto_anonymously(
		id: ProposalId,
		veto: &AnonymousVeto,
	) -> Result<CallBranch, DispatchError> {
		let proposal = Self::check_anonymous_veto(id, veto, ProofCheck::Full)?;
		Self::count_anonymous_veto(id, proposal, veto.nullifier)
	}

	/// Counts a checked anonymous veto of `proposal` (pending as `id`) and kills it at the
	/// threshold.
	pub(crate) fn count_anonymous_veto(
		id: ProposalId,
		mut proposal: ProposalOf<T>,
		nullifier: FieldBytes,
	) -> Result<CallBranch, DispatchError> {
		// The tally stays below the threshold, which is at most `MaxVetoThreshold`.
		if proposal.nullifiers.try_push(nullifier).is_err() {
			defensive!("a pending proposal's tally is below its threshold, which fits");
			return Err(Error::<T>::NullifierAlreadyUsed.into());
		}
		let tally = proposal.nullifiers.len() as u32;
		let threshold = Self::veto_threshold(&proposal);
		let group = proposal.group;
		Self::deposit_event(Event::VetoedAnonymously { id, group, nullifier, tally, threshold });
		if tally < threshold {
			Proposals::<T>::insert(id, proposal);
			return Ok(CallBranch::VetoTallied);
		}
		Self::kill(id, proposal);
		Ok(CallBranch::VetoKilled)
	}

	/// Every check of an anonymous veto of proposal `id`, changing nothing: the proposal is
	/// pending and in its window, the nullifier is not counted yet, then (with
	/// [`ProofCheck::Full`]) the proof holds for this chain, this proposal and the veto, from a
	/// recent root of the proposal's group. Returns the proposal.
	pub fn check_anonymous_veto(
		id: ProposalId,
		veto: &AnonymousVeto,
		check: ProofCheck,
	) -> Result<ProposalOf<T>, Error<T>> {
		let proposal = Self::check_live(id)?;
		ensure!(!proposal.nullifiers.contains(&veto.nullifier), Error::<T>::NullifierAlreadyUsed);
		if check == ProofCheck::Full {
			let genesis: [u8; 32] = teo_pallet_support::genesis_hash::<T>().into();
			let scope = veto_scope(&genesis, id, proposal.call_hash.as_fixed_bytes());
			let signal = Signal {
				root: &veto.root,
				nullifier: &veto.nullifier,
				message: &VETO_MESSAGE,
				scope: &scope,
				proof: &veto.proof,
			};
			T::Personhood::check_signal(proposal.group, &signal).map_err(|refusal| {
				match refusal {
					SignalRefusal::UnknownRoot => Error::<T>::UnknownRoot,
					SignalRefusal::ExpiredRoot => Error::<T>::ExpiredRoot,
					SignalRefusal::NotInField | SignalRefusal::MalformedProof => {
						Error::<T>::MalformedVeto
					},
					SignalRefusal::NoVerifyingKey => Error::<T>::NoVerifyingKey,
					// A proposal's group always exists: groups are never deleted.
					SignalRefusal::UnknownGroup | SignalRefusal::InvalidProof => {
						Error::<T>::InvalidVetoProof
					},
				}
			})?;
		}
		Ok(proposal)
	}

	/// What the transaction pool and block building make of an anonymous veto: valid until
	/// the proposal's window closes, at the veto priority, providing its nullifier for the
	/// proposal (one veto per person and proposal in the pool, whatever its bytes); or refused
	/// with the gate's error index.
	pub(crate) fn validate_anonymous_veto(
		id: ProposalId,
		veto: &AnonymousVeto,
		check: ProofCheck,
	) -> TransactionValidity {
		let proposal = Self::check_anonymous_veto(id, veto, check).map_err(invalid::<T>)?;
		let now = teo_pallet_support::now::<T>();
		let longevity: TransactionLongevity = proposal.unlock_at.saturating_sub(now).into();
		ValidTransaction::with_tag_prefix("TeoAnonymousVeto")
			.priority(VETO_PRIORITY)
			.and_provides((id, veto.nullifier))
			.longevity(longevity.max(1))
			.propagate(true)
			.build()
	}

	/// What `veto_anonymously` is charged up front: the proof's check and the heavier branch.
	pub(crate) fn max_anonymous_veto_weight() -> Weight {
		T::Personhood::check_signal_weight().saturating_add(CallBranch::max_veto_weight::<T>())
	}
}

/// The refusal of a bare extrinsic that is not an anonymous veto.
pub(crate) fn not_an_anonymous_veto() -> TransactionValidity {
	Err(InvalidTransaction::Call.into())
}
