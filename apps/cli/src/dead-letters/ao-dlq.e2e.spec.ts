import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../main.js';
import type { DeadLetterDetail, DeadLetterItem } from './dead-letter-views.js';

/*
 * `ao dlq list` and `ao dlq show` against a stand-in for the gateway that answers the documented
 * shapes (the routes themselves are the gateway's specs'): the query sent, paging, the table, the
 * JSON, and what a refusal prints.
 */

const item = (id: string, overrides: Partial<DeadLetterItem> = {}): DeadLetterItem => ({
  id,
  source: 'dead-letter',
  tenantId: 'acme',
  consumer: 'tool-adapters',
  errorCode: 'Rejected',
  reason: 'the run is gone',
  attempts: 2,
  sourceTopic: 'events.policycheck',
  sourcePartition: 1,
  sourceOffset: '9',
  sessionId: 'session-1',
  tool: 'crm',
  messageType: 'PolicyDecisionRecorded',
  firstSeen: '2026-11-20T10:00:00.000Z',
  lastSeen: '2026-11-20T10:00:00.000Z',
  status: 'pending',
  redriveCount: 0,
  discardReason: null,
  actedBy: null,
  actedAt: null,
  repeatsSideEffect: true,
  sideEffectNote: 'runs POST crm.createLead',
  ...overrides,
});

const pages = [
  { items: [item('dl-1'), item('dl-2', { tool: null, consumer: 'orchestrator' })], nextCursor: 'page-2' },
  { items: [item('dl-3')], nextCursor: null },
];
const detail: DeadLetterDetail = { ...item('dl-1'), message: { key: 'policycheck-1', headers: { 'dlq-reason': 'the run is gone' }, value: { encoding: 'json', json: { type: 'PolicyDecisionRecorded' } } } };

let server: Server;
let url: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer good-key') return send(403, { title: 'Forbidden', status: 403, detail: 'The roles of this caller (viewer) do not allow "read" on DeadLetter.' }, 'application/problem+json');
    const parsed = new URL(req.url!, 'http://x');
    if (parsed.pathname === '/v1/dead-letters') return send(200, parsed.searchParams.get('cursor') === 'page-2' ? pages[1] : pages[0]);
    if (parsed.pathname === '/v1/dead-letters/dl-1') return send(200, detail);
    return send(404, { title: 'Not Found', status: 404, detail: 'There is no dead letter dl-9.' }, 'application/problem+json');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => requests.splice(0));

async function ao(args: string[], key = 'good-key') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'ao', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) }, { AO_URL: url, AO_API_KEY: key });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('ao dlq', () => {
  it('lists as a table, following the cursor, with the filters in the query', async () => {
    const listed = await ao(['dlq', 'list', '--consumer', 'tool-adapters', '--code', 'Rejected', '--tool', 'crm', '--status', 'pending', '--since', '2026-11-01T00:00:00Z']);
    expect(listed.code).toBe(0);
    const lines = listed.out.split('\n');
    expect(lines[0]).toMatch(/^ID\s+LAST SEEN\s+TENANT\s+CONSUMER\s+CODE\s+TOOL\s+TYPE\s+STATUS\s+REDRIVES\s+REASON$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['dl-1', 'dl-2', 'dl-3']);
    expect(lines[2]).toContain('orchestrator');
    const first = new URL(requests[0]!, 'http://x').searchParams;
    expect(Object.fromEntries(first)).toEqual({ consumer: 'tool-adapters', code: 'Rejected', tool: 'crm', status: 'pending', since: '2026-11-01T00:00:00.000Z', limit: '50' });
    expect(new URL(requests[1]!, 'http://x').searchParams.get('cursor')).toBe('page-2');
  });

  it('prints JSON, stops at --limit, and takes a time ago for --since', async () => {
    const before = Date.now();
    const listed = await ao(['dlq', 'list', '--json', '--limit', '2', '--since', '2h']);
    expect((JSON.parse(listed.out) as DeadLetterItem[]).map((row) => row.id)).toEqual(['dl-1', 'dl-2']);
    expect(requests).toHaveLength(1);
    const since = Date.parse(new URL(requests[0]!, 'http://x').searchParams.get('since')!);
    expect(before - since).toBeGreaterThanOrEqual(2 * 3_600_000 - 1000);
    expect(before - since).toBeLessThan(2 * 3_600_000 + 60_000);
  });

  it('shows one dead letter with its message', async () => {
    const shown = await ao(['dlq', 'show', 'dl-1']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('error:       Rejected: the run is gone');
    expect(shown.out).toContain('side effect: a redrive repeats one (runs POST crm.createLead)');
    expect(shown.out).toContain('"type": "PolicyDecisionRecorded"');
    expect(JSON.parse((await ao(['dlq', 'show', 'dl-1', '--json'])).out)).toEqual(detail);
  });

  it('exits 2 on a bad flag and 3 when the platform refuses, saying why', async () => {
    expect((await ao(['dlq', 'list', '--since', 'last tuesday'])).code).toBe(2);
    expect((await ao(['dlq', 'list', '--status', 'lost'])).code).toBe(2);
    const missing = await ao(['dlq', 'show', 'dl-9']);
    expect(missing).toMatchObject({ code: 3, err: expect.stringContaining('There is no dead letter dl-9') });
    const refused = await ao(['dlq', 'list'], 'viewer-key');
    expect(refused).toMatchObject({ code: 3, err: expect.stringContaining('the key lacks the role this needs') });
  });
});
