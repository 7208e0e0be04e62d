//! Which calls a proposal may carry, for which group, and how long it waits.
//!
//! The runtime decides, through [`ProposalPolicy`]: a call is refused, or admitted as ordinary
//! (the ordinary timelock) or constitutional (a change of the rules: the longer, constitutional
//! timelock). The gate asks at submission, and asks again when the timelock ends, so that a
//! proposal whose call a runtime upgrade has since forbidden or reinterpreted never runs.
//!
//! Powers belong to groups: a call that uses the protocol's powers must be proposed for the
//! citizens' group, so that every citizen can veto it; choosing a tiny, friendly group buys
//! nothing ([`Refusal::WrongGroup`]).

use core::marker::PhantomData;
use polkadot_sdk::{frame_support::traits::IsSubType, pallet_utility};
use teo_primitives::GroupId;

/// How long a proposal waits for vetoes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum ProposalClass {
	/// An ordinary decision: the ordinary timelock.
	Ordinary,
	/// A change of the rules themselves (parameters, verifying keys, the runtime code): the
	/// constitutional timelock.
	Constitutional,
}

/// Why a call may not be proposed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refusal {
	/// Proposals never carry this call.
	Forbidden,
	/// The call uses powers of another group than the one the proposal is for.
	WrongGroup,
	/// The call would cross the chain's constitution (for example, a timelock below its floor).
	Unconstitutional,
}

/// The runtime's rules for what a proposal of a group may carry.
pub trait ProposalPolicy<Call> {
	/// How `call`, proposed for `group`, is treated.
	fn classify(group: GroupId, call: &Call) -> Result<ProposalClass, Refusal>;
}

/// Finds the calls inside a batch call ([`UtilityBatches`] does it for `pallet-utility`).
pub trait BatchInspect<Call> {
	/// The calls `call` dispatches all or nothing, if it is such a batch.
	fn batched(call: &Call) -> Option<&[Call]>;
}

/// How deep [`WithBatches`] looks into nested batches; deeper nesting is refused.
pub const MAX_BATCH_DEPTH: u32 = 4;

/// A policy that also classifies batches: a batch is refused if any call inside it is (at any
/// depth up to [`MAX_BATCH_DEPTH`]), and is constitutional if any call inside it is.
pub struct WithBatches<Policy, Batches>(PhantomData<(Policy, Batches)>);

impl<Call, Policy: ProposalPolicy<Call>, Batches: BatchInspect<Call>> ProposalPolicy<Call>
	for WithBatches<Policy, Batches>
{
	fn classify(group: GroupId, call: &Call) -> Result<ProposalClass, Refusal> {
		fn classify_at<Call, Policy: ProposalPolicy<Call>, Batches: BatchInspect<Call>>(
			group: GroupId,
			call: &Call,
			depth: u32,
		) -> Result<ProposalClass, Refusal> {
			let Some(calls) = Batches::batched(call) else {
				return Policy::classify(group, call);
			};
			if depth >= MAX_BATCH_DEPTH {
				return Err(Refusal::Forbidden);
			}
			calls.iter().try_fold(ProposalClass::Ordinary, |class, inner| {
				Ok(class.max(classify_at::<Call, Policy, Batches>(group, inner, depth + 1)?))
			})
		}
		classify_at::<Call, Policy, Batches>(group, call, 0)
	}
}

/// The runtime call of a runtime `T` with the utility pallet.
type UtilityRuntimeCall<T> = <T as pallet_utility::Config>::RuntimeCall;

/// [`BatchInspect`] for `pallet-utility`: the calls of `batch_all`, the one batch that runs all
/// or nothing. `batch` (which stops at the first failure and still succeeds) and `force_batch`
/// (which skips failures) are not batches here: the policy decides on them whole, and the
/// runtime's refuses them, so that a half-failed proposal can never count as a success. The
/// utility pallet's other wrappers (`as_derivative`, `dispatch_as`, ...) are not batches either.
pub struct UtilityBatches<T>(PhantomData<T>);

impl<T: pallet_utility::Config> BatchInspect<UtilityRuntimeCall<T>> for UtilityBatches<T> {
	fn batched(call: &UtilityRuntimeCall<T>) -> Option<&[UtilityRuntimeCall<T>]> {
		match <UtilityRuntimeCall<T> as IsSubType<pallet_utility::Call<T>>>::is_sub_type(call)? {
			pallet_utility::Call::batch_all { calls } => Some(calls.as_slice()),
			_ => None,
		}
	}
}
