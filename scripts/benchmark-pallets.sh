#!/usr/bin/env bash
# Measures the weights of TEO's pallets on the compiled runtime and writes each pallet's
# `src/weights.rs`. Builds teo-node with the `runtime-benchmarks` feature first (a separate,
# larger build than the default node). Run it on an otherwise idle machine.
#
#   scripts/benchmark-pallets.sh                   every TEO pallet
#   scripts/benchmark-pallets.sh personhood        one pallet (folder name under pallets/)
#   STEPS=50 REPEAT=20 scripts/benchmark-pallets.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=("${TEO_PALLETS[@]}")

step "Building teo-node with runtime-benchmarks"
# frame-benchmarking-cli carries a test runtime for `benchmark storage` whose WASM build cannot
# find itself in this workspace's metadata (it is an optional dependency); pallet benchmarks do
# not use it.
(cd "$TEO_ROOT" && SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 \
	cargo build --release --locked -p teo-node --features runtime-benchmarks)

for pallet in "${pallets[@]}"; do
	name="pallet_${pallet//-/_}"
	step "Benchmarking $name"
	"$TEO_NODE_BIN" benchmark pallet \
		--chain dev \
		--pallet "$name" \
		--extrinsic '*' \
		--wasm-execution compiled \
		--steps "${STEPS:-20}" \
		--repeat "${REPEAT:-10}" \
		--heap-pages 4096 \
		--template "$TEO_ROOT/scripts/weight-template.hbs" \
		--output "$TEO_ROOT/pallets/$pallet/src/weights.rs"
done
