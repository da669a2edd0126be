import { randomBytes } from 'node:crypto';
import { startDevModeProcess, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

/**
 * The registries (tools, agents, policy) through the console, against dev mode with its demo: the
 * `crm` tool, the `AccountManager` agent and a policy of version 1.
 */
describe('console registries: tools, agents, policies (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let viewerKey: string;
  let dev: DevModeProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** A signed-in page; every uncaught error in it fails the spec at the end. */
  async function signedIn(key: string, path: string, viewport: keyof typeof viewports = 'desktop'): Promise<Page> {
    const context = await browser.newContext({ viewport: viewports[viewport] });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    await signInWithKey(page, dev.url, key, path);
    return page;
  }

  /** Requests the page sends with this method to an API path, counted from now. */
  function requestsTo(page: Page, method: string, path: string): { count: () => number } {
    let count = 0;
    page.on('request', (request) => {
      if (request.method() === method && new URL(request.url()).pathname === path) count += 1;
    });
    return { count: () => count };
  }

  /** The error an input shows, through aria-describedby as a screen reader reads it; waits for one. */
  async function errorOf(input: Locator): Promise<string> {
    await input.and(input.page().locator('[aria-invalid="true"]')).waitFor();
    const ids = (await input.getAttribute('aria-describedby')) ?? '';
    const texts = await Promise.all(ids.split(/\s+/).filter(Boolean).map((id) => input.page().locator(`[id="${id}"]`).textContent()));
    return texts.join(' ');
  }

  async function noPageScroll(page: Page): Promise<void> {
    // A string: the spec's types are Node's, the expression runs in the page.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
  }

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_registries', { DEV_API_KEY: adminKey }), launchChromium()]);
    const created = await fetch(`${dev.url}/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'registries viewer', roles: ['viewer'] }) });
    expect(created.status).toBe(201);
    viewerKey = ((await created.json()) as { apiKey: string }).apiKey;
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('tools: the list shows crm, its page its operations and their argument schemas; the register form checks as you type', async () => {
    const page = await signedIn(adminKey, '/tools');
    await page.getByRole('heading', { level: 1, name: 'Tools' }).waitFor();
    await page.getByRole('cell', { name: 'Demo CRM' }).waitFor();
    await expectAccessible(page, 'the tool list');

    await page.getByRole('button', { name: 'Register tool' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register tool' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('not a name!');
    expect(await errorOf(dialog.getByRole('textbox', { name: 'Name', exact: true }))).toContain('not in the expected form');
    await expectAccessible(page, 'the register tool form');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('link', { name: 'crm' }).click();
    await page.getByRole('heading', { level: 1, name: 'crm' }).waitFor();
    const update = page.getByRole('region', { name: 'updateCustomer' });
    await update.getByText('/customers/{id}').waitFor();
    await update.getByText('not idempotent').waitFor();
    // The argument schema, readable: the body's tier with its values, required.
    await update.getByText('tier', { exact: true }).waitFor();
    await update.getByText('gold', { exact: true }).waitFor();
    await update.getByRole('button', { name: 'Raw schema of updateCustomer' }).click();
    expect(await update.getByLabel('Raw schema of updateCustomer').textContent()).toContain('"tier"');
    await expectAccessible(page, 'the crm tool page');

    const phone = await signedIn(adminKey, '/tools/crm', 'phone');
    await phone.getByRole('region', { name: 'getCustomer' }).waitFor();
    await expectAccessible(phone, 'the crm tool page on a phone');
    await noPageScroll(phone);
    await phone.goto(`${dev.url}/tools`);
    await phone.getByRole('link', { name: 'crm' }).waitFor();
    await expectAccessible(phone, 'the tool list on a phone');
    await noPageScroll(phone);
  });

  it('tools: registers a document through the form, choosing by tag; the page lists what was skipped and why, and filters many operations', async () => {
    // Thirty readable operations (tag "ledger"), one whose XML body cannot be sent, and one left out by tag.
    const paths: Record<string, unknown> = {};
    for (let index = 1; index <= 30; index++) {
      paths[`/ledgers/${index}`] = { get: { operationId: `readLedger${index}`, summary: index === 17 ? 'Read the quarterly summary ledger' : `Read ledger ${index}`, tags: ['ledger'], responses: { '200': { description: 'ok' } } } };
    }
    paths['/ledgers/export'] = { post: { operationId: 'exportLedgers', tags: ['ledger'], requestBody: { content: { 'application/xml': { schema: { type: 'string' } } } }, responses: { '200': { description: 'ok' } } } };
    paths['/admin/reset'] = { post: { operationId: 'resetEverything', tags: ['admin'], responses: { '200': { description: 'ok' } } } };
    const document = JSON.stringify({ openapi: '3.0.3', info: { title: 'Ledgers', version: '4' }, servers: [{ url: 'https://ledgers.example.com' }], paths });

    const page = await signedIn(adminKey, '/tools');
    await page.getByRole('button', { name: 'Register tool' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register tool' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('ledgers');
    await dialog.getByLabel('OpenAPI or Swagger 2.0 document (JSON or YAML)').fill(document);
    await dialog.getByLabel('Leave out operations tagged').fill('admin');
    await dialog.getByLabel('Leave out operations tagged').press('Enter');
    await dialog.getByText('MCP server', { exact: true }).click();
    await dialog.getByRole('textbox', { name: 'MCP server URL' }).waitFor();
    await expectAccessible(page, 'the register tool form for an MCP server');
    await dialog.getByText('Paste a document', { exact: true }).click();
    await expectAccessible(page, 'the register tool form choosing operations');
    await dialog.getByRole('button', { name: 'Register' }).click();

    await page.getByRole('heading', { level: 1, name: 'ledgers' }).waitFor();
    await page.getByRole('heading', { name: 'Operations (30)' }).waitFor();
    await page.getByText('Showing 25 of 30.').waitFor();
    const skipped = page.getByRole('region', { name: 'Skipped operations (1)' });
    await skipped.getByText('POST /ledgers/export').waitFor();
    await skipped.getByText(/application\/xml/).waitFor();
    expect(await page.getByText('resetEverything').count()).toBe(0);
    await page.getByText('tags admin').waitFor();

    await page.getByRole('textbox', { name: 'Filter operations' }).fill('quarterly');
    await page.getByText('1 of 30 match; showing 1.').waitFor();
    await page.getByRole('region', { name: 'readLedger17' }).waitFor();
    await page.getByRole('textbox', { name: 'Filter operations' }).fill('');
    await page.getByRole('button', { name: 'Show 5 more' }).click();
    await page.getByText('Showing 30 of 30.').waitFor();
    await expectAccessible(page, 'a tool page with skipped operations');

    const phone = await signedIn(adminKey, '/tools/ledgers', 'phone');
    await phone.getByRole('region', { name: 'Skipped operations (1)' }).waitFor();
    await expectAccessible(phone, 'a tool page with skipped operations on a phone');
    await noPageScroll(phone);
  });

  it('agents: creates one through the form (an invalid name is refused at its field first), edits it, and lists versions 1 and 2', async () => {
    const page = await signedIn(adminKey, '/agents');
    await page.getByRole('link', { name: 'AccountManager' }).waitFor();
    await expectAccessible(page, 'the agent list');
    const posts = requestsTo(page, 'POST', '/v1/agents');

    await page.getByRole('button', { name: 'New agent' }).click();
    const form = page.getByRole('dialog', { name: 'New agent' });
    const name = form.getByRole('textbox', { name: 'Name', exact: true });
    await name.fill('9 lives');
    expect(await errorOf(name)).toContain('not in the expected form');
    await form.getByLabel('Instructions').fill('Greet the customer by name, briefly.');
    await form.getByLabel('Tools').fill('crm');
    await form.getByLabel('Tools').press('Enter');
    await expectAccessible(page, 'the new agent form with an error');
    await form.getByRole('button', { name: 'Create agent' }).click();
    expect(await errorOf(name)).toContain('not in the expected form');
    expect(posts.count()).toBe(0);

    await name.fill('Greeter');
    await form.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { level: 1, name: 'Greeter' }).waitFor();
    expect(posts.count()).toBe(1);

    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Greeter' });
    await edit.getByLabel('Description').fill('Says hello to customers');
    await expectAccessible(page, 'the edit agent form');
    await edit.getByRole('button', { name: 'Save version 2' }).click();
    await edit.waitFor({ state: 'detached' });
    const versions = page.getByRole('list', { name: 'Versions' });
    await versions.getByText('v2').waitFor();
    await versions.getByRole('link', { name: 'v1' }).waitFor();
    await page.getByText('Says hello to customers').waitFor();
    await expectAccessible(page, 'the agent page');

    // Version 1, as it was: no description yet.
    await versions.getByRole('link', { name: 'v1' }).click();
    await page.getByText('an earlier version').waitFor();
    expect(await page.getByText('Says hello to customers').count()).toBe(0);

    const phone = await signedIn(adminKey, '/agents/Greeter', 'phone');
    await phone.getByRole('list', { name: 'Versions' }).getByText('v2').waitFor();
    await expectAccessible(phone, 'the agent page on a phone');
    await noPageScroll(phone);
    await phone.getByRole('button', { name: 'Edit' }).click();
    await phone.getByRole('dialog', { name: 'Edit Greeter' }).waitFor();
    await expectAccessible(phone, 'the edit agent form on a phone');
  });

  it('policies: an invalid rule is refused at its field and nothing is sent; a new rule makes version 2, and the diff shows it added', async () => {
    const page = await signedIn(adminKey, '/policies');
    await page.getByRole('table', { name: 'Rules' }).getByText('crm-writes-need-approval').waitFor();
    await expectAccessible(page, 'the policy page');
    const puts = requestsTo(page, 'PUT', '/v1/policies');

    await page.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('dialog', { name: /Edit the policy/ });
    await editor.getByRole('button', { name: 'Add a rule' }).click();
    const rule = editor.getByRole('group', { name: /Rule 2/ });
    const id = rule.getByRole('textbox', { name: 'Id', exact: true });
    await id.fill('no spaces allowed');
    expect(await errorOf(id)).toContain('not in the expected form');
    await expectAccessible(page, 'the policy editor with an error');
    await editor.getByRole('button', { name: 'Save version 2' }).click();
    expect(await errorOf(id)).toContain('not in the expected form');
    expect(puts.count()).toBe(0);

    await id.fill('deny-deletes');
    await rule.getByLabel('Description').fill('Nothing is ever deleted');
    // By keyboard, as the methods list opens for one.
    const methods = rule.getByRole('combobox', { name: 'Methods' });
    await methods.focus();
    await methods.press('ArrowDown');
    await page.getByRole('option', { name: 'delete' }).click();
    await methods.press('Escape');
    await editor.getByRole('button', { name: 'Save version 2' }).click();
    await editor.waitFor({ state: 'detached' });
    expect(puts.count()).toBe(1);

    await page.getByRole('region', { name: 'In effect' }).getByText('v2', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Rules' }).getByText('deny-deletes').waitFor();
    await page.getByRole('table', { name: 'Versions' }).getByText('v1').waitFor();
    const diff = page.getByLabel('Differences from version 1 to version 2');
    await diff.locator('[data-change="added"]', { hasText: '"id": "deny-deletes"' }).waitFor();
    // Marked in words, not only by colour: the line says "added" and carries "+".
    expect(await diff.locator('[data-change="added"]', { hasText: 'deny-deletes' }).textContent()).toMatch(/^\+ added:/);
    expect(await diff.locator('[data-change="removed"]').count()).toBe(0);
    await expectAccessible(page, 'the policy page with its diff');

    const phone = await signedIn(adminKey, '/policies', 'phone');
    await phone.getByLabel('Differences from version 1 to version 2').waitFor();
    await expectAccessible(phone, 'the policy page on a phone');
    await noPageScroll(phone);
    await phone.getByRole('button', { name: 'Edit' }).click();
    await phone.getByRole('dialog', { name: /Edit the policy/ }).waitFor();
    await expectAccessible(phone, 'the policy editor on a phone');
  });

  it('a viewer reads every registry and is offered no Register, New or Edit', async () => {
    const page = await signedIn(viewerKey, '/tools');
    const absent = async (what: string) => {
      // Settled: the page's data and what the console asks to know the caller's roles.
      await page.waitForLoadState('networkidle');
      expect({ what, buttons: await page.getByRole('button', { name: /^(Register tool|New agent|Edit)$/ }).count() }).toEqual({ what, buttons: 0 });
    };
    await page.getByRole('link', { name: 'crm' }).waitFor();
    await absent('the tool list');
    await page.goto(`${dev.url}/agents`);
    await page.getByRole('link', { name: 'AccountManager' }).waitFor();
    await absent('the agent list');
    await page.goto(`${dev.url}/agents/AccountManager`);
    await page.getByRole('heading', { name: 'Definition' }).waitFor();
    await absent('an agent page');
    await page.goto(`${dev.url}/policies`);
    await page.getByRole('table', { name: 'Rules' }).waitFor();
    await absent('the policy page');
    await expectAccessible(page, 'the policy page as a viewer');
  });
});
