#!/usr/bin/env bash
# The README's run command: sets up the machine, builds teo-node and teo-mesh, and starts a
# development chain (one validator, Alice) that polkadot.js apps can open, with one mesh service
# beside it that signs for the dev agent //Dave, and the citizen's veto desk (a web page served
# on 127.0.0.1:8090). Ctrl+C stops them all.
#
# The chain is fresh on each start. To keep it across restarts, set TEO_BASE_PATH to a folder.
# Extra arguments go to teo-node, e.g. `scripts/run-dev-chain.sh -lruntime=debug`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$TEO_ROOT/scripts/setup.sh"
build_workspace
build_veto_desk

rpc_port=9944
args=(--dev --rpc-port "$rpc_port" --prometheus-port 9615)
if [ -n "${TEO_BASE_PATH:-}" ]; then args+=(--base-path "$TEO_BASE_PATH"); else args+=(--tmp); fi

step "Starting the TEO dev chain and its mesh"
mesh_dir=$(mktemp -d "${TMPDIR:-/tmp}/teo-mesh.XXXXXX")
"$TEO_NODE_BIN" "${args[@]}" "$@" &
node_pid=$!
trap 'kill "$node_pid" "${mesh_pid:-}" "${desk_pid:-}" 2>/dev/null; wait' EXIT INT TERM
for _ in $(seq 1 60); do
	(exec 3<>"/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break
	sleep 1
done
# The mesh serves only token holders: one for //Dave (its well-known dev address), kept in the
# mesh's folder (0700) for the developer's agents: a dev chain's convenience, never a service's.
mesh_bin="$(dirname "$TEO_NODE_BIN")/teo-mesh"
dave=5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy
(umask 077 && "$mesh_bin" token issue --base-path "$mesh_dir" --agent "$dave" --label dev-dave \
	>"$mesh_dir/dave.token")
"$mesh_bin" --node-url "ws://127.0.0.1:$rpc_port" --agent-suri //Dave \
	--listen /ip4/127.0.0.1/tcp/30555 --base-path "$mesh_dir" &
mesh_pid=$!
desk_port=${TEO_DESK_PORT:-8090}
node "$TEO_ROOT/tools/veto-desk/serve.mjs" --port "$desk_port" --rpc "ws://127.0.0.1:$rpc_port" &
desk_pid=$!
cat <<MSG
  veto desk:        http://127.0.0.1:$desk_port/ (a citizen's identity, pending proposals, the anonymous veto; docs/CITIZEN.md)
  RPC:              ws://127.0.0.1:$rpc_port
  polkadot.js apps: https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:$rpc_port#/explorer
  metrics:          http://127.0.0.1:9615/metrics
  mesh JSON-RPC:    ws://127.0.0.1:9950 (agent //Dave; register it as an agent first, see docs/MESH.md)
  mesh token:       export TEO_MESH_TOKEN=\$(cat $mesh_dir/dave.token)   (send it as Authorization: Bearer)
  mesh metrics:     http://127.0.0.1:9951/metrics
MSG
wait -n "$node_pid" "$mesh_pid" "$desk_pid"
