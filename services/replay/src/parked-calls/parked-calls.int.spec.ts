import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { agentRunStream, operationStream, policyCheckStream, sessionStream, toolCallStream, toolRegistryStream, type EventEnvelope, type NewEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import { startRelay } from '@agent-orchestrator/messaging';
import { DeadLetterIndex, DeadLetterQueries, OperationQueries, type OperationRecord } from '@agent-orchestrator/read-models';
import { openPlatform, parsePlatformConfig, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { spawnFixture, startSwitchableToolServer, testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor, type RunningFixture, type SwitchableToolServer } from '@agent-orchestrator/testing';
import { compileOpenApi } from '@agent-orchestrator/tools';
import type { OperationScope } from '../operations/item-source.js';
import { startReplay } from '../service.js';
import { ParkedCallSource } from './parked-call-source.js';

const root = join(import.meta.dirname, '../../../..');
const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_parked_es_${suffix}`, readModels: `t_parked_rm_${suffix}` };
const env = {
  DATABASE_URL: testDatabaseUrl(),
  KAFKA_BROKERS: testBrokers().join(','),
  TOPIC_PREFIX: uniqueTopicPrefix('parked'),
  EVENT_STORE_SCHEMA: schemas.eventStore,
  READ_MODEL_SCHEMA: schemas.readModels,
  EVENT_POLL_MS: '10',
};
const tenantId = `t${suffix}`;
const platformScope: OperationScope = { kind: 'platform' };

/**
 * Parked calls through the replay service's source on real Kafka and PostgreSQL: tool-adapters
 * runs as its own process against a tool server that fails while a switch is on; the spec plays
 * the policy (its decisions go through the relay to tool-adapters) and the operation runner.
 */
describe('parked tool calls, listed and redriven through the dead-letter index', () => {
  let platform: Platform;
  let toolAdapters: RunningFixture;
  let tool: SwitchableToolServer;
  let relay: { stop(): Promise<void> };
  let replay: RunningService;
  /** The replay service's parked-call source, on its own, for what a spec drives item by item. */
  let source: ParkedCallSource;
  let queries: DeadLetterQueries;

  const envelope = (type: string, data: unknown, correlationId: string, schemaVersion = 1): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion,
    tenantId,
    correlationId,
    causationId: null,
    actor: { kind: 'service', id: 'spec' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data,
  });

  /** A session whose step asks crm to create a contact, allowed by the policy. */
  async function sessionWritingContact(name: string): Promise<{ sessionId: string; stream: string }> {
    const sessionId = `s-${randomUUID()}`;
    const runId = `${sessionId}.step.s1.1`;
    const call = { sessionId, runId, callId: 'call-1', agent: 'Clerk', tool: 'crm__createContact' };
    const { store } = platform;
    await store.append(sessionStream(sessionId), [envelope('SessionStarted', { goal: `Add ${name}`, context: {}, constraints: {}, agentVersions: {}, toolVersions: { crm: 1 } }, sessionId, 3)]);
    await store.append(agentRunStream(runId), [envelope('ToolCallRequested', { ...call, arguments: JSON.stringify({ body: { name } }) }, sessionId)]);
    const target = { tool: 'crm', version: 1, operation: 'createContact', method: 'post', scopes: [] };
    await store.append(policyCheckStream(runId, 'call-1'), [envelope('PolicyDecisionRecorded', { ...call, target, effect: 'allow', ruleId: 'default', policyVersion: 0, reason: 'allowed' }, sessionId)]);
    return { sessionId, stream: toolCallStream(runId, 'call-1') };
  }

  const typesOf = async (stream: string) => (await platform.store.readStream(stream)).map((event: EventEnvelope) => event.type);
  const pending = () => queries.matching(platformScope, { source: 'parked-call', status: 'pending' });

  beforeAll(async () => {
    platform = await openPlatform(parsePlatformConfig({ ...env, LOG_LEVEL: 'silent' }, 'replay'), 'replay');
    tool = await startSwitchableToolServer();
    const compiled = await compileOpenApi(tool.document);
    const definition: ToolDefinition = { source: { kind: 'inline' }, document: {}, scopes: [], ...compiled, operations: compiled.operations.map((o) => ({ ...o, parameters: [...o.parameters], security: [...o.security] })), onExhausted: 'park' };
    await platform.store.append(toolRegistryStream(tenantId), [envelope('ToolRegistered', { name: 'crm', version: 1, definition }, tenantId, 2)]);
    toolAdapters = spawnFixture(join(root, 'services/tool-adapters/src/main.ts'), { ...env, LOG_LEVEL: 'info', HEALTH_PORT: '0', TOOL_RETRIES: '1', TOOL_RETRY_MIN_MS: '1', EGRESS_ALLOW: '127.0.0.1' });
    await waitFor('tool-adapters to start', () => toolAdapters.output().includes('"tool-adapters started"'), { timeoutMs: 40_000 });
    relay = startRelay({ store: platform.store, producer: platform.producer, topics: platform.topics });
    replay = await startReplay(platform, { defaultRate: 50, maxBatch: 50, maxConcurrency: 8, maxRunning: 2, sweepMs: 500, maxRedrives: 3, deadLetterRescanMs: 30_000 });
    queries = new DeadLetterQueries(platform, schemas.readModels);
    const index = new DeadLetterIndex(platform.pool, schemas.readModels, platform.appRole.name);
    source = new ParkedCallSource({ queries, index, store: platform.store, producer: platform.producer, topics: platform.topics, answerWithinMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await replay?.stop();
    await relay?.stop();
    await toolAdapters?.kill();
    await tool?.close();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE`);
    await platform?.close();
  });

  it('redrives the parked calls of an outage through an operation of the replay service: a dry run that changes nothing, then each write once', async () => {
    const operations = new OperationQueries(schemas.readModels);
    const scope = { kind: 'tenant' as const, tenantId };
    const metadata = { tenantId, correlationId: 'ops', causationId: null, actor: { kind: 'user' as const, id: 'sre-1' }, traceparent: null, now: new Date().toISOString(), eventIds: [] };
    const send = (command: Record<string, unknown> & { operationId: string }) =>
      platform.producer.send([{ topic: platform.topics.commands('replay'), key: operationStream(command.operationId), value: JSON.stringify({ commandId: randomUUID(), command: { ...command, scope, metadata } }) }]);
    const until = (operationId: string, holds: (record: OperationRecord) => boolean) =>
      waitFor(`operation ${operationId}`, async () => {
        const found = await operations.get(platform.pool, operationId);
        return found !== undefined && holds(found) ? found : undefined;
      }, { timeoutMs: 40_000, intervalMs: 50 });

    tool.outage(true);
    const sessions = await Promise.all(['Edsger', 'Barbara'].map(sessionWritingContact));
    await waitFor('two parked calls in the index', async () => (await pending()).length === 2, { timeoutMs: 30_000 });
    const requestsBefore = tool.requests();
    const operationId = randomUUID();
    await send({ type: 'PlanOperation', operationId, kind: 'redrive', filter: { tool: 'crm', code: 'http-503' } });
    expect(await until(operationId, (r) => r.status === 'planned')).toMatchObject({ total: 2, repeatsSideEffect: 2, counts: { byTool: { crm: 2 }, byCode: { 'http-503': 2 }, byConsumer: { 'tool-adapters': 2 } } });
    expect(tool.requests()).toBe(requestsBefore);
    for (const { stream } of sessions) expect(await typesOf(stream)).toEqual(['ToolCallParked']);

    tool.outage(false);
    const writesBefore = tool.writes.size;
    await send({ type: 'ConfirmOperation', operationId });
    expect(await until(operationId, (r) => r.status === 'completed')).toMatchObject({ total: 2, done: 2, succeeded: 2, failed: 0, skipped: 0 });
    for (const { stream } of sessions) expect(await typesOf(stream)).toEqual(['ToolCallParked', 'ToolCallRetried', 'ToolCallCompleted']);
    expect(tool.writes.size).toBe(writesBefore + 2);
    expect([...tool.writes.values()].every((count) => count === 1)).toBe(true);
    await waitFor('the index to resolve them', async () => (await pending()).length === 0, { timeoutMs: 20_000 });
  }, 60_000);

  it('parks the writes of an outage, lists them by tool and code, redrives them once the tool is back (each write once), and discards one with the agent told', async () => {
    tool.outage(true);
    const sessions = await Promise.all(['Ada', 'Grace', 'Alan'].map(sessionWritingContact));
    await waitFor('three parked calls in the index', async () => (await pending()).length === 3, { timeoutMs: 30_000 });
    for (const { stream } of sessions) expect(await typesOf(stream)).toEqual(['ToolCallParked']);

    // The dry run: exactly those calls, each a repeated side effect (a POST); it changes nothing.
    const requestsBefore = tool.requests();
    const items = await source.match('redrive', { tool: 'crm', code: 'http-503' }, platformScope);
    expect(items.map((item) => item.sessionId).sort()).toEqual(sessions.map((session) => session.sessionId).sort());
    expect(items.every((item) => item.repeatsSideEffect && item.source === 'parked-call' && item.tenantId === tenantId)).toBe(true);
    expect(await source.match('redrive', { tool: 'crm', code: 'timeout' }, platformScope)).toEqual([]);
    expect(await source.match('redrive', { tool: 'crm' }, { kind: 'tenant', tenantId: 'globex' })).toEqual([]);
    expect(tool.requests()).toBe(requestsBefore);
    for (const { stream } of sessions) expect(await typesOf(stream)).toEqual(['ToolCallParked']);

    tool.outage(false);
    const writesBefore = tool.writes.size;
    const [discarded, ...redriven] = items;
    const operationId = randomUUID();
    for (const item of redriven) expect(await source.execute('redrive', item, { operationId, scope: platformScope })).toMatchObject({ outcome: 'succeeded' });
    // The runner may execute an item again after a crash: the call is answered, so it is skipped.
    expect(await source.execute('redrive', redriven[0]!, { operationId, scope: platformScope })).toMatchObject({ outcome: 'skipped' });
    expect(await source.execute('discard', discarded!, { operationId, scope: platformScope })).toMatchObject({ outcome: 'failed', detail: 'a discard needs a reason' });
    expect(await source.execute('discard', discarded!, { operationId, scope: platformScope, reason: 'Ada was added by hand' })).toMatchObject({ outcome: 'succeeded' });

    // Each redriven write happened once on the server; the discarded one never did.
    expect(tool.writes.size).toBe(writesBefore + 2);
    expect([...tool.writes.values()].every((count) => count === 1)).toBe(true);
    const discardedStream = sessions.find((session) => session.sessionId === discarded!.sessionId)!.stream;
    expect(await typesOf(discardedStream)).toEqual(['ToolCallParked', 'ToolCallDiscarded', 'ToolCallFailed']);
    expect((await platform.store.readStream(discardedStream)).at(-1)!.data).toMatchObject({ reason: 'discarded by an operator: Ada was added by hand' });
    for (const item of redriven) expect(await typesOf(sessions.find((session) => session.sessionId === item.sessionId)!.stream)).toEqual(['ToolCallParked', 'ToolCallRetried', 'ToolCallCompleted']);
    const statuses = async () => (await queries.messages(platformScope, items.map((item) => item.itemId))).map((row) => row.status).sort();
    await waitFor('the index to resolve the answered calls', async () => (await statuses()).join() === 'discarded,resolved,resolved', { timeoutMs: 20_000 });
  }, 60_000);

  it("keeps a cancelled session's parked call listed: a redrive is skipped (nothing sent), a discard answers it", async () => {
    tool.outage(true);
    const session = await sessionWritingContact('Linus');
    await waitFor('the parked call in the index', async () => (await pending()).find((row) => row.sessionId === session.sessionId), { timeoutMs: 30_000 });
    await platform.store.append(sessionStream(session.sessionId), [envelope('SessionCancelled', { reason: 'not needed', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }, session.sessionId)]);
    tool.outage(false);
    const [item] = (await source.match('redrive', { tool: 'crm' }, { kind: 'tenant', tenantId })).filter((candidate) => candidate.sessionId === session.sessionId);
    const requests = tool.requests();
    expect(await source.execute('redrive', item!, { operationId: randomUUID(), scope: platformScope })).toEqual({ outcome: 'skipped', detail: 'its session has ended (SessionCancelled); discard the call instead' });
    expect(tool.requests()).toBe(requests);
    expect(await source.execute('discard', item!, { operationId: randomUUID(), scope: { kind: 'tenant', tenantId }, reason: 'its session was cancelled' })).toMatchObject({ outcome: 'succeeded' });
    expect(await typesOf(session.stream)).toEqual(['ToolCallParked', 'ToolCallDiscarded', 'ToolCallFailed']);
  }, 60_000);
});
