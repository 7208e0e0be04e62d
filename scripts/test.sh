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

# Runs network suites one after another, each on its own zombienet network, appending
# "<suite> <exit status>" to a results file; prints the last log lines of a failed suite.
run_suites() { # results file, suites...
	local results=$1 suite dir status log
	shift
	for suite in "$@"; do
		step "Zombienet: $suite"
		dir="$logs_root/${suite%.zndsl}"
		PATH="$(dirname "$TEO_NODE_BIN"):$PATH" timeout 1200 \
			npx --no-install zombienet -p native -l text -d "$dir" -f test "$suite"
		status=$?
		echo "$suite $status" >>"$results"
		if [ $status -ne 0 ]; then
			for log in "$dir"/*.log; do
				[ -f "$log" ] || continue
				echo "--- last lines of $log"
				tail -n 40 "$log"
			done
		fi
	done
}

if [ -z "${TEO_SKIP_ZOMBIENET:-}" ]; then
	logs_root=$(mktemp -d "${TMPDIR:-/tmp}/teo-zombienet.XXXXXX")
	results="$logs_root/results"
	cd "$TEO_ROOT/zombienet"
	lane_a_suites=(0003-citizens-agents-and-the-gate.zndsl 0001-smoke.zndsl)
	lane_b_suites=(0002-fault.zndsl 0004-mesh.zndsl 0005-adversary.zndsl)
	if [ -n "${TEO_ZOMBIENET_TESTS:-}" ]; then
		read -r -a expected <<<"$TEO_ZOMBIENET_TESTS"
		run_suites "$results" "${expected[@]}"
	else
		expected=("${lane_a_suites[@]}" "${lane_b_suites[@]}")
		# Two networks at once: the suites wait on block times, epochs and timelocks and leave
		# the two cores mostly idle, so two lanes of about equal length halve the wall time.
		# Every network takes its ports from the system (the mesh suite's services use fixed
		# ones, 9960 to 9972, in one lane only). Each lane's output is shown when both end.
		step "Zombienet: two lanes at once (0003, 0001 | 0002, 0004, 0005); output follows when both end"
		run_suites "$results" "${lane_a_suites[@]}" >"$logs_root/lane-a.log" 2>&1 &
		lane_a=$!
		run_suites "$results" "${lane_b_suites[@]}" >"$logs_root/lane-b.log" 2>&1 &
		lane_b=$!
		wait "$lane_a" "$lane_b"
		cat "$logs_root/lane-a.log" "$logs_root/lane-b.log"
	fi
	# A suite without a result (its lane was killed) is a failure, not a silence.
	for suite in "${expected[@]}"; do
		status=$(awk -v s="$suite" '$1 == s { print $2 }' "$results" 2>/dev/null)
		record "zombienet $suite" "${status:-1}"
	done
	echo "zombienet logs: $logs_root"
fi

step "Semaphore and snarkjs compatibility: result"
wait "$compat_pid"
status=$?
cat "$compat_log"
record "semaphore/snarkjs compatibility" $status

summary
