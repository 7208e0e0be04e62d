//! Compiles the runtime to WASM (`wasm32v1-none` where the toolchain has it) and embeds the blob
//! as `WASM_BINARY` in the native crate.
//!
//! A second blob, the upgrade rehearsal's (feature `upgrade-rehearsal`: the same runtime one
//! `spec_version` later), is built beside it as `upgrade_rehearsal::WASM_BINARY`, for the test
//! that upgrades a running network through the gate. It shares every dependency's artifacts with
//! the first, so it costs one more compile of this crate. (Polkadot's relay runtimes build their
//! `fast-runtime` variants the same way.)
//!
//! A third, the flash-crash harness's counterfactual (feature `single-layer`: the same runtime
//! with its human-bandwidth cap taken out), is built the same way as `single_layer::WASM_BINARY`.
//!
//! When `CARGO_TARGET_DIR` lies outside the workspace, set `WASM_BUILD_WORKSPACE_HINT` to the
//! repository root: the builder finds `Cargo.lock` through it. `SKIP_WASM_BUILD` (any value)
//! skips every blob, for `cargo check`, clippy and pallet tests.

fn main() {
	#[cfg(feature = "std")]
	{
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.set_file_name("upgrade_rehearsal_wasm_binary.rs")
			.enable_feature("upgrade-rehearsal")
			.build();
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.set_file_name("single_layer_wasm_binary.rs")
			.enable_feature("single-layer")
			.build();
	}
}
