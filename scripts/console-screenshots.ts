/**
 * npm run docs:console
 *
 * Screenshots of every console page at desktop (1280×800) and phone (390×844) size into
 * docs/console/, from a fresh dev mode with the demo: one session waiting for an approver, one
 * completed after an approval, one that went through review and rework, and two audit exports
 * (the second proving against the first), dead letters (seeded into the replay service's index from
 * those sessions' events), a redrive's dry run, a slow redrive paused part way, a completed one, and
 * the projections. The README shows them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createClient } from '@agent-orchestrator/client';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { startDevModeProcess } from '@agent-orchestrator/testing';
import type { Page } from 'playwright-core';
import { buildConsole } from '../apps/console/build.js';
import { launchChromium, viewports } from '../apps/console/e2e/browser.js';
import { seedDeadLetters } from '../apps/console/e2e/dead-letter-seed.js';

const out = join(import.meta.dirname, '../docs/console');
mkdirSync(out, { recursive: true });

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
    const found = await probe();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}

await buildConsole();
const apiKey = randomBytes(32).toString('base64url');
const dev = await startDevModeProcess('console_screenshots', { DEV_API_KEY: apiKey });
const browser = await launchChromium();
try {
  const client = createClient({ baseUrl: dev.url, apiKey });
  const demo = () => client.sessions.start({ goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
  const approvalOf = (sessionId: string) => until('an approval', async () => (await client.approvals.list({ sessionId, status: 'pending' })).items[0]);
  const done = await demo();
  await client.approvals.decide((await approvalOf(done.sessionId)).approvalId, { decision: 'approve', reason: 'Looks right' });
  await client.sessions.start({ goal: 'Summarise what customers owe us', context: { modelFixture: 'three-steps-rework-once' } });
  const waiting = await demo();
  const pending = await approvalOf(waiting.sessionId);
  // A tool registered from a larger document: one operation skipped, one tag left out.
  const paths: Record<string, unknown> = {};
  for (let index = 1; index <= 30; index++) paths[`/ledgers/${index}`] = { get: { operationId: `readLedger${index}`, summary: `Read ledger ${index}`, tags: ['ledger'], parameters: [{ name: 'period', in: 'query', schema: { type: 'string', enum: ['month', 'quarter', 'year'] } }], responses: { '200': { description: 'ok' } } } };
  paths['/ledgers/export'] = { post: { operationId: 'exportLedgers', tags: ['ledger'], requestBody: { content: { 'application/xml': { schema: { type: 'string' } } } }, responses: { '200': { description: 'ok' } } } };
  paths['/admin/reset'] = { post: { operationId: 'resetEverything', tags: ['admin'], responses: { '200': { description: 'ok' } } } };
  await client.raw.POST('/v1/tools', { body: { name: 'ledgers', description: 'The finance ledgers', document: { openapi: '3.0.3', info: { title: 'Ledgers', version: '4' }, servers: [{ url: 'https://ledgers.example.com' }], paths }, exclude: { tags: ['admin'] } } });
  await until('the first session to complete', async () => ((await client.sessions.get(done.sessionId)).status === 'completed' ? true : undefined));
  // Two audit exports, the second proving against the first, both complete: what a compliance officer sees after a review.
  const exported = async (body: { previousExportId?: string }) => {
    const { exportId } = (await client.raw.POST('/v1/audit/exports', { body })).data!;
    await until(`audit export ${exportId} to complete`, async () => ((await client.raw.GET('/v1/audit/exports/{id}', { params: { path: { id: exportId } } })).data!.status === 'completed' ? true : undefined));
    return exportId;
  };
  await exported({ previousExportId: await exported({}) });

  // Dead letters from the sessions' own events, and three redrives of them: one run to the end, one
  // paused part way at one item a second, one planned and waiting for its confirmation.
  const events = (await Promise.all([done, waiting].map(async ({ sessionId }) => (await client.sessions.streams(sessionId)).streams.flatMap((stream) => stream.links.map((link) => link.event as EventEnvelope))))).flat();
  const { tenantId } = await client.me();
  const letters = await seedDeadLetters(dev.databaseUrl, tenantId!, events, ['timeout', 'http-503', 'schema-mismatch']);
  const operations = client.raw as unknown as { POST(path: string, init: { body: unknown }): Promise<{ data?: { operationId: string } }>; GET(path: string): Promise<{ data?: { status: string; done: number; total: number } }> };
  const operation = async (operationId: string) => (await operations.GET(`/v1/operations/${operationId}`)).data!;
  const plan = async (body: unknown) => {
    const { operationId } = (await operations.POST('/v1/operations', { body })).data!;
    await until(`operation ${operationId} to be planned`, async () => ((await operation(operationId).catch(() => undefined))?.status === 'planned' ? true : undefined));
    return operationId;
  };
  const completed = await plan({ kind: 'discard', filter: { code: 'schema-mismatch' }, reason: 'replayed by hand from the source system' });
  await operations.POST(`/v1/operations/${completed}/confirm`, { body: {} });
  await until('the discard to complete', async () => ((await operation(completed)).status === 'completed' ? true : undefined));
  const paused = await plan({ kind: 'redrive', filter: { code: 'http-503' }, rate: 1, reason: 'orchestrator is fixed' });
  await operations.POST(`/v1/operations/${paused}/confirm`, { body: {} });
  await until('a few items of the slow redrive', async () => ((await operation(paused)).done >= 2 ? true : undefined));
  await operations.POST(`/v1/operations/${paused}/pause`, { body: {} });
  await until('the slow redrive to pause', async () => ((await operation(paused)).status === 'paused' ? true : undefined));
  const planned = await plan({ kind: 'redrive', filter: { code: 'timeout' }, rate: 20 });

  const pages: [name: string, path: string, then?: (page: Page) => Promise<void>][] = [
    ['overview', '/'],
    ['approvals', '/approvals'],
    ['approval', `/approvals/${pending.approvalId}`],
    ['sessions', '/sessions'],
    ['session', `/sessions/${done.sessionId}`],
    ['tools', '/tools'],
    ['tool', '/tools/crm'],
    ['tool-skipped', '/tools/ledgers'],
    ['agents', '/agents'],
    ['agent', '/agents/AccountManager'],
    ['policies', '/policies'],
    ['audit', '/audit'],
    ['dead-letters', '/dead-letters'],
    ['dead-letter', `/dead-letters/${letters.find((letter) => letter.repeatsSideEffect)!.id}`],
    ['operations', '/operations'],
    ['operation-dry-run', `/operations/${planned}`],
    ['operation-paused', `/operations/${paused}`],
    ['operation-completed', `/operations/${completed}`],
    ['projections', '/projections'],
  ];
  for (const [size, viewport] of Object.entries(viewports)) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: size === 'phone' ? 2 : 1 });
    const page = await context.newPage();
    await page.goto(`${dev.url}/`);
    await page.screenshot({ path: join(out, `sign-in-${size}.png`) });
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    for (const [name, path, then] of pages) {
      await page.goto(`${dev.url}${path}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await then?.(page);
      await page.screenshot({ path: join(out, `${name}-${size}.png`), fullPage: size === 'desktop' });
      console.log(`docs/console/${name}-${size}.png`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await dev.stop();
}
