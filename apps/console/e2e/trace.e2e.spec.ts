import { randomBytes } from 'node:crypto';
import { createClient, type AgentOrchestratorClient } from '@agent-orchestrator/client';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchChromium, signInWithKey, viewports } from './browser.js';

describe("console trace view: a session's spans rebuilt from its log (dev mode, no exporter, Chromium)", () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let browser: Browser;
  let admin: AgentOrchestratorClient;
  let sessionId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [dev, browser] = await Promise.all([startDevModeProcess('console_trace', { DEV_API_KEY: adminKey }), launchChromium()]);
    admin = createClient({ baseUrl: dev.url, apiKey: adminKey });
    // The demo session: a read, then a write that waits for an approver, approved here.
    ({ sessionId } = await admin.sessions.start({ goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } }));
    const approval = await waitFor('the demo approval', async () => (await admin.approvals.list({ sessionId, status: 'pending' })).items[0], { timeoutMs: 60_000, intervalMs: 100 });
    await admin.approvals.decide(approval.approvalId, { decision: 'approve' });
    await waitFor('the session to complete', async () => (await admin.sessions.get(sessionId)).status === 'completed', { timeoutMs: 60_000, intervalMs: 100 });
  }, 240_000);
  afterEach(() => expect(pageErrors.splice(0)).toEqual([]));
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  for (const size of ['desktop', 'phone'] as const) {
    it(`shows the session → plan and steps → agent runs → model and tool calls → policy and approval waterfall (${size})`, async () => {
      const context = await browser.newContext({ viewport: viewports[size] });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await signInWithKey(page, dev.url, adminKey, `/sessions/${sessionId}`);
      await page.getByRole('tab', { name: 'Trace' }).click();
      const list = page.getByRole('list', { name: "Spans of the session's trace, in tree order" });
      await list.waitFor();
      const operations = await list.locator('[data-span]').evaluateAll((items) => items.map((item) => item.getAttribute('data-span')));
      // Tree order: the session first, its plan, then each step with its run, calls and their checks.
      expect(operations[0]).toBe('session');
      expect(operations.slice(1, 3)).toEqual(['plan', 'invoke_agent']);
      for (const operation of ['step', 'invoke_agent', 'chat', 'execute_tool', 'policy', 'approval']) expect(operations).toContain(operation);
      const approval = list.locator('[data-span="approval"]');
      await expect(approval.textContent()).resolves.toContain('granted');
      const write = list.locator('[data-span="execute_tool"]').filter({ hasText: 'crm__updateCustomer' });
      await expect(write.textContent()).resolves.toContain('updateCustomer · completed');
      await expect(page.getByText(/^Trace [0-9a-f]{32}/).count()).resolves.toBe(1);
      // Nothing the model or the goal said is in the view: it names the events instead.
      await expect(list.textContent()).resolves.not.toContain('Upgrade customer 42');
      await expectAccessible(page, `the trace view (${size})`);
      const box = await list.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(viewports[size].width);
      await page.screenshot({ path: `${process.env.TRACE_SCREENSHOTS ?? '/tmp'}/trace-${size}.png`, fullPage: true });
      await context.close();
    });
  }
});
