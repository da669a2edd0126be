import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

interface AlertItem {
  alertId: string;
  rule: string;
  status: string;
  summary: string;
}

/**
 * The Alerts page and the shell's indicator against real dev mode: the demo session's CRM write
 * waits for an approver past an SLA of one second, the observability alerts raise it, the console
 * shows it (desktop and phone, axe), and it resolves live, over the alerts WebSocket, once the
 * approval is decided (the console polls only after losing the socket, so nothing else moves it).
 */
describe('the alerts page and indicator (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  const platformKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let operatorKey: string;
  let viewerKey: string;
  let approvalId: string;
  const pageErrors: string[] = [];

  const api = async <T,>(method: string, path: string, key = adminKey, body?: unknown): Promise<T> => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const keyWith = async (role: string) => (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: `alerts ${role}`, roles: [role] })).apiKey;
  const openAlerts = async () => (await api<{ items: AlertItem[] }>('GET', '/v1/alerts?status=open')).items;

  async function pageAt(viewport: keyof typeof viewports, key: string, path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: viewports[viewport] })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signInWithKey(page, dev.url, key, path);
    return page;
  }

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_alerts', { DEV_API_KEY: adminKey, PLATFORM_ADMIN_API_KEY: platformKey, ALERT_APPROVAL_SLA_MS: '1000', ALERT_EVALUATE_MS: '500' }), launchChromium()]);
    [operatorKey, viewerKey] = await Promise.all([keyWith('operator'), keyWith('viewer')]);
    const { sessionId } = await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    approvalId = await waitFor('the demo write to wait for approval', async () => (await api<{ items: { approvalId: string }[] }>('GET', `/v1/approvals?sessionId=${sessionId}`)).items[0]?.approvalId, { timeoutMs: 120_000, intervalMs: 200 });
    await waitFor('the approval past its SLA to raise an alert', async () => (await openAlerts()).some((alert) => alert.rule === 'approval-overdue') || undefined, { timeoutMs: 60_000, intervalMs: 200 });
  }, 300_000);
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('shows an admin the open alert in the shell and on the page, with the way to its approval (desktop)', async () => {
    const page = await pageAt('desktop', adminKey, '/');
    const indicator = page.getByRole('link', { name: '1 open alert' });
    await indicator.waitFor({ timeout: 60_000 });
    await indicator.click();
    await page.waitForURL(/\/alerts$/);
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Approval past its SLA' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Approval of \S+ waiting \d+ (s|min), past its 1 s SLA/);
    expect(await row.getByRole('link', { name: 'Open the approval' }).getAttribute('href')).toBe(`/approvals/${approvalId}`);
    await expectAccessible(page, 'the alerts page (desktop)');
    await page.screenshot({ path: '/tmp/alerts-desktop.png', fullPage: true });
  }, 240_000);

  it('shows an operator the alert as a card on a phone, and a viewer neither the page nor the indicator', async () => {
    const page = await pageAt('phone', operatorKey, '/alerts');
    const card = page.getByRole('listitem').filter({ hasText: 'Approval past its SLA' });
    await card.waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: '1 open alert' }).waitFor();
    await expectAccessible(page, 'the alerts page (phone)');
    await page.screenshot({ path: '/tmp/alerts-phone.png', fullPage: true });

    const viewer = await pageAt('desktop', viewerKey, '/');
    await viewer.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Sessions' }).waitFor();
    expect(await viewer.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Alerts' }).count()).toBe(0);
    expect(await viewer.getByTestId('alert-indicator').count()).toBe(0);
  }, 240_000);

  it("shows the platform admin the platform's own alerts, never a tenant's: the tenant's open alert is not on its page", async () => {
    expect((await openAlerts()).some((alert) => alert.rule === 'approval-overdue')).toBe(true);
    const platformAlerts = await api<{ items: AlertItem[] }>('GET', '/v1/platform/alerts', platformKey);
    expect(platformAlerts.items.filter((alert) => alert.rule === 'approval-overdue')).toEqual([]);
    const page = await pageAt('desktop', platformKey, '/alerts');
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allInnerTexts()).toEqual(['Alerts', 'Dead letters', 'Operations', 'Projections', 'Usage & cost']);
    await page.getByText("The platform's own alerts, no tenant's").waitFor();
    await page.getByRole('status').filter({ hasText: 'Checked every 10 s.' }).waitFor();
    await page.locator('label', { hasText: /^All$/ }).click();
    expect(await page.getByRole('radio', { name: 'All' }).isChecked()).toBe(true);
    // The platform's alerts as its API lists them (none, or a stalled projection's), and never the tenant's.
    await page.getByText(platformAlerts.items.length === 0 ? 'None has been raised yet.' : platformAlerts.items[0]!.summary).first().waitFor();
    expect(await page.getByText('Approval past its SLA').count()).toBe(0);
    await expectAccessible(page, "the platform admin's alerts page (desktop)");
    await page.screenshot({ path: '/tmp/alerts-platform-desktop.png', fullPage: true });
    await page.context().close();
  }, 120_000);

  it('resolves the alert live once the approval is decided, over the alerts socket: the indicator goes, the resolved list has it', async () => {
    const page = await pageAt('desktop', adminKey, '/alerts');
    const frames: string[] = [];
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).pathname === '/v1/alerts/live') socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
    });
    await page.reload();
    await page.getByRole('link', { name: '1 open alert' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="alerts-live"][data-state="live"]').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('status').filter({ hasText: 'Live: alerts show as they are raised and resolved.' }).count()).toBe(1);
    await api('POST', `/v1/approvals/${approvalId}/decision`, adminKey, { decision: 'reject', reason: 'not this quarter' });
    await page.getByText('No open alerts').waitFor({ timeout: 30_000 });
    await page.getByTestId('alert-indicator').waitFor({ state: 'detached', timeout: 30_000 });
    // It came over the socket: a {"following"} first, then the alert's resolution of this tenant.
    expect(JSON.parse(frames[0]!)).toMatchObject({ following: { scope: 'tenant' } });
    const pushed = frames.slice(1).map((frame) => JSON.parse(frame) as { alert: { type: string; data: { rule: string } } });
    expect(pushed.map((frame) => [frame.alert.type, frame.alert.data.rule])).toContainEqual(['AlertResolved', 'approval-overdue']);
    // Mantine's segmented control hides the radio under its label: a person clicks the label.
    await page.locator('label', { hasText: /^Resolved$/ }).click();
    expect(await page.getByRole('radio', { name: 'Resolved' }).isChecked()).toBe(true);
    const row = page.getByRole('row').filter({ hasText: 'Approval past its SLA' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Resolved');
    expect(await openAlerts()).toEqual([]);
    await expectAccessible(page, 'the resolved alerts (desktop)');
  }, 240_000);
});
