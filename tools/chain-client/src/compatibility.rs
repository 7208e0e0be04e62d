//! Whether the chain's runtime encodes what this client was built for.
//!
//! The client encodes calls and decodes events, storage values and runtime API answers by
//! position, with the types of the runtime it was compiled against (`teo-runtime`). A runtime
//! upgrade can change any of them: a new event variant anywhere breaks the decoding of a block's
//! events, a renumbered call or a reordered field changes what a signed extrinsic or a budget
//! figure means. So before it reads or signs against a runtime it has not seen, the client
//! compares the runtime's metadata with its own.
//!
//! The fingerprint is the blake2-256 of the runtime's metadata V15 with what cannot change an
//! encoding cleared: every doc, and the constants' values. Everything else counts, in order:
//! the type registry (every variant's index, every field's position), the pallets and their
//! indices, calls, events, errors, storage entries and constants' types, the runtime APIs,
//! the outer enums and the transaction extensions. So an upgrade that changes only the runtime's
//! version (the `System.Version` constant) or a parameter keeps every client working, and any
//! other change of the metadata stops every client, loudly, before it misreads anything (a
//! stricter test than needed: a new pallet at the end also stops them). subxt's own metadata
//! hash does not do here: it is built for dynamic encoding, which matches fields and variants by
//! name, so it ignores indices and order (see `docs/ARCHITECTURE.md`).

use std::sync::OnceLock;

use codec::{Decode, Encode};
use frame_metadata::{v15::RuntimeMetadataV15, RuntimeMetadata, RuntimeMetadataPrefixed};
use polkadot_sdk::{
	sp_core::OpaqueMetadata,
	sp_runtime::traits::{BlakeTwo256, Hash as _},
};
use scale_info::{form::PortableForm, Field, TypeDef};

/// The metadata version compared: V15, which every runtime of this SDK serves.
pub const METADATA_VERSION: u32 = 15;

/// A runtime's encodings in 32 bytes (see the module docs).
pub type Fingerprint = [u8; 32];

/// The fingerprint of a runtime's metadata, as `Metadata_metadata_at_version` returns it
/// (SCALE `Option<OpaqueMetadata>`). Metadata of another version is an error.
pub fn fingerprint(answer: &[u8]) -> Result<Fingerprint, codec::Error> {
	let opaque = Option::<OpaqueMetadata>::decode(&mut &answer[..])?
		.ok_or("the runtime serves no metadata V15")?;
	let RuntimeMetadataPrefixed(_, metadata) = RuntimeMetadataPrefixed::decode(&mut &opaque[..])?;
	let RuntimeMetadata::V15(mut metadata) = metadata else {
		return Err("the runtime answered metadata of another version than V15".into());
	};
	normalize(&mut metadata);
	Ok(BlakeTwo256::hash(&metadata.encode()).0)
}

/// Clears what cannot change an encoding: docs everywhere, and the constants' values.
fn normalize(metadata: &mut RuntimeMetadataV15) {
	let clear_fields = |fields: &mut Vec<Field<PortableForm>>| {
		fields.iter_mut().for_each(|field| field.docs.clear())
	};
	for entry in &mut metadata.types.types {
		entry.ty.docs.clear();
		match &mut entry.ty.type_def {
			TypeDef::Composite(composite) => clear_fields(&mut composite.fields),
			TypeDef::Variant(variants) => {
				for variant in &mut variants.variants {
					variant.docs.clear();
					clear_fields(&mut variant.fields);
				}
			},
			_ => {},
		}
	}
	for pallet in &mut metadata.pallets {
		pallet.docs.clear();
		if let Some(storage) = &mut pallet.storage {
			storage.entries.iter_mut().for_each(|entry| entry.docs.clear());
		}
		for constant in &mut pallet.constants {
			constant.docs.clear();
			constant.value.clear();
		}
	}
	for api in &mut metadata.apis {
		api.docs.clear();
		api.methods.iter_mut().for_each(|method| method.docs.clear());
	}
}

/// The fingerprint of the runtime this client was built with.
pub fn built_in() -> Fingerprint {
	static BUILT_IN: OnceLock<Fingerprint> = OnceLock::new();
	*BUILT_IN.get_or_init(|| {
		let answer = teo_runtime::Runtime::metadata_at_version(METADATA_VERSION).encode();
		fingerprint(&answer).expect("the runtime's own metadata V15 decodes; tested")
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use scale_info::Variant;

	fn own_metadata() -> RuntimeMetadataV15 {
		let opaque = teo_runtime::Runtime::metadata_at_version(METADATA_VERSION).unwrap();
		match RuntimeMetadataPrefixed::decode(&mut &opaque[..]).unwrap().1 {
			RuntimeMetadata::V15(v15) => v15,
			_ => panic!("asked for V15"),
		}
	}

	/// `metadata` as a runtime answers it.
	fn answer(metadata: RuntimeMetadataV15) -> Vec<u8> {
		let prefixed: RuntimeMetadataPrefixed = metadata.into();
		Some(OpaqueMetadata::new(prefixed.encode())).encode()
	}

	fn variants_of(metadata: &mut RuntimeMetadataV15, id: u32) -> &mut Vec<Variant<PortableForm>> {
		match &mut metadata.types.types[id as usize].ty.type_def {
			TypeDef::Variant(variants) => &mut variants.variants,
			_ => panic!("type {id} is an enum"),
		}
	}

	/// The variant of `commitGate.submit` in the gate's call enum.
	fn gate_submit(metadata: &mut RuntimeMetadataV15) -> &mut Variant<PortableForm> {
		let gate = metadata.pallets.iter().find(|p| p.name == "CommitGate").unwrap();
		let calls = gate.calls.as_ref().unwrap().ty.id;
		variants_of(metadata, calls).iter_mut().find(|v| v.name == "submit").unwrap()
	}

	#[test]
	fn the_built_in_runtime_matches_itself_and_nothing_else_decodes() {
		assert_eq!(fingerprint(&answer(own_metadata())).unwrap(), built_in());
		assert!(fingerprint(&None::<OpaqueMetadata>.encode()).is_err());
		assert!(fingerprint(b"not metadata").is_err());
		let v14 = Some(OpaqueMetadata::new(
			teo_runtime::Runtime::metadata_at_version(14).unwrap().to_vec(),
		));
		assert!(fingerprint(&v14.encode()).is_err(), "V14 is not compared with V15");
	}

	#[test]
	fn a_runtime_that_changes_only_a_constants_value_or_docs_stays_compatible() {
		// What an upgrade that bumps `spec_version` (the `System.Version` constant) looks like.
		let mut metadata = own_metadata();
		let system = metadata.pallets.iter_mut().find(|p| p.name == "System").unwrap();
		let version = system.constants.iter_mut().find(|c| c.name == "Version").unwrap();
		version.value[0] ^= 0xff;
		version.docs.push("reworded".into());
		metadata.types.types[0].ty.docs.push("reworded".into());
		assert_eq!(fingerprint(&answer(metadata)).unwrap(), built_in());
	}

	#[test]
	fn a_runtime_with_a_new_event_variant_is_refused() {
		let mut metadata = own_metadata();
		let events = metadata.outer_enums.event_enum_ty.id;
		variants_of(&mut metadata, events).push(Variant {
			name: "NewPallet".into(),
			fields: Vec::new(),
			index: 200,
			docs: Vec::new(),
		});
		assert_ne!(fingerprint(&answer(metadata)).unwrap(), built_in());
	}

	#[test]
	fn a_runtime_that_renumbers_a_call_is_refused() {
		let mut metadata = own_metadata();
		gate_submit(&mut metadata).index += 40;
		assert_ne!(fingerprint(&answer(metadata)).unwrap(), built_in());
	}

	#[test]
	fn a_runtime_that_swaps_two_fields_or_two_pallets_is_refused() {
		// Same names, same types: only the positions differ, which is all SCALE knows.
		let mut metadata = own_metadata();
		let fields = &mut gate_submit(&mut metadata).fields;
		assert!(fields.len() >= 2);
		fields.swap(0, 1);
		assert_ne!(fingerprint(&answer(metadata)).unwrap(), built_in());

		let mut metadata = own_metadata();
		let [first, second, ..] = &mut metadata.pallets[..] else { panic!("two pallets") };
		core::mem::swap(&mut first.index, &mut second.index);
		assert_ne!(fingerprint(&answer(metadata)).unwrap(), built_in());
	}
}
