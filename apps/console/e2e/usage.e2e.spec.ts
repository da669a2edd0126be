import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

interface UsageReport {
  rows: { key: string | null; calls: number; inputTokens: number; outputTokens: number; costUsd: number }[];
  totals: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
}
interface ModelCall {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Usage & cost in dev mode: the demo session's model calls, priced at a price version the platform
 * admin sets through the API (recorded by the observability service, backdated so it covers them),
 * summed as the session's own model calls say, and after a rebuild of the usage projection the
 * same; then the page at desktop and phone size.
 */
describe('usage and cost (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  const platformAdminKey = randomBytes(32).toString('base64url');
  const price = { inputUsdPerMillion: 3, outputUsdPerMillion: 15 };
  let dev: DevModeProcess;
  let browser: Browser;
  let viewerKey: string;
  let expectedCost: number;
  let expectedCalls: number;
  const pageErrors: string[] = [];

  const api = async <T,>(method: string, path: string, key: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  async function pageIn(options: BrowserContextOptions): Promise<Page> {
    const page = await (await browser.newContext(options)).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }
  const usageCosts = (expected: number) =>
    waitFor(`usage to cost ${expected}`, async () => {
      const report = await api<UsageReport>('GET', '/v1/usage?groupBy=session', adminKey);
      return report.totals.calls === expectedCalls && Math.abs(report.totals.costUsd - expected) < 1e-6 ? report : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_usage', { DEV_API_KEY: adminKey, PLATFORM_ADMIN_API_KEY: platformAdminKey }), launchChromium()]);
    viewerKey = (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: 'usage viewer', roles: ['viewer'] })).apiKey;
    const { sessionId } = await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    await waitFor('the demo session to wait for its approver', async () => (await api<{ status: string }>('GET', `/v1/sessions/${sessionId}`, adminKey)).status === 'awaiting_approval', { timeoutMs: 90_000, intervalMs: 200 });
    const calls = (await api<{ items: ModelCall[] } | ModelCall[]>('GET', `/v1/sessions/${sessionId}/model-calls`, adminKey)) as { items?: ModelCall[] };
    const items = calls.items ?? (calls as unknown as ModelCall[]);
    expectedCalls = items.length;
    expectedCost = items.reduce((sum, call) => sum + (call.inputTokens * price.inputUsdPerMillion + call.outputTokens * price.outputUsdPerMillion) / 1_000_000, 0);
    expect(expectedCalls).toBeGreaterThan(0);
  }, 180_000);
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it("prices the session's calls at a backdated price version the platform admin sets, and again the same after a rebuild", async () => {
    // Dev mode runs the scripted model, priced at 0 by the configured table.
    const before = await usageCosts(0);
    expect(before.totals.inputTokens).toBeGreaterThan(0);
    await expect(api('PUT', '/v1/prices', adminKey, { prices: { scripted: price } })).rejects.toThrow(/403/);
    const set = await api<{ version: number }>('PUT', '/v1/prices', platformAdminKey, { prices: { scripted: price }, effectiveFrom: new Date(Date.now() - 3_600_000).toISOString() });
    expect(set.version).toBe(2);
    await usageCosts(expectedCost);

    const { operationId } = await api<{ operationId: string }>('POST', '/v1/operations', platformAdminKey, { kind: 'rebuild-projection', filter: { projection: 'usage' }, rate: 'max' });
    await waitFor('the rebuild to be planned', async () => (await api<{ status: string }>('GET', `/v1/operations/${operationId}`, platformAdminKey)).status === 'planned', { timeoutMs: 30_000, intervalMs: 200 });
    await api('POST', `/v1/operations/${operationId}/confirm`, platformAdminKey, {});
    await waitFor('the rebuild to succeed', async () => {
      const operation = await api<{ status: string; succeeded?: number; counts?: unknown }>('GET', `/v1/operations/${operationId}`, platformAdminKey);
      if (operation.status === 'failed' || operation.status === 'aborted') throw new Error(`the rebuild ended ${operation.status}: ${JSON.stringify(operation)}`);
      return operation.status === 'completed' || undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const rebuilt = await usageCosts(expectedCost);
    expect(rebuilt.totals.inputTokens).toBe(before.totals.inputTokens);
  });

  it('shows the dashboard and the usage table on a desktop, grouped as chosen', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, adminKey, '/usage');
    await page.getByRole('heading', { level: 1, name: 'Usage & cost' }).waitFor();
    await page.getByText('Cost today').waitFor();
    const table = page.getByTestId('usage-table');
    await table.waitFor();
    await page.getByText('Model', { exact: true }).click();
    await table.getByRole('rowheader', { name: 'scripted', exact: false }).first().waitFor();
    const total = (await table.locator('tfoot').innerText()).replace(/\s+/g, ' ');
    expect(total).toContain(`Total ${expectedCalls}`);
    await expectAccessible(page, 'usage and cost (desktop)');
    await page.screenshot({ path: '/tmp/usage-desktop.png', fullPage: true });
    // A range that ends before it starts is said at the field, not sent.
    await page.getByLabel('From', { exact: true }).fill('2026-12-31');
    await page.getByLabel('To', { exact: true }).fill('2026-12-01');
    await page.getByText('The start must be before the end.').waitFor();
    expect(await table.count()).toBe(0);
    await page.context().close();
  });

  it('fits a phone in light and dark, the usage as cards', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await pageIn({ viewport: viewports.phone, colorScheme });
      await signInWithKey(page, dev.url, adminKey, '/usage');
      await page.getByTestId('usage-cards').waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewports.phone.width);
      await expectAccessible(page, `usage and cost (phone, ${colorScheme})`);
      await page.screenshot({ path: `/tmp/usage-phone-${colorScheme}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('offers a viewer no usage, and says who may see it', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, viewerKey, '/');
    await page.getByRole('link', { name: 'Sessions', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Usage & cost' }).count()).toBe(0);
    await page.goto(`${dev.url}/usage`);
    await page.getByText('Usage is for admins, operators and auditors').waitFor();
    await page.context().close();
  });
});
