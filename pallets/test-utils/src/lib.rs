//! # TEO pallet test utilities
//!
//! Fixtures for the pallets' mock runtimes.
//!
//! Each pallet's tests run against the *real* code of the pallets it talks to where that code is
//! cheap to set up (the commit gate's tests use the real action budget). Personhood is the
//! exception: a real verification needs a Groth16 proof, which the personhood pallet's own tests,
//! the runtime's tests and the zombienet suites make for real. The other pallets see personhood
//! only through [`PersonhoodInspect`], so their mocks use [`TablePersonhood`].

use core::{cell::RefCell, marker::PhantomData};
use std::collections::{BTreeMap, BTreeSet};

use polkadot_sdk::frame_system;
use teo_primitives::{
	constitution::{Bound, Bounds, Constitution},
	mesh::{CostSchedule, MessageCost},
	personhood::{FieldBytes, Signal, SignalRefusal},
	traits::PersonhoodInspect,
	AccountId, BlockNumber, GroupId,
};

use teo_pallet_support::now;

thread_local! {
	/// (account, group) -> last block of the verification.
	static VERIFIED: RefCell<BTreeMap<(AccountId, GroupId), BlockNumber>> =
		const { RefCell::new(BTreeMap::new()) };
	/// Members per group where a test set them; otherwise everyone ever verified in the group.
	static MEMBERS: RefCell<BTreeMap<GroupId, u32>> = const { RefCell::new(BTreeMap::new()) };
	/// The anonymous signals members made: (group, root, nullifier, message, scope).
	static SIGNALS: RefCell<BTreeSet<SignalRecord>> = const { RefCell::new(BTreeSet::new()) };
}

/// What a member's anonymous signal states, as the table records it.
type SignalRecord = (GroupId, FieldBytes, FieldBytes, [u8; 32], [u8; 32]);

/// The root every table signal is made against; [`TablePersonhood::STALE_ROOT`] is refused.
pub const TABLE_ROOT: FieldBytes = [7; 32];

/// Personhood as a table the tests fill: who is verified in which group, until which block.
/// Verifications lapse as the mock runtime `T`'s block number passes their last block.
pub struct TablePersonhood<T>(PhantomData<T>);

impl<T> TablePersonhood<T> {
	/// Verifies `who` in `group` until block `until` (inclusive).
	pub fn verify(who: &AccountId, group: GroupId, until: BlockNumber) {
		VERIFIED.with(|v| v.borrow_mut().insert((who.clone(), group), until));
	}

	/// Records that a member of `group` made a proof of `message` in `scope` with
	/// `nullifier`, against [`TABLE_ROOT`]: a signal with exactly these inputs is valid.
	pub fn sign(group: GroupId, nullifier: FieldBytes, message: [u8; 32], scope: [u8; 32]) {
		SIGNALS.with(|s| s.borrow_mut().insert((group, TABLE_ROOT, nullifier, message, scope)));
	}

	/// Sets how many members `group` has (who can make anonymous signals for it).
	pub fn set_members(group: GroupId, members: u32) {
		MEMBERS.with(|m| m.borrow_mut().insert(group, members));
	}

	/// A root the table calls expired.
	pub const STALE_ROOT: FieldBytes = [8; 32];

	/// Forgets every verification and signal: a test externalities builder calls it first,
	/// because the table outlives one test on its thread.
	pub fn clear() {
		VERIFIED.with(|v| v.borrow_mut().clear());
		MEMBERS.with(|m| m.borrow_mut().clear());
		SIGNALS.with(|s| s.borrow_mut().clear());
	}
}

impl<T: frame_system::Config> PersonhoodInspect<AccountId> for TablePersonhood<T> {
	fn verified_until(who: &AccountId, group: GroupId) -> Option<BlockNumber> {
		VERIFIED
			.with(|v| v.borrow().get(&(who.clone(), group)).copied())
			.filter(|until| *until >= now::<T>())
	}

	fn is_human(who: &AccountId) -> bool {
		let now = now::<T>();
		VERIFIED.with(|v| v.borrow().iter().any(|((a, _), until)| a == who && *until >= now))
	}

	fn verified_count(group: GroupId) -> u32 {
		let now = now::<T>();
		VERIFIED.with(|v| {
			let count =
				v.borrow().iter().filter(|((_, g), until)| *g == group && **until >= now).count();
			u32::try_from(count).unwrap_or(u32::MAX)
		})
	}

	fn member_count(group: GroupId) -> u32 {
		MEMBERS.with(|m| m.borrow().get(&group).copied()).unwrap_or_else(|| {
			VERIFIED.with(|v| {
				let count = v.borrow().keys().filter(|(_, g)| *g == group).count();
				u32::try_from(count).unwrap_or(u32::MAX)
			})
		})
	}

	fn check_signal(group: GroupId, signal: &Signal) -> Result<(), SignalRefusal> {
		match *signal.root {
			TABLE_ROOT => {},
			Self::STALE_ROOT => return Err(SignalRefusal::ExpiredRoot),
			_ => return Err(SignalRefusal::UnknownRoot),
		}
		let record = (group, *signal.root, *signal.nullifier, *signal.message, *signal.scope);
		if SIGNALS.with(|s| s.borrow().contains(&record)) {
			Ok(())
		} else {
			Err(SignalRefusal::InvalidProof)
		}
	}

	fn check_signal_weight() -> polkadot_sdk::frame_support::weights::Weight {
		// The personhood pallet's benchmark measures the real check: about two pairings.
		polkadot_sdk::frame_support::weights::Weight::from_parts(13_000_000_000, 40_000)
	}
}

/// The mock runtimes' price list: the reference schedule with dearer drafts and free
/// announcement bodies, so that a test can tell the kinds apart by cost alone.
pub const COST_SCHEDULE: CostSchedule = CostSchedule {
	draft: MessageCost { base: 10, per_kib: 2 },
	pull_request_announcement: MessageCost { base: 2, per_kib: 0 },
	..CostSchedule::REFERENCE
};

/// The constitution of the mock runtimes: the rules of [`Constitution::Development`] with bounds
/// that fit the mocks' small balances and short timings.
pub struct TestConstitution;

std::thread_local! {
	static INSECURE_KEYS_ALLOWED: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
}

impl TestConstitution {
	/// Makes the test's constitution allow insecure verifying keys or not (the default allows
	/// them, as dev chains do); per test thread.
	pub fn allow_insecure_keys(allowed: bool) {
		INSECURE_KEYS_ALLOWED.with(|cell| cell.set(allowed));
	}
}

impl polkadot_sdk::frame_support::traits::Get<Bounds> for TestConstitution {
	fn get() -> Bounds {
		Bounds {
			timelock: Bound { min: 2, max: 100 },
			constitutional_timelock: Bound { min: 4, max: 200 },
			proposal_deposit: Bound { min: 1, max: 1_000_000 },
			epoch_length: Bound { min: 2, max: 1_000 },
			agent_deposit: Bound { min: 1, max: 1_000_000 },
			verification_period: Bound { min: 2, max: 10_000_000 },
			allows_insecure_keys: INSECURE_KEYS_ALLOWED.with(core::cell::Cell::get),
			..Constitution::Development.bounds()
		}
	}
}
