import { randomBytes, randomUUID } from 'node:crypto';
import { operationStream, type CommandMetadata, type OperationScopeRecord, type ReplayCommand } from '@agent-orchestrator/contracts';
import { OperationQueries, type OperationRecord } from '@agent-orchestrator/read-models';
import { openPlatform, parsePlatformConfig, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import type { ReplayConfig } from './config.js';
import { startReplay } from './service.js';
import { TestItemSource, testItems } from './operations/test-item-source.js';

const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_replay_es_${suffix}`, readModels: `t_replay_rm_${suffix}` };
const config: ReplayConfig = { defaultRate: 100, maxBatch: 500, maxConcurrency: 32, maxRunning: 4, sweepMs: 500, maxRedrives: 3, deadLetterRescanMs: 30_000 };
const acme: OperationScopeRecord = { kind: 'tenant', tenantId: 'acme' };

/** The replay service on real Kafka and PostgreSQL, acting on a test source's items. */
describe('the replay service', () => {
  let platform: Platform;
  let replay: RunningService;
  const source = new TestItemSource([...testItems(60, 'acme', 'crm'), ...testItems(40, 'acme', 'billing'), ...testItems(30, 'acme', 'slow'), ...testItems(5, 'globex', 'crm'), ...testItems(40, 'acme', 'ledger'), ...testItems(1200, 'acme', 'bulk')]);
  const queries = new OperationQueries(schemas.readModels);

  beforeAll(async () => {
    platform = await openPlatform(
      parsePlatformConfig(
        { DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testBrokers().join(','), TOPIC_PREFIX: uniqueTopicPrefix('replay'), EVENT_STORE_SCHEMA: schemas.eventStore, READ_MODEL_SCHEMA: schemas.readModels, LOG_LEVEL: 'silent', EVENT_POLL_MS: '10' },
        'replay',
      ),
      'replay',
    );
    replay = await startReplay(platform, config, { extraSources: [source] });
  });
  afterAll(async () => {
    await replay?.stop();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE`);
    await platform?.close();
  });

  const metadata = (): CommandMetadata => ({ tenantId: 'acme', correlationId: 'ops', causationId: null, actor: { kind: 'user', id: 'sre-1' }, traceparent: null, now: new Date().toISOString(), eventIds: [] });
  const send = async (command: ReplayCommand) => {
    await platform.producer.send([{ topic: platform.topics.commands('replay'), key: operationStream(command.operationId), value: JSON.stringify({ commandId: randomUUID(), command }) }]);
  };
  const plan = async (tool: string, rate: number | 'max', scope: OperationScopeRecord = acme) => {
    const operationId = randomUUID();
    await send({ type: 'PlanOperation', operationId, kind: 'redrive', filter: { tool }, rate, scope, metadata: metadata() });
    return operationId;
  };
  const on = (operationId: string, type: 'ConfirmOperation' | 'PauseOperation' | 'ResumeOperation' | 'AbortOperation') => send({ type, operationId, scope: acme, metadata: metadata() });
  const record = (operationId: string) => queries.get(platform.pool, operationId);
  const until = (operationId: string, what: string, holds: (record: OperationRecord) => boolean, timeoutMs = 30_000) =>
    waitFor(`operation ${what}`, async () => {
      const found = await record(operationId);
      return found !== undefined && holds(found) ? found : undefined;
    }, { timeoutMs, intervalMs: 25 });
  const types = async (operationId: string) => (await platform.store.readStream(operationStream(operationId), { maxCount: 10_000 })).map((event) => event.type);

  it('plans a dry run that lists exactly what matched and acts on nothing', async () => {
    const operationId = await plan('crm', 40);
    const planned = await until(operationId, 'planned', (r) => r.status === 'planned');
    expect(planned).toMatchObject({ kind: 'redrive', total: 60, done: 0, repeatsSideEffect: 20, counts: { byTool: { crm: 60 }, byTenant: { acme: 60 } }, requestedBy: { kind: 'user', id: 'sre-1' } });
    const { items } = await queries.items(platform.pool, operationId, { limit: 500 });
    expect(items.map((item) => item.itemId)).toEqual(testItems(60, 'acme', 'crm').map((item) => item.itemId));
    // The other tenant's crm items were not the caller's to match.
    expect(items.every((item) => item.tenantId === 'acme' && item.outcome === null)).toBe(true);
    expect(source.executionsOf(operationId)).toEqual([]);
    expect(await types(operationId)).toEqual(['OperationPlanned', 'OperationItemsMatched']);
  });

  it('runs every item once, at the rate, when confirmed, and records failures as failures', async () => {
    const operationId = await plan('crm', 40);
    await until(operationId, 'planned', (r) => r.status === 'planned');
    source.failing.add('acme-crm-7');
    await on(operationId, 'ConfirmOperation');
    const done = await until(operationId, 'completed', (r) => r.status === 'completed');
    expect(done).toMatchObject({ total: 60, done: 60, succeeded: 59, failed: 1, skipped: 0, etaSeconds: null });
    const executions = source.executed.filter((e) => e.operationId === operationId);
    expect(executions.map((e) => e.itemId).sort()).toEqual(testItems(60, 'acme', 'crm').map((item) => item.itemId).sort());
    // 60 items at 40 a second: the last 20 wait for the second window.
    const spanMs = Math.max(...executions.map((e) => e.at)) - Math.min(...executions.map((e) => e.at));
    expect(spanMs).toBeGreaterThanOrEqual(900);
    const failed = (await queries.items(platform.pool, operationId, { limit: 500 })).items.find((item) => item.itemId === 'acme-crm-7');
    expect(failed).toMatchObject({ outcome: 'failed', detail: 'acme-crm-7 failed on purpose' });
    // One append per batch, not one per item: the outcomes came in two batches of 40 and 20 (one
    // append is one transaction, the first part of the store's global position).
    const outcomes = (await platform.store.readStream(operationStream(operationId), { maxCount: 10_000 })).filter((event) => event.type === 'OperationItemExecuted');
    expect(outcomes).toHaveLength(60);
    expect(new Set(outcomes.map((event) => event.globalPosition.split('-')[0])).size).toBe(2);
  });

  it('runs an unthrottled operation (rate "max") in batches of up to 1,000 handed whole to the source, one append each', async () => {
    const operationId = await plan('bulk', 'max');
    await until(operationId, 'planned', (r) => r.status === 'planned');
    source.failing.add('acme-bulk-1100');
    await on(operationId, 'ConfirmOperation');
    const done = await until(operationId, 'completed', (r) => r.status === 'completed', 60_000);
    expect(done).toMatchObject({ total: 1200, done: 1200, succeeded: 1199, failed: 1, skipped: 0 });
    expect(source.batches.filter((batch) => batch.operationId === operationId).map((batch) => batch.size)).toEqual([1000, 200]);
    expect(source.executionsOf(operationId).sort()).toEqual(testItems(1200, 'acme', 'bulk').map((item) => item.itemId).sort());
    const events = await platform.store.readStream(operationStream(operationId), { maxCount: 10_000 });
    expect(events.find((event) => event.type === 'OperationStarted')?.data).toEqual({ operationId, rate: 1000, unthrottled: true });
    const outcomes = events.filter((event) => event.type === 'OperationItemExecuted');
    expect(outcomes.map((event) => (event.data as { itemId: string }).itemId)).toEqual(testItems(1200, 'acme', 'bulk').map((item) => item.itemId));
    expect(new Set(outcomes.map((event) => event.globalPosition.split('-')[0])).size).toBe(2);
  });

  it('stops on pause, goes on from where it stood on resume, and runs each item once', async () => {
    const operationId = await plan('billing', 20);
    await until(operationId, 'planned', (r) => r.status === 'planned');
    const held = source.hold('acme-billing-5');
    await on(operationId, 'ConfirmOperation');
    await waitFor('the held item to be reached', () => held.reached());
    await on(operationId, 'PauseOperation');
    await until(operationId, 'paused', (r) => r.status === 'paused');
    held.release();
    // The batch in hand is recorded, and nothing after it starts.
    const paused = await until(operationId, 'the batch in hand recorded', (r) => r.done === source.executionsOf(operationId).length && r.done > 0);
    expect(paused.done).toBeLessThan(40);
    await runAnotherOperationToTheEnd();
    expect(source.executionsOf(operationId)).toHaveLength(paused.done);
    expect(await record(operationId)).toMatchObject({ status: 'paused', done: paused.done });

    await on(operationId, 'ResumeOperation');
    const done = await until(operationId, 'completed', (r) => r.status === 'completed');
    expect(done).toMatchObject({ total: 40, done: 40, succeeded: 40 });
    expect(source.executionsOf(operationId).sort()).toEqual(testItems(40, 'acme', 'billing').map((item) => item.itemId).sort());
  });

  it('stops for good on abort', async () => {
    const operationId = await plan('slow', 10);
    await until(operationId, 'planned', (r) => r.status === 'planned');
    const held = source.hold('acme-slow-3');
    await on(operationId, 'ConfirmOperation');
    await waitFor('the held item to be reached', () => held.reached());
    await on(operationId, 'AbortOperation');
    await until(operationId, 'aborted', (r) => r.status === 'aborted');
    held.release();
    const aborted = await until(operationId, 'the batch in hand recorded', (r) => r.done === source.executionsOf(operationId).length && r.done > 0);
    await on(operationId, 'ResumeOperation');
    await runAnotherOperationToTheEnd();
    expect(source.executionsOf(operationId)).toHaveLength(aborted.done);
    expect(aborted.done).toBeLessThan(30);
    expect(await record(operationId)).toMatchObject({ status: 'aborted', done: aborted.done, endedAt: expect.any(String) });
    expect(await types(operationId)).not.toContain('OperationCompleted');
  });

  it('finishes an operation after a restart without acting again on an item it recorded', async () => {
    const operationId = await plan('ledger', 10);
    await until(operationId, 'planned', (r) => r.status === 'planned');
    await on(operationId, 'ConfirmOperation');
    const midway = await until(operationId, 'some items done', (r) => r.done >= 10);
    // The ETA is the items left at the rate measured so far (about ten a second here).
    expect(midway.etaSeconds).toBeGreaterThanOrEqual(Math.floor((40 - midway.done) / 20));
    expect(midway.etaSeconds).toBeLessThanOrEqual(Math.ceil((40 - midway.done) / 5));
    await replay.stop();
    const before = (await record(operationId))!;
    expect(before.status).toBe('running');
    // Stopping records the batch in hand (ten items at ten a second) and starts no other.
    expect(before.done).toBeLessThan(40);
    replay = await startReplay(platform, config, { extraSources: [source] });
    const done = await until(operationId, 'completed after the restart', (r) => r.status === 'completed');
    expect(done).toMatchObject({ total: 40, done: 40 });
    const executions = source.executionsOf(operationId);
    expect(executions.sort()).toEqual(testItems(40, 'acme', 'ledger').map((item) => item.itemId).sort());
  });

  // Every kind has a source on this platform now, so the refusal shown is the other one the plan
  // makes before matching: a discard that does not say why.
  it('refuses to plan a discard without a reason, saying so', async () => {
    const operationId = randomUUID();
    await send({ type: 'PlanOperation', operationId, kind: 'discard', filter: { tool: 'crm' }, scope: acme, metadata: metadata() });
    expect(await until(operationId, 'refused', (r) => r.status === 'failed')).toMatchObject({ refusal: expect.stringContaining('a discard needs a reason') });
  });

  /** Waits on a whole operation of its own, run by the same runner: the other operations had every chance to move meanwhile. */
  async function runAnotherOperationToTheEnd(): Promise<void> {
    const operationId = randomUUID();
    await send({ type: 'PlanOperation', operationId, kind: 'redrive', filter: { tool: 'crm' }, rate: 1000, scope: { kind: 'tenant', tenantId: 'globex' }, metadata: { ...metadata(), tenantId: 'globex' } });
    await until(operationId, 'planned', (r) => r.status === 'planned');
    await send({ type: 'ConfirmOperation', operationId, scope: { kind: 'tenant', tenantId: 'globex' }, metadata: { ...metadata(), tenantId: 'globex' } });
    await until(operationId, 'completed', (r) => r.status === 'completed');
  }
});
