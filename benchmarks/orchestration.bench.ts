/**
 * npm run bench:orchestration [-- --json]
 *
 * The cluster (every service its own process) on one Kafka broker and one PostgreSQL, agents on
 * the scripted model at zero latency, so what is measured is the platform, not a model:
 * - per-step orchestration overhead: for each step of a three-step session run alone, the time
 *   from StepScheduled to StepCompleted in the session log (relay -> Kafka -> agent-runtime ->
 *   its run stream -> relay -> Kafka -> orchestrator -> decided), against a bare kafkajs
 *   produce->consume round trip plus one PostgreSQL commit, measured in the same run with rounds
 *   alternating. Ratios ours/baseline at p50 and p99; lower is better (targets: <= 2 and <= 3).
 * - sessions completed per second with 200 sessions submitted at once (default agents: a
 *   two-step plan, each step one echo tool call, a passing review).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startCluster } from '@agent-orchestrator/cluster';
import { createTestSchema, testDatabaseUrl, uniqueTopicPrefix } from '@agent-orchestrator/testing';
import { ensureTestKafka } from '@agent-orchestrator/testing/kafka-for-tests';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { percentile, progressBar, round, threeSteps } from './support.js';

const options = new Command()
  .name('bench:orchestration')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--sessions <n>', 'sessions run one at a time for the step overhead', (v) => Number.parseInt(v, 10), 20)
  .option('--concurrent <n>', 'sessions submitted at once for throughput', (v) => Number.parseInt(v, 10), 200)
  .parse()
  .opts<{ json?: boolean; sessions: number; concurrent: number }>();

await Promise.all([ensureTestPostgres(), ensureTestKafka()]);
const brokers = process.env.KAFKA_BROKERS!.split(',');
const suffix = randomBytes(4).toString('hex');
const apiKey = randomBytes(32).toString('base64url');
const db = await createTestSchema('bench_orchestration', 4);
const schemas = { eventStore: `bench_es_${suffix}`, readModels: `bench_rm_${suffix}`, gateway: `bench_gw_${suffix}` };
const cluster = await startCluster({
  root: process.cwd(),
  databaseUrl: testDatabaseUrl(),
  kafkaBrokers: brokers,
  bootstrapAdminApiKey: apiKey,
  topicPrefix: uniqueTopicPrefix('bench'),
  eventStoreSchema: schemas.eventStore,
  readModelSchema: schemas.readModels,
  gatewaySchema: schemas.gateway,
});

const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${cluster.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const untilEnded = async (sessionId: string) => {
  for (;;) {
    const { items } = (await api('GET', `/v1/sessions/${sessionId}/events?limit=1000`)) as { items: { type: string; occurredAt: string; data: { stepId?: string } }[] };
    const last = items.at(-1)?.type;
    if (last === 'SessionCompleted') return items;
    if (last === 'SessionFailed' || last === 'SessionCancelled') throw new Error(`session ${sessionId} ended with ${last}`);
    await sleep(20);
  }
};

/**
 * Where a step's time goes, from the log itself: each event's occurredAt (when its writer decided
 * it) and recorded_at (when its append's transaction began), for the step's request, its run and
 * its outcome. 'to agent-runtime' and 'to orchestrator' each hold a commit, the relay and a Kafka
 * hop, and the reads of the handler before it decides.
 */
async function stepLegs(sessionIds: readonly string[]): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ session: string; step: string; type: string; decided: Date; stored: Date }>(
    `SELECT coalesce(content->'data'->>'sessionId', substring(stream_id from 9)) AS session,
            coalesce(content->'data'->>'stepId', content->'data'->'task'->>'stepId') AS step,
            type, (content->>'occurredAt')::timestamptz AS decided, recorded_at AS stored
       FROM ${schemas.eventStore}.events
      WHERE type IN ('StepScheduled', 'AgentRunStarted', 'ModelResponded', 'AgentRunCompleted', 'StepCompleted')
        AND (stream_id = ANY($1) OR content->'data'->>'sessionId' = ANY($2))`,
    [sessionIds.map((id) => `session-${id}`), sessionIds],
  );
  const legs: Record<string, number[]> = { 'request appended': [], 'to agent-runtime': [], 'agent run': [], 'outcome appended': [], 'to orchestrator': [] };
  const byStep = Map.groupBy(rows.filter((row) => row.step !== null), (row) => `${row.session}/${row.step}`);
  for (const events of byStep.values()) {
    const first = (type: string) => events.find((event) => event.type === type);
    const [scheduled, started, completed, decided] = ['StepScheduled', 'AgentRunStarted', 'AgentRunCompleted', 'StepCompleted'].map(first);
    if (!scheduled || !started || !completed || !decided) continue;
    legs['request appended']!.push(+scheduled.stored - +scheduled.decided);
    legs['to agent-runtime']!.push(+started.decided - +scheduled.stored);
    legs['agent run']!.push(+completed.decided - +started.decided);
    legs['outcome appended']!.push(+completed.stored - +completed.decided);
    legs['to orchestrator']!.push(+decided.decided - +completed.stored);
  }
  return Object.fromEntries(Object.entries(legs).map(([leg, values]) => [leg, round(percentile(values, 50), 1)]));
}

// The baseline: one message produced and consumed with bare kafkajs, then one Postgres commit.
const raw = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
const rawTopic = `bench-raw-${suffix}`;
const admin = raw.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: rawTopic, numPartitions: 1 }], waitForLeaders: false });
await admin.disconnect();
await db.pool.query(`CREATE TABLE ${db.schema}.pings (id uuid PRIMARY KEY, at timestamptz NOT NULL)`);
const producer = raw.producer({ idempotent: true });
const consumer = raw.consumer({ groupId: `bench-raw-${suffix}` });
await Promise.all([producer.connect(), consumer.connect()]);
await consumer.subscribe({ topic: rawTopic, fromBeginning: false });
const pending = new Map<string, () => void>();
await consumer.run({
  eachMessage: async ({ message }) => {
    const id = message.value!.toString();
    await db.pool.query(`INSERT INTO ${db.schema}.pings (id, at) VALUES ($1, now())`, [id]);
    pending.get(id)?.();
  },
});
await sleep(3000); // the consumer joins its group before the first ping
const ping = async () => {
  const id = randomUUID();
  const started = performance.now();
  const done = new Promise<void>((resolve) => pending.set(id, resolve));
  await producer.send({ topic: rawTopic, acks: -1, messages: [{ value: id }] });
  await done;
  pending.delete(id);
  return performance.now() - started;
};

const bar = progressBar('orchestration bench', options.sessions + 1);
const ours: number[] = [];
const baseline: number[] = [];
const measured: string[] = [];
await untilEnded(String((await api('POST', '/v1/sessions', { goal: 'warm up', context: { modelScript: threeSteps } })).sessionId));
for (let i = 0; i < options.sessions; i++) {
  // Alternate who goes first, so drift on a shared machine hits both alike.
  const measureRaw = async () => {
    for (let p = 0; p < 3; p++) baseline.push(await ping());
  };
  if (i % 2 === 1) await measureRaw();
  const { sessionId } = await api('POST', '/v1/sessions', { goal: `bench ${i}`, context: { modelScript: threeSteps } });
  const log = await untilEnded(String(sessionId));
  measured.push(String(sessionId));
  for (const stepId of ['a', 'b', 'c']) {
    const at = (type: string) => Date.parse(log.find((e) => e.type === type && e.data.stepId === stepId)!.occurredAt);
    ours.push(at('StepCompleted') - at('StepScheduled'));
  }
  if (i % 2 === 0) await measureRaw();
  bar.increment(1, { phase: 'step overhead' });
}

const legs = await stepLegs(measured);
const started = performance.now();
const ids = await Promise.all(Array.from({ length: options.concurrent }, (_, i) => api('POST', '/v1/sessions', { goal: `throughput ${i}` })));
await Promise.all(ids.map(({ sessionId }) => untilEnded(String(sessionId))));
const sessionsPerSecond = options.concurrent / ((performance.now() - started) / 1000);
bar.increment(1, { phase: 'throughput' });
bar.stop();

await consumer.disconnect();
await producer.disconnect();
await cluster.stop();
for (const schema of Object.values(schemas)) await db.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await db.dispose();

const figures = {
  step_overhead_p50_ms: round(percentile(ours, 50), 2),
  step_overhead_p99_ms: round(percentile(ours, 99), 2),
  baseline_p50_ms: round(percentile(baseline, 50), 2),
  baseline_p99_ms: round(percentile(baseline, 99), 2),
  step_overhead_p50_ratio: round(percentile(ours, 50) / percentile(baseline, 50), 3),
  step_overhead_p99_ratio: round(percentile(ours, 99) / percentile(baseline, 99), 3),
  sessions_per_second_at_200: round(sessionsPerSecond, 2),
  step_legs_p50_ms: legs,
};
console.log(`per-step overhead p50: ${figures.step_overhead_p50_ms} ms vs ${figures.baseline_p50_ms} ms bare kafkajs round trip + commit (ratio ${figures.step_overhead_p50_ratio}, target <= 2)`);
console.log(`per-step overhead p99: ${figures.step_overhead_p99_ms} ms vs ${figures.baseline_p99_ms} ms (ratio ${figures.step_overhead_p99_ratio}, target <= 3)`);
console.log(`sessions completed per second, ${options.concurrent} submitted at once: ${figures.sessions_per_second_at_200}`);
console.log(`where a step's time goes (p50, ms): ${Object.entries(legs).map(([leg, ms]) => `${leg} ${ms}`).join(' · ')}`);
if (options.json) console.log(JSON.stringify(figures));
process.exit(0);
