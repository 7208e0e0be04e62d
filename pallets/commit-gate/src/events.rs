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
		/// `proposer` submitted proposal `id` for `group`; it may be committed from `unlock_at`.
		Submitted {
			/// The new proposal.
			id: ProposalId,
			/// The group whose members may veto it.
			group: GroupId,
			/// The agent that submitted it.
			proposer: AccountId,
			/// `blake2_256` of the encoded call.
			call_hash: Hash,
			/// The first block at which it may be committed.
			unlock_at: BlockNumber,
		},
		/// `vetoer` vetoed proposal `id` with a signed veto, which is accepted only where it
		/// kills: `Killed` follows.
		Vetoed {
			/// The vetoed proposal.
			id: ProposalId,
			/// Its group.
			group: GroupId,
			/// The verified member who vetoed.
			vetoer: AccountId,
			/// Vetoes counted, this one included.
			tally: u32,
			/// Vetoes that kill the proposal.
			threshold: u32,
		},
		/// A member of the group vetoed proposal `id` anonymously; `tally` of the `threshold`
		/// needed so far. Names no account: only the veto's nullifier, which is unique to the
		/// person and this proposal and links to nothing else.
		VetoedAnonymously {
			/// The vetoed proposal.
			id: ProposalId,
			/// Its group.
			group: GroupId,
			/// The vetoer's nullifier for this proposal.
			nullifier: FieldBytes,
			/// Vetoes counted, this one included.
			tally: u32,
			/// Vetoes that kill the proposal.
			threshold: u32,
		},
		/// Proposal `id` reached its veto threshold and is gone: its call deleted, `slashed`
		/// taken from `proposer`'s deposit, the agent penalised.
		Killed {
			/// The killed proposal.
			id: ProposalId,
			/// Its group.
			group: GroupId,
			/// The agent that submitted it, now penalised.
			proposer: AccountId,
			/// The amount of the deposit slashed.
			slashed: Balance,
		},
		/// Proposal `id` was withdrawn by `by`: its call will not run. It stays vetoable and its
		/// deposit held until its window ends.
		Withdrawn {
			/// The withdrawn proposal.
			id: ProposalId,
			/// Its group.
			group: GroupId,
			/// Who withdrew it: the proposer or its sponsor.
			by: AccountId,
		},
		/// Proposal `id` ran with the `Committed` origin: `result` is its outcome, `commit_root`
		/// the new head of the commit chain.
		Committed {
			/// The committed proposal.
			id: ProposalId,
			/// The group it ran for.
			group: GroupId,
			/// `blake2_256` of the encoded call that ran.
			call_hash: Hash,
			/// The call's outcome: on success the deposit returned, on failure it was slashed.
			result: DispatchResult,
			/// The new head of the commit chain ([`CommitRoot`]).
			commit_root: Hash,
		},
		/// The gate's parameters changed; pending proposals keep theirs.
		ParametersSet {
			/// The parameters for proposals submitted from now on.
			parameters: GateParameters,
		},
		/// The window of withdrawn proposal `id` ended without a veto: `released` of its
		/// deposit returned to `proposer`.
		Expired {
			/// The withdrawn proposal.
			id: ProposalId,
			/// Its group.
			group: GroupId,
			/// The agent that submitted it.
			proposer: AccountId,
			/// The deposit returned.
			released: Balance,
		},
		/// Proposal `id` was due but its call did not run, for `reason` (a runtime upgrade since
		/// the submission); its deposit returned, since the proposer did nothing wrong.
		Voided {
			/// The voided proposal.
			id: ProposalId,
			/// Its group.
			group: GroupId,
			/// `blake2_256` of the encoded call that did not run.
			call_hash: Hash,
			/// Why it did not run.
			reason: VoidReason,
		},
		/// Proposal `id` of `group` paid `amount` from the group's purse to `beneficiary`.
		PurseSpent {
			/// The group whose purse paid.
			group: GroupId,
			/// The committed proposal that spent it.
			id: ProposalId,
			/// Who was paid.
			beneficiary: AccountId,
			/// How much.
			amount: Balance,
		},
		/// `group` gave itself new settings, for its proposals from now on.
		GroupSettingsSet {
			/// The group.
			group: GroupId,
			/// Its settings; `None`: the gate's parameters again.
			settings: Option<GroupSettings>,
		},
	}
}
