//! The weights of the ways a call can end, in one place (after referenda's `branch.rs`): a call
//! is charged its heaviest branch up front and refunded down to the branch it took.

use polkadot_sdk::frame_support::{traits::Get, weights::Weight};

use crate::{Config, WeightInfo};

/// Every branch a call with a weight refund can end in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CallBranch {
	/// `veto` counted a veto; the tally is still below the threshold.
	VetoTallied,
	/// `veto` reached the threshold and killed the proposal.
	VetoKilled,
	/// `enact` committed a proposal whose encoded call is `call_len` bytes long and which used
	/// `call_weight` when it ran.
	Enacted { call_len: u32, call_weight: Weight },
}

impl CallBranch {
	/// The weight the call used when it took this branch.
	pub(crate) fn weight<T: Config>(self) -> Weight {
		match self {
			Self::VetoTallied => T::WeightInfo::veto(),
			Self::VetoKilled => T::WeightInfo::veto_and_kill(),
			Self::Enacted { call_len, call_weight } => {
				T::WeightInfo::enact(call_len).saturating_add(call_weight)
			},
		}
	}

	/// What `veto` is charged up front: its heavier branch.
	pub(crate) fn max_veto_weight<T: Config>() -> Weight {
		T::WeightInfo::veto().max(T::WeightInfo::veto_and_kill())
	}

	/// What `enact` is charged up front: the largest call at the heaviest weight a proposal may
	/// carry.
	pub(crate) fn max_enact_weight<T: Config>() -> Weight {
		T::WeightInfo::enact(T::MaxCallSize::get()).saturating_add(T::MaxCommitWeight::get())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::{ExtBuilder, Test};

	#[test]
	fn each_branch_weighs_what_its_benchmark_measured() {
		type W = <Test as Config>::WeightInfo;
		assert_eq!(CallBranch::VetoTallied.weight::<Test>(), W::veto());
		assert_eq!(CallBranch::VetoKilled.weight::<Test>(), W::veto_and_kill());
		let call_weight = Weight::from_parts(1_000, 10);
		assert_eq!(
			CallBranch::Enacted { call_len: 40, call_weight }.weight::<Test>(),
			W::enact(40) + call_weight
		);
	}

	#[test]
	fn the_up_front_charge_covers_every_branch() {
		let max_veto = CallBranch::max_veto_weight::<Test>();
		for branch in [CallBranch::VetoTallied, CallBranch::VetoKilled] {
			assert!(branch.weight::<Test>().all_lte(max_veto));
		}
		// The mock's commit budget is a storage parameter: it needs externalities.
		ExtBuilder::default().build().execute_with(|| {
			let max_call_len = <Test as Config>::MaxCallSize::get();
			let heaviest = <Test as Config>::MaxCommitWeight::get();
			let enacted = CallBranch::Enacted { call_len: max_call_len, call_weight: heaviest };
			assert_eq!(enacted.weight::<Test>(), CallBranch::max_enact_weight::<Test>());
		});
	}
}
