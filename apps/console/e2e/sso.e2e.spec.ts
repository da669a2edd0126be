import { randomBytes } from 'node:crypto';
import { startDevModeProcess, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expectAccessible, launchChromium, viewports } from './browser.js';
import { startConsoleIdentityProvider, type ConsoleIdentityProvider } from './identity-provider.js';

const audience = 'agent-orchestrator';

/** Text as shown, without the case and line breaks that styling adds (badges are upper case). */
const spoken = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

describe('console single sign-on (a real OpenID provider, dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let idp: ConsoleIdentityProvider;
  let dev: DevModeProcess;
  let browser: Browser;
  const pageErrors: string[] = [];

  async function pageIn(options: BrowserContextOptions): Promise<Page> {
    const page = await (await browser.newContext(options)).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  beforeAll(async () => {
    // alice's provider groups are not platform roles: the tenant's role mapping turns them into some.
    idp = await startConsoleIdentityProvider({ audience, claims: { alice: { tenant: 'demo', roles: ['crm-approvers'] } } });
    [dev, browser] = await Promise.all([
      startDevModeProcess('console_sso', { DEV_API_KEY: adminKey, OIDC_ISSUER_URL: idp.issuer, OIDC_AUDIENCE: audience, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_SCOPES: 'openid api' }),
      launchChromium(),
    ]);
    await idp.serve(dev.url);
    const call = (method: string, path: string, body: unknown) => fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await call('PUT', '/v1/role-mapping', { mapping: { 'crm-approvers': ['approver', 'viewer'] } })).status).toBe(200);
    expect((await call('POST', '/v1/sessions', { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } })).status).toBe(202);
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    await idp?.close();
  });

  it('offers single sign-on beside the API key, accessibly, on a desktop and a phone', async () => {
    for (const [viewport, colorScheme] of [[viewports.desktop, 'light'], [viewports.phone, 'dark']] as const) {
      const page = await pageIn({ viewport, colorScheme });
      await page.goto(dev.url);
      await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
      await page.getByLabel('API key').waitFor();
      await expectAccessible(page, `the sign-in page with single sign-on (${viewport.width} px, ${colorScheme})`);
      await page.screenshot({ path: `/tmp/signin-sso-page-${viewport.width}-${colorScheme}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('signs in at the provider, comes back to the page asked for with the tenant and mapped roles, reads data, and signs out', async () => {
    const page = await pageIn({ viewport: viewports.desktop });
    await page.goto(`${dev.url}/approvals`);
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();

    // The provider's own login and consent pages.
    await page.waitForURL(`${idp.issuer}/**`);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${dev.url}/approvals`);
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    const header = page.getByRole('group', { name: 'Signed in as' });
    await header.getByText('viewer', { exact: true }).waitFor();
    expect(spoken(await header.innerText())).toBe('tenant demo approver viewer');
    // The browser traded the code itself (CORS at the provider, connect-src in the console's CSP).
    expect(idp.browserTokenRequests).toBe(1);

    // A page reads the API with the token: the overview counts the demo session.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'All 1 session', exact: true }).waitFor();
    await page.getByText('1 pending', { exact: true }).waitFor();
    // Off the link just clicked: the theme's hover shade of the active link is not what is checked here.
    await page.mouse.move(viewports.desktop.width - 10, viewports.desktop.height - 10);
    await expectAccessible(page, 'the overview signed in with single sign-on');
    await page.screenshot({ path: '/tmp/signin-sso-overview.png', fullPage: true });

    // Kept for the tab only: the provider's user is in sessionStorage, nothing in localStorage.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(await page.evaluate(() => Object.keys(sessionStorage).some((key) => key.startsWith('oidc.user:')))).toBe(true);
    await page.reload();
    await page.getByText('1 pending', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('oidc.user:') || key.startsWith('agent-orchestrator.')))).toEqual([]);
    await page.context().close();
  });
});
