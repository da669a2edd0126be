import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { topicNames } from '@agent-orchestrator/contracts';
import { startCluster, type Cluster } from '@agent-orchestrator/cluster';
import { connectKafka, jsonDecoder, kafkaBroker, MessagingError, type Broker, type RunningConsumer } from '@agent-orchestrator/messaging';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import pg from 'pg';
import { pino } from 'pino';
import { z } from 'zod';

/**
 * The dead-letter path in cluster mode (every service its own process, real Kafka and
 * PostgreSQL), driven through `ao`: a consumer that fails on a bad message dead-letters it, the
 * replay service indexes it, `ao dlq redrive --dry-run` lists exactly it and changes nothing, the
 * redrive reaches that consumer group alone once it is fixed, and a discard lets the next one go.
 */

const root = join(import.meta.dirname, '../../../..');
const adminKey = randomBytes(32).toString('base64url');
const suffix = randomBytes(4).toString('hex');
const topics = topicNames(uniqueTopicPrefix('dlq-e2e'));
const schemas = { eventStore: `e2e_dlq_es_${suffix}`, readModels: `e2e_dlq_rm_${suffix}`, gateway: `e2e_dlq_gw_${suffix}` };
const job = z.strictObject({ n: z.number(), bad: z.boolean().optional() });
const silent = pino({ level: 'silent' });

describe('dead letters in cluster mode, through ao', () => {
  let cluster: Cluster;
  let broker: Broker;
  let pool: pg.Pool;
  const consumers: RunningConsumer[] = [];
  const output: string[] = [];
  const jobs = `${topics.prefix}jobs`;
  /** The switch in group a's handler: while on, bad jobs are refused for good. */
  let broken = true;
  const handled: Record<'a' | 'b', number[]> = { a: [], b: [] };

  const ao = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'apps/cli/bin/ao.js'), ...args], { cwd: root, env: { ...process.env, AO_URL: cluster.gatewayUrl, AO_API_KEY: adminKey }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (data: Buffer) => (out += data.toString()));
      child.stderr.on('data', (data: Buffer) => (err += data.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code: code ?? -1, out, err }));
    });
  const listed = async (status?: string) => {
    const answer = await ao('dlq', 'list', '--consumer', 'spec-a', '--json', ...(status ? ['--status', status] : []));
    if (answer.code !== 0) throw new Error(`ao dlq list exited ${answer.code}: ${answer.err}`);
    return JSON.parse(answer.out) as { id: string; status: string; reason: string; sourceTopic: string; sourceOffset: string; redriveCount: number }[];
  };
  const send = (n: number, bad = false) => broker.producer.send([{ topic: jobs, key: 'one-key', value: JSON.stringify({ n, ...(bad ? { bad } : {}) }), headers: { 'tenant-id': 'acme' } }]);

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    broker = kafkaBroker(connectKafka({ brokers: testBrokers(), clientId: 'dlq-e2e', logger: silent }));
    await broker.ensureTopics([{ name: jobs, partitions: 1 }]);
    for (const name of ['a', 'b'] as const) {
      const group = `spec-${name}`;
      await broker.ensureTopics([{ name: topics.deadLetters(group), partitions: 1 }]);
      consumers.push(
        await broker.consume<z.infer<typeof job>>({
          groupId: topics.consumerGroup(group),
          topics: [jobs],
          decode: jsonDecoder(job),
          handle: async ({ value }) => {
            if (name === 'a' && value.bad && broken) throw new MessagingError('Rejected', `job ${value.n} is bad`);
            handled[name].push(value.n);
          },
          deadLetters: { producer: broker.producer, topic: topics.deadLetters(group) },
          sessionTimeoutMs: 10_000,
          logger: silent,
        }),
      );
    }
    cluster = await startCluster({
      root,
      databaseUrl: testDatabaseUrl(),
      kafkaBrokers: testBrokers(),
      bootstrapAdminApiKey: adminKey,
      bootstrapTenant: 'acme',
      topicPrefix: topics.prefix,
      eventStoreSchema: schemas.eventStore,
      readModelSchema: schemas.readModels,
      gatewaySchema: schemas.gateway,
      env: { REPLAY_DLQ_RESCAN_MS: '500', REPLAY_MAX_REDRIVES: '1' },
      onOutput: (service, line) => output.push(`${service}: ${line}`),
      startTimeoutMs: 180_000,
    });
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await broker?.close();
    for (const schema of Object.values(schemas)) await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool?.end();
  });
  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(output.filter((line) => line.startsWith('replay') || line.startsWith('gateway')).slice(-60).join('\n'));
  });

  it('lists the dead letter with its reason and source, and a dry run lists exactly it and changes nothing', async () => {
    await send(1);
    await send(2, true);
    await send(3);
    await waitFor('both groups past the three jobs', () => handled.a.length === 2 && handled.b.length === 3, { timeoutMs: 60_000 });
    const [dead] = await waitFor('the dead letter in the index', async () => {
      const rows = await listed();
      return rows.length === 1 && rows;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(dead).toMatchObject({ status: 'pending', reason: 'job 2 is bad', sourceTopic: jobs, sourceOffset: '1' });

    const dry = await ao('dlq', 'redrive', '--consumer', 'spec-a', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.out) as { status: string; total: number; items: { itemId: string }[] };
    expect(plan).toMatchObject({ status: 'planned', total: 1 });
    expect(plan.items.map((item) => item.itemId)).toEqual([dead!.id]);
    expect(await listed()).toEqual([expect.objectContaining({ id: dead!.id, status: 'pending', redriveCount: 0 })]);
    expect(handled).toEqual({ a: [1, 3], b: [1, 2, 3] });
  });

  it('redrives it to the group that failed alone, which handles it once fixed', async () => {
    broken = false;
    const run = await ao('dlq', 'redrive', '--consumer', 'spec-a', '--yes');
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining('completed: 1 succeeded, 0 failed, 0 skipped') });
    await send(4);
    await waitFor('group a handling the redriven job, and both the next one', () => handled.a.length === 4 && handled.b.length === 4, { timeoutMs: 60_000 });
    expect(handled).toEqual({ a: [1, 3, 2, 4], b: [1, 2, 3, 4] });
    expect(await listed()).toEqual([expect.objectContaining({ status: 'redriven', redriveCount: 1 })]);
  });

  it('refuses a message past the redrive limit, and discards it with a reason', async () => {
    broken = true;
    await send(5, true);
    const [fresh] = await waitFor('the second dead letter', async () => {
      const rows = await listed('pending');
      return rows.length === 1 && rows;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect((await ao('dlq', 'redrive', '--id', fresh!.id, '--yes')).code).toBe(0);
    const again = await waitFor('the redriven job failed again, on the same dead letter', async () => {
      const rows = await listed('pending');
      return rows.length === 1 && rows[0]!.redriveCount === 1 && rows[0];
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(again.id).toBe(fresh!.id);
    const refused = await ao('dlq', 'redrive', '--id', fresh!.id, '--yes');
    expect(refused).toMatchObject({ code: 0, out: expect.stringContaining('0 succeeded, 0 failed, 1 skipped') });
    const discarded = await ao('dlq', 'discard', '--id', fresh!.id, '--reason', 'job 5 is wrong at its source', '--yes');
    expect(discarded).toMatchObject({ code: 0, out: expect.stringContaining('1 succeeded') });
    const shown = await ao('dlq', 'show', fresh!.id, '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ status: 'discarded', discardReason: 'job 5 is wrong at its source', redriveCount: 1 });
  });
});
