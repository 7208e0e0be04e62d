#!/usr/bin/env bash
# A LOCAL powers-of-tau file of 2^POWER for tests, made once per machine and kept in
# $XDG_CACHE_HOME/teo/ptau (snarkjs needs minutes for phase 1 in JavaScript). Prints its path.
# Only as trustworthy as its single contributor: a launch uses a public phase 1 instead
# (docs/PERSONHOOD.md, "The trusted setup").
# Usage: scripts/ptau.sh POWER
set -euo pipefail
power=${1:?usage: $0 POWER}
root=$(cd "$(dirname "$0")/.." && pwd)
snarkjs="$root/primitives/zk/fixtures/node_modules/.bin/snarkjs"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/teo/ptau"
ptau="$cache/teo-test-$power.ptau"
mkdir -p "$cache"
# One maker at a time: a second caller (the test command's setup job, while its early start
# still runs) waits here and then finds the file.
exec 9>"$ptau.lock"
flock 9
if [ ! -f "$ptau" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	echo "making $ptau (once per machine)" >&2
	"$snarkjs" powersoftau new bn128 "$power" "$work/pot0.ptau" >&2
	"$snarkjs" powersoftau contribute "$work/pot0.ptau" "$work/pot1.ptau" --name=teo -e="teo local test phase 1" >&2
	"$snarkjs" powersoftau prepare phase2 "$work/pot1.ptau" "$work/pot.ptau" >&2
	# Whole or absent: another run may be waiting for the same file.
	mv "$work/pot.ptau" "$ptau.partial.$$"
	mv "$ptau.partial.$$" "$ptau"
fi
echo "$ptau"
