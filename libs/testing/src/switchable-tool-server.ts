import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SwitchableToolServer {
  readonly baseUrl: string;
  /** An OpenAPI document of the server: `createContact` (POST /contacts, a write) and `getContact` (GET /contacts/{id}). */
  readonly document: Record<string, unknown>;
  /** While on, every request is answered 503 (`failWith: 503`) or its connection is destroyed unanswered (`'reset'`). */
  outage(on: boolean, failWith?: 503 | 'reset'): void;
  /** Writes that took effect, by Idempotency-Key: a key seen again is answered as before and not counted again. */
  readonly writes: Map<string, number>;
  /** Every request that arrived, failed or not. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * A tool's HTTP server that fails while a switch is on: what parked calls are tested against.
 * A successful write is counted per Idempotency-Key (as a server that honours the key would apply it
 * once), so a spec can check that each side effect happened once.
 */
export function startSwitchableToolServer(): Promise<SwitchableToolServer> {
  let failing: false | 503 | 'reset' = false;
  let received = 0;
  const writes = new Map<string, number>();
  const answers = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    received++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failing === 'reset') return void request.socket.destroy();
      if (failing === 503) return void response.writeHead(503, { 'content-type': 'text/plain' }).end('upstream unavailable');
      if (request.method === 'POST') {
        const key = String(request.headers['idempotency-key'] ?? `no-key-${received}`);
        writes.set(key, (writes.get(key) ?? 0) + (answers.has(key) ? 0 : 1));
        const answer = answers.get(key) ?? JSON.stringify({ id: `c${writes.size}`, ...(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as object) });
        answers.set(key, answer);
        return void response.writeHead(201, { 'content-type': 'application/json' }).end(answer);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: request.url?.split('/').pop() }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        baseUrl,
        document: {
          openapi: '3.1.0',
          info: { title: 'CRM', version: '1' },
          servers: [{ url: baseUrl }],
          paths: {
            '/contacts': {
              post: {
                operationId: 'createContact',
                requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } } } },
                responses: { '201': { description: 'created' } },
              },
            },
            '/contacts/{id}': { get: { operationId: 'getContact', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
          },
        },
        outage(on, failWith = 503) {
          failing = on ? failWith : false;
        },
        writes,
        requests: () => received,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}
