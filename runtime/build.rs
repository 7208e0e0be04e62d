//! Compiles the runtime to WASM (`wasm32v1-none` where the toolchain has it) and embeds the blob
//! as `WASM_BINARY` in the native crate.
//!
//! When `CARGO_TARGET_DIR` lies outside the workspace, set `WASM_BUILD_WORKSPACE_HINT` to the
//! repository root: the builder finds `Cargo.lock` through it. `SKIP_WASM_BUILD` (any value)
//! skips the blob, for `cargo check`, clippy and pallet tests.

fn main() {
	#[cfg(feature = "std")]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
