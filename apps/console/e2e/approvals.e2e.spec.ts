import { randomBytes } from 'node:crypto';
import { createClient, type AgentOrchestratorClient, type LiveMessage } from '@agent-orchestrator/client';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

type Approval = Awaited<ReturnType<AgentOrchestratorClient['approvals']['get']>>;

describe('console approvals inbox (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let admin: AgentOrchestratorClient;
  let approverKey: string;
  let viewerKey: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const following = new AbortController();

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_approvals', { DEV_API_KEY: adminKey }), launchChromium()]);
    admin = createClient({ baseUrl: dev.url, apiKey: adminKey });
    const keyWith = async (role: 'approver' | 'viewer') => (await admin.raw.POST('/v1/api-keys', { body: { name: `console ${role}`, roles: [role] } })).data!.apiKey;
    [approverKey, viewerKey] = await Promise.all([keyWith('approver'), keyWith('viewer')]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    // Each spec starts from an empty inbox, also after one that failed halfway.
    for (const { approvalId } of (await admin.approvals.list({ status: 'pending' })).items) {
      await admin.approvals.decide(approvalId, { decision: 'reject', reason: 'cleared between specs' });
    }
    expect(pageErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    following.abort();
    await browser?.close();
    await dev?.stop();
  });

  async function signedIn(key: string, viewport: (typeof viewports)[keyof typeof viewports], path = '/approvals'): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signInWithKey(page, dev.url, key, path);
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    return page;
  }

  /** Starts the demo session; AccountManager asks to set customer 42's tier, which waits for an approver. */
  async function demoApproval(): Promise<{ sessionId: string; approval: Approval }> {
    const { sessionId } = await admin.sessions.start({ goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    const approval = await waitFor('the demo\'s approval', async () => (await admin.approvals.list({ sessionId, status: 'pending' })).items[0], { timeoutMs: 30_000, intervalMs: 100 });
    return { sessionId, approval };
  }

  const sessionEnded = (sessionId: string) =>
    waitFor('the session to end', async () => {
      const session = await admin.sessions.get(sessionId);
      return ['completed', 'failed', 'cancelled'].includes(session.status) && session;
    }, { timeoutMs: 30_000, intervalMs: 100 });

  const item = (page: Page, approvalId: string) => page.locator(`[data-approval-id="${approvalId}"]`);
  /** Waits for the page's notice after a decision to say `words`. */
  const noticeSays = (page: Page, words: string) => page.getByRole('status').filter({ hasText: words }).first().waitFor();

  it('shows a new request live, edits its arguments against the schema with a diff, and approves them', async () => {
    const page = await signedIn(approverKey, viewports.desktop);
    await page.getByText('Nothing waits for you').waitFor();
    await expectAccessible(page, 'the empty inbox (desktop)');

    const { sessionId, approval } = await demoApproval();
    // No reload: the inbox finds the new request on its own.
    await item(page, approval.approvalId).waitFor();
    await expectAccessible(page, 'the inbox (desktop)');
    await item(page, approval.approvalId).click();
    await page.waitForURL(`**/approvals/${approval.approvalId}`);
    const detail = page.getByRole('region', { name: 'The selected call' });
    await detail.getByRole('heading', { level: 2, name: 'crm.updateCustomer' }).waitFor();
    await detail.getByText('PATCH /customers/{id}').waitFor();
    await detail.getByText('crm-writes-need-approval').first().waitFor();
    await detail.getByText('Customer 42 is on the bronze tier.').waitFor(); // the earlier step's output
    await expectAccessible(page, 'the detail (desktop)');

    await detail.getByRole('button', { name: 'Edit arguments' }).click();
    const editor = detail.getByLabel('Arguments (JSON)');
    await editor.fill('{\n  "id": 42,\n  "body": { "tier": "silver" }\n}');
    await detail.getByText('is a number, but must be a string.').waitFor();
    await expect(detail.getByRole('button', { name: 'Approve' }).isDisabled()).resolves.toBe(true);
    await expectAccessible(page, 'the arguments editor with a problem (desktop)');
    await editor.fill('{\n  "id": "42",\n  "body": { "tier": "silver" }\n}');
    await detail.getByText('The arguments match the operation\'s schema.').waitFor();
    await expect(detail.locator('del').textContent()).resolves.toContain('"tier": "gold"');
    await expect(detail.locator('ins').textContent()).resolves.toContain('"tier": "silver"');
    await expectAccessible(page, 'the arguments editor with a diff (desktop)');
    await detail.getByRole('button', { name: 'Approve' }).click();

    await noticeSays(page, 'Approved crm.updateCustomer for AccountManager with your edited arguments');
    await item(page, approval.approvalId).waitFor({ state: 'detached' });
    await page.getByText('Nothing waits for you').waitFor();

    expect((await sessionEnded(sessionId)).status).toBe('completed');
    await expect(admin.approvals.get(approval.approvalId)).resolves.toMatchObject({ status: 'granted', edited: true, arguments: { id: '42', body: { tier: 'silver' } } });
    const events = [];
    for await (const event of admin.sessions.allEvents(sessionId)) events.push(event);
    expect(events.filter((event) => event.type === 'StepCompleted').map((event) => (event.data as { stepId: string }).stepId)).toEqual(['look-up', 'upgrade']);
    // The demo CRM took the edited write.
    const crm = await admin.tools.get('crm');
    const customer = (await (await fetch(`${crm.baseUrl}/customers/42`)).json()) as { tier: string };
    expect(customer.tier).toBe('silver');
  });

  it('shows a viewer the item read-only, without Approve', async () => {
    const { approval } = await demoApproval();
    const page = await signedIn(viewerKey, viewports.desktop);
    // Nothing is the viewer's to decide; what waits for others is one click away.
    await page.getByText('Nothing waits for you').waitFor();
    await page.getByRole('button', { name: 'Show what waits for other roles' }).click();
    await page.waitForURL('**/approvals?for=all');
    await item(page, approval.approvalId).waitFor();
    // Filters live in the URL: a shared link narrows the list the same way.
    await page.goto(`${dev.url}/approvals?for=all&agent=Somebody`);
    await page.getByText('No pending call matches these filters').waitFor();
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    await page.waitForURL('**/approvals?for=all');
    await item(page, approval.approvalId).click();
    const detail = page.getByRole('region', { name: 'The selected call' });
    await detail.getByRole('heading', { level: 2, name: 'crm.updateCustomer' }).waitFor();
    await detail.getByText('Only someone with the role approver (or an admin) can decide this call; you can read it.').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(0);
    await page.keyboard.press('a'); // the shortcut does nothing either
    await expectAccessible(page, 'the read-only detail (desktop)');
    await expect(admin.approvals.get(approval.approvalId)).resolves.toMatchObject({ status: 'pending' });
  });

  it('rejects with a reason from a phone, and the reason goes back to the agent', async () => {
    const { sessionId, approval } = await demoApproval();
    // The session's live feed carries its approvals' events: the rejection and its reason are what the agent is answered with.
    const live: LiveMessage[] = [];
    const followed = (async () => {
      for await (const message of admin.sessions.live(sessionId, { signal: following.signal })) live.push(message);
    })().catch((failure: unknown) => failure); // kept for the assertion below, not left to reject unobserved
    const page = await signedIn(approverKey, viewports.phone);
    await item(page, approval.approvalId).waitFor();
    await expectAccessible(page, 'the inbox (phone)');
    await item(page, approval.approvalId).click();
    await page.getByRole('heading', { level: 2, name: 'crm.updateCustomer' }).waitFor();
    expect(await page.getByRole('list', { name: 'Pending approvals' }).count()).toBe(0); // the detail is its own view on a phone
    await expectAccessible(page, 'the detail (phone)');
    await page.getByRole('button', { name: 'Edit arguments' }).click();
    await page.getByLabel('Arguments (JSON)').waitFor();
    await expectAccessible(page, 'the arguments editor (phone)');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject crm.updateCustomer?' });
    await dialog.getByLabel('Reason').waitFor();
    await expectAccessible(page, 'the reject dialog (phone)');
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    const reason = 'Gold needs a signed contract; keep them on bronze.';
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
    await noticeSays(page, 'Rejected crm.updateCustomer for AccountManager');

    await sessionEnded(sessionId);
    expect(await followed).toBeUndefined();
    await expect(admin.approvals.get(approval.approvalId)).resolves.toMatchObject({ status: 'rejected', outcome: { reason } });
    const rejected = live.flatMap((message) => (message.kind === 'approval' && message.approval.type === 'ApprovalRejected' ? [message.approval.data] : []));
    expect(rejected).toEqual([expect.objectContaining({ approvalId: approval.approvalId, callId: approval.callId, reason })]);
  });

  it('tells a reviewer when the open item was decided in another browser', async () => {
    const { approval } = await demoApproval();
    const [first, second] = await Promise.all([signedIn(approverKey, viewports.desktop, `/approvals/${approval.approvalId}`), signedIn(adminKey, viewports.desktop, `/approvals/${approval.approvalId}`)]);
    await Promise.all([first, second].map((page) => page.getByRole('button', { name: 'Approve' }).waitFor()));
    await item(second, approval.approvalId).waitFor();
    await first.getByRole('button', { name: 'Approve' }).click();
    await noticeSays(first, 'Approved crm.updateCustomer');

    // The second browser, untouched: the item leaves its list and the open detail says who decided.
    await item(second, approval.approvalId).waitFor({ state: 'detached' });
    const outcome = second.getByRole('status').filter({ hasText: 'No longer waits' });
    await expect(outcome.textContent()).resolves.toMatch(/Approved by [0-9a-f]{8} \(approver\) just now$/);
    expect(await second.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await expectAccessible(second, 'an item decided elsewhere (desktop)');
  });

  it('moves with j and k and decides with a and r, by keyboard only', async () => {
    const demos = [await demoApproval(), await demoApproval()];
    const page = await signedIn(approverKey, viewports.desktop);
    await Promise.all(demos.map(({ approval }) => item(page, approval.approvalId).waitFor()));
    const listed = await page.locator('[data-approval-id]').evaluateAll((links) => links.map((link) => link.getAttribute('data-approval-id')!));
    expect([...listed].sort()).toEqual(demos.map(({ approval }) => approval.approvalId).sort());

    // Each move waits until the list shows the selection, as a person would look before the next key.
    const selected = (approvalId: string) => page.locator(`[data-approval-id="${approvalId}"][aria-current="true"]`).waitFor();
    await page.keyboard.press('j');
    await selected(listed[0]!);
    await page.keyboard.press('j');
    await selected(listed[1]!);
    expect(page.url()).toMatch(new RegExp(`/approvals/${listed[1]}$`));
    await page.keyboard.press('k');
    await selected(listed[0]!);
    await page.getByRole('button', { name: 'Approve' }).waitFor();

    await page.keyboard.press('a');
    await noticeSays(page, 'Approved crm.updateCustomer');
    await item(page, listed[0]!).waitFor({ state: 'detached' });
    await selected(listed[1]!); // the selection moved to the next one

    await page.getByRole('button', { name: 'Reject' }).waitFor();
    await page.keyboard.press('r');
    const reason = page.getByRole('dialog').getByLabel('Reason');
    await reason.waitFor();
    await expectAccessible(page, 'the reject dialog (desktop)');
    await waitFor('the reason to have the keyboard', () => reason.evaluate((element) => element === element.ownerDocument.activeElement));
    expect(await reason.inputValue()).toBe(''); // the r that opened it was not typed into it
    await page.keyboard.type('Not this quarter.');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Reject
    await page.keyboard.press('Enter');
    await noticeSays(page, 'Rejected crm.updateCustomer');
    await page.getByText('Nothing waits for you').waitFor();
    await expect(admin.approvals.get(listed[0]!)).resolves.toMatchObject({ status: 'granted' });
    await expect(admin.approvals.get(listed[1]!)).resolves.toMatchObject({ status: 'rejected', outcome: { reason: 'Not this quarter.' } });
  });
});
