import { randomBytes } from 'node:crypto';
import { startDevModeProcess, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

describe('console sign-in (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_sign_in', { DEV_API_KEY: adminKey }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('signs in with an API key kept for the tab, and signs out', async () => {
    const context = await browser.newContext({ viewport: viewports.desktop });
    const page = await context.newPage();
    await page.goto(`${dev.url}/approvals`);
    await expectAccessible(page, 'the sign-in page');
    await signInWithKey(page, dev.url, adminKey, '/approvals');
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    // Kept for the tab: a reload stays signed in; nothing is in localStorage.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    await context.close();
  });

  it('refuses a wrong key in words, and stays signed out', async () => {
    const context = await browser.newContext({ viewport: viewports.phone });
    const page = await context.newPage();
    await page.goto(dev.url);
    await page.getByLabel('API key').fill('not-a-key-of-this-platform');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That key was not accepted');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await context.close();
  });

  it('serves the console for its own routes and keeps the API\'s 404 for the API\'s paths', async () => {
    const page = await fetch(`${dev.url}/sessions/some-session`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = await fetch(`${dev.url}/v1/no-such-route`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });
});
