//! The node's JSON-RPC methods beyond the ones every Substrate node serves: account nonces
//! (`system_accountNextIndex`) and fee estimates (`payment_queryInfo`), which wallets need, and
//! GRANDPA's (`grandpa_roundState`, `grandpa_proveFinality`, `grandpa_subscribeJustifications`),
//! with which operators see who votes on finality and light clients follow it.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use polkadot_sdk::{
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_client_api::{AuxStore, Backend, StateBackend},
	sc_consensus_grandpa::{
		FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
	},
	sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer},
	sc_rpc::SubscriptionTaskExecutor,
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	sp_runtime::traits::HashingFor,
	substrate_frame_rpc_system::{System, SystemApiServer},
};
use teo_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash, Nonce};

/// What the GRANDPA methods read: the voter's state, its authority set and its justifications.
pub struct GrandpaDeps<B> {
	/// The voter's current rounds (the same handle the voter writes).
	pub shared_voter_state: SharedVoterState,
	/// The authority set the node follows.
	pub shared_authority_set: SharedAuthoritySet<Hash, BlockNumber>,
	/// The justifications of finalized blocks, as they are made.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Runs the subscriptions.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Proves a block's finality from the stored justifications.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// GRANDPA's shared state.
	pub grandpa: GrandpaDeps<B>,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P, B>(
	deps: FullDeps<C, P, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	B: Backend<Block> + Send + Sync + 'static,
	B::State: StateBackend<HashingFor<Block>>,
	C: ProvideRuntimeApi<Block>
		+ AuxStore
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: polkadot_sdk::frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api:
		polkadot_sdk::pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	let FullDeps { client, pool, grandpa } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client).into_rpc())?;
	module.merge(
		Grandpa::new(
			grandpa.subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;
	Ok(module)
}
