/**
 * Builds `ao` into one file, apps/cli/dist/ao.mjs, for auditors who should not need this repository:
 * `node ao.mjs audit verify bundle.ndjson` with Node alone. Its dependencies (commander,
 * cli-progress, canonicalize) are bundled in; node:* modules stay Node's own.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const cliDir = join(import.meta.dirname);
// `--out <file>` builds elsewhere (the spec builds into a temporary directory).
const outFlag = process.argv.indexOf('--out');
const out = outFlag === -1 ? join(cliDir, 'dist/ao.mjs') : process.argv[outFlag + 1]!;

await build({
  input: join(cliDir, 'src/standalone.ts'),
  platform: 'node',
  tsconfig: join(cliDir, '../../tsconfig.json'),
  output: { file: out, format: 'esm', banner: '#!/usr/bin/env node', codeSplitting: false },
  logLevel: 'warn',
});
chmodSync(out, 0o755);
console.log(`built ${out}`);
