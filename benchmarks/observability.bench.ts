/**
 * npm run bench:observability [-- --json] [-- --rounds N] [-- --on-env NAME=VALUE ...]
 *
 * What tracing and metrics together cost a session's steps. Two clusters run side by side in the
 * same run, on the same Kafka broker and PostgreSQL, agents on the scripted model at zero latency:
 * - "on": tracing exports every span over OTLP (http/json) to a receiver in this process, and
 *   METRICS=on: every service records into its registry, and each /metrics (every service's
 *   HEALTH_PORT, the gateway's too) is scraped after every session;
 * - "off": OTEL_SDK_DISABLED=true and METRICS=off: nothing is traced or recorded, and no /metrics
 *   is scraped (each is asked once at the end, to show it answers 404, metrics off).
 * Sessions of three steps go to each in alternating rounds (who goes first swaps), and a step's
 * overhead is the time from StepScheduled to StepCompleted in the session's log, as in
 * bench:orchestration.
 * `tracing_overhead_ratio` = p50 per-step with tracing and metrics on / p50 with both off (goal
 * <= 1.15); beside it the two p50s (the off side is the baseline) and p99s, steps per side, spans
 * received, `metrics_endpoints_scraped` (on-side endpoints answering 200 at the last scrape) and
 * `metrics_endpoints_off` (off-side endpoints answering 404 at the end).
 * `--on-env` adds variables to the "on" cluster only.
 */
import { randomBytes } from 'node:crypto';
import { startCluster, type Cluster, type ClusterService, clusterServices } from '@agent-orchestrator/cluster';
import { createTestSchema, testDatabaseUrl, uniqueTopicPrefix } from '@agent-orchestrator/testing';
import { ensureTestKafka } from '@agent-orchestrator/testing/kafka-for-tests';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { startOtlpReceiver } from '@agent-orchestrator/tracing';
import { Command } from 'commander';
import { percentile, progressBar, round, threeSteps } from './support.js';

const options = new Command()
  .name('bench:observability')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'rounds; each runs one session on each cluster', (v) => Number.parseInt(v, 10), 40)
  .option('--on-env <name=value...>', 'more environment for the traced cluster', [])
  .parse()
  .opts<{ json?: boolean; rounds: number; onEnv: string[] }>();

await Promise.all([ensureTestPostgres(), ensureTestKafka()]);
const brokers = process.env.KAFKA_BROKERS!.split(',');
const db = await createTestSchema('bench_observability', 2);
const receiver = await startOtlpReceiver();
type Side = 'on' | 'off';
const apiKey = randomBytes(32).toString('base64url');
const schemasOf = (side: Side, suffix: string) => ({ eventStore: `bench_obs_${side}_es_${suffix}`, readModels: `bench_obs_${side}_rm_${suffix}`, gateway: `bench_obs_${side}_gw_${suffix}` });
const suffix = randomBytes(4).toString('hex');
const onEnv = Object.fromEntries(options.onEnv.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const onSideEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', METRICS: 'on', ...onEnv };

const start = (side: Side): Promise<Cluster> => {
  const schemas = schemasOf(side, suffix);
  return startCluster({
    root: process.cwd(),
    databaseUrl: testDatabaseUrl(),
    kafkaBrokers: brokers,
    bootstrapAdminApiKey: apiKey,
    topicPrefix: uniqueTopicPrefix(`bench-obs-${side}`),
    eventStoreSchema: schemas.eventStore,
    readModelSchema: schemas.readModels,
    gatewaySchema: schemas.gateway,
    // The off side must not inherit an endpoint (or METRICS) from the shell that ran the bench.
    env: side === 'on' ? onSideEnv : { OTEL_SDK_DISABLED: 'true', METRICS: 'off' },
    // Sixteen processes start on one machine.
    startTimeoutMs: 600_000,
  });
};
const clusters: Record<Side, Cluster> = { on: await start('on'), off: await start('off') };

const api = async (side: Side, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${clusters[side].gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 400) throw new Error(`${side}: ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};
type Logged = { type: string; occurredAt: string; data: { stepId?: string } };
const untilEnded = async (side: Side, sessionId: string): Promise<Logged[]> => {
  for (;;) {
    const { items } = (await api(side, 'GET', `/v1/sessions/${sessionId}/events?limit=1000`)) as { items: Logged[] };
    const last = items.at(-1)?.type;
    if (last === 'SessionCompleted') return items;
    if (last === 'SessionFailed' || last === 'SessionCancelled') throw new Error(`${side}: session ${sessionId} ended with ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Every /metrics of a cluster: each service's HEALTH_PORT (the gateway's too, apart from its API). */
const metricsUrlsOf = (side: Side) => clusterServices.map((service: ClusterService) => clusters[side].metricsUrl(service)).filter((url): url is string => Boolean(url));
/** Asks every /metrics of a side; how many answered `status`. */
const scrape = async (side: Side, status: number): Promise<number> => {
  const answers = await Promise.all(metricsUrlsOf(side).map((url) => fetch(url).then(async (response) => (await response.text(), response.status === status)).catch(() => false)));
  return answers.filter(Boolean).length;
};

const steps: Record<Side, number[]> = { on: [], off: [] };
let metricsAnswering = 0;
const runSession = async (side: Side, goal: string, record: boolean) => {
  const { sessionId } = await api(side, 'POST', '/v1/sessions', { goal, context: { modelScript: threeSteps } });
  const log = await untilEnded(side, String(sessionId));
  if (side === 'on') metricsAnswering = await scrape('on', 200);
  if (!record) return;
  for (const stepId of ['a', 'b', 'c']) {
    const at = (type: string) => Date.parse(log.find((event) => event.type === type && event.data.stepId === stepId)!.occurredAt);
    steps[side].push(at('StepCompleted') - at('StepScheduled'));
  }
};

const bar = progressBar('observability bench', options.rounds);
for (const side of ['on', 'off'] as const) await runSession(side, 'warm up', false);
for (let round = 0; round < options.rounds; round++) {
  const order: Side[] = round % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
  for (const side of order) await runSession(side, `bench ${round}`, true);
  bar.increment(1, { phase: 'alternating rounds' });
}
bar.stop();
const spansReceived = receiver.spans.length;
const metricsOff = await scrape('off', 404);
const metricsUrlCounts = { on: metricsUrlsOf('on').length, off: metricsUrlsOf('off').length };

await Promise.all([clusters.on.stop(), clusters.off.stop()]);
await receiver.close();
for (const side of ['on', 'off'] as const) for (const schema of Object.values(schemasOf(side, suffix))) await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await db.dispose();

const p50 = (side: Side) => percentile(steps[side], 50);
const figures = {
  tracing_overhead_ratio: round(p50('on') / p50('off'), 3),
  step_p50_ms_on: round(p50('on'), 2),
  step_p50_ms_off: round(p50('off'), 2),
  step_p99_ms_on: round(percentile(steps.on, 99), 2),
  step_p99_ms_off: round(percentile(steps.off, 99), 2),
  steps_per_side: steps.on.length,
  spans_received: spansReceived,
  metrics_endpoints_scraped: metricsAnswering,
  metrics_endpoints_off: metricsOff,
};
console.log(`per-step overhead p50: ${figures.step_p50_ms_on} ms with tracing and metrics on vs ${figures.step_p50_ms_off} ms with both off (ratio ${figures.tracing_overhead_ratio}, goal <= 1.15)`);
console.log(`spans received over OTLP: ${spansReceived}; /metrics answering on the on side: ${metricsAnswering} of ${metricsUrlCounts.on}; answering 404 (metrics off) on the off side: ${metricsOff} of ${metricsUrlCounts.off}`);
if (options.json) console.log(JSON.stringify(figures));
process.exit(0);
