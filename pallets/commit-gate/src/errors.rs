//! The pallet's errors: what went wrong, in words a user can act on.
//!
//! A section of the pallet module (FRAME's `pallet_section`): `lib.rs` imports it with
//! `#[import_section(errors::errors)]`, which expands it inside `mod pallet`, where it sees what
//! that module imports.

use polkadot_sdk::frame_support::pallet_macros::pallet_section;

#[pallet_section]
mod errors {
	#[pallet::error]
	pub enum Error<T> {
		/// The chain has no commit-gate parameters; governance must set them.
		NotConfigured,
		/// The parameters are invalid: the constitutional timelock is shorter than the ordinary
		/// one, or the veto threshold is zero or above the maximum.
		InvalidParameters,
		/// Only a registered, active agent may submit a pull request.
		NotAgent,
		/// The group has no verified member who could veto: it does not exist, or nobody has
		/// proven personhood in it this period.
		NoVetoers,
		/// The summary is longer than `MaxSummaryLength` bytes.
		SummaryTooLong,
		/// The summary is not valid UTF-8.
		SummaryNotUtf8,
		/// The encoded call is longer than `MaxCallSize` bytes.
		CallTooLarge,
		/// The call is heavier than one block's commit budget (`MaxCommitWeight`).
		CallTooHeavy,
		/// Proposals may not carry this call (the runtime's proposal filter).
		ForbiddenCall,
		/// The agent's budget for this epoch cannot pay for a pull request.
		InsufficientBudget,
		/// The group has admitted as many pull requests as humans can review this epoch; wait
		/// for the next epoch.
		AdmissionsExhausted,
		/// The proposer cannot hold the proposal deposit.
		InsufficientBalance,
		/// As many proposals are pending as the chain can hold; wait for some to end.
		TooManyPending,
		/// No pending proposal has this id.
		UnknownProposal,
		/// Only a verified member of the proposal's group may veto it.
		NotVerifiedMember,
		/// This person already vetoed this proposal.
		AlreadyVetoed,
		/// The veto window of this proposal has ended.
		WindowClosed,
		/// The proposal's timelock has not ended yet.
		StillLocked,
		/// Only the proposer or its sponsor may withdraw a proposal.
		NotProposerOrSponsor,
		/// The call uses the powers of another group: propose it for the group whose powers it
		/// uses (the citizens' group for the protocol's), whose members can veto it.
		WrongGroup,
		/// The call would cross the chain's constitution (a timelock below its floor, a
		/// deposit out of range, ...): no proposal can do that.
		Unconstitutional,
		/// The proposal was already withdrawn.
		AlreadyWithdrawn,
		/// The agents of the proposer's sponsor took their share of the group's admissions this
		/// epoch: other people's agents come first.
		PersonShareTaken,
		/// The group's purse holds less than the amount (it keeps the existential deposit).
		PurseTooPoor,
		/// This proposal needs more than one veto to die: veto anonymously
		/// (`veto_anonymously`). A signed veto counts only where it kills at once, because one
		/// person's signed and anonymous vetoes cannot be told apart.
		NeedsAnonymousVeto,
		/// This identity already vetoed this proposal anonymously (its nullifier is counted).
		NullifierAlreadyUsed,
		/// The veto's root is not a recent root of the proposal's group: prove against the
		/// group's current tree.
		UnknownRoot,
		/// The veto's root was replaced too long ago: prove against the group's current tree.
		ExpiredRoot,
		/// The veto's root, nullifier or proof points are not valid encodings.
		MalformedVeto,
		/// The chain holds no verifying key for the proof's circuit depth.
		NoVerifyingKey,
		/// The proof does not hold: not a member of the proposal's group, or a proof made for
		/// another proposal, another chain or another nullifier.
		InvalidVetoProof,
	}
}
