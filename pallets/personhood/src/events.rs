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
		/// A group was created.
		GroupCreated {
			/// The new group's id.
			group: GroupId,
			/// Who adds and removes its members.
			registrar: AccountId,
		},
		/// A group got a new registrar.
		RegistrarChanged {
			/// The group.
			group: GroupId,
			/// Its new registrar.
			registrar: AccountId,
		},
		/// Commitments were appended to a group's tree.
		MembersAdded {
			/// The group.
			group: GroupId,
			/// The leaf index of the first commitment; the others follow it in order.
			first_index: u32,
			/// The commitments appended, in order.
			commitments: Vec<Commitment>,
			/// The tree's new root.
			root: FieldBytes,
		},
		/// A member was removed: its leaf is zero.
		MemberRemoved {
			/// The group.
			group: GroupId,
			/// The member's leaf index.
			index: u32,
			/// The member's commitment.
			commitment: Commitment,
			/// The tree's new root.
			root: FieldBytes,
		},
		/// An account proved membership of a group and is verified until the period ends.
		Verified {
			/// The group.
			group: GroupId,
			/// The account verified.
			who: AccountId,
			/// The verification period.
			period: u32,
			/// The proof's nullifier: one per person, group and period.
			nullifier: FieldBytes,
			/// The last block at which the account is verified.
			until: BlockNumber,
		},
		/// A verifying key was set.
		VerifyingKeySet {
			/// The circuit depth of the proofs it checks.
			depth: u8,
			/// The last block at which the key it replaced, if any, is still accepted.
			previous_valid_until: Option<BlockNumber>,
		},
		/// The verifying key for a depth was removed, its predecessor too.
		VerifyingKeyRemoved {
			/// The circuit depth.
			depth: u8,
		},
		/// Periods after the current one will have a new length (on a chain that had no
		/// period, the one that starts now has it).
		PeriodLengthScheduled {
			/// The length, in blocks.
			length: BlockNumber,
		},
		/// A new verification period started.
		PeriodStarted {
			/// Its index, counted from 0 at genesis.
			index: u32,
			/// Its first block.
			start: BlockNumber,
			/// Its length, in blocks.
			length: BlockNumber,
		},
	}
}
