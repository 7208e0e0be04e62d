# Shared by the scripts in this folder: where things are, where the build goes, how to log.
# Source it; don't run it.

TEO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TEO_ROOT

# One target directory for every build on this machine, so CI (a fresh clone) reuses the
# developer's build. substrate-wasm-builder then needs the workspace hint to find Cargo.lock.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/teo/target}
export WASM_BUILD_WORKSPACE_HINT=$TEO_ROOT
export PATH="$HOME/.cargo/bin:$PATH"

TEO_NODE_BIN=$CARGO_TARGET_DIR/release/teo-node
export TEO_NODE_BIN

# The upgrade rehearsal's runtime (the runtime one `spec_version` later), which the runtime's
# build script writes beside the real one; suite 0004 upgrades a running network to it.
export TEO_UPGRADE_RUNTIME=$CARGO_TARGET_DIR/release/wbuild/teo-runtime/upgrade_rehearsal_wasm_binary.rs.compact.compressed.wasm

# TEO's pallets: the folders under pallets/ that are FRAME pallets (pallets/support is their
# shared helper crate, with nothing to benchmark).
TEO_PALLETS=(personhood action-budget commit-gate validator-set)

# The Python environment of the example agents (examples/agents/).
export TEO_VENV=${TEO_VENV:-$HOME/.cache/teo/venv}

# A step's heading, with the time it began: a run's log tells how long each step took.
step() { printf '\n\033[1m==> %s\033[0m (%s)\n' "$*" "$(date +%H:%M:%S)"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Builds the workspace in release: teo-node (and with it the runtime's WASM), teo-mesh and
# teo-citizen. The same build as the test command's, so the two share every artifact (building
# one package alone would unify features differently and compile the big crates twice).
build_workspace() {
	step "Building teo-node, teo-mesh and teo-citizen (release) into $CARGO_TARGET_DIR"
	(cd "$TEO_ROOT" && cargo build --release --locked --workspace)
}

# The citizen's veto desk (tools/veto-desk), built into tools/veto-desk/dist: the prover
# compiled to WebAssembly and bound by wasm-bindgen (the CLI setup.sh installs, the version
# Cargo.lock pins), then the page bundled by esbuild.
build_veto_desk() {
	local desk=$TEO_ROOT/tools/veto-desk
	step "Building the veto desk: the prover in WebAssembly, the page"
	(cd "$TEO_ROOT" && cargo build --release --locked --target wasm32-unknown-unknown -p teo-browser-prover) &&
		wasm-bindgen --target web --out-dir "$desk/dist/pkg" \
			"$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/teo_browser_prover.wasm" &&
		(cd "$desk" && node build.mjs)
}
