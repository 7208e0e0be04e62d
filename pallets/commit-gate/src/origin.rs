//! How the rest of the runtime accepts the gate's decisions, and how it decides which calls a
//! proposal may carry.

use core::marker::PhantomData;
use polkadot_sdk::{
	frame_support::traits::{Contains, EnsureOrigin, Get, IsSubType},
	pallet_utility,
};
use teo_primitives::GroupId;

use crate::{Origin, ProposalId};

/// Accepts the origin of any committed proposal; yields `(id, group)`.
pub struct EnsureCommitted;

impl<O: Into<Result<Origin, O>> + From<Origin>> EnsureOrigin<O> for EnsureCommitted {
	type Success = (ProposalId, GroupId);

	fn try_origin(o: O) -> Result<Self::Success, O> {
		o.into().map(|Origin::Committed { id, group }| (id, group))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(Origin::Committed { id: 0, group: 0 }))
	}
}

/// Accepts the origin of a proposal committed for group `G` only: the members of `G` are the
/// ones who could have vetoed it. Yields the proposal's id.
pub struct EnsureCommittedBy<G>(PhantomData<G>);

impl<O: Into<Result<Origin, O>> + From<Origin>, G: Get<GroupId>> EnsureOrigin<O>
	for EnsureCommittedBy<G>
{
	type Success = ProposalId;

	fn try_origin(o: O) -> Result<Self::Success, O> {
		match o.into() {
			Ok(Origin::Committed { id, group }) if group == G::get() => Ok(id),
			Ok(other) => Err(O::from(other)),
			Err(o) => Err(o),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(Origin::Committed { id: 0, group: G::get() }))
	}
}

/// Finds the calls inside a batch call ([`UtilityBatches`] does it for `pallet-utility`).
pub trait BatchInspect<Call> {
	/// The calls `call` dispatches, if it is a batch.
	fn batched(call: &Call) -> Option<&[Call]>;
}

/// How deep [`WithBatches`] looks into nested batches; deeper nesting is refused.
pub const MAX_BATCH_DEPTH: u32 = 4;

/// A proposal filter: `Allowed` must contain a call, and every call inside a batch, at any
/// depth up to [`MAX_BATCH_DEPTH`]. A batch itself is allowed when all its calls are.
pub struct WithBatches<Allowed, Batches>(PhantomData<(Allowed, Batches)>);

impl<Call, Allowed: Contains<Call>, Batches: BatchInspect<Call>> Contains<Call>
	for WithBatches<Allowed, Batches>
{
	fn contains(call: &Call) -> bool {
		fn allows<Call, Allowed: Contains<Call>, Batches: BatchInspect<Call>>(
			call: &Call,
			depth: u32,
		) -> bool {
			match Batches::batched(call) {
				Some(calls) => {
					depth < MAX_BATCH_DEPTH
						&& calls
							.iter()
							.all(|inner| allows::<Call, Allowed, Batches>(inner, depth + 1))
				},
				None => Allowed::contains(call),
			}
		}
		allows::<Call, Allowed, Batches>(call, 0)
	}
}

/// The runtime call of a runtime `T` with the utility pallet.
type UtilityRuntimeCall<T> = <T as pallet_utility::Config>::RuntimeCall;

/// [`BatchInspect`] for `pallet-utility`: the calls of `batch`, `batch_all` and `force_batch`.
/// A runtime `R` with the utility pallet filters proposals with
/// `WithBatches<Allowed, UtilityBatches<R>>`. The utility pallet's other wrappers
/// (`as_derivative`, `dispatch_as`, ...) are not batches: `Allowed` decides on them whole.
pub struct UtilityBatches<T>(PhantomData<T>);

impl<T: pallet_utility::Config> BatchInspect<UtilityRuntimeCall<T>> for UtilityBatches<T> {
	fn batched(call: &UtilityRuntimeCall<T>) -> Option<&[UtilityRuntimeCall<T>]> {
		match <UtilityRuntimeCall<T> as IsSubType<pallet_utility::Call<T>>>::is_sub_type(call)? {
			pallet_utility::Call::batch { calls }
			| pallet_utility::Call::batch_all { calls }
			| pallet_utility::Call::force_batch { calls } => Some(calls.as_slice()),
			_ => None,
		}
	}
}
