import { randomBytes } from 'node:crypto';
import { startDevModeProcess } from '@agent-orchestrator/testing';
import { buildConsole } from '../apps/console/build.js';
import { launchChromium, viewports } from '../apps/console/e2e/browser.js';

await buildConsole();
const apiKey = randomBytes(32).toString('base64url');
const dev = await startDevModeProcess('audit_shots', { DEV_API_KEY: apiKey });
const browser = await launchChromium();
try {
  for (const [size, viewport] of Object.entries(viewports)) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: size === 'phone' ? 2 : 1 });
    const page = await context.newPage();
    await page.goto(`${dev.url}/`);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(`${dev.url}/audit`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.screenshot({ path: `/tmp/audit-shot-${size}.png`, fullPage: true });
    await context.close();
  }
} finally {
  await browser.close();
  await dev.stop();
}
