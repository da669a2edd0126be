import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { compileOpenApi } from '@agent-orchestrator/tools';
import { HttpExecutor } from './http-executor.js';

/** A tool server whose side effects are counted: each request is recorded. */
function startToolServer(): Promise<{ server: Server; baseUrl: string; requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]; failNext: { path: string; times: number } }> {
  const requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const failNext = { path: '', times: 0 };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url?.startsWith(failNext.path) && failNext.times > 0) {
        failNext.times--;
        response.writeHead(503).end('busy');
        return;
      }
      if (request.url?.startsWith('/api/invoices?')) return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: 'inv-1' }]));
      if (request.url === '/api/balance') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ balance: 'lots' }));
      if (request.url === '/api/huge') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096));
      if (request.url === '/api/moved') return void response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      if (request.url === '/api/invoices/inv-404/reminders') return void response.writeHead(404).end('no such invoice');
      if (request.method === 'POST') return void response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ sent: true }));
      response.writeHead(404).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, requests, failNext })));
}

const documentFor = (baseUrl: string) => ({
  openapi: '3.0.3',
  info: { title: 'Invoices', version: '1' },
  servers: [{ url: baseUrl }],
  paths: {
    '/invoices': {
      get: {
        operationId: 'listInvoices',
        parameters: [{ name: 'status', in: 'query', required: true, schema: { type: 'string', enum: ['open', 'paid'] } }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/invoices/{invoiceId}/reminders': {
      post: {
        operationId: 'sendReminder',
        parameters: [{ name: 'invoiceId', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['channel'], properties: { channel: { type: 'string' } } } } } },
        responses: { '202': { description: 'sent' } },
      },
    },
    '/huge': { get: { operationId: 'huge', responses: { '200': { description: 'ok' } } } },
    '/moved': { get: { operationId: 'moved', parameters: [{ name: 'x-note', in: 'header', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
    '/balance': {
      get: {
        operationId: 'balance',
        responses: { '2XX': { description: 'ok', content: { 'application/json': { schema: { type: 'object', required: ['balance'], properties: { balance: { type: 'number' } } } } } } },
      },
    },
  },
});

describe('executing registered tools over HTTP', () => {
  let tool: Awaited<ReturnType<typeof startToolServer>>;
  let definition: ToolDefinition;
  // The tool server is on loopback: the operator's allow-list lets this executor reach it.
  const executor = new HttpExecutor({ retries: 2, minBackoffMs: 10, maxResponseBytes: 1024, breakAfter: 2, halfOpenAfterMs: 60_000 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] }));
  const guarded = new HttpExecutor({ retries: 2, minBackoffMs: 10 }, new EgressGuard());
  const key = { tenantId: 'acme', tool: 'billing', version: 1 };
  const operation = (name: string) => definition.operations.find((candidate) => candidate.name === name)!;

  beforeAll(async () => {
    tool = await startToolServer();
    const compiled = await compileOpenApi(documentFor(tool.baseUrl));
    definition = { source: { kind: 'inline' }, document: {}, scopes: [], ...compiled, operations: compiled.operations.map((o) => ({ ...o, parameters: [...o.parameters], security: [...o.security] })) };
  });
  afterAll(() => new Promise<void>((resolve) => tool.server.close(() => resolve())));
  beforeEach(() => tool.requests.splice(0));

  it('sends a valid call with its query, and answers with the response body', async () => {
    const outcome = await executor.call(key, definition, operation('listInvoices'), '{"status":"open"}', 'key-1');
    expect(outcome).toEqual({ outcome: 'completed', output: '[{"id":"inv-1"}]', status: 200, attempts: 1 });
    expect(tool.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/invoices?status=open']);
  });

  it('fails a call whose JSON answer does not match the document, without retrying it', async () => {
    const outcome = await executor.call(key, definition, operation('balance'), '{}', 'key-b');
    expect(outcome).toMatchObject({ outcome: 'failed', attempts: 1, gaveUp: false, reason: 'GET /api/balance answered 200 with a body that does not match the document: response/balance must be number' });
  });

  it('never sends a call whose arguments do not match the schema', async () => {
    const outcome = await executor.call(key, definition, operation('listInvoices'), '{"status":"overdue","extra":1}', 'key-2');
    expect(outcome).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/do not match billing.listInvoices: .*must NOT have additional properties/) });
    expect(await executor.call(key, definition, operation('listInvoices'), 'not json', 'key-3')).toMatchObject({ outcome: 'refused' });
    expect(tool.requests).toEqual([]);
  });

  it('retries a write that fails twice with the same Idempotency-Key, and succeeds on the third try', async () => {
    tool.failNext.path = '/api/invoices/inv-7/reminders';
    tool.failNext.times = 2;
    const outcome = await executor.call(key, definition, operation('sendReminder'), '{"invoiceId":"inv-7","body":{"channel":"email"}}', 'call-key-7');
    expect(outcome).toMatchObject({ outcome: 'completed', status: 202, attempts: 3 });
    expect(tool.requests.map((r) => [r.method, r.url, r.headers['idempotency-key'], r.body])).toEqual(
      Array.from({ length: 3 }, () => ['POST', '/api/invoices/inv-7/reminders', 'call-key-7', '{"channel":"email"}']),
    );
  });

  it('does not retry a call the tool refuses', async () => {
    const outcome = await executor.call(key, definition, operation('sendReminder'), '{"invoiceId":"inv-404","body":{"channel":"email"}}', 'key-4');
    expect(outcome).toMatchObject({ outcome: 'failed', gaveUp: false, reason: expect.stringContaining('answered 404: no such invoice') });
    expect(tool.requests).toHaveLength(1);
  });

  it('refuses a response larger than the limit', async () => {
    expect(await executor.call(key, definition, operation('huge'), '{}', 'key-5')).toMatchObject({ outcome: 'failed', reason: 'the response is larger than 1024 bytes' });
  });

  it('gives up on a dead endpoint after its retries, then opens the circuit for that tool', async () => {
    const dead = { ...definition, baseUrl: 'http://127.0.0.1:9/api' };
    const deadKey = { ...key, tool: 'dead' };
    const first = await executor.call(deadKey, dead, operation('listInvoices'), '{"status":"open"}', 'key-6');
    expect(first).toMatchObject({ outcome: 'failed', gaveUp: true, attempts: 3, code: 'network', reason: expect.stringMatching(/^gave up after 3 attempts/) });
    await executor.call(deadKey, dead, operation('listInvoices'), '{"status":"open"}', 'key-7');
    expect(await executor.call(deadKey, dead, operation('listInvoices'), '{"status":"open"}', 'key-8')).toMatchObject({ outcome: 'failed', gaveUp: false, code: 'circuit-open', reason: expect.stringContaining('circuit is open') });
    // Another tool is not affected.
    expect(await executor.call(key, definition, operation('listInvoices'), '{"status":"paid"}', 'key-9')).toMatchObject({ outcome: 'completed' });
  });

  it('fails a 3xx answer with its reason, once, and does not follow it', async () => {
    const outcome = await executor.call(key, definition, operation('moved'), '{}', 'key-10');
    expect(outcome).toEqual({ outcome: 'failed', attempts: 1, gaveUp: false, code: 'http-302', reason: 'GET /api/moved answered 302, a redirect; tool calls do not follow redirects, so register the tool with the URL of the server that answers' });
    expect(tool.requests.map((r) => r.url)).toEqual(['/api/moved']);
  });

  it('never sends a request that cannot be sent (a CR or LF in a header value), and does not try again', async () => {
    const outcome = await executor.call(key, definition, operation('moved'), JSON.stringify({ 'x-note': 'hi\r\nx-admin: yes' }), 'key-11');
    expect(outcome).toEqual({ outcome: 'refused', reason: 'the value of header x-note holds a CR, LF or NUL, which HTTP does not allow' });
    expect(tool.requests).toEqual([]);
  });

  it("refuses a tool on loopback unless the tenant's allow-list names it, and never retries the refusal", async () => {
    const refused = await guarded.call(key, definition, operation('listInvoices'), '{"status":"open"}', 'key-12');
    expect(refused).toEqual({ outcome: 'refused', reason: '127.0.0.1 is a loopback address; a tenant admin may allow it with PUT /v1/egress' });
    expect(tool.requests).toEqual([]);
    const port = new URL(tool.baseUrl).port;
    const allowed = await guarded.call(key, definition, operation('listInvoices'), '{"status":"open"}', 'key-13', [], [`127.0.0.1:${port}`]);
    expect(allowed).toMatchObject({ outcome: 'completed', attempts: 1 });
    expect(tool.requests).toHaveLength(1);
  });
});
