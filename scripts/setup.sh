#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test TEO. Idempotent: rerunning it only
# checks. Needs rustup (the Rust toolchain manager) and Node.js with npm already present.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v rustup >/dev/null || die "rustup is missing: install the Rust toolchain first (https://rustup.rs)"
command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain first"

step "Rust targets and components for the runtime's WASM build"
installed_targets=$(rustup target list --installed)
for target in wasm32v1-none wasm32-unknown-unknown; do
	grep -qx "$target" <<<"$installed_targets" || rustup target add "$target"
done
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src

step "System packages (protoc for the networking stack, Node.js for zombienet, systemd-analyze, rsync, Chromium)"
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
# systemd-analyze checks the systemd units operators install (scripts/deploy/).
command -v systemd-analyze >/dev/null || missing+=(systemd)
# rsync mirrors the checkout for the test command (scripts/test.sh).
command -v rsync >/dev/null || missing+=(rsync)
# The veto desk's browser test drives Debian's Chromium (Playwright's own download is not
# reachable from our machines).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
protoc --version

# npm ci wipes node_modules each time: skip it when the installed tree matches the lockfile.
npm_install() { # directory
	local stamp want
	stamp="$1/node_modules/.teo-lock.sha256"
	want=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
	if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
		(cd "$1" && npm ci --no-audit --no-fund)
		echo "$want" >"$stamp"
	fi
}

step "Zombienet and @polkadot/api (npm ci, pinned by zombienet/package-lock.json)"
npm_install "$TEO_ROOT/zombienet"

# The veto desk's prover is bound to JavaScript by wasm-bindgen, whose CLI must be exactly the
# version of the `wasm-bindgen` crate in Cargo.lock (a few minutes to compile, once).
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$TEO_ROOT/Cargo.lock")
step "wasm-bindgen CLI $bindgen_version (the veto desk's prover)"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
	cargo install --locked --quiet wasm-bindgen-cli --version "$bindgen_version"
fi
wasm-bindgen --version

step "The veto desk: Preact, @polkadot/api, esbuild, playwright-core (npm ci, pinned by tools/veto-desk/package-lock.json)"
npm_install "$TEO_ROOT/tools/veto-desk"

step "Semaphore, snarkjs and circom (npm ci, pinned by primitives/zk/fixtures/package-lock.json)"
npm_install "$TEO_ROOT/primitives/zk/fixtures"

step "Python: the example agent and the flash-crash plots (pinned by examples/agents/requirements.txt, tools/swarm/plot/requirements.txt)"
requirements=("$TEO_ROOT/examples/agents/requirements.txt" "$TEO_ROOT/tools/swarm/plot/requirements.txt")
want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
stamp="$TEO_VENV/.teo-requirements.sha256"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	python3 -m venv "$TEO_VENV"
	for file in "${requirements[@]}"; do
		"$TEO_VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: -r "$file"
	done
	echo "$want" >"$stamp"
fi

cd "$TEO_ROOT/zombienet"
npx --no-install zombienet version
