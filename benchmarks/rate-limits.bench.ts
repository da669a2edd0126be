/**
 * npm run bench:rate-limits [-- --json] [-- --rounds N] [-- --requests N]
 *
 * What the request rate limits add to a request: two gateways on one PostgreSQL, the same but for
 * API_RATE_LIMIT_PER_MINUTE and TENANT_RATE_LIMIT_PER_MINUTE (set far above what the run sends,
 * so every request is counted and admitted, the common path), each answering the same
 * authenticated GET /v1/api-keys one request at a time over a kept-alive connection. Rounds
 * alternate the two sides; each figure is the median round's p50 and p99 latency. "ours" is
 * with the limits, "raw" without.
 */
import { randomBytes } from 'node:crypto';
import { createGatewayApp, type GatewayConfig } from '@agent-orchestrator/gateway';
import { createTestSchema } from '@agent-orchestrator/testing';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import { pino } from 'pino';
import { alternate, percentile, progressBar, round, type Side } from './support.js';

const options = new Command()
  .name('bench:rate-limits')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'alternating rounds', (v) => Number.parseInt(v, 10), 7)
  .option('--requests <n>', 'requests per round and side', (v) => Number.parseInt(v, 10), 300)
  .parse()
  .opts<{ json?: boolean; rounds: number; requests: number }>();

await ensureTestPostgres();
const db = await createTestSchema('bench_rate_limits', 10);
const key = randomBytes(32).toString('base64url');
const config: GatewayConfig = { databaseUrl: db.connectionString, port: 0, schema: db.schema, bootstrapAdminApiKey: key, bootstrapTenant: 'bench', maxBodyBytes: 1024 * 1024 };
const limits = { principalPerMinute: 1_000_000_000, tenantPerMinute: 1_000_000_000, authFailuresPerMinute: 30 };
const logger = pino({ level: 'silent' });
const apps = { ours: await createGatewayApp({ ...config, rateLimits: limits }, { database: await db.tenantDatabase(), logger }), raw: await createGatewayApp(config, { database: await db.tenantDatabase(), logger }) };
const urls: Record<Side, string> = { ours: '', raw: '' };
for (const side of ['ours', 'raw'] as const) {
  await apps[side].listen(0, '127.0.0.1');
  urls[side] = await apps[side].getUrl();
}

const latencies: Record<Side, { p50: number[]; p99: number[] }> = { ours: { p50: [], p99: [] }, raw: { p50: [], p99: [] } };
async function measure(side: Side): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < options.requests; i++) {
    const started = performance.now();
    const answer = await fetch(`${urls[side]}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
    await answer.arrayBuffer();
    samples.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`${side}: answered ${answer.status}`);
  }
  latencies[side].p50.push(percentile(samples, 50));
  latencies[side].p99.push(percentile(samples, 99));
  return percentile(samples, 50);
}

const bar = progressBar('rate limits bench', options.rounds);
const p50 = await alternate(options.rounds, bar, 'GET /v1/api-keys', measure);
bar.stop();
// alternate() also ran one warm-up round a side: leave it out of the p99 medians.
const p99 = { ours: percentile(latencies.ours.p99.slice(1), 50), raw: percentile(latencies.raw.p99.slice(1), 50) };
const figures = {
  p50_ms_with_limits: round(p50.ours, 2),
  p50_ms_without: round(p50.raw, 2),
  p50_added_ms: round(p50.ours - p50.raw, 2),
  p99_ms_with_limits: round(p99.ours, 2),
  p99_ms_without: round(p99.raw, 2),
  p99_added_ms: round(p99.ours - p99.raw, 2),
};
await apps.ours.close();
await apps.raw.close();
await db.dispose();

console.log(`request latency, GET /v1/api-keys, ${options.requests} requests a round, median of ${options.rounds} rounds`);
console.log(`  p50: ${figures.p50_ms_with_limits} ms with the principal and tenant limits, ${figures.p50_ms_without} ms without (+${figures.p50_added_ms} ms)`);
console.log(`  p99: ${figures.p99_ms_with_limits} ms with, ${figures.p99_ms_without} ms without (+${figures.p99_added_ms} ms)`);
if (options.json) console.log(JSON.stringify(figures));
