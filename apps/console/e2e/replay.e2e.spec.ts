import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';
import { seedDeadLetters, type SeededDeadLetter } from './dead-letter-seed.js';

interface Operation {
  operationId: string;
  status: string;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  repeatsSideEffect: number;
}

/**
 * The replay pages against real dev mode (gateway, replay service, the in-process broker): dead
 * letters filtered and chosen, a redrive or discard planned, its dry run, confirmed, its progress
 * to the end, paused and resumed, as an operator does it at desktop and phone widths.
 */
describe('the replay pages (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  const platformKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let operatorKey: string;
  let viewerKey: string;
  let seeded: SeededDeadLetter[];
  const pageErrors: string[] = [];

  const api = async <T,>(method: string, path: string, key = adminKey, body?: unknown): Promise<T> => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const keyWith = async (role: string) => (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: `replay pages ${role}`, roles: [role] })).apiKey;
  const statusOf = async (sessionId: string) => (await api<{ status: string }>('GET', `/v1/sessions/${sessionId}`)).status;
  const operation = (operationId: string) => api<Operation>('GET', `/v1/operations/${operationId}`, operatorKey);
  const withCode = (code: string) => seeded.filter((letter) => letter.errorCode === code);

  async function pageAt(viewport: keyof typeof viewports, key: string, path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: viewports[viewport] })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signInWithKey(page, dev.url, key, path);
    return page;
  }

  /** From the list (already filtered to `code`): every match chosen, the plan asked for, landing on its dry run. */
  async function planAllMatching(page: Page, action: 'Redrive…' | 'Discard…', fill: (page: Page) => Promise<void>): Promise<string> {
    await page.getByRole('button', { name: /^Choose all matching/ }).click();
    await page.getByRole('toolbar').getByRole('button', { name: action }).click();
    const dialog = page.getByRole('dialog');
    await fill(page);
    await dialog.getByRole('button', { name: 'See the dry run' }).click();
    await page.waitForURL(/\/operations\/[^/]+$/, { timeout: 30_000 });
    await page.getByRole('heading', { level: 2, name: 'Dry run' }).waitFor();
    return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  }

  /** Confirms the dry run on screen; the box about side effects is ticked when the plan has any (the button waits for it). */
  async function confirmRun(page: Page, operationId: string, verb: string): Promise<Operation> {
    const planned = await waitFor('the plan', async () => {
      const current = await operation(operationId);
      return current.status === 'planned' ? current : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await page.getByRole('button', { name: `Confirm and ${verb} ${planned.total} items` }).click();
    const confirm = page.getByRole('dialog').getByRole('button', { name: `Confirm and ${verb}` });
    if (planned.repeatsSideEffect > 0) {
      expect(await confirm.isDisabled()).toBe(true);
      await page.getByRole('dialog').getByLabel(/I understand that/).check();
    }
    await confirm.click();
    return planned;
  }

  /** Rows the list shows once the filter settled: exactly these ids. */
  async function expectRows(page: Page, ids: readonly string[]): Promise<void> {
    await waitFor(`the list to show ${ids.length} dead letters`, async () => {
      const shown = await page.locator('[data-dead-letter-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-dead-letter-id')));
      return shown.length === ids.length && ids.every((id) => shown.includes(id)) ? true : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
  }

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_replay', { DEV_API_KEY: adminKey, PLATFORM_ADMIN_API_KEY: platformKey }), launchChromium()]);
    [operatorKey, viewerKey] = await Promise.all([keyWith('operator'), keyWith('viewer')]);
    // Two demo sessions, one approved: their events are what the seeded dead letters hold.
    const sessions = await Promise.all([0, 1].map(async () => (await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } })).sessionId));
    for (const sessionId of sessions) await waitFor('the demo to wait for its approver', async () => (await statusOf(sessionId)) === 'awaiting_approval' || undefined, { timeoutMs: 60_000, intervalMs: 200 });
    const approval = (await api<{ items: { approvalId: string }[] }>('GET', `/v1/approvals?sessionId=${sessions[0]}&status=pending`)).items[0]!;
    await api('POST', `/v1/approvals/${approval.approvalId}/decision`, adminKey, { decision: 'approve' });
    await waitFor('the approved demo to complete', async () => (await statusOf(sessions[0]!)) === 'completed' || undefined, { timeoutMs: 60_000, intervalMs: 200 });
    const events = (await Promise.all(sessions.map(async (sessionId) => (await api<{ streams: { links: { event: EventEnvelope }[] }[] }>('GET', `/v1/sessions/${sessionId}/streams`)).streams.flatMap((stream) => stream.links.map((link) => link.event))))).flat();
    const { tenantId } = await api<{ tenantId: string }>('GET', '/v1/me');
    seeded = await seedDeadLetters(dev.databaseUrl, tenantId, events, ['timeout', 'http-503', 'schema-mismatch']);
  }, 240_000);
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('takes an operator from the filtered dead letters to the dry run, a confirmation that names the side effects, and progress to every item redriven', async () => {
    const timeouts = withCode('timeout');
    const repeating = timeouts.filter((letter) => letter.repeatsSideEffect).length;
    expect(timeouts.length).toBeGreaterThan(3);
    expect(repeating).toBeGreaterThan(0);
    const page = await pageAt('desktop', operatorKey, '/');
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
    await expectRows(page, seeded.map((letter) => letter.id));
    await page.getByLabel('Error code').fill('timeout');
    await expectRows(page, timeouts.map((letter) => letter.id));
    expect(new URL(page.url()).searchParams.get('code')).toBe('timeout');
    await page.mouse.move(600, 20);
    await expectAccessible(page, 'the dead letters, filtered');

    // One dead letter in full: why, from where, and the message decoded.
    await page.locator(`[data-dead-letter-id="${timeouts[0]!.id}"]`).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `timeout from ${timeouts[0]!.consumer}` }).waitFor();
    expect(await page.getByTestId('dead-letter-value').innerText()).toContain('"eventId"');
    await expectAccessible(page, 'a dead letter');
    await page.goBack();

    const operationId = await planAllMatching(page, 'Redrive…', async () => {
      await page.getByLabel('Reason').fill('the consumer is fixed');
      await page.getByLabel('Rate (items a second)').fill('5');
    });
    expect(await operation(operationId)).toMatchObject({ status: 'planned', total: timeouts.length, repeatsSideEffect: repeating, done: 0 });
    await page.getByTestId('dry-run-total').getByText(`${timeouts.length} items`).waitFor();
    await page.getByTestId('repeats-side-effect').getByText(repeating === 1 ? '1 item repeats a side effect' : `${repeating} items repeat a side effect`).waitFor();
    expect(await page.locator('[data-item-id][data-repeats]').count()).toBe(repeating);
    await page.mouse.move(600, 20);
    await expectAccessible(page, "the redrive's dry run");

    // Confirming says what repeats, and waits for it to be acknowledged.
    await page.getByRole('button', { name: `Confirm and redrive ${timeouts.length} items` }).click();
    const confirm = page.getByRole('dialog').getByRole('button', { name: 'Confirm and redrive' });
    await page.getByRole('dialog').getByText(`${repeating} item${repeating === 1 ? '' : 's'} will call a tool again`).waitFor();
    expect(await confirm.isDisabled()).toBe(true);
    await expectAccessible(page, 'the confirmation');
    await page.getByRole('dialog').getByLabel(/I understand that/).check();
    await confirm.click();
    await page.getByTestId('operation-progress').getByText(`${timeouts.length} of ${timeouts.length} done (100%)`).waitFor({ timeout: 60_000 });
    await page.locator('[aria-live="polite"] [data-status="completed"]').waitFor({ timeout: 30_000 });
    expect(await operation(operationId)).toMatchObject({ status: 'completed', total: timeouts.length, done: timeouts.length, succeeded: timeouts.length, failed: 0, skipped: 0 });
    // Every item on the page with its outcome, once the page has asked for them after the end.
    await waitFor('every item shown as succeeded', async () => (await page.locator('[data-item-id] [data-outcome="succeeded"]').count()) === Math.min(timeouts.length, 20) || undefined, { timeoutMs: 10_000, intervalMs: 200 });
    const redriven = await api<{ items: { id: string }[] }>('GET', '/v1/dead-letters?status=redriven&code=timeout', operatorKey);
    expect(redriven.items.map((item) => item.id).sort()).toEqual(timeouts.map((letter) => letter.id).sort());
    await expectAccessible(page, 'the completed redrive');

    await page.getByRole('link', { name: '← Operations' }).click();
    await page.locator(`[data-operation-id="${operationId}"] [data-status="completed"]`).waitFor();
    await page.context().close();
  });

  it('pauses and resumes a redrive at phone width, its progress standing still while paused', async () => {
    const letters = withCode('http-503');
    expect(letters.length).toBeGreaterThan(3);
    const page = await pageAt('phone', operatorKey, '/dead-letters?code=http-503');
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
    await expectRows(page, letters.map((letter) => letter.id));
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.mouse.move(200, 10);
    await expectAccessible(page, 'the dead letters (phone)');
    const operationId = await planAllMatching(page, 'Redrive…', async () => page.getByLabel('Rate (items a second)').fill('1'));
    await confirmRun(page, operationId, 'redrive');
    await page.getByRole('button', { name: 'Pause' }).click();
    const paused = await waitFor('the pause', async () => {
      const current = await operation(operationId);
      return current.status === 'paused' ? current : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(paused.done).toBeLessThan(letters.length);
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await page.getByTestId('operation-eta').getByText('Paused: nothing more is done until it is resumed').waitFor();
    // The batch in hand when it paused is still recorded; after that, paused stays paused: across
    // two more polls of the page, nothing more was done, on the page or in the API.
    const twoPolls = async () => {
      for (let polls = 0; polls < 2; polls++) await page.waitForResponse((response) => response.url().endsWith(`/v1/operations/${operationId}`));
    };
    await twoPolls();
    const settled = await operation(operationId);
    const shownSettled = await page.getByTestId('operation-progress').innerText();
    await twoPolls();
    expect(await operation(operationId)).toMatchObject({ status: 'paused', done: settled.done });
    expect(settled.done).toBeLessThan(letters.length);
    expect(await page.getByTestId('operation-progress').innerText()).toBe(shownSettled);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expectAccessible(page, 'a paused redrive (phone)');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('operation-progress').getByText(`${letters.length} of ${letters.length} done (100%)`).waitFor({ timeout: 60_000 });
    expect(await operation(operationId)).toMatchObject({ status: 'completed', succeeded: letters.length });
    await page.context().close();
  });

  it('asks for a reason before a discard, and records it', async () => {
    const letters = withCode('schema-mismatch');
    const page = await pageAt('desktop', operatorKey, '/dead-letters?code=schema-mismatch');
    await expectRows(page, letters.map((letter) => letter.id));
    const operationId = await planAllMatching(page, 'Discard…', async () => {
      await page.getByRole('dialog').getByRole('button', { name: 'See the dry run' }).click();
      await page.getByText('Say why these are discarded.').waitFor();
      expect(page.url()).toContain('/dead-letters');
      await page.getByLabel('Reason').fill('replayed by hand from the source system');
    });
    expect(await confirmRun(page, operationId, 'discard')).toMatchObject({ total: letters.length, repeatsSideEffect: 0 });
    await page.locator('[aria-live="polite"] [data-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await operation(operationId)).toMatchObject({ status: 'completed', succeeded: letters.length });
    const discarded = await api<{ items: { id: string; discardReason: string }[] }>('GET', '/v1/dead-letters?status=discarded', operatorKey);
    expect(discarded.items.map((item) => item.id).sort()).toEqual(letters.map((letter) => letter.id).sort());
    expect(new Set(discarded.items.map((item) => item.discardReason))).toEqual(new Set(['replayed by hand from the source system']));
    await page.context().close();
  });

  it("shows the platform admin every tenant's dead letters, with a tenant filter a tenant's operator is not offered", async () => {
    const page = await pageAt('desktop', platformKey, '/dead-letters?status=all');
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allInnerTexts()).toEqual(['Alerts', 'Dead letters', 'Operations', 'Projections', 'Usage & cost']);
    await expectRows(page, seeded.map((letter) => letter.id));
    await page.getByLabel('Tenant').fill('another-tenant');
    await page.getByText('No dead letter matches these filters').waitFor();
    const { tenantId } = await api<{ tenantId: string }>('GET', '/v1/me');
    await page.getByLabel('Tenant').fill(tenantId);
    await expectRows(page, seeded.map((letter) => letter.id));
    await page.mouse.move(600, 20);
    await expectAccessible(page, "the platform admin's dead letters");
    const operator = await pageAt('desktop', operatorKey, '/dead-letters');
    await operator.getByLabel('Error code').waitFor();
    expect(await operator.getByLabel('Tenant').count()).toBe(0);
    await Promise.all([page.context().close(), operator.context().close()]);
  });

  it('shows the projections and their state, and lets the platform admin alone plan a rebuild, landing on its dry run', async () => {
    const { items } = await api<{ items: { projection: string; state: string }[] }>('GET', '/v1/projections', platformKey);
    expect(items.length).toBeGreaterThan(0);
    const sessions = items.find((item) => item.projection.includes('session')) ?? items[0]!;
    const operator = await pageAt('phone', operatorKey, '/projections');
    await operator.locator(`[data-projection="${sessions.projection}"] [data-state]`).waitFor();
    expect(await operator.getByRole('button', { name: /^Rebuild/ }).count()).toBe(0);
    expect(await operator.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expectAccessible(operator, 'the projections (phone, operator)');
    await operator.context().close();

    const page = await pageAt('desktop', platformKey, '/projections');
    for (const item of items) await page.locator(`[data-projection="${item.projection}"] [data-state]`).first().waitFor();
    await page.mouse.move(600, 20);
    await expectAccessible(page, 'the projections (platform admin)');
    await page.getByRole('button', { name: `Rebuild ${sessions.projection}` }).click();
    await page.waitForURL(/\/operations\/[^/]+$/, { timeout: 30_000 });
    const operationId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByRole('heading', { level: 2, name: 'Dry run' }).waitFor();
    const planned = await waitFor('the rebuild to be planned', async () => {
      const current = await api<Operation & { kind: string }>('GET', `/v1/operations/${operationId}`, platformKey);
      return current.status === 'planned' ? current : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(planned).toMatchObject({ kind: 'rebuild-projection', total: 1 });
    await page.getByRole('button', { name: 'Confirm and rebuild 1 item' }).waitFor();
    await page.context().close();
  });

  it('offers a viewer none of it, and says who may', async () => {
    const page = await pageAt('desktop', viewerKey, '/');
    await page.getByRole('link', { name: 'Sessions', exact: true }).waitFor();
    for (const section of ['Dead letters', 'Operations', 'Projections']) expect(await page.getByRole('link', { name: section }).count()).toBe(0);
    await page.goto(`${dev.url}/dead-letters`);
    await page.getByText('Replay tooling is for operators and admins').waitFor();
    await page.context().close();
  });
});
