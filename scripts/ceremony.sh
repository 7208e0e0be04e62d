#!/usr/bin/env bash
# The trusted-setup ceremony of TEO's membership circuit, with snarkjs, end to end:
#   1. the circuit as circom's .r1cs (`teo-citizen snarkjs export-r1cs`);
#   2. phase 1: a public powers-of-tau file (--ptau; production) or, for tests only, a local one
#      made here by one contributor and a beacon;
#   3. phase 2: `groth16 setup`, one `zkey contribute` per contributor, each verified, a final
#      `zkey beacon`, the whole transcript verified again;
#   4. the verifying key (verification_key.json, for the launch file) and the final .zkey (for
#      `teo-citizen prove --proving-key final.zkey --depth N`).
# In production every contributor runs `snarkjs zkey contribute` on their own machine, one after
# another, and anyone re-runs `snarkjs zkey verify` on the published files (docs/PERSONHOOD.md,
# "The trusted setup"). This script plays every role on one machine, for tests and rehearsals.
#
# Usage: scripts/ceremony.sh --out DIR [--depth 20] [--contributors 3] [--ptau FILE]
#        [--beacon HEX] [--citizen PATH] [--verify-each]
# The final verification checks the whole chain of contributions; --verify-each also checks
# each one as it is made, as every contributor does with the previous one in a real ceremony.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="" depth=20 contributors=3 ptau="" citizen="" verify_each=""
# A beacon must be a value nobody knows before the ceremony ends (a future block hash, announced
# in advance). The default is a fixed test value: fine for tests, never for a launch.
beacon=0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--depth) depth=$2; shift 2 ;;
	--contributors) contributors=$2; shift 2 ;;
	--ptau) ptau=$2; shift 2 ;;
	--beacon) beacon=$2; shift 2 ;;
	--citizen) citizen=$2; shift 2 ;;
	--verify-each) verify_each=1; shift ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "usage: $0 --out DIR [--depth N] [--contributors K] [--ptau FILE]" >&2; exit 2; }
[ "$contributors" -ge 1 ] 2>/dev/null || { echo "--contributors must be at least 1: the beacon alone is public" >&2; exit 2; }
# Absolute paths: the script works inside --out.
[ -z "$ptau" ] || ptau=$(realpath "$ptau")
[ -z "$citizen" ] || citizen=$(realpath "$citizen")
if [ "$beacon" = 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20 ]; then
	echo "warning: the fixed TEST beacon; a launch passes --beacon with a pre-announced future block hash" >&2
fi
citizen=${citizen:-$(command -v teo-citizen || echo "${CARGO_TARGET_DIR:-$HOME/.cache/teo/target}/release/teo-citizen")}
snarkjs="$root/primitives/zk/fixtures/node_modules/.bin/snarkjs"
[ -x "$citizen" ] || { echo "teo-citizen not found at $citizen (cargo build --release -p teo-citizen)" >&2; exit 2; }
[ -x "$snarkjs" ] || { echo "snarkjs not found: run scripts/setup.sh" >&2; exit 2; }
mkdir -p "$out"
cd "$out"
say() { printf '\n== %s\n' "$*"; }
# Each contribution's randomness: 64 bytes from the operating system, kept in no file (snarkjs
# mixes in randomness of its own as well).
entropy() { head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

say "The circuit of depth $depth as circuit.r1cs"
"$citizen" snarkjs export-r1cs --depth "$depth" --out circuit.r1cs
"$snarkjs" r1cs info circuit.r1cs
constraints=$("$snarkjs" r1cs info circuit.r1cs | sed -n 's/.*# of Constraints: *\([0-9]*\).*/\1/p')
public=$("$snarkjs" r1cs info circuit.r1cs | sed -n 's/.*# of Public Inputs: *\([0-9]*\).*/\1/p')
# The QAP domain holds the constraints and one row per public input and the constant one.
power=0
while [ $((1 << power)) -lt $((constraints + public + 1)) ]; do power=$((power + 1)); done

if [ -z "$ptau" ]; then
	say "Phase 1: a LOCAL powers of tau (2^$power), for tests only: a launch uses a public one"
	"$snarkjs" powersoftau new bn128 "$power" pot_0.ptau
	"$snarkjs" powersoftau contribute pot_0.ptau pot_1.ptau --name="local phase 1" -e="$(entropy)"
	"$snarkjs" powersoftau beacon pot_1.ptau pot_2.ptau "$beacon" 10 -n="phase 1 beacon"
	"$snarkjs" powersoftau prepare phase2 pot_2.ptau pot_final.ptau
	ptau=pot_final.ptau
fi

say "Phase 2: setup on $(basename "$ptau")"
"$snarkjs" groth16 setup circuit.r1cs "$ptau" contribution_0.zkey
for i in $(seq 1 "$contributors"); do
	say "Contribution $i of $contributors"
	"$snarkjs" zkey contribute "contribution_$((i - 1)).zkey" "contribution_$i.zkey" \
		--name="contributor $i" -e="$(entropy)"
	if [ -n "$verify_each" ]; then
		"$snarkjs" zkey verify circuit.r1cs "$ptau" "contribution_$i.zkey"
	fi
done

say "The final beacon and the whole transcript verified"
"$snarkjs" zkey beacon "contribution_$contributors.zkey" final.zkey "$beacon" 10 -n="final beacon"
"$snarkjs" zkey verify circuit.r1cs "$ptau" final.zkey
"$snarkjs" zkey export verificationkey final.zkey verification_key.json

say "TEO's prover reads the final key"
"$citizen" snarkjs key --proving-key final.zkey --depth "$depth" >teo_verification_key.json
b2sum -l 256 final.zkey verification_key.json
echo "ceremony done: $out/final.zkey (proving) and $out/verification_key.json (for the launch file)"
touch done
