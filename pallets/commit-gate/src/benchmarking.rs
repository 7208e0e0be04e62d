//! Benchmarks of the gate, each in its worst case: the queue one short of full, the largest
//! call (a `batch_all` of as many small calls as fit, each looked into by the policy) and
//! summary, the sponsor (one read more than the proposer) withdrawing, a commit that forgets
//! the oldest of the recent commits.

use alloc::{boxed::Box, vec, vec::Vec};
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get, Hooks,
	},
	frame_system::{self, RawOrigin},
	pallet_utility,
	sp_runtime::SaturatedConversion,
};
use teo_primitives::{personhood::MembershipProof, AccountId, BlockNumber, GroupId};

use crate::*;

/// Makes the accounts the benchmarks need, through the runtime's real pallets.
pub trait BenchmarkHelper {
	/// Makes `who` a verified member of `group` for the rest of the benchmark.
	fn make_member(who: &AccountId, group: GroupId);
	/// Registers `agent` as an active agent with a fresh budget, its sponsor's list of agents
	/// full (a veto penalises every agent of the sponsor).
	fn make_agent(agent: &AccountId);
	/// The encoding of the costliest call a proposal may carry in at most `len` bytes (at least
	/// 8): the one whose checks, at submission and again at commit, take longest ([`batch_of`]).
	fn costliest_call(len: u32) -> Vec<u8>;
}

const GROUP: GroupId = 0;

/// A `batch_all` of as many copies of `item` as fit in `len` encoded bytes, for
/// [`BenchmarkHelper::costliest_call`] in runtimes with the utility pallet: every copy is
/// classified by [`WithBatches`] at submission and again at commit, so the costliest call is a
/// batch of the smallest call that is costliest to classify (an empty remark in the mock; in
/// TEO's runtime a verification period, checked against the constitution in storage).
pub fn batch_of<R>(len: u32, item: <R as pallet_utility::Config>::RuntimeCall) -> Vec<u8>
where
	R: pallet_utility::Config,
	<R as frame_system::Config>::RuntimeCall: From<pallet_utility::Call<R>>,
{
	let batch = |n: usize| -> Vec<u8> {
		let calls = vec![item.clone(); n];
		<R as frame_system::Config>::RuntimeCall::from(pallet_utility::Call::<R>::batch_all {
			calls,
		})
		.encode()
	};
	let mut n = (len as usize).div_ceil(item.encoded_size().max(1));
	let mut encoded = batch(n);
	while encoded.len() > len as usize && n > 0 {
		n -= 1;
		encoded = batch(n);
	}
	encoded
}

/// The agent, funded and registered; a member of `GROUP` exists so proposals have vetoers.
fn agent<T: Config>() -> AccountId {
	let agent: AccountId = account("agent", 0, 0);
	T::Currency::set_balance(&agent, 1_000_000_000_000_000_000);
	T::BenchmarkHelper::make_agent(&agent);
	T::BenchmarkHelper::make_member(&account("member", 0, 0), GROUP);
	agent
}

/// The costliest call proposals may carry in `len` bytes (within a few bytes).
fn call_of_len<T: Config>(len: u32) -> Box<<T as Config>::RuntimeCall> {
	let encoded = T::BenchmarkHelper::costliest_call(len);
	Box::new(Decode::decode(&mut &encoded[..]).expect("the helper encodes a call"))
}

/// Fills the queue with entries that unlock after everything else, up to one short of full.
fn fill_queue<T: Config>() {
	let mut queue = Queue::<T>::get();
	let far = BlockNumber::MAX;
	let mut id = ProposalId::MAX;
	while (queue.len() as u32) < T::MaxPending::get().saturating_sub(1) {
		queue.try_insert(queue.len(), (far, id)).expect("below the bound");
		id -= 1;
	}
	Queue::<T>::put(queue);
}

/// Fills the recent commits, so the next commit forgets the oldest; returns the commit count.
fn fill_commit_history<T: Config>() -> u64 {
	let kept = u64::from(T::CommitHistory::get());
	for index in 0..kept {
		let commit = Commit {
			index,
			id: index.saturated_into(),
			group: GROUP,
			call_hash: Default::default(),
			succeeded: true,
			block: 0,
			root: Default::default(),
		};
		RecentCommits::<T>::insert(index, commit);
	}
	CommitCount::<T>::put(kept);
	kept
}

fn set_threshold<T: Config>(veto_threshold: u32) {
	Parameters::<T>::mutate(|p| p.as_mut().expect("configured").veto_threshold = veto_threshold);
}

/// Submits a proposal carrying a call of `len` bytes; returns its id.
fn submitted<T: Config>(proposer: &AccountId, len: u32) -> ProposalId {
	let id = NextProposalId::<T>::get();
	Pallet::<T>::submit(
		RawOrigin::Signed(proposer.clone()).into(),
		GROUP,
		call_of_len::<T>(len),
		vec![b'a'; T::MaxSummaryLength::get() as usize],
	)
	.expect("a valid submission");
	id
}

fn run_to_unlock<T: Config>(id: ProposalId) {
	let unlock_at = Proposals::<T>::get(id).expect("pending").unlock_at;
	frame_system::Pallet::<T>::set_block_number(unlock_at.saturated_into());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit(
		c: Linear<8, { T::MaxCallSize::get() }>,
		s: Linear<0, { T::MaxSummaryLength::get() }>,
	) {
		let agent = agent::<T>();
		fill_queue::<T>();
		let call = call_of_len::<T>(c);
		let summary: Vec<u8> = vec![b'a'; s as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(agent.clone()), GROUP, call, summary);

		assert_eq!(Queue::<T>::get().len() as u32, T::MaxPending::get());
	}

	#[benchmark]
	fn check_submission(
		c: Linear<8, { T::MaxCallSize::get() }>,
		s: Linear<0, { T::MaxSummaryLength::get() }>,
	) {
		let agent = agent::<T>();
		fill_queue::<T>();
		let call = call_of_len::<T>(c);
		let summary: Vec<u8> = vec![b'a'; s as usize];
		let result;

		#[block]
		{
			result = Pallet::<T>::check_submission(&agent, GROUP, &call, &summary);
		}

		assert!(result.is_ok());
	}

	/// An anonymous veto that counts, without its proof's check: `pallet-personhood` measures
	/// that with a real proof (`check_signal`), and `veto_anonymously` adds the two.
	#[benchmark]
	fn veto() -> Result<(), BenchmarkError> {
		let agent = agent::<T>();
		set_threshold::<T>(2);
		let id = submitted::<T>(&agent, T::MaxCallSize::get());
		let vetoer: AccountId = account("vetoer", 0, 0);
		T::BenchmarkHelper::make_member(&vetoer, GROUP);
		let anonymous = AnonymousVeto {
			root: [1; 32],
			nullifier: [2; 32],
			proof: MembershipProof { depth: 20, a: [0; 64], b: [0; 128], c: [0; 64] },
		};

		#[block]
		{
			let proposal =
				Pallet::<T>::check_anonymous_veto(id, &anonymous, ProofCheck::SkipPairing)
					.map_err(polkadot_sdk::sp_runtime::DispatchError::from)?;
			Pallet::<T>::count_anonymous_veto(id, proposal, anonymous.nullifier)?;
		}

		assert_eq!(Proposals::<T>::get(id).expect("still pending").nullifiers.len(), 1);
		Ok(())
	}

	#[benchmark]
	fn veto_and_kill() {
		let agent = agent::<T>();
		fill_queue::<T>();
		let id = submitted::<T>(&agent, T::MaxCallSize::get());
		let vetoer: AccountId = account("vetoer", 0, 0);
		T::BenchmarkHelper::make_member(&vetoer, GROUP);

		#[extrinsic_call]
		veto(RawOrigin::Signed(vetoer), id);

		assert!(!Proposals::<T>::contains_key(id));
	}

	#[benchmark]
	fn withdraw() {
		let agent = agent::<T>();
		fill_queue::<T>();
		let id = submitted::<T>(&agent, T::MaxCallSize::get());
		let sponsor = T::Budget::sponsor_of(&agent).expect("the agent has a sponsor");

		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), id);

		// Withdrawn, but still pending (and vetoable) until its window ends.
		assert!(Proposals::<T>::get(id).is_some_and(|p| p.withdrawn_by.is_some()));
	}

	#[benchmark]
	fn enact(c: Linear<8, { T::MaxCallSize::get() }>) {
		let agent = agent::<T>();
		fill_queue::<T>();
		let id = submitted::<T>(&agent, c);
		run_to_unlock::<T>(id);
		let commits = fill_commit_history::<T>();
		let caller: AccountId = account("caller", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);

		assert_eq!(CommitCount::<T>::get(), commits + 1);
		assert!(!RecentCommits::<T>::contains_key(0), "the oldest was forgotten");
	}

	/// One due proposal committed by the block hook (the call's own weight comes on top).
	#[benchmark]
	fn commit_one(c: Linear<8, { T::MaxCallSize::get() }>) {
		let agent = agent::<T>();
		fill_queue::<T>();
		let id = submitted::<T>(&agent, c);
		run_to_unlock::<T>(id);
		let commits = fill_commit_history::<T>();

		#[block]
		{
			Pallet::<T>::commit_due();
		}

		assert_eq!(CommitCount::<T>::get(), commits + 1);
		assert!(!RecentCommits::<T>::contains_key(0), "the oldest was forgotten");
	}

	/// The block hook with a full queue and nothing due.
	#[benchmark]
	fn on_initialize_idle() {
		fill_queue::<T>();
		let n = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_initialize(n);
		}

		assert_eq!(CommitCount::<T>::get(), 0);
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let bounds = T::Constitution::get();
		let parameters = GateParameters {
			timelock: bounds.timelock.min,
			constitutional_timelock: bounds.constitutional_timelock.min.max(bounds.timelock.min),
			veto_threshold: 1,
			proposal_deposit: bounds.proposal_deposit.min,
		};

		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as <T as frame_system::Config>::RuntimeOrigin, parameters);

		assert_eq!(Parameters::<T>::get(), Some(parameters));
		Ok(())
	}

	#[benchmark]
	fn spend_from_purse() -> Result<(), BenchmarkError> {
		let purse = Pallet::<T>::purse(GROUP);
		T::Currency::set_balance(&purse, 1_000_000_000_000_000);
		let beneficiary: AccountId = account("beneficiary", 0, 0);
		let origin =
			T::CommittedOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(
			origin as <T as frame_system::Config>::RuntimeOrigin,
			beneficiary.clone(),
			1_000_000_000_000,
		);

		assert_eq!(T::Currency::balance(&beneficiary), 1_000_000_000_000);
		Ok(())
	}

	#[benchmark]
	fn set_group_settings() -> Result<(), BenchmarkError> {
		let origin =
			T::CommittedOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let settings = GroupSettings { veto_threshold: T::MaxVetoThreshold::get() };

		#[extrinsic_call]
		_(origin as <T as frame_system::Config>::RuntimeOrigin, Some(settings));

		assert_eq!(Settings::<T>::get(GROUP), Some(settings));
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
