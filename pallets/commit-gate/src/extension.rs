//! [`CheckPullRequest`]: submissions and vetoes are checked in the transaction pool, so a flood
//! of pull requests that would fail (not an agent, no budget, the group's cap reached, a
//! forbidden call, a summary too long) never fills a block, and neither do fee-free vetoes that
//! would fail (not a member, already vetoed, the window closed).
//!
//! It also refuses every general (version 5) transaction, whatever its call: none is authorized,
//! and our clients cannot decode a block that holds one.
//!
//! The extension runs [`Pallet::check_submission`] when a `submit` transaction is validated,
//! and [`Pallet::check_veto`] for a `veto` (tagged by proposal and vetoer, so the pool holds one
//! veto per person and proposal), and refuses a failing one with
//! `InvalidTransaction::Custom(index)`, where `index` is the
//! index of the gate's error (`NotAgent`, `AdmissionsExhausted`, ...), so clients can name it
//! from the metadata. It carries no data: clients sign exactly as before. A submission nested
//! inside another call (a batch, a proxy) is checked when it is dispatched, as usual.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use polkadot_sdk::{
	frame_support::{
		dispatch::DispatchInfo,
		pallet_prelude::TransactionSource,
		traits::{Get, IsSubType},
		DefaultNoBound,
	},
	sp_runtime::{
		impl_tx_ext_default,
		traits::{
			AsSystemOriginSigner, DispatchInfoOf, Dispatchable, TransactionExtension,
			ValidateResult,
		},
		transaction_validity::{InvalidTransaction, TransactionPriority, ValidTransaction},
		SaturatedConversion, Weight,
	},
};
use scale_info::TypeInfo;
use teo_primitives::AccountId;

use crate::{Call, Config, Error, Pallet, WeightInfo};

/// The pool priority of a valid veto, on top of the operational class's: a veto must reach a
/// block before the window closes, whatever else is waiting.
pub const VETO_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

/// Checks pull-request submissions at validation; see the module docs.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckPullRequest<T>(PhantomData<T>);

impl<T> CheckPullRequest<T> {
	/// The extension.
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckPullRequest<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckPullRequest")
	}
}

/// The pool's error for a failed check: the gate's error index.
pub(crate) fn invalid<T: Config>(error: Error<T>) -> InvalidTransaction {
	match polkadot_sdk::sp_runtime::DispatchError::from(error) {
		polkadot_sdk::sp_runtime::DispatchError::Module(module) => {
			InvalidTransaction::Custom(module.error[0])
		},
		_ => InvalidTransaction::Call,
	}
}

impl<T: Config + Send + Sync>
	TransactionExtension<<T as polkadot_sdk::frame_system::Config>::RuntimeCall>
	for CheckPullRequest<T>
where
	<T as polkadot_sdk::frame_system::Config>::RuntimeCall:
		IsSubType<Call<T>> + Dispatchable<Info = DispatchInfo>,
	<<T as polkadot_sdk::frame_system::Config>::RuntimeCall as Dispatchable>::RuntimeOrigin:
		AsSystemOriginSigner<AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckPullRequest";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &<T as polkadot_sdk::frame_system::Config>::RuntimeCall) -> Weight {
		match call.is_sub_type() {
			Some(Call::submit { call, summary, .. }) => T::WeightInfo::check_submission(
				codec::Encode::encoded_size(call).saturated_into(),
				summary.len().saturated_into(),
			),
			// The veto's checks: the proposal and the vetoer's verification.
			Some(Call::veto { .. }) => {
				<T as polkadot_sdk::frame_system::Config>::DbWeight::get().reads(2)
			},
			_ => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: <<T as polkadot_sdk::frame_system::Config>::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &<T as polkadot_sdk::frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as polkadot_sdk::frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as polkadot_sdk::frame_system::Config>::RuntimeCall> {
		let Some(signer) = origin.as_system_origin_signer() else {
			// No signer here means a general (version 5) transaction: bare ones and inherents
			// take `bare_validate`. FRAME refuses one whose origin nothing authorized
			// (`UnknownOrigin`); this refuses it by name, whatever a later extension or
			// `#[pallet::authorize]` would make of it: @polkadot/api cannot decode a block that
			// holds one (docs/COMMIT-GATE.md, "The anonymous veto's transaction"). Import runs
			// this check too, so a block author cannot insert one either.
			return Err(InvalidTransaction::Call.into());
		};
		let valid = match call.is_sub_type() {
			Some(Call::submit { group, call: proposed, summary }) => {
				Pallet::<T>::check_submission(signer, *group, proposed, summary)
					.map_err(invalid::<T>)?;
				ValidTransaction::default()
			},
			Some(Call::veto { id }) => {
				Pallet::<T>::check_veto(signer, *id).map_err(invalid::<T>)?;
				// One veto per person and proposal in the pool: a second one would fail.
				ValidTransaction::with_tag_prefix("TeoVeto")
					.priority(VETO_PRIORITY)
					.and_provides((*id, signer.clone()))
					.propagate(true)
					.build()?
			},
			_ => ValidTransaction::default(),
		};
		Ok((valid, (), origin))
	}

	impl_tx_ext_default!(<T as polkadot_sdk::frame_system::Config>::RuntimeCall; prepare);
}
