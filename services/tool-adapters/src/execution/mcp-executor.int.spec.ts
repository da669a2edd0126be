import { randomBytes, randomUUID } from 'node:crypto';
import { agentRunStream, sessionStream, toolCallStream, toolRegistryStream, topicNames, type EventEnvelope, type NewEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { PostgresSecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, startMcpNotesServer, type McpNotesServer, type TestSchema } from '@agent-orchestrator/testing';
import { compileMcpTools, mcpFetch, readMcpServer } from '@agent-orchestrator/tools';
import { pino } from 'pino';
import { HttpExecutor } from './http-executor.js';
import { McpExecutor, outputOf } from './mcp-executor.js';
import { ToolCalls, type ApprovalSettled, type PolicyDecision } from '../tool-calls.js';

const token = 'mcp_tok_Zq81Lw0Pe7';

/**
 * Calls of an MCP server's tools through ToolCalls as tool-adapters runs them: the definition is
 * pinned from what the real server lists, the policy's decision or an approval lets each call
 * through, and the server counts what reached it.
 */
describe('MCP tools are called through the same path as OpenAPI tools', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let secrets: PostgresSecretStore;
  let notes: McpNotesServer;
  let calls: ToolCalls;
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const sessionId = `s-${randomUUID()}`;
  let callCount = 0;
  let operations: Record<string, string>;
  let idempotent: Record<string, boolean>;

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

  /** Requests a call of `notes__<operation>` and returns its identity, with the answer's stream. */
  async function request(operation: string, args: unknown) {
    const runId = `${sessionId}.step.notes.1`;
    const call = { sessionId, runId, agent: 'Clerk', callId: `call-${++callCount}`, tool: `notes__${operation}` };
    await store.append(agentRunStream(runId), [envelope('ToolCallRequested', { ...call, arguments: JSON.stringify(args) })]);
    return { call, answer: async () => (await store.readStream(toolCallStream(runId, call.callId)))[0] };
  }
  const decision = (call: object, effect: 'allow' | 'require_approval') => ({ data: { ...call, target: null, effect, ruleId: 'r', policyVersion: 1, reason: effect } }) as unknown as PolicyDecision;
  async function allowed(operation: string, args: unknown): Promise<EventEnvelope> {
    const { call, answer } = await request(operation, args);
    await calls.onPolicyDecision(decision(call, 'allow'));
    return (await answer())!;
  }

  beforeAll(async () => {
    db = await createTestSchema('mcp_executor');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    secrets = await PostgresSecretStore.open({ database: await db.tenantDatabase(), schema: `${db.schema}_secrets`, key: randomBytes(32) });
    await secrets.put(tenantId, 'notes-token', token);
    notes = await startMcpNotesServer({ token, pageSize: 2 });
    const guard = new EgressGuard({ operatorAllow: ['127.0.0.1'] });
    const listing = await readMcpServer(notes.url, mcpFetch(async (url, init) => (await guard.fetch(url, init as never, { allow: [], maxRedirects: 0 })).response as unknown as Response, { bearer: token }));
    const compiled = compileMcpTools('notes', listing.tools, new URL(notes.url));
    operations = Object.fromEntries(compiled.map((operation) => [operation.mcpTool, operation.name]));
    idempotent = Object.fromEntries(compiled.map((operation) => [operation.mcpTool, operation.idempotent]));
    const definition: ToolDefinition = {
      kind: 'mcp',
      source: { kind: 'mcp', url: notes.url },
      document: { server: listing.server, tools: listing.tools },
      title: listing.server.name,
      documentVersion: listing.server.version,
      baseUrl: notes.url,
      operations: compiled.map((operation) => ({ ...operation, parameters: [], security: ['mcp'] })),
      scopes: [],
      securitySchemes: { mcp: { type: 'bearer' } },
      credentials: { mcp: 'notes-token' },
    };
    await store.append(toolRegistryStream(tenantId), [envelope('ToolRegistered', { name: 'notes', version: 1, definition })]);
    await store.append(sessionStream(sessionId), [envelope('SessionStarted', { goal: 'Keep notes', context: {}, constraints: {}, agentVersions: {}, toolVersions: { notes: 1 } }, 3)]);
    calls = new ToolCalls({
      store,
      executor: new HttpExecutor({ retries: 0 }, guard),
      // The notes server is on loopback, trusted here by the operator's allow-list.
      mcpExecutor: new McpExecutor({ timeoutMs: 5000 }, guard),
      producer: { send: async () => undefined } as unknown as MessageProducer,
      topics: topicNames(),
      logger: pino({ level: 'silent' }),
      now: () => new Date().toISOString(),
      redact: { kindsFor: async () => ['email'] },
      secrets,
    });
  });
  afterAll(async () => {
    await notes.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE`);
    await db.dispose();
  });
  beforeEach(() => notes.calls.splice(0));

  it('pins every tool of every page, names made valid, idempotent from the annotations', () => {
    expect(operations).toEqual({ read_note: 'read_note', 'notes.save': expect.stringMatching(/^notes_save_[0-9a-f]{8}$/), archive_all: 'archive_all' });
    expect(idempotent).toEqual({ read_note: true, 'notes.save': false, archive_all: false });
  });

  it('answers a read with its text parts joined, presenting the bearer token', async () => {
    notes.authorizations.splice(0);
    const answer = await allowed('read_note', { id: 'n1' });
    expect(answer).toMatchObject({ type: 'ToolCallCompleted', data: { output: 'Note n1:\nCall Ada on Monday' } });
    expect(notes.calls).toEqual([{ tool: 'read_note', arguments: { id: 'n1' } }]);
    expect(notes.authorizations.length).toBeGreaterThan(0);
    expect(new Set(notes.authorizations)).toEqual(new Set([`Bearer ${token}`]));
  });

  it('holds a write the policy sends for approval, and runs it exactly once when approved, however often the approval is delivered', async () => {
    const save = operations['notes.save']!;
    const { call, answer } = await request(save, { text: 'Ring Bo at ada@example.com' });
    await calls.onPolicyDecision(decision(call, 'require_approval'));
    expect(await answer()).toBeUndefined();
    expect(notes.calls).toEqual([]);

    const granted = { type: 'ApprovalGranted', data: { ...call, approvalId: 'a1', arguments: JSON.stringify({ text: 'Ring Bo tomorrow, ada@example.com' }), approvedBy: [{ kind: 'user', id: 'u1' }] } } as unknown as ApprovalSettled;
    // Delivered again (at-least-once): the call is answered already and is not made again.
    await calls.onApprovalSettled(granted);
    await calls.onApprovalSettled(granted);
    expect(notes.calls).toEqual([{ tool: 'notes.save', arguments: { text: 'Ring Bo tomorrow, ada@example.com' } }]);
    expect([...notes.notes.values()].filter((text) => text.startsWith('Ring Bo'))).toEqual(['Ring Bo tomorrow, ada@example.com']);
    // Structured content is the output, as JSON.
    expect(await answer()).toMatchObject({ type: 'ToolCallCompleted', data: { output: JSON.stringify({ id: 'n2', saved: 2 }) } });
  });

  it('answers isError as a failed call with the text as reason', async () => {
    expect(await allowed('archive_all', {})).toMatchObject({ type: 'ToolCallFailed', data: { reason: 'notes.archive_all answered with an error: the notebook is locked' } });
  });

  it('refuses arguments that do not fit the pinned schema without calling the server', async () => {
    const answer = await allowed('read_note', { id: 'x; drop' });
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/^the call was not sent: the arguments do not match notes\.read_note: arguments\/id must match pattern/) } });
    expect(notes.calls).toEqual([]);
  });

  it('stores the answer with personal data redacted, as for any tool', async () => {
    const answer = await allowed('read_note', { id: 'n2' });
    expect(JSON.stringify(answer)).not.toContain('ada@example.com');
    expect(answer).toMatchObject({ type: 'ToolCallCompleted', data: { output: expect.stringContaining('[REDACTED:email]') } });
  });

  it('fails clearly when the server no longer has a pinned tool, and sends nothing', async () => {
    notes.remove('archive_all');
    const answer = await allowed('archive_all', {});
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringContaining('the MCP server of notes no longer has the tool "archive_all" (version 1 pinned it); register notes again') } });
    expect(notes.calls).toEqual([]);
  });

  /** The pinned definition and one of its operations, for calling an executor directly. */
  async function pinned(operation: string) {
    const [registered] = await store.readStream(toolRegistryStream(tenantId));
    const definition = (registered!.data as { definition: ToolDefinition }).definition;
    return { definition, operation: definition.operations.find((candidate) => candidate.name === operation)! };
  }

  it('sends nothing to a server the egress guard refuses', async () => {
    const refusing = new McpExecutor({ timeoutMs: 5000 }, new EgressGuard());
    const { definition, operation } = await pinned('read_note');
    const outcome = await refusing.call({ tenantId, tool: 'notes', version: 1 }, definition, operation, '{"id":"n1"}', [], []);
    expect(outcome).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/127\.0\.0\.1 is a loopback address.*PUT \/v1\/egress/) });
    expect(notes.calls).toEqual([]);
  });

  it('fails a call whose answer is larger than the limit, without reading it all', async () => {
    notes.notes.set('n99', 'x'.repeat(200_000));
    const small = new McpExecutor({ timeoutMs: 5000, maxResponseBytes: 20_000 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] }));
    const { definition, operation } = await pinned('read_note');
    const outcome = await small.call({ tenantId, tool: 'notes', version: 1 }, definition, operation, '{"id":"n99"}', [{ scheme: { type: 'bearer' }, value: token }], []);
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('notes.read_note was sent and failed: the server answered more than 20000 bytes') });
    expect(notes.calls).toEqual([{ tool: 'read_note', arguments: { id: 'n99' } }]);
  });

  it('names parts that are not text instead of carrying them', () => {
    expect(outputOf({ content: [{ type: 'text', text: 'chart:' }, { type: 'image', mimeType: 'image/png', data: 'AAAA' }] })).toBe('chart:\n[image: image/png, 3 bytes]');
  });

  it('never stores the token in any event', async () => {
    const { rows } = await db.pool.query<{ content: unknown }>(`SELECT content FROM "${db.schema}".events`);
    expect(rows.length).toBeGreaterThan(5);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
