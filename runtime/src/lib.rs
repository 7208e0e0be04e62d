//! # TEO runtime
//!
//! The state transition function of TEO's Layer 2, the biological ledger: a solochain with Aura
//! block production and GRANDPA finality, the TEO token, and the three pallets that carry the
//! protocol: `Personhood` (who is a human), `ActionBudget` (rule A: agents, delegation, budgets,
//! the human-bandwidth cap) and `CommitGate` (rule B: pull requests, the timelock, the veto).
//!
//! - [`configs`]: the configuration of every pallet.
//! - [`apis`]: the runtime APIs the node, polkadot.js and the mesh call.
//! - [`genesis_config_presets`]: the `dev`, `local` and `production` genesis presets.
//! - [`launch`]: whether a genesis can govern itself, the checks every launched chain passes.
//!
//! Clients need no custom types: everything is described by the metadata (V14, V15 and V16).

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` expand deeply.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

// The rehearsal's runtime exists as a WASM blob only: a native build with the feature (such as
// `--all-features`) would also put it into the real blob, and a genesis at its version.
#[cfg(all(feature = "std", feature = "upgrade-rehearsal"))]
compile_error!("`upgrade-rehearsal` is for the WASM blob that build.rs makes; build without it");

/// The upgrade rehearsal's runtime: this one with `spec_version` one higher and nothing else
/// changed (feature `upgrade-rehearsal`, built by `build.rs`), for the end-to-end test that
/// upgrades a running network through the gate. Never deployed.
#[cfg(feature = "std")]
pub mod upgrade_rehearsal {
	include!(concat!(env!("OUT_DIR"), "/upgrade_rehearsal_wasm_binary.rs"));
}

// The counterfactual's runtime, likewise a WASM blob only: natively it would be the runtime
// every node and genesis builder runs.
#[cfg(all(feature = "std", feature = "single-layer"))]
compile_error!("`single-layer` is for the WASM blob that build.rs makes; build without it");
#[cfg(all(feature = "upgrade-rehearsal", feature = "single-layer"))]
compile_error!("`upgrade-rehearsal` and `single-layer` are two blobs, not one");

/// The flash-crash harness's counterfactual: this runtime with the human-bandwidth cap taken
/// out, every active agent's pull request admitted free ([`configs::single_layer`]; feature
/// `single-layer`, built by `build.rs`), so that the harness measures what TEO's rules change
/// on the same network. Never deployed.
#[cfg(feature = "std")]
pub mod single_layer {
	include!(concat!(env!("OUT_DIR"), "/single_layer_wasm_binary.rs"));
}

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(feature = "std")]
pub mod launch;

use alloc::{borrow::Cow, vec::Vec};
use polkadot_sdk::{
	frame_executive, frame_metadata_hash_extension, frame_support, frame_system,
	pallet_transaction_payment,
	sp_runtime::{generic, impl_opaque_keys},
	sp_version::{self, RuntimeVersion},
};

pub use teo_primitives::{token, AccountId, Address, Balance, BlockNumber, Hash, Nonce, Signature};

/// Types the node needs without knowing the runtime's call and event types.
pub mod opaque {
	use super::*;

	pub use teo_primitives::{Header, OpaqueBlock as Block};

	impl_opaque_keys! {
		/// The session keys of a validator: Aura for block production, GRANDPA for finality.
		/// Registered with `session.setKeys` from the validator's account.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}

pub use opaque::SessionKeys;

/// The runtime's version. Bump `spec_version` with every change of behaviour (and the
/// rehearsal's below with it), and `transaction_version` whenever the encoding of a call or of
/// the extensions changes.
#[cfg(not(any(feature = "upgrade-rehearsal", feature = "single-layer")))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("teo"),
	impl_name: Cow::Borrowed("teo-node"),
	authoring_version: 1,
	spec_version: 105,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The version of the upgrade rehearsal's runtime (feature `upgrade-rehearsal`): the runtime
/// above one `spec_version` later, so that a running network can upgrade to it through the gate
/// (`zombienet/0004`), and named for what it is, so that nobody mistakes it for a release. The
/// attribute takes literals only, hence the second copy; a node test keeps the two in step.
#[cfg(feature = "upgrade-rehearsal")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("teo"),
	impl_name: Cow::Borrowed("teo-upgrade-rehearsal"),
	authoring_version: 1,
	spec_version: 106,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The version of the counterfactual's runtime (feature `single-layer`): TEO's name, so that the
/// mesh and the clients serve it as TEO (its calls, events and APIs are TEO's), under another
/// implementation name, at `spec_version` 0: no chain can upgrade to it (`set_code` wants a
/// higher version than the chain's), so its blob, built beside every release's, is never a
/// release, whatever a proposal's summary says. Its genesis is written with it in place.
#[cfg(feature = "single-layer")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("teo"),
	impl_name: Cow::Borrowed("teo-single-layer"),
	authoring_version: 1,
	spec_version: 0,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The smallest balance an account may hold; below it the account is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = token::MILLI_UNIT;

/// Block header.
pub type Header = teo_primitives::Header;

/// A block of this runtime's extrinsics.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions: the standard set and order, plus TEO's pool checks
/// (`CheckFraudReport`: invalid or duplicate fraud reports never reach a block;
/// `CheckPullRequest`: pull requests that would fail never reach a block). None carries
/// custom data, so polkadot.js, subxt and py-substrate-interface sign TEO transactions out of the
/// box.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_action_budget::CheckFraudReport<Runtime>,
	pallet_commit_gate::CheckPullRequest<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The transaction extensions of a signed transaction with `nonce`, valid in `era`, paying `tip`.
/// The one place that writes the tuple's values: the runtime's own tests and `teo-client` both
/// build their extensions here, so a change of the set or its order cannot drift between them.
pub fn tx_extension(nonce: Nonce, era: generic::Era, tip: Balance) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(era),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_action_budget::CheckFraudReport::new(),
		pallet_commit_gate::CheckPullRequest::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		// No metadata hash: the signer does not commit to the metadata (mode `Disabled`).
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// What a signer signs besides the call and [`TxExtension`]: the values the chain supplies
/// itself (`Implicit`), computed off chain from the runtime version and the chain's genesis hash.
/// `era_block` is the hash of the era's birth block, the genesis hash for an immortal
/// transaction. Matches [`tx_extension`]'s order.
pub fn tx_extension_implicit(
	spec_version: u32,
	transaction_version: u32,
	genesis_hash: Hash,
	era_block: Hash,
) -> <TxExtension as polkadot_sdk::sp_runtime::traits::TransactionExtension<RuntimeCall>>::Implicit
{
	((), spec_version, transaction_version, genesis_hash, era_block, (), (), (), (), (), None, ())
}

/// An extrinsic as it arrives from a client.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on a runtime upgrade, beyond those the pallets declare. Each runs
/// once: it checks and bumps its pallet's storage version.
type Migrations = (
	pallet_personhood::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_commit_gate::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	use super::*;

	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = polkadot_sdk::frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = polkadot_sdk::pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = polkadot_sdk::pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = polkadot_sdk::pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = polkadot_sdk::pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = polkadot_sdk::pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Utility = polkadot_sdk::pallet_utility;

	// TEO's own pallets. The constitution has the lowest index of them: genesis is built in
	// the order of the indices, and every other pallet's genesis is checked against its bounds.
	#[runtime::pallet_index(7)]
	pub type Constitution = pallet_constitution;

	#[runtime::pallet_index(8)]
	pub type Personhood = pallet_personhood;

	#[runtime::pallet_index(9)]
	pub type ActionBudget = pallet_action_budget;

	#[runtime::pallet_index(10)]
	pub type CommitGate = pallet_commit_gate;

	#[runtime::pallet_index(11)]
	pub type Treasury = polkadot_sdk::pallet_treasury;

	// Sudo exists only to steer dev and local chains: the production preset sets no key, and
	// without a key no call can pass through it.
	#[runtime::pallet_index(12)]
	pub type Sudo = polkadot_sdk::pallet_sudo;

	// The validators: the session pallet hands Aura and GRANDPA their authorities at each
	// session boundary, from the set the citizens change through the validator-set pallet.
	// The session pallet's genesis (which names the first validators) is built before the
	// validator set's, which adopts it.
	#[runtime::pallet_index(13)]
	pub type Session = polkadot_sdk::pallet_session;

	#[runtime::pallet_index(14)]
	pub type ValidatorSet = pallet_validator_set;
}

#[cfg(test)]
mod tests;
