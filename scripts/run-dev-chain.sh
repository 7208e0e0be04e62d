#!/usr/bin/env bash
# The README's run command: sets up the machine, builds teo-node and starts a development chain
# (one validator, Alice) that polkadot.js apps can open. Ctrl+C stops it.
#
# The chain is fresh on each start. To keep it across restarts, set TEO_BASE_PATH to a folder.
# Extra arguments go to teo-node, e.g. `scripts/run-dev-chain.sh -lruntime=debug`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$TEO_ROOT/scripts/setup.sh"
build_node

rpc_port=9944
args=(--dev --rpc-port "$rpc_port" --prometheus-port 9615)
if [ -n "${TEO_BASE_PATH:-}" ]; then args+=(--base-path "$TEO_BASE_PATH"); else args+=(--tmp); fi

step "Starting the TEO dev chain"
cat <<MSG
  RPC:              ws://127.0.0.1:$rpc_port
  polkadot.js apps: https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:$rpc_port#/explorer
  metrics:          http://127.0.0.1:9615/metrics
MSG
exec "$TEO_NODE_BIN" "${args[@]}" "$@"
