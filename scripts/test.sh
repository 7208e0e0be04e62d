#!/usr/bin/env bash
# The README's test command, and what CI runs: sets up the machine, builds the workspace once in
# release, runs every Rust test in that same profile, then the zombienet suites against the
# release teo-node. Ends with a pass/fail summary; exits non-zero if anything failed.
#
#   scripts/test.sh              everything
#   TEO_SKIP_ZOMBIENET=1 ...     Rust tests only
#   TEO_ZOMBIENET_TESTS="0001-smoke.zndsl" ...   a subset of the network suites
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

passed=()
failed=()
record() { # name, exit status
	if [ "$2" -eq 0 ]; then passed+=("$1"); else failed+=("$1"); fi
}
summary() {
	step "Summary"
	for name in "${passed[@]}"; do echo "  PASS  $name"; done
	for name in "${failed[@]}"; do echo "  FAIL  $name"; done
	echo "teo: ${#passed[@]} passed, ${#failed[@]} failed"
	[ ${#failed[@]} -eq 0 ]
}

"$TEO_ROOT/scripts/setup.sh" || die "setup failed"

step "Lean node: no RocksDB, no frame-benchmarking-cli in the default build"
# `cargo tree -i` fails with "did not match any packages" when the crate is not in the graph.
for crate in librocksdb-sys frame-benchmarking-cli; do
	tree=$(cd "$TEO_ROOT" && cargo tree --locked -p teo-node -e normal,build -i "$crate" 2>&1)
	if grep -q "did not match any packages" <<<"$tree"; then
		echo "  $crate: absent"
		record "lean node: no $crate" 0
	else
		echo "  $crate: PRESENT in the default teo-node build"
		record "lean node: no $crate" 1
	fi
done

# One release build shared by the unit tests and the network tests: building the workspace in
# two profiles would double a cold run.
step "Building the workspace (release)"
(cd "$TEO_ROOT" && cargo build --release --locked --workspace) || { record "cargo build" 1; summary; exit 1; }

step "Rust tests (release profile, the same build)"
(cd "$TEO_ROOT" && cargo test --release --locked --workspace)
record "cargo test --workspace" $?

# Benchmarks compiled and run once each as tests, so they never rot. They need the
# runtime-benchmarks feature, so they run per pallet in the debug profile: a small build
# (about 300 crates, under two minutes cold) instead of a second release build of the workspace.
step "Pallet benchmarks as tests (debug profile, runtime-benchmarks)"
for name in "${TEO_PALLETS[@]}"; do
	(cd "$TEO_ROOT" && SKIP_WASM_BUILD=1 cargo test --locked -p "pallet-$name" --features runtime-benchmarks -- benchmarking)
	record "benchmarks of pallet-$name" $?
done

# Groth16 both ways with the Semaphore ecosystem: snarkjs proofs of Semaphore's own circuit
# verify with the chain's verifier, and our prover's proofs pass `snarkjs groth16 verify`. It is
# single-threaded JavaScript (minutes on a fresh machine, which must make a powers-of-tau file
# first) while the network suites below leave the cores mostly idle: it runs beside them, and
# its result is reported after them.
step "Semaphore and snarkjs compatibility (in the background, beside the network suites)"
compat_log=$(mktemp "${TMPDIR:-/tmp}/teo-compat.XXXXXX")
timeout 1800 node "$TEO_ROOT/primitives/zk/fixtures/compat.cjs" "$(dirname "$TEO_NODE_BIN")/teo-citizen" 20 \
	>"$compat_log" 2>&1 &
compat_pid=$!

if [ -z "${TEO_SKIP_ZOMBIENET:-}" ]; then
	logs_root=$(mktemp -d "${TMPDIR:-/tmp}/teo-zombienet.XXXXXX")
	cd "$TEO_ROOT/zombienet"
	for suite in ${TEO_ZOMBIENET_TESTS:-0001-smoke.zndsl 0002-fault.zndsl 0003-citizens-agents-and-the-gate.zndsl 0004-mesh.zndsl}; do
		step "Zombienet: $suite"
		dir="$logs_root/${suite%.zndsl}"
		PATH="$(dirname "$TEO_NODE_BIN"):$PATH" timeout 1200 \
			npx --no-install zombienet -p native -l text -d "$dir" -f test "$suite"
		status=$?
		record "zombienet $suite" $status
		if [ $status -ne 0 ]; then
			for log in "$dir"/*.log; do
				[ -f "$log" ] || continue
				echo "--- last lines of $log"
				tail -n 40 "$log"
			done
		fi
	done
	echo "zombienet logs: $logs_root"
fi

step "Semaphore and snarkjs compatibility: result"
wait "$compat_pid"
status=$?
cat "$compat_log"
record "semaphore/snarkjs compatibility" $status

summary
