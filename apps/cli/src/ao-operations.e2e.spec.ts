import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from './main.js';
import { OperationClient, runOperation, type OperationRecord, type Terminal } from './operations/index.js';
import { PlatformClient } from './platform-client.js';

/*
 * `ao operations` and the plan → dry run → confirm → progress helper every bulk command uses,
 * against a stand-in for the gateway that answers the documented shapes and runs an operation a
 * few items per poll (the real routes are exercised by the gateway's own specs).
 */

interface StandInOperation {
  record: OperationRecord;
  items: { itemId: string; label: string; repeatsSideEffect: boolean; outcome: string | null }[];
  failing: Set<string>;
}

const operations = new Map<string, StandInOperation>();
let requests: { method: string; url: string; body: string }[] = [];
let server: Server;
let url: string;
let next = 0;

function plan(body: { kind: string; filter: { tool?: string }; rate?: number }): StandInOperation {
  const count = body.filter.tool === 'none' ? 0 : 6;
  const operationId = `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
  const items = Array.from({ length: count }, (_, i) => ({ itemId: `dl-${i}`, label: `dead letter ${i}`, repeatsSideEffect: i < 2, outcome: null as string | null }));
  const record: OperationRecord = {
    operationId,
    kind: body.kind,
    filter: body.filter,
    scope: { kind: 'tenant', tenantId: 'acme' },
    status: 'planned',
    reason: null,
    refusal: null,
    abortReason: null,
    rate: body.rate ?? 100,
    total: count,
    done: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    etaSeconds: count === 0 ? 0 : Math.ceil(count / (body.rate ?? 100)),
    counts: { byConsumer: count ? { 'tool-adapters.events': count } : {}, byCode: count ? { timeout: count } : {}, byTool: count ? { crm: count } : {}, byTenant: count ? { acme: count } : {} },
    repeatsSideEffect: Math.min(count, 2),
    requestedBy: { kind: 'user', id: 'key:k-1' },
    requestedAt: '2026-11-29T12:00:00.000Z',
    startedAt: null,
    endedAt: null,
  };
  const operation = { record, items, failing: new Set(body.filter.tool === 'flaky' ? ['dl-3'] : []) };
  operations.set(operationId, operation);
  return operation;
}

/** Two more items per look while running. */
function advance(operation: StandInOperation): void {
  if (operation.record.status !== 'running') return;
  for (const item of operation.items.filter((i) => i.outcome === null).slice(0, 2)) {
    item.outcome = operation.failing.has(item.itemId) ? 'failed' : 'succeeded';
    operation.record = { ...operation.record, done: operation.record.done + 1, [item.outcome]: (operation.record[item.outcome as 'failed'] as number) + 1 };
  }
  const left = operation.record.total - operation.record.done;
  operation.record = { ...operation.record, etaSeconds: left, ...(left === 0 ? { status: 'completed', endedAt: '2026-11-29T12:00:09.000Z', etaSeconds: null } : {}) };
}

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const send = (status: number, value: unknown, type = 'application/json'): void => {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(value));
  };
  const problem = (status: number, title: string, detail: string) => send(status, { type: 'about:blank', title, status, detail }, 'application/problem+json');
  if (req.headers.authorization !== 'Bearer good-key') return problem(401, 'Unauthorized', 'The API key is unknown or revoked.');
  const path = new URL(req.url!, 'http://x');
  if (req.method === 'POST' && path.pathname === '/v1/operations') return send(201, plan(JSON.parse(body)).record);
  if (req.method === 'GET' && path.pathname === '/v1/operations') return send(200, { items: [...operations.values()].map((o) => o.record).reverse(), nextCursor: null });
  const match = /^\/v1\/operations\/([^/]+)(?:\/(items|confirm|pause|resume|abort))?$/.exec(path.pathname);
  const operation = match ? operations.get(match[1]!) : undefined;
  if (!operation) return problem(404, 'Not Found', 'There is no such operation in your tenant.');
  const action = match![2];
  if (req.method === 'GET' && action === undefined) {
    advance(operation);
    return send(200, operation.record);
  }
  if (req.method === 'GET' && action === 'items') return send(200, { items: operation.items.slice(0, Number(path.searchParams.get('limit') ?? 100)).map((item, position) => ({ ...item, position, source: 'dead-letter', tenantId: 'acme', detail: null, executedAt: null })), nextCursor: null });
  const to = { confirm: 'running', pause: 'paused', resume: 'running', abort: 'aborted' }[action as 'confirm'];
  const from = { confirm: ['planned'], pause: ['running'], resume: ['paused'], abort: ['planned', 'running', 'paused'] }[action as 'confirm'];
  if (!from.includes(operation.record.status)) return problem(409, 'Conflict', `Operation ${operation.record.operationId} is ${operation.record.status}.`);
  if (action === 'confirm' && operation.record.total === 0) return problem(409, 'Conflict', 'It matched nothing.');
  const reason = body ? (JSON.parse(body) as { reason?: string }).reason : undefined;
  operation.record = { ...operation.record, status: to as OperationRecord['status'], ...(action === 'abort' ? { abortReason: reason ?? null } : {}) };
  return send(200, operation.record);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
});

async function ao(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'ao', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) }, { AO_URL: url, AO_API_KEY: 'good-key' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const client = () => new OperationClient(new PlatformClient({ url, apiKey: 'good-key' }));
const terminal = (interactive: boolean, answerWith = 'n'): Terminal & { asked: string[] } => {
  const asked: string[] = [];
  return { interactive, progressBar: false, pollMs: 1, timeoutMs: 10_000, asked, ask: async (question) => (asked.push(question), answerWith) };
};
async function run(request: Parameters<typeof runOperation>[1], options: Parameters<typeof runOperation>[2], term: Terminal) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runOperation(client(), request, options, term, { out: (t) => out.push(t), err: (t) => err.push(t) }).catch((error: Error & { code?: number }) => {
    err.push(error.message);
    return error.code ?? -1;
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('plan, dry run, confirm, progress', () => {
  it('prints the dry run with its counts and first items, and changes nothing with --dry-run', async () => {
    const result = await run({ kind: 'redrive', filter: { tool: 'crm' } }, { dryRun: true, show: 3 }, terminal(false));
    expect(result.code).toBe(0);
    expect(result.err).toContain('redrive of 6 items (2 repeat a side effect) at 100/s');
    expect(result.err).toContain('by code: timeout 6');
    expect(result.err).toMatch(/! dl-0 {2}dead letter 0/);
    expect(result.err).toContain('… and 3 more');
    expect(requests.some((r) => r.url.endsWith('/confirm'))).toBe(false);
  });

  it('refuses to act without --yes when no one can answer', async () => {
    const result = await run({ kind: 'redrive', filter: { tool: 'crm' } }, {}, terminal(false));
    expect(result.code).toBe(2);
    expect(result.err).toContain('pass --yes to confirm');
    expect(requests.some((r) => r.url.endsWith('/confirm'))).toBe(false);
  });

  it('asks on a terminal, and a "no" aborts the plan and changes nothing', async () => {
    const term = terminal(true, 'n');
    const result = await run({ kind: 'redrive', filter: { tool: 'crm' } }, {}, term);
    expect(term.asked[0]).toMatch(/Act on these 6 items \(2 repeat a side effect\)\? \[y\/N\]/);
    expect(result.code).toBe(0);
    expect(requests.map((r) => r.url).filter((u) => /confirm|abort/.test(u))).toEqual([expect.stringMatching(/\/abort$/)]);
  });

  it('confirms with --yes, follows the progress with an ETA, and prints the final record with --json', async () => {
    const result = await run({ kind: 'redrive', filter: { tool: 'crm' }, rate: 2 }, { yes: true, json: true }, terminal(false));
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/running: 2\/6 items, ETA 4s/);
    expect(JSON.parse(result.out)).toMatchObject({ status: 'completed', done: 6, succeeded: 6 });
  });

  it('exits 5 when some items failed, and 4 when nothing matched', async () => {
    expect((await run({ kind: 'redrive', filter: { tool: 'flaky' } }, { yes: true }, terminal(false))).code).toBe(5);
    const none = await run({ kind: 'redrive', filter: { tool: 'none' } }, { yes: true }, terminal(false));
    expect(none.code).toBe(4);
    expect(none.err).toContain('nothing matched');
  });
});

describe('ao operations', () => {
  it('lists, shows, pauses, resumes and aborts', async () => {
    const { record } = plan({ kind: 'discard', filter: { tool: 'crm' } });
    const id = record.operationId;
    const list = await ao('operations', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`${id}\\s+discard\\s+planned\\s+0/6`));
    const shown = await ao('operations', 'show', id, '--items', '2');
    expect(shown.out).toContain('0/6 done: 0 succeeded, 0 failed, 0 skipped');
    expect(shown.out).toContain('pending  dl-1  dead letter 1');
    expect((await ao('operations', 'pause', id)).code).toBe(3);
    operations.get(id)!.record = { ...operations.get(id)!.record, status: 'running' };
    expect((await ao('operations', 'pause', id)).out).toContain(`${id}  paused`);
    expect((await ao('operations', 'resume', id)).out).toContain(`${id}  running`);
    const aborted = await ao('operations', 'abort', id, '--reason', 'wrong filter', '--json');
    expect(JSON.parse(aborted.out)).toMatchObject({ status: 'aborted', abortReason: 'wrong filter' });
    expect(JSON.parse(requests.at(-1)!.body)).toEqual({ reason: 'wrong filter' });
  });

  it("says what the platform said about an unknown id", async () => {
    const result = await ao('operations', 'show', '00000000-0000-4000-8000-ffffffffffff');
    expect(result.code).toBe(3);
    expect(result.err).toContain('failed with 404: Not Found: There is no such operation in your tenant.');
  });
});
