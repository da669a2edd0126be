import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

/** The planner's request is refused: the session fails before any step, and the Analyst answers from its trace. */
const plannerRefused = 'Scripted provider failure: the planner request was refused.';
const script = { turns: [{ agent: 'Planner', fail: plannerRefused }] };

/** "Analyze with an LLM" on the session page, against real dev mode. */
describe('console session analysis (dev mode, Chromium)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let viewerKey: string;
  let sessionId: string;
  const pageErrors: string[] = [];

  async function api<Body>(method: string, path: string, key: string, body?: unknown): Promise<Body> {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Body;
  }

  async function openSession(viewport: keyof typeof viewports, key: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await (await browser.newContext({ viewport: viewports[viewport], colorScheme })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signInWithKey(page, dev.url, key, `/sessions/${sessionId}`);
    await page.getByRole('heading', { level: 2, name: 'Analysis' }).waitFor();
    return page;
  }

  beforeAll(async () => {
    // One after the other: should dev mode not start, afterAll still closes the browser.
    browser = await launchChromium();
    dev = await startDevModeProcess('console_analysis', { DEV_API_KEY: adminKey });
    viewerKey = (await api<{ apiKey: string }>('POST', '/v1/api-keys', adminKey, { name: 'analysis viewer', roles: ['viewer'] })).apiKey;
    ({ sessionId } = await api<{ sessionId: string }>('POST', '/v1/sessions', adminKey, { goal: 'Plan the quarter for ada.lovelace@example.com', context: { modelScript: script } }));
    await waitFor('the session to fail', async () => (await api<{ status: string }>('GET', `/v1/sessions/${sessionId}`, adminKey)).status === 'failed', { timeoutMs: 60_000 });
  });
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('lets an admin ask for an analysis, shows its progress, then the findings naming the failure (desktop)', async () => {
    const page = await openSession('desktop', adminKey);
    const section = page.getByTestId('session-analysis');
    await section.getByText('No analysis yet.').waitFor();
    await expectAccessible(page, 'the session page before an analysis (desktop)');
    const button = page.getByRole('button', { name: 'Analyze with an LLM' });
    await button.click();
    // Progress shows until the findings are in the log; the button waits meanwhile.
    const findings = section.getByTestId('analysis-findings');
    await Promise.race([section.getByRole('status').filter({ hasText: 'The Analyst is reading' }).waitFor(), findings.waitFor()]);
    await findings.waitFor({ timeout: 60_000 });
    await section.getByTestId('analysis-progress').waitFor({ state: 'detached' });
    expect(await button.isEnabled()).toBe(true);
    await section.getByRole('heading', { level: 3, name: 'Why it failed' }).waitFor();
    expect(await section.getByTestId('analysis-cause').innerText()).toContain(plannerRefused);
    for (const title of ['What happened', 'Where time and money went', 'What to change']) await section.getByRole('heading', { level: 3, name: title }).waitFor();
    expect(await section.innerText()).not.toContain('ada.lovelace@example.com');
    await expectAccessible(page, 'the session page with findings (desktop)');
    await page.screenshot({ path: '/tmp/session-analysis-desktop.png', fullPage: true });
    await page.context().close();
  });

  it('shows a viewer the findings on a phone, in light and dark, without the button (asking spends tokens)', async () => {
    const { analysisId } = await api<{ analysisId: string }>('POST', `/v1/sessions/${sessionId}/analysis`, adminKey, {});
    await waitFor('the analysis to be recorded', async () => (await api<{ items: { analysisId: string; status: string }[] }>('GET', `/v1/sessions/${sessionId}/analysis`, viewerKey)).items.some((item) => item.analysisId === analysisId && item.status === 'recorded'), { timeoutMs: 60_000 });
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await openSession('phone', viewerKey, colorScheme);
      await page.getByTestId('analysis-findings').waitFor();
      expect(await page.getByRole('button', { name: 'Analyze with an LLM' }).count()).toBe(0);
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await expectAccessible(page, `the session page with findings (phone, ${colorScheme})`);
      await page.getByTestId('session-analysis').screenshot({ path: `/tmp/session-analysis-phone-${colorScheme}.png` });
      await page.context().close();
    }
  });
});
