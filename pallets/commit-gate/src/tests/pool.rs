//! The transaction pool's check of submissions ([`crate::CheckPullRequest`]).

use polkadot_sdk::{
	frame_support::{assert_ok, weights::Weight},
	sp_runtime::{
		traits::{DispatchTransaction, TransactionExtension},
		transaction_validity::{
			InvalidTransaction, TransactionSource, TransactionValidity, TransactionValidityError,
		},
		DispatchError, ModuleError,
	},
};

use super::{anonymous_veto, submit};
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
fn vetoes_are_operational_and_fee_free() {
	ExtBuilder::default().build_and_execute(|| {
		use polkadot_sdk::frame_support::dispatch::{DispatchClass, GetDispatchInfo, Pays};
		let id = submit(CITIZENS, remark(1));
		for call in [
			crate::Call::<Test>::veto { id },
			crate::Call::<Test>::veto_anonymously { id, veto: anonymous_veto(id, 1) },
		] {
			let info = call.get_dispatch_info();
			assert_eq!((info.class, info.pays_fee), (DispatchClass::Operational, Pays::No));
		}
	});
}

// `ValidateUnsigned` is deprecated in favour of `#[pallet::authorize]` (docs/COMMIT-GATE.md).
#[allow(deprecated)]
fn validate_bare(call: crate::Call<Test>) -> TransactionValidity {
	use polkadot_sdk::sp_runtime::traits::ValidateUnsigned;
	CommitGate::validate_unsigned(TransactionSource::External, &call)
}

#[allow(deprecated)]
fn pre_dispatch_bare(call: crate::Call<Test>) -> Result<(), TransactionValidityError> {
	use polkadot_sdk::sp_runtime::traits::ValidateUnsigned;
	CommitGate::pre_dispatch(&call)
}

/// Attack: anonymous vetoes are free and need no account, so anyone floods the pool with vetoes
/// that would fail, or with copies of one valid veto re-randomised into other bytes (Groth16
/// proofs are malleable: each copy has another transaction hash). The pool refuses each failing
/// veto with the gate's error, and tags a valid one by proposal and nullifier, so every copy
/// competes for one place.
#[test]
fn the_pool_refuses_anonymous_vetoes_that_would_fail_and_tags_the_nullifier() {
	ExtBuilder::default().veto_threshold(2).build_and_execute(|| {
		let refused = |error| Err(InvalidTransaction::Custom(module_error_index(error)).into());
		let id = submit(TOWN, remark(1));
		let veto = anonymous_veto(id, 1);
		let call = |veto: &crate::AnonymousVeto| crate::Call::<Test>::veto_anonymously {
			id,
			veto: veto.clone(),
		};
		let valid = validate_bare(call(&veto)).expect("a member's veto is valid");
		assert_eq!(valid.priority, crate::VETO_PRIORITY);
		assert_eq!(valid.longevity, u64::from(TIMELOCK), "valid while the window is open");
		// Another encoding of the same person's veto provides the same tag.
		let mut copy = veto.clone();
		copy.proof.a[0] ^= 1;
		People::sign(TOWN, copy.nullifier, teo_zk::semaphore::VETO_MESSAGE, {
			let genesis: [u8; 32] = teo_pallet_support::genesis_hash::<Test>().into();
			let hash = crate::Proposals::<Test>::get(id).unwrap().call_hash;
			teo_zk::semaphore::veto_scope(&genesis, id, hash.as_fixed_bytes())
		});
		assert_eq!(validate_bare(call(&copy)).unwrap().provides, valid.provides);
		let mut stale = veto.clone();
		stale.root = People::STALE_ROOT;
		assert_eq!(validate_bare(call(&stale)), refused(Error::<Test>::ExpiredRoot));
		let other = submit(TOWN, remark(2));
		assert_eq!(
			validate_bare(crate::Call::<Test>::veto_anonymously { id: other, veto: veto.clone() }),
			refused(Error::<Test>::InvalidVetoProof)
		);
		assert_ok!(CommitGate::veto_anonymously(RuntimeOrigin::none(), id, veto.clone()));
		assert_eq!(validate_bare(call(&veto)), refused(Error::<Test>::NullifierAlreadyUsed));
		// Block building drops a second veto with a counted nullifier before applying it.
		assert_eq!(
			pre_dispatch_bare(call(&copy)),
			Err(InvalidTransaction::Custom(module_error_index(
				Error::<Test>::NullifierAlreadyUsed
			))
			.into())
		);
		// No other call is accepted without a signature.
		assert_eq!(
			validate_bare(crate::Call::<Test>::veto { id }),
			Err(InvalidTransaction::Call.into())
		);
		run_to_block(u64::from(1 + TIMELOCK));
		assert_eq!(validate_bare(call(&veto)), refused(Error::<Test>::UnknownProposal));
	});
}
