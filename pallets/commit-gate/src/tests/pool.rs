//! The transaction pool's check of submissions ([`crate::CheckPullRequest`]).

use polkadot_sdk::{
	frame_support::{assert_ok, weights::Weight},
	sp_runtime::{
		traits::{DispatchTransaction, TransactionExtension},
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
		DispatchError, ModuleError,
	},
};

use super::submit;
use crate::{mock::*, CheckPullRequest, Error};

fn module_error_index(error: Error<Test>) -> u8 {
	match DispatchError::from(error) {
		DispatchError::Module(ModuleError { error, .. }) => error[0],
		other => panic!("not a module error: {other:?}"),
	}
}

fn validate(
	who: polkadot_sdk::sp_runtime::AccountId32,
	call: RuntimeCall,
) -> Result<(), TransactionValidityError> {
	let info = polkadot_sdk::frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&call);
	CheckPullRequest::<Test>::new()
		.validate_only(RuntimeOrigin::signed(who), &call, &info, 0, TransactionSource::External, 0)
		.map(|_| ())
}

#[test]
fn the_pool_refuses_submissions_that_would_fail() {
	ExtBuilder::default().build_and_execute(|| {
		let submit_call = |group, call| {
			RuntimeCall::CommitGate(crate::Call::submit { group, call, summary: b"x".to_vec() })
		};
		assert_ok!(validate(bob(), submit_call(CITIZENS, remark(1))));
		assert_eq!(
			validate(ferdie(), submit_call(CITIZENS, remark(1))),
			Err(InvalidTransaction::Custom(module_error_index(Error::<Test>::NotAgent)).into())
		);
		submit(CITIZENS, remark(1));
		submit(CITIZENS, remark(2));
		assert_eq!(
			validate(bob(), submit_call(CITIZENS, remark(3))),
			Err(InvalidTransaction::Custom(module_error_index(Error::<Test>::AdmissionsExhausted))
				.into())
		);
		// Other calls pass through untouched.
		let withdraw = RuntimeCall::CommitGate(crate::Call::withdraw { id: 0 });
		assert_ok!(validate(ferdie(), withdraw.clone()));
		// The check weighs a submission's benchmark, a veto's two reads, and nothing otherwise.
		let ext = CheckPullRequest::<Test>::new();
		assert!(ext.weight(&submit_call(CITIZENS, remark(1))).ref_time() > 0);
		assert_eq!(
			ext.weight(&RuntimeCall::CommitGate(crate::Call::veto { id: 0 })),
			<<Test as polkadot_sdk::frame_system::Config>::DbWeight as polkadot_sdk::frame_support::traits::Get<
				polkadot_sdk::frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads(2)
		);
		assert_eq!(ext.weight(&withdraw), Weight::zero());
	});
}

/// Attack: vetoes are fee-free, so a verified member (or anyone) floods blocks with vetoes that
/// would fail. The pool refuses each before it takes block space, and holds one veto per person
/// and proposal.
#[test]
fn the_pool_refuses_vetoes_that_would_fail_and_tags_the_rest() {
	ExtBuilder::default().build_and_execute(|| {
		let veto = |id| RuntimeCall::CommitGate(crate::Call::veto { id });
		let refused = |error| Err(InvalidTransaction::Custom(module_error_index(error)).into());
		assert_eq!(validate(charlie(), veto(0)), refused(Error::<Test>::UnknownProposal));
		let id = submit(CITIZENS, remark(1));
		assert_eq!(validate(ferdie(), veto(id)), refused(Error::<Test>::NotVerifiedMember));
		let info =
			polkadot_sdk::frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&veto(id));
		let (valid, ..) = CheckPullRequest::<Test>::new()
			.validate_only(
				RuntimeOrigin::signed(charlie()),
				&veto(id),
				&info,
				0,
				TransactionSource::External,
				0,
			)
			.expect("a verified member's veto is valid");
		assert_eq!(valid.priority, crate::VETO_PRIORITY);
		assert_eq!(valid.provides.len(), 1, "tagged by proposal and vetoer");
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(validate(charlie(), veto(id)), refused(Error::<Test>::UnknownProposal));
	});
}

#[test]
fn a_veto_is_operational_and_fee_free() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		use polkadot_sdk::frame_support::dispatch::{DispatchClass, GetDispatchInfo, Pays};
		let id = submit(CITIZENS, remark(1));
		let call = crate::Call::<Test>::veto { id };
		assert_eq!(call.get_dispatch_info().class, DispatchClass::Operational);
		let post = CommitGate::veto(RuntimeOrigin::signed(charlie()), id).unwrap();
		assert_eq!(post.pays_fee, Pays::No);
	});
}
