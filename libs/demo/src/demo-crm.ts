import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoCrm {
  readonly url: string;
  /** Writes the CRM took, by Idempotency-Key: a retried or redelivered write is taken once. */
  readonly writes: ReadonlyMap<string, unknown>;
  stop(): Promise<void>;
}

const tiers = ['bronze', 'silver', 'gold'];

/** The demo CRM's OpenAPI document: one read, one write, served at /openapi.json. */
export function demoCrmDocument(url: string) {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } };
  const customer = { type: 'object', required: ['id', 'name', 'tier'], properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, tier: { enum: tiers } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Demo CRM', version: '1.0.0', description: 'Customers of the demo tenant: read one, change their tier.' },
    servers: [{ url }],
    paths: {
      '/customers/{id}': {
        get: {
          operationId: 'getCustomer',
          summary: 'Read one customer',
          parameters: [id],
          responses: { '200': { description: 'The customer', content: { 'application/json': { schema: customer } } } },
        },
        patch: {
          operationId: 'updateCustomer',
          summary: "Change a customer's tier",
          parameters: [id],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['tier'], additionalProperties: false, properties: { tier: { enum: tiers } } } } } },
          responses: { '200': { description: 'The changed customer', content: { 'application/json': { schema: customer } } } },
        },
      },
    },
  };
}

/**
 * A small CRM for the dev-mode demo, on 127.0.0.1: customers in memory, a read and a write, its
 * OpenAPI document at /openapi.json. Its email is personal data, so the demo shows redaction too.
 */
export async function startDemoCrm(port: number): Promise<DemoCrm> {
  const customers = new Map([
    ['42', { id: '42', name: 'Ada Lovelace', email: 'ada@example.com', tier: 'bronze' }],
    ['7', { id: '7', name: 'Alan Turing', email: 'alan@example.com', tier: 'silver' }],
  ]);
  const writes = new Map<string, unknown>();
  let url = '';
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.method === 'GET' && request.url === '/openapi.json') return json(200, demoCrmDocument(url));
      const match = /^\/customers\/(\d+)$/.exec(request.url ?? '');
      const found = match ? customers.get(match[1]!) : undefined;
      if (!found) return json(404, { error: 'no such customer' });
      if (request.method === 'GET') return json(200, found);
      if (request.method === 'PATCH') {
        const key = String(request.headers['idempotency-key'] ?? '');
        let change: { tier?: unknown };
        try {
          change = JSON.parse(body) as { tier?: unknown };
        } catch {
          return json(400, { error: 'the body is not JSON' });
        }
        if (typeof change.tier !== 'string' || !tiers.includes(change.tier)) return json(422, { error: `tier must be one of ${tiers.join(', ')}` });
        if (!writes.has(key)) {
          writes.set(key, change);
          found.tier = change.tier;
        }
        return json(200, found);
      }
      json(405, { error: 'method not allowed' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, writes, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
