import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentRunStream, sessionStream, toolCallStream, toolRegistryStream, topicNames, type EventEnvelope, type NewEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { MessageProducer } from '@agent-orchestrator/messaging';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { compileOpenApi } from '@agent-orchestrator/tools';
import busboy from 'busboy';
import { pino } from 'pino';
import { HttpExecutor } from './execution/http-executor.js';
import { ToolCalls, type PolicyDecision } from './tool-calls.js';

/** A report server: a PDF to fetch, and an archive that takes files as multipart parts (parsed by busboy). */
function startReportServer(pdf: Buffer): Promise<{ server: Server; baseUrl: string; archived: { name: string; filename: string; mimeType: string; content: Buffer }[] }> {
  const archived: { name: string; filename: string; mimeType: string; content: Buffer }[] = [];
  const server = createServer((request, response) => {
    if (request.url === '/reports/q3') return void response.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
    if (request.url === '/archive' && request.method === 'POST') {
      const parser = busboy({ headers: request.headers });
      parser.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => archived.push({ name, filename: info.filename ?? '', mimeType: info.mimeType, content: Buffer.concat(chunks) }));
      });
      parser.on('close', () => response.writeHead(201, { 'content-type': 'application/json' }).end('{"archived":true}'));
      return void request.pipe(parser);
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, archived })));
}

const documentFor = (baseUrl: string) => ({
  openapi: '3.0.3',
  info: { title: 'Reports', version: '1' },
  servers: [{ url: baseUrl }],
  paths: {
    '/reports/q3': { get: { operationId: 'getReport', responses: { '200': { description: 'the report', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } } } } },
    '/archive': {
      post: {
        operationId: 'archive',
        requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } } },
        responses: { '201': { description: 'archived' } },
      },
    },
  },
});

describe('binary answers kept, and sent on as files by a later call', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3000)]);
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const sessionId = `s-${randomUUID()}`;
  let db: TestSchema;
  let store: PostgresEventStore;
  let reports: Awaited<ReturnType<typeof startReportServer>>;
  let calls: ToolCalls;
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

  /** Requests a call of `reports__<operation>`, lets the policy allow it, and returns the stored answer. */
  async function callOperation(operation: string, args: unknown): Promise<EventEnvelope & { data: { output?: string; reason?: string } }> {
    const runId = `${sessionId}.step.${operation}.${++callCount}`;
    const call = { sessionId, runId, agent: 'Clerk', callId: `call-${callCount}`, tool: `reports__${operation}` };
    await store.append(agentRunStream(runId), [envelope('ToolCallRequested', { ...call, arguments: JSON.stringify(args) })]);
    await calls.onPolicyDecision({ data: { ...call, target: null, effect: 'allow', ruleId: 'default', policyVersion: 0, reason: 'allowed' } } as unknown as PolicyDecision);
    const [answer] = await store.readStream(toolCallStream(runId, call.callId));
    return answer as EventEnvelope & { data: { output?: string; reason?: string } };
  }

  beforeAll(async () => {
    db = await createTestSchema('answer_files');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    reports = await startReportServer(pdf);
    const compiled = await compileOpenApi(documentFor(reports.baseUrl), { toolName: 'reports' });
    const definition = { source: { kind: 'inline' }, document: {}, scopes: [], ...compiled } as unknown as ToolDefinition;
    await store.append(toolRegistryStream(tenantId), [envelope('ToolRegistered', { name: 'reports', version: 1, definition: JSON.parse(JSON.stringify(definition)) })]);
    await store.append(sessionStream(sessionId), [envelope('SessionStarted', { goal: 'Archive the Q3 report', context: {}, constraints: {}, agentVersions: {}, toolVersions: { reports: 1 } }, 3)]);
    calls = new ToolCalls({
      store,
      // The report server is on loopback, trusted here by the operator's allow-list.
      executor: new HttpExecutor({ retries: 0 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] })),
      producer: { send: async () => undefined } as unknown as MessageProducer,
      topics: topicNames(),
      logger: pino({ level: 'silent' }),
      now: () => new Date().toISOString(),
      redact: { kindsFor: async () => [] },
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => reports.server.close(() => resolve()));
    await store.close();
    await db.dispose();
  });

  it('describes a binary answer by type, size and sha256, and a later call sends those very bytes as a multipart file', async () => {
    const fetched = await callOperation('getReport', {});
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(fetched).toMatchObject({ type: 'ToolCallCompleted' });
    expect(JSON.parse(fetched.data.output!)).toEqual({ binary: { contentType: 'application/pdf', size: pdf.length, sha256 } });

    const archived = await callOperation('archive', { body: { file: { answer: sha256, filename: 'q3.pdf', contentType: 'application/pdf' } } });
    expect(archived).toMatchObject({ type: 'ToolCallCompleted', data: { output: '{"archived":true}' } });
    expect(reports.archived).toHaveLength(1);
    expect(reports.archived[0]).toMatchObject({ name: 'file', filename: 'q3.pdf', mimeType: 'application/pdf' });
    expect(reports.archived[0]!.content.equals(pdf)).toBe(true);

    // The events name the bytes by their hash; they never carry them. Reads of the whole log stop
    // below transactions still in flight (other specs share the server), so wait for the answers.
    const log = await waitFor('the answers in the log as readers see it', async () => {
      const text = JSON.stringify(await store.readAll({ tenantId, maxCount: 1000 }));
      return text.includes(sha256) && text;
    }, { timeoutMs: 30_000 });
    expect(log).not.toContain(pdf.subarray(9, 60).toString('base64'));
  });

  it('refuses to send a file by a hash no answer of the tenant had, naming it, and sends nothing', async () => {
    const unknown = 'a'.repeat(64);
    const before = reports.archived.length;
    const refused = await callOperation('archive', { body: { file: { answer: unknown } } });
    expect(refused).toMatchObject({ type: 'ToolCallFailed', data: { reason: `the call was not sent: body.file.answer names ${unknown}, which is no binary answer your tools gave` } });
    expect(reports.archived).toHaveLength(before);
  });
});
