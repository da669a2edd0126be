import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { callApi } from './api.js';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

interface Budget {
  budgetId: string;
  limit: number;
  used: number;
  unit: string;
}

describe('the budgets page (dev mode, Chromium), and a budget that stops a session', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let operatorKey: string;
  let viewerKey: string;
  const pageErrors: string[] = [];

  const api = <T,>(method: string, path: string, key: string, body?: unknown) => callApi<T>(dev.url, method, path, key, body);
  const keyWith = async (role: string) => (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: `budgets page ${role}`, roles: [role] })).apiKey;
  const budgets = async () => (await api<{ items: Budget[] }>('GET', '/v1/budgets', adminKey)).items;

  /** With CONSOLE_SCREENSHOTS=<dir>, a full-page picture to look at. */
  const shot = async (page: Page, name: string) => {
    if (process.env.CONSOLE_SCREENSHOTS) await page.screenshot({ path: join(process.env.CONSOLE_SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  async function pageIn(options: BrowserContextOptions): Promise<Page> {
    const page = await (await browser.newContext(options)).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  beforeAll(async () => {
    // Both started before either failure is thrown, so afterAll stops whichever did start.
    const [started, launched] = await Promise.allSettled([startDevModeProcess('console_budgets', { DEV_API_KEY: adminKey }), launchChromium()]);
    if (started.status === 'fulfilled') dev = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const outcome of [started, launched]) if (outcome.status === 'rejected') throw outcome.reason;
    [operatorKey, viewerKey] = await Promise.all([keyWith('operator'), keyWith('viewer')]);
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('lets an admin set a budget and raise it, and shows its use as a bar', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, adminKey);
    await page.getByRole('link', { name: 'Budgets' }).click();
    await page.getByRole('heading', { level: 1, name: 'Budgets' }).waitFor();
    await page.getByText('No budgets yet').waitFor();
    await page.mouse.move(600, 700);
    await expectAccessible(page, 'the budgets page, before any budget');

    await page.getByRole('button', { name: 'New budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'New budget' });
    await dialog.getByLabel('Budget id').fill('research-monthly');
    await dialog.getByText('One agent', { exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Agent' }).fill('Researcher');
    await dialog.getByText('Per month', { exact: true }).click();
    await dialog.getByText('Tokens', { exact: true }).click();
    await dialog.getByLabel('Limit (tokens)').fill('200000');
    await expectAccessible(page, 'the new budget dialog');
    await dialog.getByRole('button', { name: 'Set budget' }).click();
    const card = page.locator('li[data-budget="research-monthly"]');
    await card.getByText('Agent Researcher, this month').waitFor({ timeout: 30_000 });
    await card.getByRole('meter', { name: 'research-monthly: 0 tokens used of 200,000 tokens' }).waitFor();
    expect(await budgets()).toEqual([expect.objectContaining({ budgetId: 'research-monthly', limit: 200_000, unit: 'tokens', used: 0 })]);

    await card.getByRole('button', { name: 'Edit research-monthly' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit research-monthly' });
    await edit.getByLabel('Limit (tokens)').fill('250000');
    await edit.getByRole('button', { name: 'Save terms' }).click();
    await card.getByText('of 250,000 tokens used').waitFor({ timeout: 30_000 });

    // A limit the gateway refuses is explained in the dialog, and nothing changes.
    await page.getByRole('button', { name: 'New budget' }).click();
    const bad = page.getByRole('dialog', { name: 'New budget' });
    await bad.getByLabel('Budget id').fill('Not An Id');
    await bad.getByLabel('Limit (USD)').fill('5');
    await bad.getByRole('button', { name: 'Set budget' }).click();
    await bad.getByRole('alert').getByText(/is not a budget id/).waitFor();
    await page.keyboard.press('Escape');
    await bad.waitFor({ state: 'hidden' });
    await shot(page, 'budgets-desktop');
    await page.context().close();
    expect((await budgets()).map((budget) => budget.budgetId)).toEqual(['research-monthly']);
  }, 240_000);

  it('works at phone width for an operator, who reads budgets but may not set them, and is clean for axe there', async () => {
    const page = await pageIn({ viewport: viewports.phone });
    await api('PUT', '/v1/budgets/monthly-usd', adminKey, { scope: { kind: 'tenant' }, period: 'month', unit: 'usd', limit: 250 });
    await signInWithKey(page, dev.url, operatorKey, '/budgets');
    await page.getByRole('heading', { level: 1, name: 'Budgets' }).waitFor();
    await page.locator('li[data-budget="monthly-usd"]').getByText('$0.00 of $250.00 used').waitFor();
    expect(await page.getByRole('button', { name: 'New budget' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await expectAccessible(page, 'the budgets page (phone)');
    await shot(page, 'budgets-phone');
    await page.context().close();
  });

  it('offers a viewer no Budgets link', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, viewerKey);
    await page.getByRole('link', { name: 'Sessions' }).waitFor();
    expect(await page.getByRole('link', { name: 'Budgets' }).count()).toBe(0);
    await page.context().close();
  });

  it('refuses the model call that would cross a tenant budget: the session fails naming it, and the page shows why', async () => {
    await api('PUT', '/v1/budgets/tiny-daily', adminKey, { scope: { kind: 'tenant' }, period: 'day', unit: 'tokens', limit: 100 });
    const { sessionId } = await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Summarise the quarter' });
    const failed = await waitFor('the session to fail on the budget', async () => {
      const session = await api<{ status: string; failureReason?: string }>('GET', `/v1/sessions/${sessionId}`, adminKey);
      return session.status === 'failed' ? session : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    expect(failed.failureReason).toMatch(/the model call was refused: budget "tiny-daily" \(the tenant, per day, in tokens\) would be crossed: 0 tokens of its 100 tokens are used or held/);
    expect((await budgets()).find((budget) => budget.budgetId === 'tiny-daily')).toMatchObject({ used: 0 });

    const page = await pageIn({ viewport: viewports.desktop });
    await signInWithKey(page, dev.url, adminKey, `/sessions/${sessionId}`);
    await page.getByText(/budget "tiny-daily"/).first().waitFor();
    await page.context().close();
  });
});
