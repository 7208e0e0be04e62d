#!/usr/bin/env bash
# Proofs at the scale of a town (docs/PERSONHOOD.md, "Proving at scale"): the end-to-end time of
# an anonymous veto (the group's tree, the witness and the Groth16 proof) for groups of 2^k
# members, natively (teo-citizen) and in the veto desk in Chromium, on the first sync and warm;
# then Semaphore's own JavaScript (its group and snarkjs) on Semaphore's circuit at the same
# depth, and our times as ratios to it. Prints a Markdown table; the raw figures stay in OUT.
#
# Usage: scripts/bench-proving.sh [--sizes 14,16,20] [--out DIR]
# At 2^20 it needs about 4 GB of memory and, on two cores, about 30 minutes. Nothing else should
# run meanwhile: the figures are wall times.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sizes=14,16,20
out=
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "usage: $0 [--sizes 14,16,20] [--out DIR]" ;;
	esac
done
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/teo-bench-proving.XXXXXX")}
mkdir -p "$out"

bash "$TEO_ROOT/scripts/setup.sh"
step "Building the node, teo-citizen, the town's chain spec and the veto desk"
(cd "$TEO_ROOT" && cargo build --release --locked --workspace &&
	cargo build --release --locked --workspace --example town_chain_spec)
build_veto_desk
bin=$CARGO_TARGET_DIR/release

step "TEO: native and in the browser, for 2^{$sizes} members"
(cd "$TEO_ROOT/tools/veto-desk" && node tests/scale.bench.mjs --node "$bin/teo-node" \
	--citizen "$bin/teo-citizen" --town-spec "$bin/examples/town_chain_spec" --sizes "$sizes") \
	>"$out/teo.jsonl"

step "Semaphore's JavaScript and snarkjs on Semaphore's circuit (depth 20)"
(cd "$TEO_ROOT/primitives/zk/fixtures" && node bench.cjs --depth 20 --sizes "$sizes") >"$out/snarkjs.jsonl"

step "Results (raw figures in $out)"
node --input-type=module - "$out/teo.jsonl" "$out/snarkjs.jsonl" <<'EOF'
import { readFileSync } from "node:fs";
const lines = (file) => readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
const [teo, snarkjs] = process.argv.slice(2).map(lines);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
// How many times Semaphore's time ours is: above 1, ours is faster.
const times = (theirs, ours) => (Number.isFinite(theirs) ? `${(theirs / ours).toFixed(1)}×` : "-");
console.log("| members | native, first sync | native, warm | browser, first sync (tree + proof) | browser, warm (tree + proof) | Semaphore's JS and snarkjs (tree from memory + proof) | Semaphore's time ÷ ours: native warm, browser warm, browser first |");
console.log("|---|---|---|---|---|---|---|");
for (const t of teo) {
  const j = snarkjs.find((x) => x.members === t.members);
  const b = t.browser;
  const js = j ? j.treeMs + j.proofMs : NaN;
  const [first, warm] = [b.firstSyncMs + b.firstProofMs, b.warmSyncMs + b.warmProofMs];
  console.log(`| 2^${Math.log2(t.members)} | ${s(t.native.firstMs)} | ${s(t.native.warmMs)} | ${s(first)} (${s(b.firstSyncMs)} + ${s(b.firstProofMs)}) | ${s(warm)} (${s(b.warmSyncMs)} + ${s(b.warmProofMs)}) | ${j ? `${s(js)} (${s(j.treeMs)} + ${s(j.proofMs)})` : "not run"} | ${times(js, t.native.warmMs)}, ${times(js, warm)}, ${times(js, first)} |`);
}
EOF
