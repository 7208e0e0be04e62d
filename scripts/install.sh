#!/usr/bin/env bash
# Installs teo-node, teo-mesh and teo-citizen on PATH: builds the workspace (release, cached in
# $CARGO_TARGET_DIR) and copies the three binaries into PREFIX/bin.
#
#   scripts/install.sh                      # /usr/local as root, ~/.local otherwise
#   scripts/install.sh --prefix /opt/teo    # anywhere
#   sudo scripts/install.sh --no-build      # as root, what your own last build made
#
# The systemd units in scripts/deploy/ run /usr/local/bin/teo-*: edit their ExecStart for
# another prefix (a home directory is hidden from them by ProtectHome=yes).
#
# Not `cargo install --path`: it builds one package at a time, whose features differ from the
# workspace's, so it would rebuild most of the dependency graph three times over. The runtime's
# WASM is inside teo-node; nothing else is needed at run time but glibc.
set -euo pipefail
# Under sudo, use the invoking user's build (root's cache would rebuild everything as root).
if [ -n "${SUDO_USER:-}" ] && [ -z "${CARGO_TARGET_DIR:-}" ]; then
	CARGO_TARGET_DIR="$(getent passwd "$SUDO_USER" | cut -d: -f6)/.cache/teo/target"
	export CARGO_TARGET_DIR
fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

prefix=$([ "$(id -u)" -eq 0 ] && echo /usr/local || echo "$HOME/.local")
build=1
while [ $# -gt 0 ]; do
	case "$1" in
		--prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
		--no-build) build=0; shift ;;
		-h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
		*) die "unknown argument $1 (see --help)" ;;
	esac
done

if [ $build -eq 1 ]; then
	"$TEO_ROOT/scripts/setup.sh"
	build_workspace
fi
bin_dir=$(dirname "$TEO_NODE_BIN")
step "Installing into $prefix/bin"
for tool in teo-node teo-mesh teo-citizen; do
	[ -x "$bin_dir/$tool" ] || die "$bin_dir/$tool is missing: build first (without --no-build)"
	install -D -m 0755 "$bin_dir/$tool" "$prefix/bin/$tool"
	echo "  $prefix/bin/$tool: $("$prefix/bin/$tool" --version)"
done
case ":$PATH:" in
	*":$prefix/bin:"*) ;;
	*) echo "  add $prefix/bin to PATH to run them by name" ;;
esac
