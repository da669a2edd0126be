/**
 * npm run bench:startup [-- --json]
 *
 * Dev mode as a newcomer meets it: `scripts/dev.ts` on a fresh data directory (the embedded
 * PostgreSQL is initialised), the time from spawning the process to `GET /healthz` answering 200,
 * and the process's resident memory after the demo session (submitted, approved, completed). The
 * baseline, measured in the same run the same way: a bare NestJS app on Fastify with one route.
 * Ratios are dev mode / baseline; lower is better. The embedded PostgreSQL server's own
 * processes are reported beside, not counted in the ratio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { round } from './support.js';

const options = new Command().name('bench:startup').option('--json', 'print the figures as one JSON object on the last line').parse().opts<{ json?: boolean }>();
const root = process.cwd();

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly readySeconds: number;
  output(): string;
}

/** Spawns a TypeScript entry point and waits until its /healthz answers 200. */
async function start(script: string, env: Record<string, string>, readyLine: string): Promise<Started> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (const deadline = Date.now() + 120_000; ; ) {
    if (child.exitCode !== null) throw new Error(`${script} exited:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${script} was not ready within 120 s:\n${output.slice(-2000)}`);
    const line = output.split('\n').find((candidate) => candidate.includes(readyLine));
    if (line) {
      const url = (JSON.parse(line) as { url: string }).url;
      if ((await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200) return { child, url, readySeconds: (performance.now() - began) / 1000, output: () => output };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resident memory of one process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Resident memory of the embedded PostgreSQL's processes (the postmaster and its children). */
function postgresRssMb(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = rssMb(postmaster);
  for (const child of readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
    try {
      total += rssMb(Number(child));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

async function stop(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

console.log('Starting a bare NestJS app (the baseline) ...');
const bare = await start('benchmarks/fixtures/bare-nest.ts', { PORT: '0' }, '"msg":"ready"');
for (let i = 0; i < 20; i++) await fetch(`${bare.url}/healthz`);
const bareRss = rssMb(bare.child.pid!);
await stop(bare);

const dataDir = join(root, '.data', `bench-startup-${randomBytes(4).toString('hex')}`);
const key = randomBytes(32).toString('base64url');
console.log('Starting dev mode on a fresh data directory (npm start) ...');
const dev = await start('scripts/dev.ts', { PORT: '0', DEMO_TOOLS_PORT: '0', DEV_DATA_DIR: dataDir, DEV_API_KEY: key, DATABASE_URL: '', LOG_LEVEL: 'warn' }, '"msg":"dev mode ready"');
try {
  console.log('Running the demo session: submit, approve the held write, complete ...');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await response.json()) as Record<string, unknown>;
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 60_000; !(await check()); await new Promise((resolve) => setTimeout(resolve, 50))) {
      if (Date.now() > deadline) throw new Error(`the demo session did not get to ${what}`);
    }
  };
  const { sessionId } = (await call('POST', '/v1/sessions', { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } })) as { sessionId: string };
  const status = async () => (await call('GET', `/v1/sessions/${sessionId}`)).status;
  await until('awaiting_approval', async () => (await status()) === 'awaiting_approval');
  const { items } = (await call('GET', `/v1/approvals?sessionId=${sessionId}`)) as { items: { approvalId: string }[] };
  await call('POST', `/v1/approvals/${items[0]!.approvalId}/decision`, { decision: 'approve' });
  await until('completed', async () => (await status()) === 'completed');

  const devRss = rssMb(dev.child.pid!);
  const pgRss = postgresRssMb(dataDir);
  const figures = {
    ready_seconds: round(dev.readySeconds, 2),
    baseline_ready_seconds: round(bare.readySeconds, 2),
    ready_ratio: round(dev.readySeconds / bare.readySeconds, 2),
    rss_mb: round(devRss, 1),
    baseline_rss_mb: round(bareRss, 1),
    rss_ratio: round(devRss / bareRss, 2),
    embedded_postgres_rss_mb: round(pgRss, 1),
  };
  console.log(`
dev mode ready (spawn -> /healthz 200, fresh data directory): ${figures.ready_seconds} s vs ${figures.baseline_ready_seconds} s for a bare NestJS app (ratio ${figures.ready_ratio})
resident memory after the demo session: ${figures.rss_mb} MB vs ${figures.baseline_rss_mb} MB (ratio ${figures.rss_ratio}); the embedded PostgreSQL besides: ${figures.embedded_postgres_rss_mb} MB`);
  if (options.json) console.log(JSON.stringify(figures));
} finally {
  await stop(dev);
  rmSync(dataDir, { recursive: true, force: true });
}
