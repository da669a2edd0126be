#!/usr/bin/env node
// Runs the TypeScript sources as the rest of the repository does (swc), from any working directory.
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

process.env.SWC_NODE_PROJECT ??= fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
register('@swc-node/register/esm', import.meta.url);
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
