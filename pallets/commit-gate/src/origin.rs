//! How the rest of the runtime accepts the gate's decisions: the origins of committed proposals.

use core::marker::PhantomData;
use polkadot_sdk::frame_support::traits::{EnsureOrigin, Get};
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
