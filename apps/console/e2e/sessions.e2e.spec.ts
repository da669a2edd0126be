import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

/** The Sessions pages against real dev mode: sessions started, approved and cancelled as a person (and the API) does. */
describe('console sessions (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  const marker = randomBytes(3).toString('hex');
  let dev: DevModeProcess;
  let browser: Browser;
  const pageErrors: string[] = [];
  /** The session test 1 starts from the form; later tests read it. */
  let demoSessionId: string;

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_sessions', { DEV_API_KEY: adminKey }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function api<Body = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Body> {
    const response = await fetch(`${dev.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Body;
  }
  const startDemo = async (goal: string, modelFixture = 'demo-upgrade-customer') => (await api<{ sessionId: string }>('POST', '/v1/sessions', { goal, context: { modelFixture } })).sessionId;
  async function pendingApproval(sessionId: string): Promise<string> {
    let approvalId: string | undefined;
    await waitFor('the approval the demo asks for', async () => {
      approvalId = (await api<{ items: { approvalId: string; status: string }[] }>('GET', `/v1/approvals?sessionId=${sessionId}`)).items.find((item) => item.status === 'pending')?.approvalId;
      return approvalId !== undefined;
    });
    return approvalId!;
  }
  const approve = async (sessionId: string) => api('POST', `/v1/approvals/${await pendingApproval(sessionId)}/decision`, { decision: 'approve' });

  async function openPage(viewport: keyof typeof viewports, path: string, colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: viewports[viewport], colorScheme });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signInWithKey(page, dev.url, adminKey, path);
    return { context, page };
  }
  /** The session's status as its page shows it, in the summary under the heading. */
  const status = (page: Page, value: string) => page.locator(`[aria-live="polite"] [data-status="${value}"]`);
  const noSidewaysScroll = 'document.documentElement.scrollWidth <= window.innerWidth';
  /** A node of the run's tree (its select button, not its expand toggle), by its text: kind, title, status, figures. */
  const treeRow = (page: Page, text: string | RegExp) => page.getByRole('region', { name: 'The run, step by step' }).locator('[data-node]').filter({ hasText: text });

  it('starts the demo from the form, follows it live to awaiting approval and, once approved elsewhere, to completed with the tool call answered', async () => {
    const { context, page } = await openPage('desktop', '/sessions');
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.getByRole('button', { name: 'New session' }).click();
    const form = page.getByRole('dialog', { name: 'New session' });
    await form.waitFor();
    // Checked before it is sent: a goal is required and the context is a JSON object.
    await form.getByLabel('Context').fill('[1, 2]');
    await form.getByRole('button', { name: 'Start session' }).click();
    await form.getByText('Say what the agents should achieve.').waitFor();
    await form.getByText('The context is a JSON object').waitFor();
    await expectAccessible(page, 'the new session form with its errors (desktop)');

    const goal = `Upgrade customer 42 to gold ${marker}`;
    await form.getByLabel('Goal').fill(goal);
    await form.getByLabel('Context').fill('{"requestedBy": "e2e"}');
    await form.getByRole('combobox', { name: 'Model fixture' }).click();
    await page.getByRole('option', { name: /Demo: upgrade customer 42/ }).click();
    await form.getByRole('button', { name: 'Start session' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    demoSessionId = page.url().split('/').at(-1)!;
    await page.getByRole('heading', { level: 1, name: goal }).waitFor();
    // A mark on the window: still there at the end means the page was never reloaded.
    await page.evaluate('window.sameDocument = true');

    await status(page, 'awaiting_approval').waitFor();
    await treeRow(page, /crm__updateCustomer.*Waiting/).waitFor();
    await approve(demoSessionId);
    await status(page, 'completed').waitFor();
    expect(await page.evaluate('window.sameDocument')).toBe(true);

    // The tool call that waited for the approval, with its answer; it shows its policy decision and approval.
    await treeRow(page, /crm__updateCustomer.*Done/).click();
    const detail = page.getByRole('region', { name: 'crm__updateCustomer' });
    await expect(detail.getByTestId('node-result').textContent()).resolves.toContain('"tier": "gold"');
    await treeRow(page, /Policy: require approval/).waitFor();
    await treeRow(page, /Approval by approver.*Done/).waitFor();
    await expect(detail.getByText(/^Events \(\d+\)$/).textContent()).resolves.toMatch(/Events \([2-9]\)/);
    await detail.locator('summary', { hasText: 'ToolCallCompleted' }).click();
    await expect(detail.locator('details[open] pre').first().textContent()).resolves.toContain('crm__updateCustomer');
    expect(await page.getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
    await expectAccessible(page, 'the session page with a selected tool call (desktop)');
    await context.close();
  });

  it('filters the list by status and finds a session by a word of its goal', async () => {
    const failed = await startDemo(`Refund the zebra-${marker} order`, 'planner-fails');
    await waitFor('the failing session to fail', async () => (await api<{ status: string }>('GET', `/v1/sessions/${failed}`)).status === 'failed');
    const { context, page } = await openPage('desktop', '/sessions');
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    await expectAccessible(page, 'the sessions list (desktop)');

    await page.getByLabel('Search goals').fill(`ZEBRA-${marker}`);
    await waitFor('the search to narrow the list', async () => (await rows.count()) === 1 && (await rows.first().textContent())!.includes(`zebra-${marker}`));
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Failed' }).click();
    await rows.filter({ hasText: 'Failed' }).waitFor();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Completed' }).click();
    await page.getByText('No session matches these filters.').waitFor();
    expect(page.url()).toContain('status=completed');

    await page.getByLabel('Search goals').fill(marker);
    await rows.first().waitFor();
    expect(await rows.allTextContents()).toEqual([expect.stringContaining(`Upgrade customer 42 to gold ${marker}`)]);
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Upgrade customer 42 to gold ${marker}` }).waitFor();
    await context.close();
  });

  it("shows the raw events of every stream of the session with each stream's hash chain intact", async () => {
    const { context, page } = await openPage('desktop', `/sessions/${demoSessionId}`);
    await page.getByRole('tab', { name: 'Raw events' }).click();
    const streams = page.locator('[data-stream]');
    await waitFor('every chain checked', async () => (await streams.count()) > 0 && (await page.getByText('Checking the chain…').count()) === 0);
    const count = await streams.count();
    // The session, the plan, two steps and a review run, each step's call with its policy check, and the approval.
    expect(count).toBeGreaterThanOrEqual(9);
    expect(await page.locator('[data-chain="intact"]').count()).toBe(count);
    expect(await page.locator('[data-chain="broken"]').count()).toBe(0);
    const sessionStream = page.locator(`[data-stream="session-${demoSessionId}"]`);
    const logged = (await api<{ items: unknown[] }>('GET', `/v1/sessions/${demoSessionId}/events?limit=1000`)).items.length;
    await sessionStream.getByText(`Chain intact (${logged} events)`).waitFor();
    await sessionStream.locator('summary', { hasText: 'SessionCompleted' }).click();
    await expect(sessionStream.locator('details[open] pre').textContent()).resolves.toContain('"streamVersion"');
    await expectAccessible(page, 'the raw events (desktop)');
    await context.close();
  });

  it('cancels a session awaiting approval from its page, with a reason, after asking', async () => {
    const sessionId = await startDemo(`Upgrade customer 42, then think again ${marker}`);
    const { context, page } = await openPage('desktop', `/sessions/${sessionId}`);
    await status(page, 'awaiting_approval').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel this session?' });
    await confirm.getByLabel('Reason').fill('Changed our mind');
    await expectAccessible(page, 'the cancel confirmation (desktop)');
    await confirm.getByRole('button', { name: 'Cancel session' }).click();
    await status(page, 'cancelled').waitFor();
    await page.getByText('Cancelled: Changed our mind').waitFor();
    await waitFor('the Cancel button gone', async () => (await page.getByRole('button', { name: 'Cancel', exact: true }).count()) === 0);
    await context.close();
  });

  it('catches up after the live connection drops, without duplicates', async () => {
    const sessionId = await startDemo(`Upgrade customer 42 over a bad line ${marker}`);
    const context = await browser.newContext({ viewport: viewports.desktop });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Every live connection goes through here, so the spec can cut it and keep it cut for a while.
    let cut = false;
    const open: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/live\?/, (socket) => {
      if (cut) return void socket.close({ code: 4000, reason: 'the line is down' });
      socket.connectToServer();
      open.push(socket);
    });
    await signInWithKey(page, dev.url, adminKey, `/sessions/${sessionId}`);
    await status(page, 'awaiting_approval').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();

    cut = true;
    for (const socket of open.splice(0)) await socket.close({ code: 4000, reason: 'the line is down' });
    await page.getByText('Reconnecting…').waitFor();
    // Progress the page cannot see: approved and completed while the line is down.
    await approve(sessionId);
    await waitFor('the session to complete', async () => (await api<{ status: string }>('GET', `/v1/sessions/${sessionId}`)).status === 'completed');
    cut = false;

    await status(page, 'completed').waitFor();
    await page.getByText('Reconnecting…').waitFor({ state: 'detached' });
    expect(await treeRow(page, /Upgrade customer 42 to the gold tier/).count()).toBe(1);
    expect(await treeRow(page, /Review round 1/).count()).toBe(1);
    const logged = (await api<{ items: unknown[] }>('GET', `/v1/sessions/${sessionId}/events?limit=1000`)).items.length;
    const sessionNode = treeRow(page, /^Session/);
    await sessionNode.click();
    await page.getByRole('tab', { name: 'Raw events' }).click();
    await page.locator(`[data-stream="session-${sessionId}"]`).getByText(`Chain intact (${logged} events)`).waitFor();
    expect(await page.locator(`[data-stream="session-${sessionId}"] details`).count()).toBe(logged);
    await context.close();
  });

  it('reads well on a phone and in the dark: list, form, run with a selected node, raw events', async () => {
    const { context, page } = await openPage('phone', '/sessions', 'dark');
    await page.getByRole('link', { name: `Upgrade customer 42 to gold ${marker}` }).waitFor();
    await expectAccessible(page, 'the sessions list (phone, dark)');
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByRole('dialog', { name: 'New session' }).waitFor();
    await expectAccessible(page, 'the new session form (phone, dark)');
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: `Upgrade customer 42 to gold ${marker}` }).click();
    await status(page, 'completed').waitFor();
    // By keyboard: Tab to a node of the tree, Enter selects it.
    await treeRow(page, /crm__getCustomer/).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'crm__getCustomer' }).waitFor();
    await expectAccessible(page, 'the session page with a selected node (phone, dark)');
    expect(await page.evaluate(noSidewaysScroll)).toBe(true);
    await page.getByRole('tab', { name: 'Raw events' }).click();
    await page.locator('[data-chain="intact"]').first().waitFor();
    await expectAccessible(page, 'the raw events (phone, dark)');
    expect(await page.evaluate(noSidewaysScroll)).toBe(true);
    await context.close();
  });
});
