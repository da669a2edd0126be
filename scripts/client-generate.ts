/**
 * `npm run client:generate`: fetches the OpenAPI document as dev mode serves it (every route,
 * the live WebSocket included), writes it to libs/client/openapi.json, and regenerates
 * libs/client/src/generated/openapi.ts from it with openapi-typescript. Dev mode runs on a free
 * port with an embedded PostgreSQL in a data directory of its own, so nothing of a running dev mode is
 * touched.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnFixture, waitFor } from '@agent-orchestrator/testing';
import { generatedTypesPath, snapshotPath, snapshotText, typesFor } from '../libs/client/src/codegen/openapi-types.js';

const root = join(import.meta.dirname, '..');
// Under .data as dev mode's own: the embedded PostgreSQL runs as another user, who cannot enter a private temporary directory.
const dataDir = join(root, '.data', `client-generate-${randomBytes(4).toString('hex')}`);
// The embedded PostgreSQL: a DATABASE_URL in the shell would point dev mode at a shared database.
delete process.env.DATABASE_URL;
const dev = spawnFixture(join(root, 'scripts/dev.ts'), { PORT: '0', DEV_DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '' });
try {
  await waitFor('dev mode to be ready', () => dev.output().includes('"msg":"dev mode ready"') || dev.child.exitCode !== null, { timeoutMs: 120_000 });
  const line = dev.output().split('\n').find((candidate) => candidate.includes('"msg":"dev mode ready"'));
  if (!line) throw new Error(`dev mode did not start:\n${dev.output().slice(-3000)}`);
  const { url } = JSON.parse(line) as { url: string };
  const response = await fetch(`${url}/docs/json`);
  if (!response.ok) throw new Error(`GET ${url}/docs/json answered ${response.status}: ${await response.text()}`);
  const document = (await response.json()) as object;
  writeFileSync(join(root, snapshotPath), snapshotText(document));
  writeFileSync(join(root, generatedTypesPath), await typesFor(document));
  console.log(`wrote ${snapshotPath} (${Object.keys((document as { paths: object }).paths).length} paths) and ${generatedTypesPath}`);
} finally {
  dev.child.kill('SIGTERM');
  await dev.exited();
  rmSync(dataDir, { recursive: true, force: true });
}
