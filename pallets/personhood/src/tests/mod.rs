//! Tests of the personhood pallet, with real Groth16 proofs, by concern.

mod fixture;
mod groups;
mod keys;
mod members;
mod periods;
mod verification;

use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::ConstU32, BoundedVec},
	frame_system::{self, RawOrigin},
	sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave},
	sp_runtime::DispatchError,
};
use teo_pallet_test_utils::TestConstitution;
use teo_primitives::{traits::PersonhoodInspect, AccountId};
use teo_zk::{groth16, Fr};

fn signed(who: &AccountId) -> RuntimeOrigin {
	RawOrigin::Signed(who.clone()).into()
}

fn root() -> RuntimeOrigin {
	RawOrigin::Root.into()
}

fn name(text: &[u8]) -> BoundedVec<u8, ConstU32<16>> {
	text.to_vec().try_into().unwrap()
}

fn root_of(tree: &teo_zk::lean_imt::LeanImt) -> FieldBytes {
	groth16::fr_to_be_bytes(&tree.root().unwrap())
}

/// A value at or above the BN254 scalar field modulus.
const NOT_IN_FIELD: FieldBytes = [0xff; 32];
