import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import { stringify } from 'yaml';

/**
 * An ERP of 1,000 operations, as a big vendor API describes itself: every operation with its
 * parameters, a shared schema of some weight, and one operation that refunds an invoice.
 */
function erpDocument(baseUrl: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const nouns = ['widget', 'gadget', 'order', 'shipment', 'supplier', 'warehouse', 'ledger', 'contract', 'employee', 'asset'];
  for (let index = 0; paths && Object.keys(paths).length < 999; index++) {
    const noun = nouns[index % nouns.length]!;
    paths[`/${noun}s/${index}/{id}`] = {
      get: {
        operationId: `get${noun[0]!.toUpperCase()}${noun.slice(1)}${index}`,
        summary: `Read ${noun} record ${index}`,
        tags: [noun],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'expand', in: 'query', schema: { type: 'string', enum: ['lines', 'history', 'owner'] } },
        ],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Record' } } } } },
      },
    };
  }
  paths['/invoices/{invoiceId}/refund'] = {
    post: {
      operationId: 'refundInvoice',
      summary: 'Refund a paid invoice to the customer',
      tags: ['billing'],
      parameters: [{ name: 'invoiceId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'refunded', content: { 'application/json': { schema: { type: 'object', required: ['refunded'], properties: { refunded: { type: 'boolean' } } } } } } },
    },
  };
  const field = (name: string) => [name, { type: 'string', description: `The ${name} of the record, as the ERP keeps it.`, maxLength: 500 }];
  return {
    openapi: '3.0.3',
    info: { title: 'ERP', version: '7.2' },
    servers: [{ url: baseUrl }],
    paths,
    components: { schemas: { Record: { type: 'object', properties: Object.fromEntries(['id', 'name', 'owner', 'status', 'created', 'updated', 'notes', 'region'].map(field)) } } },
  };
}

/** Registering a big vendor API by URL and using one operation of it through find_tools, in dev mode. */
describe('large tools (dev mode)', () => {
  const adminKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let erp: Server;
  let erpUrl: string;
  const refunds: string[] = [];

  beforeAll(async () => {
    erp = createServer((request, response) => {
      if (request.url === '/erp/openapi.yaml') return void response.writeHead(200, { 'content-type': 'application/yaml' }).end(stringify(erpDocument(`${erpUrl}/erp`)));
      const refund = /^\/erp\/invoices\/([^/]+)\/refund$/.exec(request.url ?? '');
      if (refund && request.method === 'POST') {
        refunds.push(refund[1]!);
        return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"refunded":true}');
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => erp.listen(0, '127.0.0.1', resolve));
    erpUrl = `http://127.0.0.1:${(erp.address() as AddressInfo).port}`;
    dev = await startDevModeProcess('large_tools', { DEV_API_KEY: adminKey });
  });
  afterAll(async () => {
    await dev?.stop();
    erp?.close();
  });

  async function call<Body = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
    const response = await fetch(`${dev.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Body };
  }

  it('registers a 1,000-operation document by URL, and an agent finds and calls the one operation it needs', async () => {
    expect((await call('PUT', '/v1/egress', { allow: [new URL(erpUrl).host] })).status).toBe(200);
    const started = performance.now();
    const registered = await call<{ version: number; operations: { name: string }[] }>('POST', '/v1/tools', { name: 'erp', url: `${erpUrl}/erp/openapi.yaml` });
    const seconds = (performance.now() - started) / 1000;
    expect(registered.status).toBe(201);
    expect(registered.body.operations).toHaveLength(1000);
    console.info(`registered 1,000 operations by URL in ${seconds.toFixed(1)} s`);
    const read = await call<{ operations: { name: string }[] }>('GET', '/v1/tools/erp');
    expect(read.body.operations).toHaveLength(1000);
    expect(read.body.operations.map((operation) => operation.name)).toContain('refundInvoice');
    expect((await call<{ items: { name: string; operations: unknown[] }[] }>('GET', '/v1/tools')).body.items.find((tool) => tool.name === 'erp')?.operations).toHaveLength(1000);

    expect((await call('POST', '/v1/agents', { name: 'Clerk', instructions: 'You settle billing requests.', tools: ['erp'] })).status).toBe(201);
    const policy = {
      allowedTools: ['crm', 'echo', 'erp'],
      rules: [{ id: 'refunds-need-approval', description: 'A refund needs an approver', effect: 'require_approval', match: { tools: ['erp'], methods: ['post'] }, approval: { role: 'approver' } }],
    };
    expect((await call('PUT', '/v1/policies', policy)).status).toBe(200);
    const modelScript = {
      turns: [
        { agent: 'Planner', output: { steps: [{ stepId: 'refund', title: 'Refund invoice inv-7', agent: 'Clerk', dependsOn: [] }] } },
        { agent: 'Clerk', run: 'refund', toolCalls: [{ tool: 'find_tools', arguments: { query: 'refund an invoice' } }] },
        { agent: 'Clerk', run: 'refund', toolCalls: [{ tool: 'erp__refundInvoice', arguments: { invoiceId: 'inv-7' } }] },
        { agent: 'Clerk', run: 'refund', text: 'Refunded inv-7.' },
        { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
      ],
    };
    const session = await call<{ sessionId: string }>('POST', '/v1/sessions', { goal: 'Refund invoice inv-7', context: { modelScript } });
    expect(session.status).toBe(202);
    const { sessionId } = session.body;
    // The refund is held for an approver, who approves it here.
    let approved = 0;
    await waitFor('the session to complete', async () => {
      const status = (await call<{ status: string }>('GET', `/v1/sessions/${sessionId}`)).body.status;
      if (status === 'awaiting_approval') {
        const pending = (await call<{ items: { approvalId: string; status: string }[] }>('GET', `/v1/approvals?sessionId=${sessionId}`)).body.items.find((item) => item.status === 'pending');
        if (pending) approved += Number((await call('POST', `/v1/approvals/${pending.approvalId}/decision`, { decision: 'approve' })).status === 200);
      }
      if (status === 'failed') throw new Error(`the session failed: ${JSON.stringify((await call('GET', `/v1/sessions/${sessionId}/events?limit=1000`)).body).slice(-2000)}`);
      return status === 'completed';
    }, { timeoutMs: 90_000 });
    expect(approved).toBe(1);
    expect(refunds).toEqual(['inv-7']);
    const ended = (await call<{ steps: { stepId: string; output?: unknown }[] }>('GET', `/v1/sessions/${sessionId}`)).body;
    expect(ended.steps).toMatchObject([{ stepId: 'refund', output: 'Refunded inv-7.' }]);
  });
});
