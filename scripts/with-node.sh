#!/usr/bin/env bash
# Runs a command with Node >= 24 first on PATH (installed into .tools/node when the machine's is older).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="$("$root/scripts/ensure-node.sh")"
export PATH="$node_bin:$root/node_modules/.bin:$PATH"
exec "$@"
