#!/usr/bin/env bash
# The whole check: types, lint, then unit and integration specs against real PostgreSQL.
# Ends with one line "jest: N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p .data
# The e2e and integration test clients count the answers they checked against the document here (services/gateway/src/e2e/answer-check.ts).
rm -rf .data/answer-checks
status=0

echo "== typecheck" && tsc -p tsconfig.json && tsc -p apps/console/tsconfig.json || status=1
echo "== lint" && nx show projects >/dev/null && eslint --max-warnings 0 . || status=1
echo "== console build" && node --import @swc-node/register/esm-register apps/console/build.ts || status=1
echo "== jest (unit, integration, e2e)"
rm -rf .data/live-checks # the e2e suites' live-message checks, one file per jest worker
node --experimental-vm-modules node_modules/jest/bin/jest.js --maxWorkers=2 --json --outputFile=.data/jest-results.json "$@" || status=1
node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  const dir = process.argv[1];
  let files = [];
  try { files = readdirSync(dir).filter((f) => f.endsWith(".json")); } catch {}
  const counts = files.map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")));
  const types = new Set(counts.flatMap((c) => c.eventTypes));
  console.log(`live messages checked against the AsyncAPI document: ${counts.reduce((n, c) => n + c.messages, 0)} (event types: ${types.size})`);
' "$root/.data/live-checks"
node -e '
  const { readdirSync, readFileSync, existsSync } = require("node:fs");
  const dir = process.argv[1];
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  const total = { checked: 0, succeeded: 0, documented: 0, operations: new Set() };
  for (const file of files) {
    const counts = JSON.parse(readFileSync(`${dir}/${file}`, "utf8"));
    total.checked += counts.checked;
    total.succeeded += counts.succeeded;
    total.documented = Math.max(total.documented, counts.documented);
    for (const operation of Object.keys(counts.byOperation)) total.operations.add(operation);
  }
  console.log(`answers checked against the document: ${total.checked} (2xx: ${total.succeeded}), operations answered: ${total.operations.size} of ${total.documented} documented`);
' "$root/.data/answer-checks"

if [ -f .data/jest-results.json ]; then
  node -e '
    const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
    if (r.numTotalTests === 0) { console.error("no tests ran"); process.exit(1); }
  ' "$root/.data/jest-results.json" || status=1
else
  echo "jest: 0 passed, 1 failed" && status=1
fi
exit $status
