import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

interface AuditExport {
  exportId: string;
  status: string;
  sha256: string | null;
  verification: { ok: boolean } | null;
}

describe('the audit page (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let auditorKey: string;
  let viewerKey: string;
  const pageErrors: string[] = [];

  const api = async <T,>(method: string, path: string, key: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const keyWith = async (role: string) => (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: `audit page ${role}`, roles: [role] })).apiKey;

  async function pageIn(options: BrowserContextOptions): Promise<Page> {
    const page = await (await browser.newContext({ ...options, acceptDownloads: true })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_audit', { DEV_API_KEY: adminKey }), launchChromium()]);
    [auditorKey, viewerKey] = await Promise.all([keyWith('auditor'), keyWith('viewer')]);
    // Something to export: the demo session, which runs until it waits for an approver.
    const { sessionId } = await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    await waitFor('the demo session to wait for approval', async () => (await api<{ status: string }>('GET', `/v1/sessions/${sessionId}`, adminKey)).status === 'awaiting_approval' || undefined, { timeoutMs: 60_000, intervalMs: 200 });
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('lets an auditor request an export, watch it complete, see the verification and download the bundle it names', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, auditorKey);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByText('No exports yet').waitFor();
    // Off the navigation link it clicked: axe judges what is on screen, hover colours included.
    await page.mouse.move(600, 700);
    await expectAccessible(page, 'the audit page, before any export');

    await page.getByRole('button', { name: 'Request export' }).click();
    const card = page.locator('li[data-export-id]').first();
    await card.waitFor();
    const exportId = (await card.getAttribute('data-export-id'))!;
    await page.locator(`li[data-export-id="${exportId}"][data-status="completed"]`).waitFor({ timeout: 60_000 });
    // The platform checks the stored bundle once it is written: its verdict follows the completion.
    const stored = await waitFor('the platform to verify the export', async () => {
      const record = await api<AuditExport>('GET', `/v1/audit/exports/${exportId}`, auditorKey);
      return record.verification === null ? undefined : record;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(stored).toMatchObject({ status: 'completed', verification: { ok: true, findings: [] } });
    await card.getByText('Verified by the platform').waitFor();
    await card.getByTestId('export-checkpoint').waitFor();

    // The command names the current key's fingerprint, as GET /v1/audit/keys gives it.
    const keys = await api<{ items: { keyId: string; fingerprint: string }[]; currentKeyId: string }>('GET', '/v1/audit/keys', auditorKey);
    const current = keys.items.find((key) => key.keyId === keys.currentKeyId)!;
    expect(await page.getByTestId('verify-command').innerText()).toContain(`--trusted-key ${current.fingerprint}`);

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: /^Download the bundle/ }).click()]);
    const me = await api<{ tenantId: string }>('GET', '/v1/me', auditorKey);
    expect(download.suggestedFilename()).toBe(`audit-${me.tenantId}-${exportId}.ndjson`);
    const file = await readFile((await download.path())!);
    expect(createHash('sha256').update(file).digest('hex')).toBe(stored.sha256);
    expect(JSON.parse(file.toString('utf8').split('\n')[0]!)).toMatchObject({ kind: 'manifest', exportId });
    await page.mouse.move(600, 20);
    await expectAccessible(page, 'the audit page with a completed export');
    await page.context().close();
  });

  it('works at phone width by keyboard, and is clean for axe there', async () => {
    const page = await pageIn({ viewport: viewports.phone });
    await signInWithKey(page, dev.url, auditorKey, '/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Exports' }).waitFor();
    await page.getByRole('radio', { name: 'Sessions' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Request export' }).click();
    // Without session ids the form says what to do, and sends nothing.
    await page.getByText('Paste at least one session id.').waitFor();
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await expectAccessible(page, 'the audit page (phone)');
    await page.context().close();
  });

  it('lets an admin keep bundles longer, and shows the change once recorded', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, adminKey, '/audit');
    await page.getByLabel('Keep bundles for (days)').fill('400');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('retention-days').getByText('400 days').waitFor({ timeout: 30_000 });
    expect((await api<{ days: number }>('GET', '/v1/audit/retention', adminKey)).days).toBe(400);
    await page.context().close();
  });

  it('offers a viewer no Audit link, and says who may see the page', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, viewerKey);
    await page.getByRole('link', { name: 'Sessions' }).waitFor();
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await page.goto(`${dev.url}/audit`);
    await page.getByText('The audit trail is for auditors and admins').waitFor();
    await page.context().close();
  });
});
