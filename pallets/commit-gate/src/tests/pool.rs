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
		assert_ok!(validate(ferdie(), RuntimeCall::CommitGate(crate::Call::veto { id: 0 })));
		// The check weighs something for a submission and nothing otherwise.
		let ext = CheckPullRequest::<Test>::new();
		assert!(ext.weight(&submit_call(CITIZENS, remark(1))).ref_time() > 0);
		assert_eq!(
			ext.weight(&RuntimeCall::CommitGate(crate::Call::veto { id: 0 })),
			Weight::zero()
		);
	});
}
