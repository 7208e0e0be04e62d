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
		/// No group has this id.
		UnknownGroup,
		/// The most groups exist already.
		TooManyGroups,
		/// Only the group's registrar may change its members.
		NotRegistrar,
		/// The group cannot take that many more members.
		GroupFull,
		/// This commitment is a member of the group already.
		AlreadyMember,
		/// This commitment is not a member of the group.
		NotMember,
		/// A commitment, root or nullifier is not below the BN254 scalar field modulus.
		NotInField,
		/// Zero is not a commitment: it marks removed members.
		ZeroCommitment,
		/// The siblings do not lead from the member's leaf to the group's current root.
		WrongSiblings,
		/// The call would add no commitments.
		EmptyBatch,
		/// The root is not one of the group's recent roots.
		UnknownRoot,
		/// The root was replaced more than `RootValidity` blocks ago.
		ExpiredRoot,
		/// This nullifier was used in this group and period already: the person behind it has
		/// verified an account this period.
		NullifierAlreadyUsed,
		/// The caller is verified in this group for this period already.
		AlreadyVerified,
		/// Agents cannot verify as humans.
		AgentCannotVerify,
		/// No verifying key is set for the proof's depth.
		NoVerifyingKey,
		/// The proof's points are not valid curve points of their groups.
		MalformedProof,
		/// The proof does not verify for this caller, group, root, nullifier and period.
		InvalidProof,
		/// The verifying key does not decode to valid points for four public inputs.
		MalformedVerifyingKey,
		/// Depths go from 1 to 32.
		InvalidDepth,
		/// A verification period must last at least one block.
		InvalidPeriodLength,
		/// The chain has no verification period configured.
		NotConfigured,
		/// The period length crosses the chain's constitution (for example, a period shorter
		/// than a day on a production chain): no proposal can set it.
		Unconstitutional,
		/// The last verifying key cannot be removed: without one nobody could prove personhood
		/// again, and nobody could ever veto. Replace it with `set_verifying_key` instead.
		LastVerifyingKey,
		/// The key comes from the insecure dev setup, whose randomness is public: anyone could
		/// prove anything with it. Only chains whose constitution allows insecure keys (dev and
		/// local) accept it; a production chain takes the key of a trusted-setup ceremony.
		InsecureVerifyingKey,
	}
}
