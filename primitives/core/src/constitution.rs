//! The constitution: hard bounds on every protocol parameter, compiled into the runtime.
//!
//! Governance changes parameters with committed proposals; the constitution is what no
//! proposal can change. A proposal that would set a parameter outside its bounds is refused at
//! submission (and again when it would run), so one proposal that survives one veto window can
//! never shorten every later window, zero the human bandwidth or price agents out.
//!
//! A chain picks one constitution at genesis ([`Constitution`]) and keeps it: only a runtime
//! upgrade, itself a constitutional proposal, can change the bounds. Dev and local chains use
//! [`Constitution::Development`], with bounds short enough for tests; the production preset
//! uses [`Constitution::Production`], the seed's figures. A public test network or a launch
//! rehearsal uses [`Constitution::Testnet`]: the development timings, but real keys only.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::Perbill;
use scale_info::TypeInfo;

use crate::{time::DAYS, token::UNIT, Balance, BlockNumber, EpochIndex};

/// The most pull requests any group may admit per epoch, under every constitution: the bound
/// of the per-epoch admission records.
pub const MAX_ADMISSIONS_PER_EPOCH: u32 = 64;

/// An inclusive range a parameter must stay in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Bound<T> {
	/// The smallest value allowed.
	pub min: T,
	/// The largest value allowed.
	pub max: T,
}

impl<T: PartialOrd> Bound<T> {
	/// Whether `value` lies within the bound.
	pub fn contains(&self, value: &T) -> bool {
		&self.min <= value && value <= &self.max
	}
}

/// The bounds of every protocol parameter under one constitution.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Bounds {
	/// Blocks an ordinary proposal waits for vetoes (the seed's 7 days in production).
	pub timelock: Bound<BlockNumber>,
	/// Blocks a proposal that changes the rules waits (the seed's 14 days in production). Never
	/// shorter than the ordinary timelock in force.
	pub constitutional_timelock: Bound<BlockNumber>,
	/// The deposit a pending proposal holds.
	pub proposal_deposit: Bound<Balance>,
	/// Blocks in an action-budget epoch.
	pub epoch_length: Bound<BlockNumber>,
	/// Pull requests a group admits per epoch: the human bandwidth, never zero.
	pub admissions_per_epoch: Bound<u32>,
	/// The share of a group's admissions in one epoch that one person's agents may take
	/// together.
	pub person_admission_share: Bound<Perbill>,
	/// The deposit a sponsor holds per agent.
	pub agent_deposit: Bound<Balance>,
	/// Epochs an agent (and its sponsor's other agents) stay penalised after an offence.
	pub penalty_epochs: Bound<EpochIndex>,
	/// The share of its allowance a penalised agent keeps: a penalty must cost something.
	pub penalty_allowance: Bound<Perbill>,
	/// Epochs between an agent's deregistration and the release of its deposit.
	pub unbonding_epochs: Bound<EpochIndex>,
	/// The share of an agent's bond slashed for one proven fraud.
	pub fraud_slash: Bound<Perbill>,
	/// The share of a slash paid to the reporter.
	pub reporter_share: Bound<Perbill>,
	/// Blocks in a personhood verification period.
	pub verification_period: Bound<BlockNumber>,
	/// Whether verifying keys anyone can regenerate (the dev key) are accepted.
	pub allows_insecure_keys: bool,
}

/// The constitution a chain was born with. Stored at genesis, changed by nothing but a runtime
/// upgrade.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Constitution {
	/// A network of real people: the seed's timings. The default, so that a genesis that forgets
	/// to choose gets the strict bounds.
	#[default]
	Production,
	/// Dev and local test chains: the same rules with timings that fit in a test, and the
	/// insecure dev verifying key allowed.
	Development,
	/// A public test network, or the rehearsal of a launch: the development timings, so that a
	/// whole governance cycle fits in minutes, with the production's refusal of insecure keys,
	/// because its citizens are real people whom forged "humans" could outvote.
	Testnet,
}

/// A minute's worth of 6-second blocks.
const MINUTE: BlockNumber = crate::time::MINUTES;

impl Constitution {
	/// Every constitution, in the order of their encoding.
	pub const ALL: [Self; 3] = [Self::Production, Self::Development, Self::Testnet];

	/// Blocks per session: how often the validator set may change. A validator added or
	/// removed by the citizens takes part from the session after the next one. An hour in
	/// production; half a minute on dev and test chains, so that a rotation fits in a test.
	pub const fn session_length(self) -> BlockNumber {
		match self {
			Self::Production => crate::time::HOURS,
			Self::Development | Self::Testnet => 5,
		}
	}

	/// The bounds this constitution sets.
	pub const fn bounds(self) -> Bounds {
		match self {
			Self::Production => Bounds {
				timelock: Bound { min: 7 * DAYS, max: 30 * DAYS },
				constitutional_timelock: Bound { min: 14 * DAYS, max: 60 * DAYS },
				proposal_deposit: Bound { min: UNIT, max: 100_000 * UNIT },
				epoch_length: Bound { min: 10 * MINUTE, max: DAYS },
				admissions_per_epoch: Bound { min: 1, max: MAX_ADMISSIONS_PER_EPOCH },
				person_admission_share: Bound {
					min: Perbill::from_percent(10),
					max: Perbill::from_percent(100),
				},
				agent_deposit: Bound { min: UNIT, max: 100_000 * UNIT },
				penalty_epochs: Bound { min: 1, max: 10_000 },
				penalty_allowance: Bound { min: Perbill::zero(), max: Perbill::from_percent(50) },
				unbonding_epochs: Bound { min: 2, max: 10_000 },
				fraud_slash: Bound { min: Perbill::from_percent(10), max: Perbill::one() },
				reporter_share: Bound { min: Perbill::zero(), max: Perbill::from_percent(50) },
				verification_period: Bound { min: DAYS, max: 366 * DAYS },
				allows_insecure_keys: false,
			},
			Self::Development => Bounds {
				timelock: Bound { min: 5, max: DAYS },
				constitutional_timelock: Bound { min: 5, max: 2 * DAYS },
				proposal_deposit: Bound { min: UNIT, max: 100_000 * UNIT },
				epoch_length: Bound { min: 5, max: DAYS },
				admissions_per_epoch: Bound { min: 1, max: MAX_ADMISSIONS_PER_EPOCH },
				person_admission_share: Bound {
					min: Perbill::from_percent(10),
					max: Perbill::from_percent(100),
				},
				agent_deposit: Bound { min: UNIT, max: 100_000 * UNIT },
				penalty_epochs: Bound { min: 1, max: 10_000 },
				penalty_allowance: Bound { min: Perbill::zero(), max: Perbill::from_percent(50) },
				unbonding_epochs: Bound { min: 2, max: 10_000 },
				fraud_slash: Bound { min: Perbill::from_percent(10), max: Perbill::one() },
				reporter_share: Bound { min: Perbill::zero(), max: Perbill::from_percent(50) },
				verification_period: Bound { min: 100, max: 366 * DAYS },
				allows_insecure_keys: true,
			},
			Self::Testnet => Bounds { allows_insecure_keys: false, ..Self::Development.bounds() },
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn production_holds_the_seeds_timings() {
		let bounds = Constitution::Production.bounds();
		assert_eq!(bounds.timelock.min, 7 * DAYS, "seven days to veto an ordinary proposal");
		assert_eq!(bounds.constitutional_timelock.min, 14 * DAYS, "fourteen to veto a rule");
		assert_eq!(bounds.verification_period.min, DAYS);
		assert!(!bounds.allows_insecure_keys);
	}

	#[test]
	fn every_bound_is_a_non_empty_range_that_keeps_the_human_bandwidth() {
		for constitution in Constitution::ALL {
			let b = constitution.bounds();
			assert!(b.timelock.min > 0 && b.timelock.min <= b.timelock.max);
			assert!(b.constitutional_timelock.min >= b.timelock.min);
			assert!(b.constitutional_timelock.min <= b.constitutional_timelock.max);
			assert!(b.proposal_deposit.min > 0 && b.proposal_deposit.min <= b.proposal_deposit.max);
			assert!(b.epoch_length.min > 0 && b.epoch_length.min <= b.epoch_length.max);
			assert!(b.admissions_per_epoch.min >= 1);
			assert!(!b.person_admission_share.min.is_zero());
			assert!(b.agent_deposit.min > 0);
			assert!(b.penalty_epochs.min >= 1);
			assert!(b.penalty_allowance.max < Perbill::one(), "a penalty always costs something");
			assert!(!b.fraud_slash.min.is_zero(), "a proven fraud always costs something");
			assert!(b.verification_period.min > 0);
		}
	}

	#[test]
	fn only_development_chains_accept_insecure_keys() {
		for constitution in Constitution::ALL {
			assert_eq!(
				constitution.bounds().allows_insecure_keys,
				constitution == Constitution::Development,
				"{constitution:?}"
			);
		}
	}

	#[test]
	fn a_bound_includes_both_ends() {
		let bound = Bound { min: 3u32, max: 5 };
		assert!(!bound.contains(&2));
		assert!(bound.contains(&3) && bound.contains(&5));
		assert!(!bound.contains(&6));
	}
}
