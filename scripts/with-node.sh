#!/usr/bin/env bash
# Runs a command with Node >= 24 first on PATH (installed into .tools/node when the machine's is
# older) and the project's dependencies installed (on a fresh clone or after the lock file changed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="$("$root/scripts/ensure-node.sh")"
export PATH="$node_bin:$root/node_modules/.bin:$PATH"
if [ ! -f "$root/node_modules/.package-lock.json" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  # npm install, not npm ci: the registries these machines reach omit other platforms' optional
  # packages (e.g. @swc/core-darwin-*), so the lock file cannot list them and npm ci refuses it.
  echo "Installing dependencies (npm install from package-lock.json) ..." >&2
  (cd "$root" && npm install --no-audit --no-fund --loglevel=error >&2)
fi
exec "$@"
