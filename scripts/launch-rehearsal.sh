#!/usr/bin/env bash
# A launch rehearsal: the chain spec of a testnet built by `teo-node launch build` from a launch
# file, with the verifying key of a trusted-setup ceremony (scripts/ceremony.sh), the way
# docs/OPERATOR.md launches a real network. The zombienet suite 0003 runs on it.
#   - validators: Alice, Bob and Charlie's well-known session keys (the ones zombienet puts into
#     its nodes' keystores); no sudo key;
#   - the testnet constitution: the dev chains' minute-long timings, real keys only;
#   - the citizens' group: registrar Alice, the dev identities (//Alice .. //Ferdie) as founding
#     members, so the suites can prove with their known secrets and the ceremony's key;
#   - endowments: the dev accounts and the treasury, a million TEO each.
#
# Usage: scripts/launch-rehearsal.sh --ceremony DIR --out SPEC [--depth 20]
set -euo pipefail

ceremony="" out="" depth=20
while [ $# -gt 0 ]; do
	case "$1" in
	--ceremony) ceremony=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--depth) depth=$2; shift 2 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
[ -n "$ceremony" ] && [ -n "$out" ] || { echo "usage: $0 --ceremony DIR --out SPEC" >&2; exit 2; }
[ -f "$ceremony/verification_key.json" ] || { echo "no ceremony in $ceremony" >&2; exit 2; }
bin="${CARGO_TARGET_DIR:-$HOME/.cache/teo/target}/release"
node=$(command -v teo-node || echo "$bin/teo-node")
citizen=$(command -v teo-citizen || echo "$bin/teo-citizen")

public_key() { # scheme, secret URI
	"$node" key inspect --scheme "$1" "$2" | sed -n 's/.*Public key (SS58): *//p'
}

launch="$(dirname "$out")/launch.toml"
{
	cat <<TOML
# Written by scripts/launch-rehearsal.sh: a rehearsal, not a network of value.
name = "TEO Launch Rehearsal"
id = "teo_rehearsal"
constitution = "testnet"

TOML
	for who in Alice Bob Charlie; do
		printf '[[validators]]\nname = "%s"\naccount = "%s"\naura = "%s"\ngrandpa = "%s"\n\n' \
			"$who" "$(public_key sr25519 "//$who")" "$(public_key sr25519 "//$who")" "$(public_key ed25519 "//$who")"
	done
	printf '[[groups]]\nname = "citizens"\nregistrar = "%s"\nmembers = [\n' "$(public_key sr25519 //Alice)"
	"$citizen" identity dev | sed -n 's/.*commitment \(0x[0-9a-f]*\).*/\t"\1",/p'
	printf ']\n\n[[verifying_keys]]\ndepth = %s\nfile = "%s"\n\n' "$depth" "$(cd "$ceremony" && pwd)/verification_key.json"
	for who in Alice Bob Charlie Dave Eve Ferdie; do
		printf '[[endowments]]\naccount = "%s"\nteo = 1000000\n\n' "$(public_key sr25519 "//$who")"
	done
	printf '[[endowments]]\naccount = "treasury"\nteo = 1000000\n'
} >"$launch"

# The spec appears whole, and only once it passed the check: a suite may be waiting for it.
"$node" launch build --file "$launch" --raw --output "$out.partial"
"$node" launch check --chain "$out.partial"
mv "$out.partial" "$out"
