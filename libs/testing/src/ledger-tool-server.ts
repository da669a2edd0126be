import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the ledger saw: each account's writes by Idempotency-Key, and how often a key came again. */
export interface LedgerCounts {
  /** Writes that took effect (one per distinct Idempotency-Key). */
  readonly writes: number;
  /** Accounts written under more than one key: each key past an account's first is a side effect done twice. */
  readonly duplicateSideEffects: number;
  /** Requests that came again with a key already taken: redeliveries the key absorbed, not side effects. */
  readonly repeatedKeys: number;
  /** When each account written was first written (ms since the epoch). */
  readonly firstWriteAt: ReadonlyMap<string, number>;
}

export interface Ledger {
  readonly url: string;
  counts(): LedgerCounts;
  stop(): Promise<void>;
}

/** The ledger's OpenAPI document: a read and a write of one account, the write sent with an Idempotency-Key. */
export function ledgerDocument(url: string) {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } };
  const account = { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { enum: ['open', 'closed'] } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Load ledger', version: '1.0.0', description: 'Accounts of the load bench: read one, close one.' },
    servers: [{ url }],
    paths: {
      '/accounts/{id}': {
        get: { operationId: 'getAccount', parameters: [id], responses: { '200': { description: 'The account', content: { 'application/json': { schema: account } } } } },
        patch: {
          operationId: 'updateAccount',
          summary: "Change an account's status",
          parameters: [id],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { enum: ['open', 'closed'] } } } } } },
          responses: { '200': { description: 'The changed account', content: { 'application/json': { schema: account } } } },
        },
      },
    },
  };
}

/**
 * The load bench's own tool server on 127.0.0.1. Each session of the bench closes its own account, so
 * an account written under two Idempotency-Keys is one side effect done twice (the platform asked
 * twice for what the model asked once); the same key again is answered as before and applied once,
 * as a server that honours the key does.
 */
export async function startLedger(): Promise<Ledger> {
  const keysByAccount = new Map<string, Set<string>>();
  const taken = new Set<string>();
  const firstWriteAt = new Map<string, number>();
  let repeatedKeys = 0;
  let url = '';
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const json = (status: number, value: unknown) => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.method === 'GET' && request.url === '/openapi.json') return json(200, ledgerDocument(url));
      const match = /^\/accounts\/(\d+)$/.exec(request.url ?? '');
      if (!match) return json(404, { error: 'no such account' });
      const accountId = match[1]!;
      if (request.method === 'GET') return json(200, { id: accountId, status: 'open' });
      if (request.method !== 'PATCH') return json(405, { error: 'method not allowed' });
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key === '') return json(400, { error: 'a write needs an Idempotency-Key' });
      let change: { status?: unknown };
      try {
        change = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: unknown };
      } catch {
        return json(400, { error: 'the body is not JSON' });
      }
      if (change.status !== 'open' && change.status !== 'closed') return json(422, { error: 'status must be open or closed' });
      if (taken.has(key)) repeatedKeys += 1;
      else {
        taken.add(key);
        const keys = keysByAccount.get(accountId) ?? new Set<string>();
        keys.add(key);
        keysByAccount.set(accountId, keys);
        if (!firstWriteAt.has(accountId)) firstWriteAt.set(accountId, Date.now());
      }
      return json(200, { id: accountId, status: change.status });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counts: () => ({
      writes: taken.size,
      duplicateSideEffects: [...keysByAccount.values()].reduce((sum, keys) => sum + keys.size - 1, 0),
      repeatedKeys,
      firstWriteAt: new Map(firstWriteAt),
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
