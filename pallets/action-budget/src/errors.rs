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
		/// The chain has no action-budget parameters; governance must set them.
		NotConfigured,
		/// The parameters are inconsistent: an epoch needs a block, the base allowance must not
		/// exceed the maximum, unbonding must cover the evidence window, shares are fractions.
		InvalidParameters,
		/// Only a verified citizen may do this; prove personhood first.
		NotVerifiedCitizen,
		/// A verified human cannot be registered as an agent.
		AgentIsHuman,
		/// The sponsor is itself an agent.
		SponsorIsAgent,
		/// This account is already registered as an agent.
		AlreadyRegistered,
		/// The sponsor has as many agents as allowed; deregister one first.
		TooManyAgents,
		/// The sponsor cannot hold the agent deposit: not enough free balance.
		InsufficientBalance,
		/// No agent is registered under this account.
		UnknownAgent,
		/// Only the agent's sponsor may do this.
		NotSponsor,
		/// The agent is deregistered and can no longer act or receive delegations.
		AgentNotActive,
		/// The agent is still active: deregister it before releasing its deposit.
		StillActive,
		/// The unbonding period is not over yet.
		UnbondingNotOver,
		/// The caller has no delegation.
		NotDelegating,
		/// The delegator is still verified: only lapsed delegations can be pruned.
		DelegationNotLapsed,
		/// The agent's delegators have too many distinct verification ends; try again when
		/// older verifications have lapsed.
		TooManyDelegatorBuckets,
		/// The agent's budget for this epoch is too small.
		InsufficientBudget,
		/// The group has no admissions left in this epoch; wait for the next epoch.
		AdmissionsExhausted,
		/// A header's signature is not its agent's for this chain.
		InvalidSignature,
		/// The two headers do not conflict: they belong to different agents or epochs, or
		/// neither share a sequence number nor overlap.
		NotConflicting,
		/// The header's spend range stays within what the allowance leaves after the agent's
		/// on-chain spending in the epoch.
		NotOverspent,
		/// The evidence is about an epoch older than the previous one.
		EvidenceTooOld,
		/// The evidence is about a future epoch.
		EvidenceFromFuture,
		/// The agent was already punished for this epoch.
		AlreadyPunished,
		/// The evidence is about an epoch before the agent was registered.
		BeforeRegistration,
		/// The parameters cross the chain's constitution: a bound that no proposal can move
		/// (see `pallet-constitution`).
		Unconstitutional,
		/// A fraud report may not come from the reported agent or its sponsor, who would collect
		/// the reward of their own slash.
		ReporterIsOffender,
		/// The agents of this sponsor took their whole share of the group's admissions this
		/// epoch; other people's agents come first.
		PersonShareTaken,
		/// The agent's sponsor is no longer a verified citizen: its agents stop acting until the
		/// sponsor verifies again.
		SponsorLapsed,
	}
}
