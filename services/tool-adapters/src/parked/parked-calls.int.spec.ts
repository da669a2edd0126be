import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentRunStream, sessionStream, toolCallStream, toolRegistryStream, topicNames, type EventEnvelope, type NewEvent, type ParkedToolCallCommand, type ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { createTestSchema, startSwitchableToolServer, type SwitchableToolServer, type TestSchema } from '@agent-orchestrator/testing';
import { compileOpenApi } from '@agent-orchestrator/tools';
import { pino } from 'pino';
import { HttpExecutor } from '../execution/http-executor.js';
import { ToolCalls, type PolicyDecision } from '../tool-calls.js';
import { parkedCallCommandHandler } from './parked-call-commands.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('parked tool calls', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let tool: SwitchableToolServer;
  let calls: ToolCalls;
  let handle: ReturnType<typeof parkedCallCommandHandler>;
  const produced: unknown[] = [];
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const sessionId = `s-${randomUUID()}`;
  let callCount = 0;

  const envelope = (type: string, data: unknown, schemaVersion = 1): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'spec' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data,
  });

  /** Requests a call of `<tool>__<operation>` and lets the policy allow it; returns the call's stream. */
  async function call(toolName: string, operation: string, args: unknown): Promise<{ runId: string; callId: string; stream: string }> {
    const callId = `call-${++callCount}`;
    const runId = `${sessionId}.step.s${callCount}.1`;
    const request = { sessionId, runId, agent: 'Clerk', callId, tool: `${toolName}__${operation}` };
    await store.append(agentRunStream(runId), [envelope('ToolCallRequested', { ...request, arguments: JSON.stringify(args) })]);
    await calls.onPolicyDecision({ data: { ...request, target: null, effect: 'allow', ruleId: 'default', policyVersion: 0, reason: 'allowed' } } as unknown as PolicyDecision);
    return { runId, callId, stream: toolCallStream(runId, callId) };
  }

  const events = async (stream: string) => (await store.readStream(stream)) as EventEnvelope[];
  const command = (type: 'RetryParkedToolCall' | 'DiscardParkedToolCall', target: { runId: string; callId: string }, tenant = tenantId): ParkedToolCallCommand => {
    const metadata = { tenantId: tenant, correlationId: sessionId, causationId: 'spec', actor: { kind: 'user' as const, id: 'key-sre' }, traceparent: null, now: new Date().toISOString(), eventIds: [] };
    return type === 'RetryParkedToolCall' ? { type, ...target, metadata } : { type, ...target, reason: 'the contact was created by hand', metadata };
  };

  async function register(name: string, baseUrl: string, onExhausted?: 'park' | 'fail'): Promise<void> {
    const compiled = await compileOpenApi({ ...tool.document, servers: [{ url: baseUrl }] });
    const definition: ToolDefinition = {
      source: { kind: 'inline' },
      document: {},
      scopes: [],
      ...compiled,
      operations: compiled.operations.map((o) => ({ ...o, parameters: [...o.parameters], security: [...o.security] })),
      ...(onExhausted === undefined ? {} : { onExhausted }),
    };
    await store.append(toolRegistryStream(tenantId), [envelope('ToolRegistered', { name, version: 1, definition }, 2)]);
  }

  beforeAll(async () => {
    db = await createTestSchema('parked_calls');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    tool = await startSwitchableToolServer();
    await register('crm', tool.baseUrl, 'park');
    await register('ledger', tool.baseUrl);
    // A port that was just free: nothing listens there, so its calls are refused.
    await register('offline', `http://127.0.0.1:${await closedPort()}`, 'park');
    await store.append(sessionStream(sessionId), [envelope('SessionStarted', { goal: 'Add contacts', context: {}, constraints: {}, agentVersions: {}, toolVersions: { crm: 1, ledger: 1, offline: 1 } }, 3)]);
    const producer = { send: async (messages: unknown[]) => void produced.push(...messages) } as unknown as MessageProducer;
    const logger = pino({ level: 'silent' });
    calls = new ToolCalls({
      store,
      // The tool server is on loopback, trusted here by the operator's allow-list; a circuit that never opens keeps each call's failure its own.
      executor: new HttpExecutor({ retries: 2, minBackoffMs: 1, breakAfter: 1000 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] })),
      producer,
      topics: topicNames(),
      logger,
      now: () => new Date().toISOString(),
      redact: { kindsFor: async () => [] },
    });
    handle = parkedCallCommandHandler(store, calls, logger);
  });
  afterAll(async () => {
    await tool.close();
    await db.dispose();
  });
  beforeEach(() => {
    produced.splice(0);
    tool.outage(false);
  });

  it('parks a write of a parking tool when its retries run out, and a redrive after the outage makes it once', async () => {
    tool.outage(true);
    const parked = await call('crm', 'createContact', { body: { name: 'Ada' } });
    expect(await events(parked.stream)).toEqual([
      expect.objectContaining({
        type: 'ToolCallParked',
        data: expect.objectContaining({ tool: 'crm__createContact', operation: 'createContact', method: 'post', code: 'http-503', attempts: 3, parkings: 1, reason: expect.stringMatching(/^gave up after 3 attempts: POST \/contacts answered 503/) }),
      }),
    ]);
    expect(produced).toEqual([]); // listed through the parked-calls index, not dead-lettered

    // Redriven while the outage lasts: parked again, counted, with the attempts of the redrive.
    expect(await handle(randomUUID(), command('RetryParkedToolCall', parked))).toBe('parked');
    expect((await events(parked.stream)).map((event) => [event.type, (event.data as { attempts?: number; parkings?: number }).parkings ?? null])).toEqual([
      ['ToolCallParked', 1],
      ['ToolCallRetried', null],
      ['ToolCallParked', 2],
    ]);
    expect((await events(parked.stream)).at(-1)!.data).toMatchObject({ attempts: 3 });

    tool.outage(false);
    const redrive = randomUUID();
    expect(await handle(redrive, command('RetryParkedToolCall', parked))).toBe('completed');
    // The same command again (a redelivery), and another one: the call is answered, nothing runs.
    expect(await handle(redrive, command('RetryParkedToolCall', parked))).toBe('skipped');
    expect(await handle(randomUUID(), command('RetryParkedToolCall', parked))).toBe('skipped');
    const stored = await events(parked.stream);
    expect(stored.map((event) => event.type)).toEqual(['ToolCallParked', 'ToolCallRetried', 'ToolCallParked', 'ToolCallRetried', 'ToolCallCompleted']);
    expect(JSON.parse((stored.at(-1)!.data as { output: string }).output)).toMatchObject({ name: 'Ada' });
    // Every try of the call carried one Idempotency-Key, and the write took effect once.
    expect([...tool.writes.values()]).toEqual([1]);
  });

  it('discards a parked call: the agent is told, and a second discard or a redrive changes nothing', async () => {
    tool.outage(true, 'reset');
    const parked = await call('crm', 'createContact', { body: { name: 'Grace' } });
    expect((await events(parked.stream))[0]).toMatchObject({ type: 'ToolCallParked', data: { code: 'connection-reset' } });
    expect(await handle(randomUUID(), command('DiscardParkedToolCall', parked))).toBe('discarded');
    expect(await handle(randomUUID(), command('DiscardParkedToolCall', parked))).toBe('skipped');
    tool.outage(false);
    expect(await handle(randomUUID(), command('RetryParkedToolCall', parked))).toBe('skipped');
    expect((await events(parked.stream)).map(({ type, data }) => [type, (data as { reason?: string }).reason])).toEqual([
      ['ToolCallParked', expect.any(String)],
      ['ToolCallDiscarded', 'the contact was created by hand'],
      ['ToolCallFailed', 'discarded by an operator: the contact was created by hand'],
    ]);
  });

  it("names a refused connection, and leaves another tenant's command alone", async () => {
    const parked = await call('offline', 'createContact', { body: { name: 'Linus' } });
    expect((await events(parked.stream))[0]).toMatchObject({ type: 'ToolCallParked', data: { code: 'connection-refused' } });
    expect(await handle(randomUUID(), command('DiscardParkedToolCall', parked, 'globex'))).toBe('skipped');
    expect(await handle(randomUUID(), command('RetryParkedToolCall', parked, 'globex'))).toBe('skipped');
    expect((await events(parked.stream)).map((event) => event.type)).toEqual(['ToolCallParked']);
  });

  it('fails, as before, the calls of a tool that does not say park; and a command for a call that was never parked skips', async () => {
    tool.outage(true);
    const failed = await call('ledger', 'createContact', { body: { name: 'Alan' } });
    expect((await events(failed.stream)).map((event) => event.type)).toEqual(['ToolCallFailed']);
    expect(produced).toHaveLength(1); // dead-lettered with the reason, as today
    expect(await handle(randomUUID(), command('RetryParkedToolCall', failed))).toBe('skipped');
    expect(await handle(randomUUID(), command('RetryParkedToolCall', { runId: `${sessionId}.step.none.1`, callId: 'none' }))).toBe('skipped');
  });
});
