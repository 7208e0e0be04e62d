#!/usr/bin/env bash
# The flash-crash report at full scale (docs/FLASH-CRASH.md): the swarm at each size N, once
# under TEO's rules (with admission grabbers and adversaries, invariants checked) and once on
# the single-layer counterfactual (measured only), then the plots: Layer 1's load against
# Layer 2's admissions over time at the largest N, with and without TEO, and the review load
# against N.
#
# Usage: scripts/flash-crash.sh [--sizes 100,1000,10000] [--epochs 2] [--out DIR]
# Each run takes the network's start (about half a minute) plus its epochs (a minute each on the
# local chain) plus the reading back; at 10,000 agents, about 10 minutes. Nothing else should run
# meanwhile: the block times and the services' rates are wall-clock figures on shared cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sizes=100,1000,10000
epochs=2
out=
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift 2 ;;
	--epochs) epochs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "usage: $0 [--sizes 100,1000,10000] [--epochs 2] [--out DIR]" ;;
	esac
done
out=$(realpath -m "${out:-$(mktemp -d "${TMPDIR:-/tmp}/teo-flash-crash.XXXXXX")}")
mkdir -p "$out"

bash "$TEO_ROOT/scripts/setup.sh"
build_workspace
swarm=$CARGO_TARGET_DIR/release/teo-swarm

teo=()
single=()
for n in ${sizes//,/ }; do
	# Two citizens per agent, one in a hundred of them moving its delegation every block, eight
	# grabbers and one adversary of each kind: the small run's mix, at every size.
	citizens=$((2 * n))
	churn=$(((citizens + 99) / 100))
	step "N = $n under TEO's rules (invariants checked)"
	"$swarm" run --agents "$n" --epochs "$epochs" --citizens "$citizens" --churn "$churn" \
		--grabbers 8 --equivocators 1 --overspenders 1 --double-spenders 1 \
		--out "$out/teo-$n" --check
	teo+=("TEO=$out/teo-$n")
	step "N = $n on a single layer (measured)"
	"$swarm" run --agents "$n" --epochs "$epochs" --citizens "$citizens" --churn "$churn" \
		--single-layer --out "$out/single-layer-$n"
	single+=("single layer=$out/single-layer-$n")
done

step "Plots"
largest=${sizes##*,}
plot=("$TEO_VENV/bin/python" "$TEO_ROOT/tools/swarm/plot/plot.py")
"${plot[@]}" timeline "$out/timeline-$largest.svg" \
	"TEO=$out/teo-$largest" "single layer=$out/single-layer-$largest"
"${plot[@]}" review "$out/review-against-n.svg" "${teo[@]}" "${single[@]}"
echo "the figures and plots are in $out"
