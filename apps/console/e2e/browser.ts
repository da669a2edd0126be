import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it), driven by playwright-core:
 * Playwright's own browser downloads come from elsewhere and are not reachable here. CHROMIUM_PATH
 * names another build.
 */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => existsSync(candidate));
  if (!path || !existsSync(path)) {
    throw new Error('No Chromium for the console specs: install Debian\'s (`apt-get install -y chromium`) or set CHROMIUM_PATH to a Chromium binary.');
  }
  return path;
}

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** The part of the page's document the wait below reads. */
interface PageDocument {
  getAnimations(): { readonly playState: string; readonly effect: { getTiming(): { readonly iterations?: number } } | null }[];
}

/**
 * axe-core on the page once it stands still: a serious or critical violation fails, naming the rule
 * and the elements. Transitions under way (a dialog's overlay fading in, a button's hover) are
 * waited out first: axe reads colours mid-way as the page never shows them at rest.
 */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  // Run in the page (a function: the console's CSP refuses a string to evaluate); this file is typed without the DOM's globals.
  await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity), undefined, { timeout: 5_000 });
  const { violations } = await new AxeBuilder({ page }).analyze();
  const blocking = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  if (blocking.length > 0) {
    const lines = blocking.map((violation) => `  ${violation.impact} ${violation.id}: ${violation.help}\n${violation.nodes.slice(0, 5).map((node) => `    ${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300)}`).join('\n')}`);
    throw new Error(`axe found ${blocking.length} serious or critical violation(s) on ${where}:\n${lines.join('\n')}`);
  }
}

/** Signs in through the form, as a person does, and waits for the signed-in shell. */
export async function signInWithKey(page: Page, baseUrl: string, apiKey: string, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
