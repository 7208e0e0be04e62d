#!/usr/bin/env bash
# The README's test command, and what CI runs: sets up the machine, builds the workspace once in
# release, runs every Rust test in that same profile, then the zombienet suites against the
# release teo-node. Ends with a pass/fail summary; exits non-zero if anything failed.
#
#   scripts/test.sh              everything
#   TEO_SKIP_ZOMBIENET=1 ...     Rust tests only
#   TEO_ZOMBIENET_TESTS="0001-smoke-and-fault.zndsl" ...   a subset of the network suites
#   TEO_MIRROR=DIR ...           where the checkout is mirrored (default ~/.cache/teo/src)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Everything runs from a mirror of this checkout at a fixed place, synced by content: a file
# that did not change keeps its old timestamp there, so a fresh clone (CI's, a second worktree)
# reuses the build of every workspace crate it did not change. Built from the clone's own path,
# cargo would compile all of them again (a package's path is part of its identity): about ten
# minutes of a warm run, the runtime's WASM included. Ignored files (node_modules) stay in the
# mirror between runs; nothing else is kept. One run at a time per mirror.
if [ -z "${TEO_MIRRORED:-}" ]; then
	mirror=$(realpath -m "${TEO_MIRROR:-$HOME/.cache/teo/src}")
	root=$(realpath "$TEO_ROOT")
	case "$mirror/" in
	"$root"/*) die "the mirror $mirror is inside the checkout $root" ;;
	esac
	case "$root/" in
	"$mirror"/*) die "the checkout $root is inside the mirror $mirror" ;;
	esac
	# `rsync --delete` empties whatever it is pointed at: only an empty folder or a mirror
	# (marked, or a TEO tree from before the mark).
	if [ -d "$mirror" ] && [ -n "$(ls -A "$mirror")" ] && [ ! -e "$mirror/.teo-mirror" ] &&
		[ ! -f "$mirror/scripts/test.sh" ]; then
		die "$mirror is not empty and not a mirror of TEO: set TEO_MIRROR elsewhere"
	fi
	if ! command -v rsync >/dev/null; then
		step "Installing rsync (the test command mirrors the checkout with it)"
		as_root apt-get update -qq &&
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync ||
			die "rsync could not be installed"
	fi
	mkdir -p "$mirror" && touch "$mirror/.teo-mirror" || die "cannot create $mirror"
	lock="$mirror.lock"
	flock -n "$lock" true || die "another test run is using $mirror (set TEO_MIRROR to run one beside it)"
	step "Mirroring $TEO_ROOT into $mirror (by content)"
	changes=$(flock -n "$lock" rsync --recursive --links --perms --checksum --delete \
		--itemize-changes --filter=':- .gitignore' --exclude=/.git --exclude=/.teo-mirror \
		"$TEO_ROOT/" "$mirror/") || die "mirroring into $mirror failed"
	echo "  $(grep -c '^>f' <<<"$changes") files written, $(grep -c '^\*deleting' <<<"$changes") deleted"
	# The node embeds the checkout's commit (the mirror has no .git).
	commit=$(git -C "$TEO_ROOT" rev-parse --short=11 HEAD 2>/dev/null || echo 00000000000)
	# flock holds the lock for the run and exits with it; `-o` keeps it from the run's children,
	# so a node left behind cannot hold it.
	exec flock -o -n "$lock" env TEO_MIRRORED=1 SUBSTRATE_CLI_GIT_COMMIT_HASH="$commit" \
		bash "$mirror/scripts/test.sh" "$@"
fi

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

# `systemd-analyze verify` on each unit of scripts/deploy, with its binaries at `prefix`.
verify_units() { # prefix
	local unit copy output status=0
	if ! command -v systemd-analyze >/dev/null; then
		echo "  systemd-analyze is missing (setup.sh installs it)"
		return 1
	fi
	for unit in "$TEO_ROOT"/scripts/deploy/*.service; do
		copy="$1/$(basename "$unit")"
		sed "s|/usr/local/bin/|$1/bin/|" "$unit" >"$copy"
		# A warning (an unknown key, a key in the wrong section) fails too.
		if output=$(systemd-analyze verify --man=no "$copy" 2>&1) && [ -z "$output" ]; then
			echo "  $(basename "$unit"): verified"
		else
			echo "  $(basename "$unit"): $output"
			status=1
		fi
	done
	return $status
}

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

# The trusted setup's local phase 1 (scripts/ptau.sh: minutes of snarkjs, once per machine),
# started here at the lowest priority: on a new machine it then runs in the cycles the
# workspace build leaves idle (its links, the runtime's WebAssembly, one crate at a time), not
# on the network suites' critical path after it (0003 and 0006 wait for the launch spec, which
# needs it: 21 min of a 66-minute cold run on 2026-12-02). The setup job below waits for it
# (ptau.sh holds a lock while it makes the file). On a machine that has it, this returns at once.
ptau_log=$(mktemp "${TMPDIR:-/tmp}/teo-ptau.XXXXXX")
(renice -n 19 -p "$BASHPID" >/dev/null && bash "$TEO_ROOT/scripts/ptau.sh" 14 >"$ptau_log" 2>&1) &

# One release build shared by the unit tests and the network tests: building the workspace in
# two profiles would double a cold run.
step "Building the workspace (release)"
(cd "$TEO_ROOT" && cargo build --release --locked --workspace) || { record "cargo build" 1; summary; exit 1; }

# The citizen's veto desk: its prover in WebAssembly and its page, then its browser test in the
# background from here on (a dev chain of its own, Chromium driven by Playwright; mostly waiting
# on blocks), beside the builds and tests that follow. Its result is reported at the end.
desk_dir=$(mktemp -d "${TMPDIR:-/tmp}/teo-desk.XXXXXX")
desk_pid=
if build_veto_desk; then
	step "The veto desk in Chromium against a dev chain (in the background; screenshots in $desk_dir)"
	(cd "$TEO_ROOT/tools/veto-desk" && node tests/tree-builder.test.mjs &&
		timeout -k 60 900 node tests/desk.test.mjs --node "$TEO_NODE_BIN" \
			--citizen "$(dirname "$TEO_NODE_BIN")/teo-citizen" --screenshots "$desk_dir" &&
		timeout -k 30 360 node tests/lying-node.test.mjs --node "$TEO_NODE_BIN" \
			--citizen "$(dirname "$TEO_NODE_BIN")/teo-citizen") >"$desk_dir/log" 2>&1 &
	desk_pid=$!
else
	record "veto desk build (WebAssembly prover and page)" 1
fi

# What an operator installs: the binaries on PATH, and the systemd units checked against them.
step "Installing into a temporary prefix; systemd units verified against it"
install_prefix=$(mktemp -d "${TMPDIR:-/tmp}/teo-install.XXXXXX")
bash "$TEO_ROOT/scripts/install.sh" --no-build --prefix "$install_prefix" &&
	verify_units "$install_prefix"
record "install.sh and the systemd units" $?

# The trusted setup and the launch, then Groth16 both ways with the Semaphore ecosystem, in the
# background from here on at the lowest priority: snarkjs runs worker threads on both cores and
# at normal priority slowed the test build badly; at nice 19 it takes only the cycles the build
# leaves idle. Once the test binaries are built (beside the lanes, where 0006 already waits for
# its spec), it runs at normal priority until the spec exists (at nice 19 beside two networks
# and the Rust tests it starved past its 15-minute bound), and its last step at the lowest again, beside the network
# suites. Its bound is 30 minutes from its start: a test build that recompiles teo-zk's
# dependents takes about 17 minutes, during which the ceremony gets almost no CPU (with 15, it
# was killed in its last verification, 2026-12-01). The result is reported at the end:
#   1. scripts/ceremony.sh: snarkjs phase 2 of TEO's circuit at depth 20 (three contributors and
#      a beacon) on the machine's cached local phase 1 (made once: minutes on a fresh machine);
#   2. scripts/launch-rehearsal.sh: a testnet spec built by `teo-node launch build` with the
#      ceremony's key, on which suites 0003 and 0006 run (their lanes wait for the spec);
#   3. compat.cjs: snarkjs proofs of Semaphore's circuit verify with the chain's verifier; TEO's
#      proofs pass `snarkjs groth16 verify`, with the dev key and with the ceremony's key, and
#      snarkjs' proofs from the ceremony's key pass TEO's verifier.
step "Trusted setup, launch rehearsal and snarkjs compatibility (in the background, at the lowest priority)"
setup_dir=$(mktemp -d "${TMPDIR:-/tmp}/teo-setup.XXXXXX")
compat_log="$setup_dir/log"
ceremony_dir="$setup_dir/ceremony"
launch_spec="$setup_dir/launch-spec.json"
citizen_bin="$(dirname "$TEO_NODE_BIN")/teo-citizen"
# Every step's failure counts (`set -e` does not apply left of `||`); the spec appears only
# once `launch check` has passed on it.
{
	renice -n 19 -p "$BASHPID" >/dev/null &&
	ptau=$(bash "$TEO_ROOT/scripts/ptau.sh" 14) &&
		timeout 1800 bash "$TEO_ROOT/scripts/ceremony.sh" --out "$ceremony_dir" --depth 20 \
			--contributors 3 --ptau "$ptau" --citizen "$citizen_bin" &&
		PATH="$(dirname "$TEO_NODE_BIN"):$PATH" bash "$TEO_ROOT/scripts/launch-rehearsal.sh" \
			--ceremony "$ceremony_dir" --out "$launch_spec" --depth 20 &&
		renice -n 19 -p "$BASHPID" >/dev/null &&
		timeout 1800 node "$TEO_ROOT/primitives/zk/fixtures/compat.cjs" "$citizen_bin" 20 "$ceremony_dir"
} >"$compat_log" 2>&1 || touch "$setup_dir/failed" &
compat_pid=$!

# A process and all its descendants (snarkjs' workers are the setup job's grandchildren).
process_tree() { # pid
	local child
	echo "$1"
	for child in $(pgrep -P "$1"); do process_tree "$child"; done
}

# Waits (bounded) for the launch rehearsal's spec; fails at once if the setup job failed. The
# bound counts from the moment the setup job's priority is raised (after the test build, which
# it must not slow), 25 minutes, within an overall 60.
wait_for_launch_spec() {
	local waited=0 promoted=0
	until [ -s "$launch_spec" ]; do
		if [ -e "$setup_dir/failed" ] || [ $promoted -ge 1500 ] || [ $waited -ge 3600 ]; then
			echo "no launch spec: the trusted setup failed or took too long (log: $compat_log)"
			return 1
		fi
		sleep 5
		waited=$((waited + 5))
		if [ -e "$setup_dir/promoted" ]; then promoted=$((promoted + 5)); fi
	done
	# Not the loop's status: that is its body's last command's (a spec ready before the marker
	# once failed both launched lanes without a word, 2026-12-02).
	return 0
}

# Runs network suites one after another, each on its own zombienet network, appending
# "<suite> <exit status>" to a results file; prints the last log lines of a failed suite.
run_suites() { # results file, suites...
	local results=$1 suite dir status log
	shift
	for suite in "$@"; do
		step "Zombienet: $suite"
		dir="$logs_root/${suite%.zndsl}"
		if grep -q "^Network: ./teo-launch" "$suite"; then
			# A network launched from the rehearsal's spec, proving with the ceremony's key.
			if wait_for_launch_spec; then
				TEO_LAUNCH_SPEC="$launch_spec" TEO_PROVING_KEY="$ceremony_dir/final.zkey" \
					TEO_PROVING_KEY_DEPTH=20 PATH="$(dirname "$TEO_NODE_BIN"):$PATH" timeout 1200 \
					npx --no-install zombienet -p native -l text -d "$dir" -f test "$suite"
				status=$?
			else
				status=1
			fi
		else
			PATH="$(dirname "$TEO_NODE_BIN"):$PATH" timeout 1200 \
				npx --no-install zombienet -p native -l text -d "$dir" -f test "$suite"
			status=$?
		fi
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

lanes=()
if [ -z "${TEO_SKIP_ZOMBIENET:-}" ]; then
	logs_root=$(mktemp -d "${TMPDIR:-/tmp}/teo-zombienet.XXXXXX")
	results="$logs_root/results"
	cd "$TEO_ROOT/zombienet"
	# Three networks at once: the suites wait on block times, epochs and timelocks and leave the
	# two cores mostly idle. 0003 and 0006 run on networks launched from the trusted setup's
	# spec and wait for it if it is not ready yet: 0003 after 0001, 0006 from the start, so that
	# only two networks share the cores with the ceremony. 0004 upgrades the runtime under the
	# mesh. Every network takes its ports from the system (the mesh suite's services use fixed
	# ones, 9960 to 9972, in one lane only). Each lane's output is shown when all have ended.
	lanes_suites=(
		"0001-smoke-and-fault.zndsl 0003-citizens-agents-and-the-gate.zndsl"
		"0006-validators-and-upgrade.zndsl"
		"0005-adversary.zndsl 0004-mesh.zndsl"
	)
	if [ -n "${TEO_ZOMBIENET_TESTS:-}" ]; then
		lanes_suites=("$TEO_ZOMBIENET_TESTS")
		step "Zombienet: $TEO_ZOMBIENET_TESTS, one after another, beside the Rust test build and tests"
	else
		step "Zombienet: three lanes at once (0001, 0003 | 0006 | 0005, 0004), beside the Rust test build and tests; their output follows when all end"
	fi
	expected=()
	for lane in "${!lanes_suites[@]}"; do
		read -r -a suites <<<"${lanes_suites[$lane]}"
		[ ${#suites[@]} -gt 0 ] || suites=("TEO_ZOMBIENET_TESTS names no suite")
		expected+=("${suites[@]}")
		run_suites "$results" "${suites[@]}" >"$logs_root/lane-$lane.log" 2>&1 &
		lanes+=($!)
	done
fi

# Every target but doc-tests: the workspace has no runnable doc example (the two are `ignore`d
# sketches), and rustdoc expanding eleven crates, the runtime among them, costs over two
# minutes of a warm run for nothing. Compiled beside the network suites, which need only the
# workspace build (the binaries they run are the same artifacts, fresh in this build), at the
# Rust tests' lower priority: about eight minutes of a cold run's critical path, most of them
# on cores the networks leave idle.
step "Rust test binaries (release profile, the same build; beside the lanes, at nice 10)"
(cd "$TEO_ROOT" && nice -n 10 cargo test --release --locked --workspace --lib --bins --tests --examples --no-run)
tests_built=$?

# The launched networks' lanes wait for the setup job's spec from here on (0006 from its start,
# beside the test build, which the setup job at the lowest priority does not slow): its priority
# back to normal until the spec exists (raising a priority needs root; without it the job stays
# at the lowest and the lanes wait longer).
if [ ! -s "$launch_spec" ] && [ ! -e "$setup_dir/failed" ]; then
	# shellcheck disable=SC2046 # one pid per word
	renice -n 0 -p $(process_tree "$compat_pid") >/dev/null 2>&1 ||
		echo "  the trusted setup stays at the lowest priority (renice needs root)"
fi
touch "$setup_dir/promoted"

# The proving benchmark (scripts/bench-proving.sh) at 2^10 members, in the background: a check
# that its harness runs end to end (a town's chain spec, a node, teo-citizen first and warm,
# the desk in Chromium first and warm), not a measurement.
scale_pid=
scale_log=$(mktemp "${TMPDIR:-/tmp}/teo-scale.XXXXXX")
if [ $tests_built -eq 0 ] && [ -n "$desk_pid" ]; then
	step "Proving benchmark, small run (2^10 members; a check, not a measurement; in the background)"
	# The town's chain spec: the workspace's features, so only the link is new.
	if (cd "$TEO_ROOT" && cargo build --release --locked --workspace --example town_chain_spec); then
		(cd "$TEO_ROOT/tools/veto-desk" && timeout -k 60 900 nice -n 5 node tests/scale.bench.mjs --node "$TEO_NODE_BIN" \
			--citizen "$(dirname "$TEO_NODE_BIN")/teo-citizen" \
				--town-spec "$CARGO_TARGET_DIR/release/examples/town_chain_spec" --sizes 10) >"$scale_log" 2>&1 &
		scale_pid=$!
	else
		record "proving benchmark at 2^10 members (its chain spec tool did not build)" 1
	fi
fi

# The Rust tests and the benchmarks run while the networks wait on block times, epochs and
# timelocks, at a lower priority so that the networks' nodes keep theirs (not the lowest: the
# CLI tests start nodes of their own, which wait on block times too).
step "Rust tests (release profile, the same build)"
if [ $tests_built -eq 0 ]; then
	(cd "$TEO_ROOT" && nice -n 10 cargo test --release --locked --workspace --lib --bins --tests --examples)
	record "cargo test --workspace" $?
else
	record "cargo test --workspace (the test binaries did not build)" 1
fi

# Benchmarks compiled and run once each as tests, so they never rot. They need the
# runtime-benchmarks feature, so they run per pallet in the debug profile: a small build
# (about 300 crates, under two minutes cold) instead of a second release build of the workspace.
step "Pallet benchmarks as tests (debug profile, runtime-benchmarks)"
for name in "${TEO_PALLETS[@]}"; do
	(cd "$TEO_ROOT" && SKIP_WASM_BUILD=1 nice -n 10 cargo test --locked -p "pallet-$name" --features runtime-benchmarks -- benchmarking)
	record "benchmarks of pallet-$name" $?
done

# The mesh's throughput harness (docs/PERFORMANCE.md) at a small scale, as a check that it runs
# and that every message reaches every peer through four layers of separate processes, in both
# modes. No figure from it counts: it shares the machine with the networks above.
step "Mesh throughput harness, small run (a check, not a measurement)"
(cd "$TEO_ROOT" && nice -n 10 cargo bench --locked --workspace --bench throughput -- \
	--peers 6 --publishers 2 --agents 2 --rate 200 --seconds 3 --check)
record "mesh throughput harness (small run)" $?


if [ -z "${TEO_SKIP_ZOMBIENET:-}" ]; then
	if [ ${#lanes[@]} -gt 0 ]; then
		step "Zombienet: waiting for the lanes"
		wait "${lanes[@]}"
		cat "$logs_root"/lane-*.log
		# A suite without a result (its lane was killed) is a failure, not a silence.
		for suite in "${expected[@]}"; do
			status=$(awk -v s="$suite" '$1 == s { print $2 }' "$results" 2>/dev/null)
			record "zombienet $suite" "${status:-1}"
		done
		echo "zombienet logs: $logs_root"
	fi
fi

# The flash-crash harness (docs/FLASH-CRASH.md) at a small scale: 300 agents on a network of its
# own (three validators, three mesh services) for two epochs. Eight of them are one person's
# admission grabbers (a tipped pull request each at every epoch's first block), three are
# adversaries (an equivocator, an overspender, a double spender across the layers), and 5 of 600
# citizens move their delegation every block. Its invariants: admissions never above D_max nor a
# person's share, every offence proven on chain and slashed once, no honest agent punished or its
# messages rejected, block production and finality never stalled. After the lanes, at normal priority: its validators
# must keep their slots, and its load (six processes, drafts at every agent's allowance) must
# not cost the lanes' networks theirs. Its figures are in the output folder.
step "Flash-crash harness, small run (300 agents with 8 grabbers and 3 adversaries, two epochs; the invariants)"
swarm_out=$(mktemp -d "${TMPDIR:-/tmp}/teo-swarm.XXXXXX")
timeout -k 30 900 "$(dirname "$TEO_NODE_BIN")/teo-swarm" run --agents 300 --epochs 2 \
	--grabbers 8 --equivocators 1 --overspenders 1 --double-spenders 1 --citizens 600 --churn 5 \
	--out "$swarm_out" --check
record "flash-crash harness, small run (289 honest agents, 8 admission grabbers and 3 adversaries, two epochs; figures in $swarm_out)" $?
"$TEO_VENV/bin/python" "$TEO_ROOT/tools/swarm/plot/plot.py" timeline "$swarm_out/timeline.svg" \
	"TEO=$swarm_out" && grep -q '<svg' "$swarm_out/timeline.svg"
record "flash-crash plot of the small run ($swarm_out/timeline.svg)" $?

if [ -n "$desk_pid" ]; then
	step "The veto desk in Chromium: result"
	wait "$desk_pid"
	status=$?
	cat "$desk_dir/log"
	record "veto desk: subtree roots hashed in runs, Chromium (identity, registration, anonymous veto, the second refused, killed, the tree kept), a node that lies about a leaf" $status
fi

if [ -n "$scale_pid" ]; then
	step "Proving benchmark, small run: result"
	wait "$scale_pid"
	status=$?
	cat "$scale_log"
	record "proving benchmark at 2^10 members (native and in Chromium, first sync and warm)" $status
fi

step "Trusted setup, launch rehearsal and snarkjs compatibility: result"
wait "$compat_pid"
status=0
[ -e "$setup_dir/failed" ] && status=1
cat "$compat_log"
record "trusted setup, launch and snarkjs compatibility" $status

summary
