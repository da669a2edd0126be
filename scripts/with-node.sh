#!/usr/bin/env bash
# Runs a command with Node >= 24 first on PATH (installed into .tools/node when the machine's is
# older) and the project's dependencies installed (npm ci on a fresh clone or a changed lock file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="$("$root/scripts/ensure-node.sh")"
export PATH="$node_bin:$root/node_modules/.bin:$PATH"
if [ ! -f "$root/node_modules/.package-lock.json" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "Installing dependencies (npm ci) ..." >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec "$@"
