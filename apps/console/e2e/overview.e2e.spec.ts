import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

interface Summary {
  byStatus: Record<string, number>;
  total: number;
}

const labels: Record<string, string> = { running: 'Running', awaiting_approval: 'Awaiting approval', paused: 'Paused', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled' };

/** Text as shown, without the case and line breaks that styling adds (badges are upper case). */
const spoken = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

describe('the overview (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  const platformAdminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let viewerKey: string;
  let auditorKey: string;
  let failedSession: string;
  const pageErrors: string[] = [];

  const api = async <T,>(method: string, path: string, key: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const keyWith = async (role: string) => (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: `overview ${role}`, roles: [role] })).apiKey;

  async function pageIn(options: BrowserContextOptions): Promise<Page> {
    const page = await (await browser.newContext(options)).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_overview', { DEV_API_KEY: adminKey, PLATFORM_ADMIN_API_KEY: platformAdminKey }), launchChromium()]);
    [viewerKey, auditorKey] = await Promise.all([keyWith('viewer'), keyWith('auditor')]);
    // Two sessions: the demo, which waits for an approver, and one whose planner fails.
    await api('POST', '/v1/sessions', adminKey, { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    ({ sessionId: failedSession } = await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Plan a thing that cannot be planned', context: { modelFixture: 'planner-fails' } }));
    await waitFor('one session awaiting approval and one failed', async () => {
      const { byStatus } = await api<Summary>('GET', '/v1/sessions/summary', viewerKey);
      return byStatus.awaiting_approval === 1 && byStatus.failed === 1;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('shows a viewer the sessions by status as the API counts them, the pending approval and the failure, each a way in', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, viewerKey);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const me = await api<{ tenantId: string }>('GET', '/v1/me', viewerKey);
    const header = page.getByRole('group', { name: 'Signed in as' });
    // What is on screen, and what a screen reader says: tenant and role.
    expect(spoken(await header.innerText())).toBe(`tenant ${me.tenantId} viewer`);

    const { byStatus } = await api<Summary>('GET', '/v1/sessions/summary', viewerKey);
    for (const [status, label] of Object.entries(labels)) await page.getByRole('link', { name: `${byStatus[status]} ${label}`, exact: true }).waitFor();
    await page.getByText('1 pending', { exact: true }).waitFor();
    await expect(page.getByRole('link', { name: 'under a minute' }).getAttribute('href')).resolves.toMatch(/^\/approvals\/[0-9a-f-]{36}$/);
    const failure = page.getByRole('link', { name: 'Plan a thing that cannot be planned' });
    await expect(failure.getAttribute('href')).resolves.toBe(`/sessions/${failedSession}`);
    await expectAccessible(page, 'the overview (desktop)');
    await page.screenshot({ path: '/tmp/signin-overview-desktop.png', fullPage: true });

    // By keyboard: the failed sessions' card opens the sessions list filtered to them.
    await page.getByRole('link', { name: '1 Failed', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${dev.url}/sessions?status=failed`);
    await page.context().close();
  });

  it('fits a phone in light and dark, with the navigation behind the burger', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await pageIn({ viewport: viewports.phone, colorScheme });
      await signInWithKey(page, dev.url, viewerKey);
      await page.getByText('1 pending', { exact: true }).waitFor();
      await page.getByRole('link', { name: 'Plan a thing that cannot be planned' }).waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewports.phone.width);
      await expectAccessible(page, `the overview (phone, ${colorScheme})`);
      await page.screenshot({ path: `/tmp/signin-overview-phone-${colorScheme}.png`, fullPage: true });
      await page.getByRole('button', { name: 'Open navigation' }).click();
      await page.getByRole('link', { name: 'Approvals' }).click();
      await page.waitForURL(`${dev.url}/approvals`);
      await page.context().close();
    }
  });

  it('signs in an auditor, who reads sessions but not approvals, and says so', async () => {
    const page = await pageIn({ viewport: viewports.desktop, colorScheme: 'dark' });
    await signInWithKey(page, dev.url, auditorKey);
    expect(spoken(await page.getByRole('group', { name: 'Signed in as' }).innerText())).toMatch(/ auditor$/);
    await page.getByText('Your roles do not include reading approvals.').waitFor();
    await page.getByRole('link', { name: '1 Failed', exact: true }).waitFor();
    await expectAccessible(page, 'the overview of an auditor (desktop, dark)');
    await page.screenshot({ path: '/tmp/signin-overview-auditor-dark.png', fullPage: true });
    await page.context().close();
  });

  it("signs the platform admin's key in to the replay pages and the platform's alerts, never a tenant's overview", async () => {
    const page = await pageIn({ viewport: viewports.phone });
    await signInWithKey(page, dev.url, platformAdminKey);
    await page.waitForURL(`${dev.url}/operations`);
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    await page.getByRole('button', { name: 'Open navigation' }).click();
    const sections = page.getByRole('navigation', { name: 'Sections' }).getByRole('link');
    await sections.filter({ hasText: 'Projections' }).waitFor();
    expect(await sections.allInnerTexts()).toEqual(['Alerts', 'Dead letters', 'Operations', 'Projections', 'Usage & cost']);
    await page.context().close();
  });
});
