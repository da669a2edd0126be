/**
 * npm run bench:console [-- --json] [--approvals 1000] [--steps 150] [--rounds 5]
 *
 * The web console against a bare Vite + React page rendering the same data from the same API
 * (benchmarks/console-baseline), side by side in one run, in Debian's Chromium:
 * - initial JavaScript: the gzip size of the scripts index.html loads before anything renders;
 * - time to the inbox's first row with `--approvals` pending approvals (real ones: that many
 *   demo sessions, each held by the demo policy), from navigation to the first row on screen;
 * - a session page with at least 300 nodes (a real session of `--steps` parallel steps on the
 *   scripted model), scrolled top to bottom: frame time p95 while it scrolls.
 * Each figure is the median of `--rounds` alternating rounds after a warm-up; `*_ratio` is the
 * console over the baseline (lower is better).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createClient } from '@agent-orchestrator/client';
import { startDevModeProcess } from '@agent-orchestrator/testing';
import { Command } from 'commander';
import type { Browser, Page } from 'playwright-core';
import { buildConsole, consoleDist } from '../apps/console/build.js';
import { launchChromium, viewports } from '../apps/console/e2e/browser.js';
import { alternate, percentile, progressBar, round, type Side } from './support.js';
import { seedApprovals, seedLargeSession } from './console-seed.js';

const options = new Command()
  .name('bench:console')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--approvals <n>', 'pending approvals in the inbox', (value) => Number(value), 1000)
  .option('--steps <n>', 'parallel steps of the large session', (value) => Number(value), 150)
  .option('--rounds <n>', 'measured rounds per figure', (value) => Number(value), 5)
  .parse()
  .opts<{ json?: boolean; approvals: number; steps: number; rounds: number }>();

const root = join(import.meta.dirname, '..');
const baselineDist = join(root, '.data/bench/console-baseline');
/** What marks an approval row and a session node on each side. */
const selectors = {
  ours: { approvalRow: '[data-approval-row]', sessionNode: '[data-session-node]' },
  raw: { approvalRow: '[data-bench-row]', sessionNode: '[data-bench-node]' },
} as const;

/** The gzip size (level 6, as a web server sends it) of the module scripts and preloads an index.html names. */
function initialScriptGzipKb(dist: string, base: string): number {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const sources = [...html.matchAll(/<(?:script[^>]*type="module"[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+)"/g)].map((match) => match[1]!);
  return sources.reduce((total, source) => total + gzipSync(readFileSync(join(dist, source.replace(base, ''))), { level: 6 }).length, 0) / 1024;
}

async function main() {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await buildConsole({ log });
  const { build } = await import('vite');
  await build({ configFile: join(root, 'benchmarks/console-baseline/vite.config.ts'), logLevel: 'warn' });
  const apiKey = randomBytes(32).toString('base64url');
  const dev = await startDevModeProcess('bench_console', { DEV_API_KEY: apiKey, LOG_LEVEL: 'error' });
  let browser: Browser | undefined;
  try {
    const client = createClient({ baseUrl: dev.url, apiKey });
    await seedApprovals(client, options.approvals, log);
    const sessionId = await seedLargeSession(client, options.steps, log);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: viewports.desktop });
    // Signed in as the console keeps it (sessionStorage), on both sides.
    await context.addInitScript((key) => sessionStorage.setItem('agent-orchestrator.console.credential', JSON.stringify({ kind: 'apiKey', apiKey: key })), apiKey);
    await context.route(`${dev.url}/bench-baseline/**`, (route) => {
      const path = new URL(route.request().url()).pathname.replace('/bench-baseline/', '') || 'index.html';
      const file = join(baselineDist, path.split('?')[0] === '' ? 'index.html' : path);
      return route.fulfill({ path: file });
    });
    const page = await context.newPage();
    const urls: Record<Side, { inbox: string; session: string }> = {
      ours: { inbox: `${dev.url}/approvals`, session: `${dev.url}/sessions/${sessionId}` },
      raw: { inbox: `${dev.url}/bench-baseline/index.html?view=approvals`, session: `${dev.url}/bench-baseline/index.html?view=session&id=${sessionId}` },
    };

    const bar = progressBar('bench:console', options.rounds * 2);
    const firstRow = await alternate(options.rounds, bar, 'inbox first row', async (side) => {
      const started = performance.now();
      await page.goto(urls[side].inbox);
      await page.locator(selectors[side].approvalRow).first().waitFor({ timeout: 60_000 });
      return performance.now() - started;
    });
    const frames = await alternate(options.rounds, bar, 'session scroll', (side) => scrollFrameP95(page, urls[side].session, selectors[side].sessionNode));
    bar.stop();
    const nodes = await page.locator(selectors.ours.sessionNode).count();

    const js = { ours: initialScriptGzipKb(consoleDist, '/'), raw: initialScriptGzipKb(baselineDist, '/bench-baseline/') };
    const figures = {
      initial_js_gzip_kb: round(js.ours, 1),
      baseline_initial_js_gzip_kb: round(js.raw, 1),
      initial_js_gzip_ratio: round(js.ours / js.raw, 2),
      inbox_first_row_ms: round(firstRow.ours, 0),
      baseline_inbox_first_row_ms: round(firstRow.raw, 0),
      inbox_first_row_ratio: round(firstRow.ours / firstRow.raw, 2),
      session_scroll_frame_p95_ms: round(frames.ours, 1),
      baseline_session_scroll_frame_p95_ms: round(frames.raw, 1),
      session_scroll_frame_p95_ratio: round(frames.ours / frames.raw, 2),
      pending_approvals: options.approvals,
      session_nodes_rendered: nodes,
      rounds: options.rounds,
    };
    console.log(`initial JavaScript (gzip):  console ${figures.initial_js_gzip_kb} KB, bare page ${figures.baseline_initial_js_gzip_kb} KB, ratio ${figures.initial_js_gzip_ratio}`);
    console.log(`inbox first row (${options.approvals} pending): console ${figures.inbox_first_row_ms} ms, bare page ${figures.baseline_inbox_first_row_ms} ms, ratio ${figures.inbox_first_row_ratio}`);
    console.log(`session page scroll, frame p95: console ${figures.session_scroll_frame_p95_ms} ms, bare page ${figures.baseline_session_scroll_frame_p95_ms} ms, ratio ${figures.session_scroll_frame_p95_ratio}`);
    if (options.json) console.log(JSON.stringify(figures));
  } finally {
    await browser?.close();
    await dev.stop();
  }
}

/**
 * Opens the session page, waits for its nodes, then scrolls its scrolling area (the tallest
 * scrollable element, or the document) from top to bottom over two seconds, one step per frame,
 * and answers the 95th percentile of the time between frames.
 */
async function scrollFrameP95(page: Page, url: string, nodeSelector: string): Promise<number> {
  await page.goto(url);
  await page.locator(nodeSelector).first().waitFor({ timeout: 60_000 });
  // In the page, as a string: this file is type-checked for Node, without the DOM's types.
  const deltas = (await page.evaluate(`(async () => {
    const scrollables = [...document.querySelectorAll('*')].filter((element) => element.scrollHeight > element.clientHeight + 50 && /(auto|scroll)/.test(getComputedStyle(element).overflowY));
    const area = scrollables.sort((a, b) => b.scrollHeight - a.scrollHeight)[0] ?? document.scrollingElement;
    const distance = area.scrollHeight - area.clientHeight;
    const samples = [];
    const began = performance.now();
    let last = began;
    await new Promise((resolve) => {
      const frame = (now) => {
        samples.push(now - last);
        last = now;
        const progress = Math.min(1, (now - began) / 2000);
        area.scrollTop = distance * progress;
        if (progress < 1) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    return samples.slice(1);
  })()`)) as number[];
  return percentile(deltas, 95);
}

await main();
