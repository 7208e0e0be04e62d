//! # teo-client
//!
//! A TEO node seen through its standard JSON-RPC alone: storage reads and runtime API calls at a
//! block, finalized heads, nonces, and signed extrinsics submitted and followed to their block.
//! Values decode with the runtime's own types, so TEO's tools (`teo-citizen`, `teo-mesh`) and
//! the chain cannot disagree on an encoding, and transactions are signed with the runtime's own
//! transaction extensions, custom ones included.

use codec::{Decode, Encode};
use jsonrpsee::{
	core::client::{ClientT, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use polkadot_sdk::{
	frame_metadata_hash_extension::CheckMetadataHash,
	frame_system::{self, EventRecord, Phase},
	pallet_transaction_payment::ChargeTransactionPayment,
	sp_core::{crypto::Pair as _, sr25519, H256},
	sp_runtime::{generic::Era, DispatchError, MultiSignature},
};
use serde_json::Value;
use teo_primitives::AccountId;
use teo_runtime::{
	Runtime, RuntimeCall, RuntimeEvent, SignedPayload, TxExtension, UncheckedExtrinsic,
};

/// Errors of the chain client, in words.
pub type Error = String;

/// A connection to a node.
pub struct Chain {
	client: WsClient,
}

/// How a submitted extrinsic ended.
pub struct Outcome {
	/// The extrinsic's hash (blake2-256 of its encoding).
	pub hash: H256,
	/// The block it landed in.
	pub block: H256,
	pub events: Vec<RuntimeEvent>,
	/// `None` when the call succeeded.
	pub error: Option<String>,
}

/// `0x`-prefixed hex, as the JSON-RPC API writes bytes.
pub fn hex_of(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes from the JSON-RPC API's hex.
pub fn bytes_of(text: &str) -> Result<Vec<u8>, Error> {
	hex::decode(text.trim_start_matches("0x")).map_err(|e| format!("bad hex from the node: {e}"))
}

fn h256_of(value: &Value) -> Result<H256, Error> {
	let bytes = bytes_of(value.as_str().ok_or("expected a hash from the node")?)?;
	(bytes.len() == 32).then(|| H256::from_slice(&bytes)).ok_or_else(|| "not a hash".into())
}

impl Chain {
	/// Connects to `url` (ws:// or wss://).
	pub async fn connect(url: &str) -> Result<Self, Error> {
		let client = WsClientBuilder::default()
			.build(url)
			.await
			.map_err(|e| format!("cannot connect to {url}: {e}"))?;
		Ok(Self { client })
	}

	/// A raw JSON-RPC request.
	pub async fn call(
		&self,
		method: &str,
		params: jsonrpsee::core::params::ArrayParams,
	) -> Result<Value, Error> {
		self.client.request(method, params).await.map_err(|e| format!("{method}: {e}"))
	}

	/// The hash of block 0.
	pub async fn genesis_hash(&self) -> Result<H256, Error> {
		h256_of(&self.call("chain_getBlockHash", rpc_params![0]).await?)
	}

	/// The latest finalized block.
	pub async fn finalized_head(&self) -> Result<H256, Error> {
		h256_of(&self.call("chain_getFinalizedHead", rpc_params![]).await?)
	}

	/// The latest finalized block: its number and hash.
	pub async fn finalized_block(&self) -> Result<(teo_primitives::BlockNumber, H256), Error> {
		let hash = self.finalized_head().await?;
		let header = self.call("chain_getHeader", rpc_params![hash]).await?;
		let number = header
			.get("number")
			.and_then(Value::as_str)
			.and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or("the node sent a header without a number")?;
		Ok((number, hash))
	}

	/// The chain's type: `Development`, `Local`, `Live` or a custom name.
	pub async fn chain_type(&self) -> Result<String, Error> {
		let answer = self.call("system_chainType", rpc_params![]).await?;
		match answer {
			Value::String(name) => Ok(name),
			Value::Object(map) => map.keys().next().cloned().ok_or_else(|| "no chain type".into()),
			other => Err(format!("unexpected chain type {other}")),
		}
	}

	/// The number of the best block.
	pub async fn best_number(&self) -> Result<teo_primitives::BlockNumber, Error> {
		let header = self.call("chain_getHeader", rpc_params![]).await?;
		header
			.get("number")
			.and_then(Value::as_str)
			.and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or_else(|| "the node sent a header without a number".into())
	}

	/// Calls the runtime API function `method` (e.g. `ActionBudgetApi_budget`) with the
	/// SCALE-encoded `args` in the state of block `at`, and decodes the answer as `T`.
	pub async fn runtime_api<T: Decode>(
		&self,
		method: &str,
		args: &impl Encode,
		at: H256,
	) -> Result<T, Error> {
		let answer =
			self.call("state_call", rpc_params![method, hex_of(&args.encode()), at]).await?;
		let bytes = bytes_of(answer.as_str().ok_or("state_call answered without bytes")?)?;
		T::decode(&mut &bytes[..]).map_err(|e| format!("cannot decode the answer of {method}: {e}"))
	}

	/// The raw value at `key` in the state of block `at`.
	pub async fn storage_raw(&self, key: &[u8], at: H256) -> Result<Option<Vec<u8>>, Error> {
		match self.call("state_getStorage", rpc_params![hex_of(key), at]).await? {
			Value::Null => Ok(None),
			Value::String(text) => bytes_of(&text).map(Some),
			other => Err(format!("unexpected storage value {other}")),
		}
	}

	/// The value at `key`, decoded as `T`.
	pub async fn storage<T: Decode>(&self, key: &[u8], at: H256) -> Result<Option<T>, Error> {
		self.storage_raw(key, at)
			.await?
			.map(|bytes| {
				T::decode(&mut &bytes[..]).map_err(|e| format!("cannot decode storage: {e}"))
			})
			.transpose()
	}

	/// The values of many keys at one block, in order.
	pub async fn storage_many(
		&self,
		keys: &[Vec<u8>],
		at: H256,
	) -> Result<Vec<Option<Vec<u8>>>, Error> {
		let mut values = Vec::with_capacity(keys.len());
		for chunk in keys.chunks(512) {
			let hex_keys: Vec<String> = chunk.iter().map(|k| hex_of(k)).collect();
			let result =
				self.call("state_queryStorageAt", rpc_params![hex_keys.clone(), at]).await?;
			let changes = result
				.get(0)
				.and_then(|set| set.get("changes"))
				.and_then(Value::as_array)
				.ok_or("unexpected state_queryStorageAt answer")?;
			let by_key: std::collections::HashMap<String, Option<Vec<u8>>> = changes
				.iter()
				.filter_map(|pair| {
					let key = pair.get(0)?.as_str()?.to_lowercase();
					let value = pair.get(1)?.as_str().and_then(|v| bytes_of(v).ok());
					Some((key, value))
				})
				.collect();
			for key in hex_keys {
				values.push(by_key.get(&key.to_lowercase()).cloned().flatten());
			}
		}
		Ok(values)
	}

	/// Signs `call` with `signer` (immortal, no tip), submits it, and follows it into a block.
	pub async fn submit(
		&self,
		call: RuntimeCall,
		signer: &sr25519::Pair,
	) -> Result<Outcome, Error> {
		let account: AccountId = signer.public().into();
		let version = self.call("state_getRuntimeVersion", rpc_params![]).await?;
		let spec_version = version["specVersion"].as_u64().ok_or("no specVersion")? as u32;
		let tx_version =
			version["transactionVersion"].as_u64().ok_or("no transactionVersion")? as u32;
		let nonce = self
			.call("system_accountNextIndex", rpc_params![account.to_string()])
			.await?
			.as_u64()
			.ok_or("no nonce")? as u32;
		let genesis = self.genesis_hash().await?;
		let extension: TxExtension = (
			frame_system::CheckNonZeroSender::new(),
			frame_system::CheckSpecVersion::new(),
			frame_system::CheckTxVersion::new(),
			frame_system::CheckGenesis::new(),
			frame_system::CheckEra::from(Era::Immortal),
			frame_system::CheckNonce::from(nonce),
			frame_system::CheckWeight::new(),
			pallet_action_budget::CheckFraudReport::new(),
			pallet_commit_gate::CheckPullRequest::new(),
			ChargeTransactionPayment::from(0),
			CheckMetadataHash::new(false),
			frame_system::WeightReclaim::new(),
		);
		let implicit =
			((), spec_version, tx_version, genesis, genesis, (), (), (), (), (), None, ());
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		let signature = MultiSignature::from(payload.using_encoded(|bytes| signer.sign(bytes)));
		let extrinsic =
			UncheckedExtrinsic::new_signed(call, account.clone().into(), signature, extension);
		let encoded = hex_of(&extrinsic.encode());

		let mut subscription = self
			.client
			.subscribe::<Value, _>(
				"author_submitAndWatchExtrinsic",
				rpc_params![encoded.clone()],
				"author_unwatchExtrinsic",
			)
			.await
			.map_err(|e| format!("the node refused the transaction: {e}"))?;
		let block = loop {
			let status = match subscription.next().await {
				Some(Ok(status)) => status,
				Some(Err(e)) => return Err(format!("watching the transaction: {e}")),
				None => return Err("the node stopped reporting the transaction".into()),
			};
			if let Some(hash) = status.get("inBlock").or_else(|| status.get("finalized")) {
				break h256_of(hash)?;
			}
			if let Some(text) = status.as_str() {
				if matches!(text, "invalid" | "dropped") {
					return Err(format!("the transaction was {text}"));
				}
			}
			if status.get("usurped").is_some() || status.get("finalityTimeout").is_some() {
				return Err(format!("the transaction did not land: {status}"));
			}
		};
		self.outcome(block, &encoded).await
	}

	/// The events of `extrinsic` (hex) in `block`, and its error if it failed.
	async fn outcome(&self, block: H256, extrinsic: &str) -> Result<Outcome, Error> {
		let body = self.call("chain_getBlock", rpc_params![block]).await?;
		let index = body["block"]["extrinsics"]
			.as_array()
			.and_then(|all| all.iter().position(|x| x.as_str() == Some(extrinsic)))
			.ok_or("the transaction is not in the block that reported it")? as u32;
		let records: Vec<EventRecord<RuntimeEvent, H256>> =
			self.storage(&system_events_key(), block).await?.unwrap_or_default();
		let events: Vec<RuntimeEvent> = records
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect();
		let error = events.iter().find_map(|event| match event {
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error, ..
			}) => Some(describe(dispatch_error)),
			_ => None,
		});
		let hash = <polkadot_sdk::sp_runtime::traits::BlakeTwo256 as polkadot_sdk::sp_runtime::traits::Hash>::hash(&bytes_of(extrinsic)?);
		Ok(Outcome { hash, block, events, error })
	}
}

/// The key of `System.Events` (the storage item is private to frame-system).
fn system_events_key() -> Vec<u8> {
	use polkadot_sdk::frame_support::{StorageHasher, Twox128};
	[Twox128::hash(b"System"), Twox128::hash(b"Events")].concat()
}

/// A dispatch error in words: `CommitGate.AdmissionsExhausted` rather than indices, for TEO's
/// pallets; the debug form for the others.
pub fn describe(error: &DispatchError) -> String {
	use polkadot_sdk::frame_support::traits::PalletInfoAccess;
	if let DispatchError::Module(module) = error {
		let index = module.index as usize;
		let bytes = &module.error[..];
		macro_rules! named {
			($($pallet:ty => $name:literal, $error:ty;)*) => {$(
				if index == <$pallet as PalletInfoAccess>::index() {
					if let Ok(e) = <$error>::decode(&mut &bytes[..]) {
						return format!(concat!($name, ".{:?}"), e);
					}
				}
			)*};
		}
		named! {
			teo_runtime::Personhood => "Personhood", pallet_personhood::Error<Runtime>;
			teo_runtime::ActionBudget => "ActionBudget", pallet_action_budget::Error<Runtime>;
			teo_runtime::CommitGate => "CommitGate", pallet_commit_gate::Error<Runtime>;
		}
	}
	format!("{error:?}")
}
