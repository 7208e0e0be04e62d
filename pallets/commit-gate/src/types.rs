//! The gate's records: proposals and parameters, and a submission that passed its checks.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::frame_support::{
	pallet_prelude::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use teo_primitives::{
	mesh::BudgetUnits,
	personhood::{FieldBytes, MembershipProof},
	AccountId, Balance, BlockNumber, EpochIndex, GroupId, Hash,
};

/// The number of a pull request, counted from 0 in submission order.
pub type ProposalId = u32;

/// The gate's parameters. Set at genesis, changed only by [`crate::Config::AdminOrigin`] (the
/// commit gate itself on a production chain), and read at submission: a pending proposal keeps
/// the timelock and veto threshold it was submitted under.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct GateParameters {
	/// Blocks between submission and the earliest commit of an ordinary proposal: the veto
	/// window.
	pub timelock: BlockNumber,
	/// The veto window of a proposal that changes the rules (parameters, verifying keys, the
	/// runtime code): never shorter than `timelock`.
	pub constitutional_timelock: BlockNumber,
	/// Vetoes (by distinct members of the proposal's group) that kill a proposal.
	pub veto_threshold: u32,
	/// Held from the proposer while the proposal is pending; slashed on veto.
	pub proposal_deposit: Balance,
}

/// What a group decides for itself (through [`crate::Pallet::set_group_settings`], a committed
/// proposal of the group).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct GroupSettings {
	/// Vetoes of the group's members that kill one of its proposals, in place of the gate's.
	pub veto_threshold: u32,
}

/// A pending pull request.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxCallSize, MaxSummaryLength, MaxVetoThreshold))]
#[codec(mel_bound())]
pub struct Proposal<MaxCallSize, MaxSummaryLength, MaxVetoThreshold>
where
	MaxCallSize: Get<u32>,
	MaxSummaryLength: Get<u32>,
	MaxVetoThreshold: Get<u32>,
{
	/// The agent that submitted it.
	pub proposer: AccountId,
	/// The agent's sponsor at submission: the person a veto penalises, and who may withdraw it,
	/// even if the agent has been deregistered (or registered by someone else) since.
	pub sponsor: AccountId,
	/// The group whose members may veto it, and whose origin it runs with.
	pub group: GroupId,
	/// The SCALE-encoded runtime call, exactly what will run.
	pub call: BoundedVec<u8, MaxCallSize>,
	/// `blake2_256` of `call`.
	pub call_hash: Hash,
	/// The proposer's words for humans: valid UTF-8.
	pub summary: BoundedVec<u8, MaxSummaryLength>,
	/// The deposit held from the proposer.
	pub deposit: Balance,
	/// The block it was submitted in.
	pub submitted_at: BlockNumber,
	/// The action-budget epoch whose admission it took.
	pub epoch: EpochIndex,
	/// The first block at which it may be committed; nothing moves it earlier.
	pub unlock_at: BlockNumber,
	/// The vetoes that kill it, fixed at submission.
	pub veto_threshold: u32,
	/// Who withdrew it, if it was withdrawn: its call will not run, but it stays vetoable and
	/// its deposit held until its window ends.
	pub withdrawn_by: Option<AccountId>,
	/// The runtime's `transaction_version` at submission: if it changed by the commit, the
	/// call's encoding may mean something else now, and the call does not run.
	pub transaction_version: u32,
	/// The nullifiers of the anonymous vetoes counted: one per person (the scope of a veto is
	/// the proposal, so a person has one nullifier for it). A signed veto is never stored: it
	/// is accepted only where it kills at once.
	pub nullifiers: BoundedVec<FieldBytes, MaxVetoThreshold>,
}

/// An anonymous veto: a Semaphore proof that a member of the proposal's group says
/// [`teo_zk::semaphore::VETO_MESSAGE`] in the proposal's scope
/// ([`teo_zk::semaphore::veto_scope`]). No account signs it and none is named.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct AnonymousVeto {
	/// A recent root of the group's tree.
	pub root: FieldBytes,
	/// The member's nullifier for this proposal: what the tally counts.
	pub nullifier: FieldBytes,
	/// The proof.
	pub proof: MembershipProof,
}

/// What [`crate::Pallet::check_submission`] found: the submission, ready to store.
pub struct CheckedSubmission<T: crate::Config> {
	/// The encoded call.
	pub call: BoundedVec<u8, T::MaxCallSize>,
	/// The summary.
	pub summary: BoundedVec<u8, T::MaxSummaryLength>,
	/// What the pull request costs the agent.
	pub cost: BudgetUnits,
	/// The parameters in force.
	pub parameters: GateParameters,
	/// Whether it waits the ordinary or the constitutional timelock.
	pub class: crate::ProposalClass,
}

/// Why a due proposal's call did not run.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum VoidReason {
	/// A runtime upgrade changed the encoding of calls since the submission, so the stored
	/// bytes may mean something else now.
	RuntimeChanged,
	/// The call no longer decodes.
	NoLongerDecodes,
	/// The runtime's proposal policy no longer allows the call for its group.
	NoLongerAllowed,
}

/// One link of the ledger of commits: what agents read to catch up with the ground truth
/// (rule C) without scanning blocks for events.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Commit {
	/// Its position on the commit chain, from 0: the commit count before it.
	pub index: u64,
	/// The proposal committed.
	pub id: ProposalId,
	/// The group it was for.
	pub group: GroupId,
	/// `blake2_256` of its call.
	pub call_hash: Hash,
	/// Whether its call succeeded (a failed call is committed too, and its deposit slashed).
	pub succeeded: bool,
	/// The block it ran in.
	pub block: BlockNumber,
	/// The commit root after it: `blake2_256(previous root, id, group, call_hash, succeeded,
	/// block)`.
	pub root: Hash,
}
