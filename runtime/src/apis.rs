//! The runtime APIs: what the node, polkadot.js and the mesh may ask the runtime.

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		self,
		genesis_builder_helper::{build_state, get_preset},
		view_functions::{ViewFunctionDispatchError, ViewFunctionId},
		weights::Weight,
	},
	frame_system_rpc_runtime_api, pallet_aura, pallet_transaction_payment,
	pallet_transaction_payment_rpc_runtime_api,
	sp_api::{self, impl_runtime_apis},
	sp_block_builder,
	sp_consensus_aura::{self, sr25519::AuthorityId as AuraId},
	sp_consensus_grandpa::{self, AuthorityId as GrandpaId},
	sp_core::{crypto::KeyTypeId, OpaqueMetadata},
	sp_genesis_builder::{self, PresetId},
	sp_inherents::{CheckInherentsResult, InherentData},
	sp_offchain,
	sp_runtime::{
		traits::{Block as BlockT, NumberFor},
		transaction_validity::{TransactionSource, TransactionValidity},
		ApplyExtrinsicResult, ExtrinsicInclusionMode,
	},
	sp_session, sp_transaction_pool,
	sp_version::RuntimeVersion,
};

use super::{
	genesis_config_presets, AccountId, ActionBudget, Aura, Balance, Block, CommitGate, Executive,
	Grandpa, Hash, InherentDataExt, Nonce, Runtime, RuntimeCall, RuntimeGenesisConfig, SessionKeys,
	System, TransactionPayment, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: InherentData,
		) -> CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Without a session pallet there is no key-ownership proof to check a report against.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_action_budget::runtime_api::ActionBudgetApi<Block> for Runtime {
		fn agent(agent: AccountId) -> Option<pallet_action_budget::AgentInfo> {
			pallet_action_budget::Agents::<Runtime>::get(agent)
		}

		fn budget(agent: AccountId) -> Option<pallet_action_budget::runtime_api::AgentBudget> {
			ActionBudget::agent_budget(&agent)
		}

		fn epoch() -> Option<pallet_action_budget::EpochInfo> {
			ActionBudget::current_epoch_info()
		}

		fn cost_schedule() -> Option<teo_primitives::mesh::CostSchedule> {
			ActionBudget::current_costs()
		}

		fn admissions_left(group: teo_primitives::GroupId) -> u32 {
			#[cfg(feature = "single-layer")]
			return crate::configs::single_layer::Unbounded::admissions_left(group);
			#[cfg(not(feature = "single-layer"))]
			ActionBudget::admissions_left(group)
		}

		fn admission_price(group: teo_primitives::GroupId) -> Option<teo_primitives::mesh::BudgetUnits> {
			#[cfg(feature = "single-layer")]
			return crate::configs::single_layer::Unbounded::admission_price(group);
			#[cfg(not(feature = "single-layer"))]
			ActionBudget::admission_price(group)
		}

		fn admissions_left_for(agent: AccountId, group: teo_primitives::GroupId) -> u32 {
			#[cfg(feature = "single-layer")]
			return crate::configs::single_layer::Unbounded::admissions_left_for(&agent, group);
			#[cfg(not(feature = "single-layer"))]
			ActionBudget::admissions_left_for(&agent, group)
		}
	}

	#[api_version(2)]
	impl pallet_commit_gate::runtime_api::CommitGateApi<Block> for Runtime {
		fn pending(
			group: teo_primitives::GroupId,
		) -> Vec<pallet_commit_gate::runtime_api::PendingProposal> {
			CommitGate::pending_of(group)
				.into_iter()
				.map(|(id, p)| pallet_commit_gate::runtime_api::PendingProposal::new::<Runtime>(id, p))
				.collect()
		}

		fn proposal(
			id: pallet_commit_gate::ProposalId,
		) -> Option<pallet_commit_gate::runtime_api::PendingProposal> {
			pallet_commit_gate::Proposals::<Runtime>::get(id)
				.map(|p| pallet_commit_gate::runtime_api::PendingProposal::new::<Runtime>(id, p))
		}

		fn commit_root() -> (Hash, u64) {
			(pallet_commit_gate::CommitRoot::<Runtime>::get(), pallet_commit_gate::CommitCount::<Runtime>::get())
		}

		fn commits_since(root: Hash) -> Option<Vec<pallet_commit_gate::Commit>> {
			CommitGate::commits_since(root)
		}

		fn parameters() -> Option<pallet_commit_gate::GateParameters> {
			pallet_commit_gate::Parameters::<Runtime>::get()
		}

		fn purse(group: teo_primitives::GroupId) -> AccountId {
			CommitGate::purse(group)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance>
		for Runtime
	{
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<
		Block,
		Balance,
		RuntimeCall,
	> for Runtime {
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<PresetId> {
			genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "try-runtime")]
	impl polkadot_sdk::frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(
			checks: polkadot_sdk::frame_try_runtime::UpgradeCheckSelect,
		) -> (Weight, Weight) {
			// A failed pre/post-upgrade check must stop try-runtime here with a backtrace.
			let weight = Executive::try_runtime_upgrade(checks)
				.expect("try-runtime upgrade checks must pass");
			(weight, super::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: polkadot_sdk::frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("try-runtime block execution must succeed")
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl polkadot_sdk::frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<polkadot_sdk::frame_benchmarking::BenchmarkList>,
			Vec<polkadot_sdk::frame_support::traits::StorageInfo>,
		) {
			super::benchmarks::benchmark_metadata(extra)
		}

		fn dispatch_benchmark(
			config: polkadot_sdk::frame_benchmarking::BenchmarkConfig,
		) -> Result<
			Vec<polkadot_sdk::frame_benchmarking::BenchmarkBatch>,
			alloc::string::String,
		> {
			super::benchmarks::dispatch_benchmark(config)
		}
	}
}
