/**
 * npm run docs:console
 *
 * Screenshots of every console page at desktop (1280×800) and phone (390×844) size into
 * docs/console/, from a fresh dev mode with the demo: one session waiting for an approver, one
 * completed after an approval, one that went through review and rework, and two audit exports
 * (the second proving against the first). The README shows them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createClient } from '@agent-orchestrator/client';
import { startDevModeProcess } from '@agent-orchestrator/testing';
import type { Page } from 'playwright-core';
import { buildConsole } from '../apps/console/build.js';
import { launchChromium, viewports } from '../apps/console/e2e/browser.js';

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
