import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../main.js';
import type { OperationRecord } from '../operations/index.js';

/*
 * `ao dlq redrive` and `ao dlq discard` against a stand-in for the gateway's operations routes,
 * answering their documented shapes: the operation asked for, the dry run shown, the question,
 * confirming, following progress, and the exit codes.
 */

let server: Server;
let url: string;
let requests: { method: string; path: string; body: unknown }[] = [];
/** What the stand-in matches and how the run ends. */
let scenario: { total: number; failed: number; refused?: string };
let polls = 0;

const view = (status: OperationRecord['status'], done: number) => ({
  operationId: 'op-1',
  kind: 'redrive',
  rate: 100,
  status,
  total: scenario.total,
  done,
  succeeded: done - (status === 'completed' ? scenario.failed : 0),
  failed: status === 'completed' ? scenario.failed : 0,
  skipped: 0,
  etaSeconds: status === 'completed' ? 0 : 1,
  counts: { byConsumer: { 'tool-adapters': scenario.total }, byCode: { Rejected: scenario.total }, byTool: { crm: scenario.total }, byTenant: { acme: scenario.total } },
  repeatsSideEffect: scenario.total > 0 ? 1 : 0,
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const path = req.url!;
      requests.push({ method: req.method!, path, body: text ? JSON.parse(text) : undefined });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && path === '/v1/operations') return send(201, scenario.refused ? { ...view('failed', 0), refusal: scenario.refused } : view('planned', 0));
      if (req.method === 'GET' && path.startsWith('/v1/operations/op-1/items'))
        return send(200, { items: Array.from({ length: scenario.total }, (_, i) => ({ itemId: `dl-${i}`, label: `PolicyDecisionRecorded from events.policycheck, failed in tool-adapters (${i})`, repeatsSideEffect: i === 0 })), nextCursor: null });
      if (req.method === 'POST' && path === '/v1/operations/op-1/confirm') return send(200, view('running', 0));
      if (req.method === 'GET' && path === '/v1/operations/op-1') return send(200, ++polls < 2 ? view('running', 1) : view('completed', scenario.total));
      return send(404, { title: 'Not Found', status: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
  polls = 0;
  scenario = { total: 2, failed: 0 };
});

async function ao(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'ao', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) }, { AO_URL: url, AO_API_KEY: 'key' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const confirmed = () => requests.some((request) => request.path === '/v1/operations/op-1/confirm');

describe('ao dlq redrive and discard', () => {
  it('plans with the filter, prints the dry run, and confirms nothing with --dry-run', async () => {
    const dry = await ao(['dlq', 'redrive', '--consumer', 'tool-adapters', '--code', 'Rejected', '--id', 'dl-0', '--rate', '20', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(requests[0]).toEqual({ method: 'POST', path: '/v1/operations', body: { kind: 'redrive', filter: { consumer: 'tool-adapters', code: 'Rejected', ids: ['dl-0'] }, rate: 20 } });
    expect(dry.err).toContain('operation op-1: redrive of 2 items (1 repeat a side effect)');
    expect(dry.err).toContain('  ! dl-0  PolicyDecisionRecorded');
    expect(dry.err).toContain('    dl-1  PolicyDecisionRecorded');
    expect(dry.err).toContain('dry run: nothing was changed');
    expect(confirmed()).toBe(false);
  });

  it('confirms with --yes and follows the operation to its end', async () => {
    const run = await ao(['dlq', 'redrive', '--tool', 'crm', '--yes']);
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining('redrive op-1 completed: 2 succeeded, 0 failed, 0 skipped') });
    expect(run.err).toContain('running: 1/2 items');
    expect(confirmed()).toBe(true);
  });

  it('asks before acting, and without a terminal refuses to act unasked', async () => {
    const unasked = await ao(['dlq', 'redrive', '--tool', 'crm']);
    expect(unasked).toMatchObject({ code: 2, err: expect.stringContaining('pass --yes') });
    expect(confirmed()).toBe(false);
  });

  it('exits 4 when nothing matched and 5 when some items failed', async () => {
    scenario = { total: 0, failed: 0 };
    expect((await ao(['dlq', 'redrive', '--tool', 'crm', '--yes'])).code).toBe(4);
    expect(confirmed()).toBe(false);
    scenario = { total: 3, failed: 1 };
    expect((await ao(['dlq', 'redrive', '--tool', 'crm', '--yes'])).code).toBe(5);
  });

  it('discards only with a reason, and sends it', async () => {
    expect((await ao(['dlq', 'discard', '--tool', 'crm', '--yes'])).code).toBe(2);
    expect(requests).toEqual([]);
    expect((await ao(['dlq', 'discard', '--tool', 'crm', '--reason', 'the CRM record is gone', '--yes'])).code).toBe(0);
    expect(requests[0]!.body).toEqual({ kind: 'discard', filter: { tool: 'crm' }, reason: 'the CRM record is gone' });
  });

  it('says why the platform refused the plan, and exits 3', async () => {
    scenario = { total: 0, failed: 0, refused: '25000 items match: at most 20000; narrow the filter' };
    expect(await ao(['dlq', 'redrive', '--tool', 'crm', '--yes'])).toMatchObject({ code: 3, err: expect.stringContaining('the operation was not planned: 25000 items match') });
    expect(confirmed()).toBe(false);
  });

  it('refuses an operation over every dead letter: a filter or ids are needed', async () => {
    expect((await ao(['dlq', 'redrive', '--yes'])).code).toBe(2);
    expect(requests).toEqual([]);
  });
});
