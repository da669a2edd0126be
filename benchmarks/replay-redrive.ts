import { randomUUID } from 'node:crypto';
import { messageHeaders, operationStream, platformOperationTenantId, unthrottledOperationRate, type ReplayCommand } from '@agent-orchestrator/contracts';
import { DeadLetterIndex, DeadLetterQueries, type DeadLetterEntry } from '@agent-orchestrator/read-models';
import { DeadLetterSource, parseReplayConfig, startReplay } from '@agent-orchestrator/replay';
import { openPlatform, parsePlatformConfig } from '@agent-orchestrator/service-host';
import { createTestSchema, uniqueTopicPrefix } from '@agent-orchestrator/testing';
import { Kafka, logLevel, type Message } from 'kafkajs';
import pg from 'pg';
import type { MeasureOptions, Measured } from './replay.bench.js';
import { alternate, median, progressBar, round } from './support.js';

const deadLetters = 10_000;
/** The group whose dead letters are redriven; nothing consumes the source topic, so only producing is measured. */
const group = 'bench-consumer';

/**
 * `redrive_ratio`: N dead letters redriven through the replay service's operation (PlanOperation
 * with rate "max" and ConfirmOperation on commands.replay, until OperationCompleted is in the log)
 * against raw kafkajs re-producing the same N messages with sendBatch (idempotent, acks=all). Its
 * legs: `redrive_plan_ms` (the plan command sent until OperationPlanned is in the log: matching N
 * rows, appending the plan and its item chunks) and `redrive_run_ms` (the confirm sent until
 * OperationCompleted). Also the item source alone against the same raw send, `redrive_source_ratio`
 * (match, then `executeBatch` a thousand at a time, as the runner's unthrottled batches hand them),
 * with its legs `redrive_match_ms` and `redrive_execute_ms`.
 */
export async function measureRedrive(options: MeasureOptions): Promise<Measured> {
  const db = await createTestSchema('bench_replay', 4);
  const prefix = uniqueTopicPrefix('bench-replay');
  const env = {
    ...process.env,
    DATABASE_URL: db.connectionString,
    TOPIC_PREFIX: prefix,
    EVENT_STORE_SCHEMA: `${db.schema}_es`,
    READ_MODEL_SCHEMA: `${db.schema}_rm`,
    LOG_LEVEL: 'silent',
  };
  const platform = await openPlatform(parsePlatformConfig(env, 'replay'), 'replay');
  const { topics } = platform;
  const source = `${prefix}bench.jobs`;
  await platform.broker.ensureTopics([{ name: source, partitions: 6 }]);
  const replay = await startReplay(platform, parseReplayConfig(env));
  const index = new DeadLetterIndex(platform.pool, platform.config.readModelSchema, platform.appRole.name);
  const table = index.table;
  const raw = new Kafka({ clientId: 'bench-replay-raw', brokers: [...platform.config.kafkaBrokers], logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await raw.connect();
  const bar = progressBar('replay redrive bench', options.rounds * 2 + 1);
  try {
    const entries = seedEntries(source, topics.consumerGroup(group));
    for (let start = 0; start < entries.length; start += 100) await Promise.all(entries.slice(start, start + 100).map((entry) => index.upsert(entry)));
    bar.increment(1, { phase: 'seeded' });
    const messages: Message[] = entries.map((entry) => ({ key: entry.key, value: entry.value, headers: entry.headers }));
    const pendingAgain = () => platform.pool.query(`UPDATE ${table} SET status = 'pending', redrive_count = 0, acted_by = NULL, acted_at = NULL`);
    const rawSend = async () => {
      const started = performance.now();
      for (let i = 0; i < messages.length; i += 1000) await raw.sendBatch({ acks: -1, topicMessages: [{ topic: source, messages: messages.slice(i, i + 1000) }] });
      return performance.now() - started;
    };

    // Each leg of every sample, the warm-up first; the figures are the medians of the measured rounds, as the totals are.
    const legs: Record<'plan' | 'run' | 'match' | 'execute', number[]> = { plan: [], run: [], match: [], execute: [] };
    const legOf = (samples: readonly number[]) => round(median(samples.slice(1)), 0);
    const throughOperation = await alternate(options.rounds, bar, 'operation', async (side) => {
      if (side === 'raw') return rawSend();
      await pendingAgain();
      const started = performance.now();
      const leg = await runOperation(platform, { consumer: group });
      legs.plan.push(leg.plan);
      legs.run.push(leg.run);
      return performance.now() - started;
    });

    const sourceOnly = new DeadLetterSource({ queries: new DeadLetterQueries(platform, platform.config.readModelSchema), index, producer: platform.producer, topics, maxRedrives: 3 });
    const throughSource = await alternate(options.rounds, bar, 'source', async (side) => {
      if (side === 'raw') return rawSend();
      await pendingAgain();
      const started = performance.now();
      const items = await sourceOnly.match('redrive', { consumer: group }, { kind: 'platform' });
      const matched = performance.now();
      legs.match.push(matched - started);
      const context = { operationId: randomUUID(), scope: { kind: 'platform' } as const };
      for (let i = 0; i < items.length; i += 1000) {
        const results = await sourceOnly.executeBatch('redrive', items.slice(i, i + 1000), context);
        if (results.some((result) => result.outcome !== 'succeeded')) throw new Error(`a redrive did not succeed: ${JSON.stringify(results.find((result) => result.outcome !== 'succeeded'))}`);
      }
      legs.execute.push(performance.now() - matched);
      return performance.now() - started;
    });
    bar.stop();

    const figures = {
      redrive_ms: round(throughOperation.ours, 0),
      redrive_raw_ms: round(throughOperation.raw, 0),
      redrive_ratio: round(throughOperation.ours / throughOperation.raw, 2),
      redrive_plan_ms: legOf(legs.plan),
      redrive_run_ms: legOf(legs.run),
      redrive_source_ms: round(throughSource.ours, 0),
      redrive_source_ratio: round(throughSource.ours / throughSource.raw, 2),
      redrive_match_ms: legOf(legs.match),
      redrive_execute_ms: legOf(legs.execute),
    };
    return {
      figures,
      lines: [
        `redrive of ${deadLetters} dead letters through an operation (plan, confirm, completed; rate "max", unthrottled): ${figures.redrive_ms} ms vs ${figures.redrive_raw_ms} ms for raw kafkajs sendBatch (ratio ${figures.redrive_ratio}, goal <= 2)`,
        `  legs: plan ${figures.redrive_plan_ms} ms (match and append the dry run), run ${figures.redrive_run_ms} ms (confirm until completed)`,
        `  the dead-letter source alone (match ${figures.redrive_match_ms} ms, then executeBatch by 1,000: ${figures.redrive_execute_ms} ms): ${figures.redrive_source_ms} ms (ratio ${figures.redrive_source_ratio})`,
      ],
    };
  } finally {
    await raw.disconnect();
    await replay.stop();
    await platform.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(`${db.schema}_es`)} CASCADE; DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(`${db.schema}_rm`)} CASCADE`);
    await db.dispose();
  }
}

/** N dead letters of one group, as its consumer loop would have written them: an event each, from the source topic. */
function seedEntries(source: string, groupId: string): DeadLetterEntry[] {
  const seenAt = new Date();
  return Array.from({ length: deadLetters }, (_, n): DeadLetterEntry => {
    const sessionId = `session-${randomUUID()}`;
    const value = Buffer.from(JSON.stringify({ eventId: randomUUID(), type: 'StepScheduled', schemaVersion: 1, tenantId: 'bench', correlationId: sessionId, streamId: sessionId, streamVersion: n % 7, data: { stepId: 's1', note: 'x'.repeat(200) } }));
    return {
      id: randomUUID(),
      source: 'dead-letter',
      tenantId: 'bench',
      consumer: group,
      errorCode: 'Rejected',
      reason: 'the handler refused it',
      attempts: 1,
      sourceTopic: source,
      sourcePartition: n % 6,
      sourceOffset: String(n),
      sessionId,
      tool: null,
      messageType: 'StepScheduled',
      seenAt,
      redriveCount: 0,
      key: sessionId,
      headers: { [messageHeaders.eventType]: 'StepScheduled', [messageHeaders.tenantId]: 'bench', [messageHeaders.dlqConsumerGroup]: groupId, [messageHeaders.dlqReason]: 'the handler refused it' },
      value,
      position: n,
      sideEffect: { repeats: false, why: `${group} runs no tool operation` },
    };
  });
}

/** Plans an unthrottled redrive, confirms it once planned, and resolves once it completed, with how long each leg took. */
async function runOperation(platform: Awaited<ReturnType<typeof openPlatform>>, filter: { consumer: string }): Promise<{ plan: number; run: number }> {
  const operationId = randomUUID();
  const streamId = operationStream(operationId);
  const metadata = () => ({ tenantId: platformOperationTenantId, correlationId: streamId, causationId: null, actor: { kind: 'user' as const, id: 'bench' }, traceparent: null, eventIds: [], now: new Date().toISOString() });
  const send = (command: ReplayCommand) => platform.producer.send([{ topic: platform.topics.commands('replay'), key: streamId, value: JSON.stringify({ commandId: randomUUID(), command }) }]);
  // Looks at one event a poll: the plan's outcome is the stream's first event, and OperationCompleted
  // its last; reading the dry run's items or the outcomes back would load the database the run needs.
  const first = async () => (await platform.store.readStream(streamId, { fromVersion: 0, maxCount: 1 }))[0];
  const last = async () => (await platform.store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];
  const reached = async (type: string, read: () => Promise<{ type: string; data: unknown } | undefined>) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
      const event = await read();
      if (event?.type === 'OperationPlanRefused') throw new Error(`the plan was refused: ${JSON.stringify(event.data)}`);
      if (event?.type === type) return;
    }
    throw new Error(`operation ${operationId} did not reach ${type} in two minutes`);
  };
  const started = performance.now();
  await send({ type: 'PlanOperation', operationId, kind: 'redrive', filter, rate: unthrottledOperationRate, scope: { kind: 'platform' }, metadata: metadata() });
  await reached('OperationPlanned', first);
  const planned = performance.now();
  await send({ type: 'ConfirmOperation', operationId, scope: { kind: 'platform' }, metadata: metadata() });
  await reached('OperationCompleted', last);
  return { plan: planned - started, run: performance.now() - planned };
}
