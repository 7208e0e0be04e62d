//! Benchmarks of the action-budget calls, in their worst cases. Fraud reports are measured with
//! real sr25519 signatures made by a keystore key.

use super::*;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{fungible::Mutate, EnsureOrigin, Get},
	frame_system::{self, RawOrigin},
	sp_core::{crypto::KeyTypeId, sr25519, H256},
	sp_io,
	sp_runtime::{MultiSignature, SaturatedConversion},
};
use teo_pallet_support::{genesis_hash, now};
use teo_primitives::{
	mesh::{MeshHeader, MessageKind},
	AccountId, BlockNumber, EpochIndex,
};

/// The keystore key type of benchmark agents.
const BENCH_KEY: KeyTypeId = KeyTypeId(*b"teob");

/// Sets up what benchmarks need from the rest of the runtime.
pub trait BenchmarkHelper {
	/// Makes `who` a verified citizen until block `until`.
	fn make_citizen(who: &AccountId, until: BlockNumber);
}

fn parameters<T: Config>() -> BudgetParameters {
	Pallet::<T>::parameters_for(Pallet::<T>::current_epoch().expect("configured at genesis"))
		.expect("configured at genesis")
}

/// A funded, verified citizen.
fn citizen<T: Config>(name: &'static str, index: u32) -> AccountId {
	let who: AccountId = account(name, index, 0);
	let deposit = parameters::<T>().agent_deposit;
	T::Currency::set_balance(&who, deposit.saturating_mul(100).saturating_add(1_000_000_000_000));
	T::BenchmarkHelper::make_citizen(&who, BlockNumber::MAX);
	who
}

/// An agent whose key is in the keystore, so the benchmark can sign its headers.
fn keyed_agent() -> (sr25519::Public, AccountId) {
	let public = sp_io::crypto::sr25519_generate(BENCH_KEY, None);
	(public, AccountId::from(public))
}

/// Registers `agent` for `sponsor`, with the most delegator buckets an agent can have.
fn registered<T: Config>(sponsor: &AccountId, agent: &AccountId) {
	registered_with_buckets::<T>(sponsor, agent, types::MAX_DELEGATOR_BUCKETS)
}

/// Registers `agent` for `sponsor`, with `buckets` delegators of distinct verification ends.
fn registered_with_buckets<T: Config>(sponsor: &AccountId, agent: &AccountId, buckets: u32) {
	Pallet::<T>::register_agent(RawOrigin::Signed(sponsor.clone()).into(), agent.clone())
		.expect("the sponsor is a funded citizen");
	for i in 0..buckets {
		let delegator: AccountId = account("bucket", i, 0);
		T::BenchmarkHelper::make_citizen(&delegator, BlockNumber::MAX - i);
		Pallet::<T>::delegate(RawOrigin::Signed(delegator).into(), agent.clone())
			.expect("the delegator is a citizen");
	}
}

/// Fills `sponsor`'s list of agents, each with every delegator bucket: the most a penalty of
/// the person has to rewrite.
fn full_house<T: Config>(sponsor: &AccountId) {
	while (SponsoredAgents::<T>::get(sponsor).len() as u32) < T::MaxAgentsPerSponsor::get() {
		let n = SponsoredAgents::<T>::get(sponsor).len() as u32;
		let sibling: AccountId = account("sibling", n, 0);
		Pallet::<T>::register_agent(RawOrigin::Signed(sponsor.clone()).into(), sibling.clone())
			.expect("the sponsor is a funded citizen");
		for i in 0..types::MAX_DELEGATOR_BUCKETS {
			let delegator: AccountId = account("sibling-bucket", i, n);
			T::BenchmarkHelper::make_citizen(&delegator, BlockNumber::MAX - i);
			Pallet::<T>::delegate(RawOrigin::Signed(delegator).into(), sibling.clone())
				.expect("the delegator is a citizen");
		}
	}
}

fn run_to_epoch<T: Config>(epoch: EpochIndex) {
	let first = Pallet::<T>::epoch_info(epoch).expect("configured").first_block;
	frame_system::Pallet::<T>::set_block_number(first.saturated_into());
}

fn signed_header<T: Config>(
	key: &sr25519::Public,
	agent: &AccountId,
	seq: u64,
	spent_before: u64,
	cost: u64,
) -> SignedMeshHeader {
	let header = MeshHeader {
		agent: agent.clone(),
		group: T::CitizensGroup::get(),
		kind: MessageKind::Draft,
		epoch: Pallet::<T>::current_epoch().expect("configured"),
		seq,
		spent_before,
		cost,
		body_len: 1024,
		body_hash: H256::repeat_byte(seq as u8),
		anchor_number: 1,
		anchor_hash: H256::repeat_byte(1),
		commit_root: H256::zero(),
	};
	let genesis = genesis_hash::<T>();
	let signature = sp_io::crypto::sr25519_sign(BENCH_KEY, key, &header.signing_payload(&genesis))
		.expect("the key is in the keystore");
	SignedMeshHeader { header, signature: MultiSignature::Sr25519(signature) }
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_agent() {
		let sponsor = citizen::<T>("sponsor", 0);
		// The sponsor's list one short of full.
		for i in 1..T::MaxAgentsPerSponsor::get() {
			let other: AccountId = account("other", i, 0);
			registered::<T>(&sponsor, &other);
		}
		let agent: AccountId = account("agent", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor.clone()), agent.clone());

		assert_eq!(Agents::<T>::get(&agent).map(|info| info.sponsor), Some(sponsor));
	}

	#[benchmark]
	fn deregister_agent() {
		let sponsor = citizen::<T>("sponsor", 0);
		let agent: AccountId = account("agent", 0, 0);
		registered::<T>(&sponsor, &agent);
		run_to_epoch::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), agent.clone());

		assert!(!Agents::<T>::get(&agent).expect("still registered").is_active());
	}

	#[benchmark]
	fn release_deposit() {
		let sponsor = citizen::<T>("sponsor", 0);
		let agent: AccountId = account("agent", 0, 0);
		registered::<T>(&sponsor, &agent);
		Pallet::<T>::deregister_agent(RawOrigin::Signed(sponsor.clone()).into(), agent.clone())
			.expect("active");
		run_to_epoch::<T>(parameters::<T>().unbonding_epochs);

		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), agent.clone());

		assert!(!Agents::<T>::contains_key(&agent));
	}

	#[benchmark]
	fn delegate() {
		// Worst case: the delegator moves from one agent to another with full buckets.
		let sponsor = citizen::<T>("sponsor", 0);
		let (from, to): (AccountId, AccountId) = (account("from", 0, 0), account("to", 0, 0));
		registered::<T>(&sponsor, &from);
		registered::<T>(&sponsor, &to);
		let delegator = citizen::<T>("delegator", 0);
		Pallet::<T>::delegate(RawOrigin::Signed(delegator.clone()).into(), from)
			.expect("active agent");
		run_to_epoch::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(delegator.clone()), to.clone());

		assert_eq!(Delegations::<T>::get(&delegator).map(|d| d.agent), Some(to));
	}

	#[benchmark]
	fn undelegate() {
		let sponsor = citizen::<T>("sponsor", 0);
		let agent: AccountId = account("agent", 0, 0);
		registered::<T>(&sponsor, &agent);
		let delegator: AccountId = account("bucket", 0, 0);
		run_to_epoch::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(delegator.clone()));

		assert!(!Delegations::<T>::contains_key(&delegator));
	}

	#[benchmark]
	fn prune_delegation() {
		let sponsor = citizen::<T>("sponsor", 0);
		let agent: AccountId = account("agent", 0, 0);
		// One bucket left for the lapsing delegator.
		registered_with_buckets::<T>(&sponsor, &agent, types::MAX_DELEGATOR_BUCKETS - 1);
		let delegator = citizen::<T>("lapsing", 0);
		T::BenchmarkHelper::make_citizen(&delegator, now::<T>());
		Pallet::<T>::delegate(RawOrigin::Signed(delegator.clone()).into(), agent)
			.expect("verified now");
		run_to_epoch::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), delegator.clone());

		assert!(!Delegations::<T>::contains_key(&delegator));
	}

	#[benchmark]
	fn report_equivocation() {
		let sponsor = citizen::<T>("sponsor", 0);
		let (key, agent) = keyed_agent();
		registered::<T>(&sponsor, &agent);
		full_house::<T>(&sponsor);
		let first = signed_header::<T>(&key, &agent, 0, 0, 10);
		let second = signed_header::<T>(&key, &agent, 1, 5, 10);
		let reporter = citizen::<T>("reporter", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), first, second);

		assert!(Agents::<T>::get(&agent).expect("registered").penalised_until > 0);
	}

	#[benchmark]
	fn report_overspend() {
		let sponsor = citizen::<T>("sponsor", 0);
		let (key, agent) = keyed_agent();
		registered::<T>(&sponsor, &agent);
		full_house::<T>(&sponsor);
		let over = signed_header::<T>(&key, &agent, 0, parameters::<T>().max_allowance, 10);
		let reporter = citizen::<T>("reporter", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), over);

		assert!(Agents::<T>::get(&agent).expect("registered").penalised_until > 0);
	}

	/// The pool's check of an equivocation report alone ([`crate::CheckFraudReport`]'s weight).
	#[benchmark]
	fn check_equivocation_report() {
		let sponsor = citizen::<T>("sponsor", 0);
		let (key, agent) = keyed_agent();
		registered::<T>(&sponsor, &agent);
		let first = signed_header::<T>(&key, &agent, 0, 0, 10);
		let second = signed_header::<T>(&key, &agent, 1, 5, 10);
		let reporter = citizen::<T>("reporter", 0);
		let result;

		#[block]
		{
			result = Pallet::<T>::check_equivocation(&reporter, &first, &second);
		}

		assert!(result.is_ok());
	}

	/// The pool's check of an overspend report alone ([`crate::CheckFraudReport`]'s weight).
	#[benchmark]
	fn check_overspend_report() {
		let sponsor = citizen::<T>("sponsor", 0);
		let (key, agent) = keyed_agent();
		registered::<T>(&sponsor, &agent);
		let over = signed_header::<T>(&key, &agent, 0, parameters::<T>().max_allowance, 10);
		let reporter = citizen::<T>("reporter", 0);
		let result;

		#[block]
		{
			result = Pallet::<T>::check_overspend(&reporter, &over);
		}

		assert!(result.is_ok());
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		// Worst case: a pending set already scheduled, to be replaced, with history to trim.
		let params = parameters::<T>();
		Pallet::<T>::set_parameters(RawOrigin::Root.into(), params.clone()).expect("valid");
		run_to_epoch::<T>(3);
		Pallet::<T>::set_parameters(RawOrigin::Root.into(), params.clone()).expect("valid");
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert!(ParameterEras::<T>::get().len() <= 3);
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
