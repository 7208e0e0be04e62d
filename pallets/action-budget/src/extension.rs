//! [`CheckFraudReport`]: fraud reports are checked in the transaction pool, so invalid and
//! duplicate reports never reach a block.
//!
//! A valid report costs its sender no fee, so without this check anyone could fill blocks with
//! reports that fail. The extension runs the report's own checks (conflict or overspend, the
//! evidence window, one punishment per agent and epoch, both signatures) when the transaction is
//! validated, refuses it with `InvalidTransaction::Custom(error index)` if they fail, and tags a
//! valid one with (agent, epoch) so the pool keeps only one report per offence. It carries no
//! data: clients sign exactly as before.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use polkadot_sdk::{
	frame_support::{
		dispatch::DispatchInfo, pallet_prelude::TransactionSource, traits::IsSubType,
		DefaultNoBound,
	},
	sp_runtime::{
		impl_tx_ext_default,
		traits::{
			AsSystemOriginSigner, DispatchInfoOf, Dispatchable, TransactionExtension,
			ValidateResult,
		},
		transaction_validity::{InvalidTransaction, TransactionPriority, ValidTransaction},
		DispatchError, Weight,
	},
};
use scale_info::TypeInfo;

use teo_primitives::AccountId;

use crate::{Call, Config, Pallet, WeightInfo};

/// Priority of a valid fraud report in the pool: above ordinary transactions, so that proven
/// cheating is punished while the evidence is fresh.
pub const FRAUD_REPORT_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

/// Checks fraud reports at validation; see the module docs.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckFraudReport<T>(PhantomData<T>);

impl<T> CheckFraudReport<T> {
	/// The extension.
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckFraudReport<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckFraudReport")
	}
}

/// The pool's error for a failed check: the pallet error's index, so clients can name it.
fn invalid(error: DispatchError) -> InvalidTransaction {
	match error {
		DispatchError::Module(module) => InvalidTransaction::Custom(module.error[0]),
		_ => InvalidTransaction::Call,
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckFraudReport<T>
where
	T::RuntimeCall: IsSubType<Call<T>> + Dispatchable<Info = DispatchInfo>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckFraudReport";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		// The check alone: the call's own weight (which checks again) is charged by the call.
		match call.is_sub_type() {
			Some(Call::report_equivocation { .. }) => T::WeightInfo::check_equivocation_report(),
			Some(Call::report_overspend { .. }) => T::WeightInfo::check_overspend_report(),
			_ => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: <T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let Some(reporter) = origin.as_system_origin_signer() else {
			// Not a signed report: the call refuses it by its origin.
			return Ok((ValidTransaction::default(), (), origin));
		};
		let offence = match call.is_sub_type() {
			Some(Call::report_equivocation { first, second }) => {
				Pallet::<T>::check_equivocation(reporter, first, second).map_err(invalid)?;
				(first.header.agent.clone(), first.header.epoch)
			},
			Some(Call::report_overspend { header }) => {
				Pallet::<T>::check_overspend(reporter, header).map_err(invalid)?;
				(header.header.agent.clone(), header.header.epoch)
			},
			_ => return Ok((ValidTransaction::default(), (), origin)),
		};
		let valid = ValidTransaction::with_tag_prefix("TeoFraudReport")
			.priority(FRAUD_REPORT_PRIORITY)
			.and_provides(offence)
			.longevity(64)
			.propagate(true)
			.build()?;
		Ok((valid, (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
