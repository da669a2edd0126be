import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scenario } from '@agent-orchestrator/audit-proof/testing';
import { main } from './main.js';
import type { AuditExportRecord } from './platform-client.js';

/*
 * `ao audit export` and `ao audit exports` against a stand-in for the gateway that answers the
 * documented shapes (the real gateway is exercised by its own e2e suite): the request, the polling,
 * the gzip download, the local verification, and errors that say what to do.
 */

const s = scenario();
afterAll(() => s.cleanup());
const bundle = readFileSync(s.pathB);
const sha256 = createHash('sha256').update(bundle).digest('hex');

interface Behaviour {
  status: AuditExportRecord['status'];
  error?: string;
  sha256?: string;
}

let behaviour: Behaviour = { status: 'completed' };
let requests: { method: string; url: string; body: string; authorization: string | undefined }[] = [];
let polls = 0;
let server: Server;
let url: string;

function record(): AuditExportRecord {
  const done = polls > 1;
  return {
    exportId: 'export-b',
    tenantId: 'acme',
    status: done ? behaviour.status : 'running',
    request: { from: '2026-01-01T00:20:00.000Z' },
    requestedAt: '2026-01-01T03:00:00.000Z',
    requestedBy: 'key:k-1',
    progress: { written: done ? 20 : 5, total: 20 },
    checkpoint: { treeSize: 40, rootHash: s.c2.rootHash, signedAt: s.c2.signedAt, keyId: s.c2.keyId },
    events: done ? 20 : null,
    bytes: done ? bundle.length : null,
    sha256: done ? (behaviour.sha256 ?? sha256) : null,
    completedAt: done ? '2026-01-01T03:00:05.000Z' : null,
    expiresAt: done ? '2026-07-01T03:00:05.000Z' : null,
    error: behaviour.error ?? null,
    verification: done ? { ok: true, summary: 'ok', findings: [] } : null,
  };
}

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const send = (status: number, value: unknown, type = 'application/json'): void => {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(value));
  };
  if (req.headers.authorization !== 'Bearer good-key') return send(401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The API key is unknown or revoked.' }, 'application/problem+json');
  if (req.method === 'POST' && req.url === '/v1/audit/exports') {
    const request = JSON.parse(body);
    if (request.from === 'later') return send(422, { title: 'Unprocessable', status: 422, detail: 'from is not an instant' }, 'application/problem+json');
    return send(202, { exportId: 'export-b' });
  }
  if (req.method === 'GET' && req.url === '/v1/audit/exports/export-b') {
    polls++;
    return send(200, record());
  }
  if (req.method === 'GET' && req.url === '/v1/audit/exports/export-b/bundle') {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    return void res.end(gzipSync(bundle));
  }
  if (req.method === 'GET' && req.url === '/v1/audit/exports?limit=50') return send(200, { items: [record()], nextCursor: null });
  return send(404, { title: 'Not Found', status: 404 }, 'application/problem+json');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, body, authorization: req.headers.authorization });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  behaviour = { status: 'completed' };
  requests = [];
  polls = 0;
});

async function ao(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'ao', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) }, { AO_URL: url, AO_API_KEY: 'good-key' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('ao audit export', () => {
  it('requests the export, shows progress, downloads the bundle uncompressed and verifies it', async () => {
    const out = join(s.dir, 'downloaded.ndjson');
    const result = await ao('audit', 'export', '--from', '2026-01-01T00:20:00Z', '--session', 's1', '--previous', 'export-a', '--out', out);
    expect(result.err).toContain('exporting: 5/20 events');
    expect(result.err).toContain('exporting: 20/20 events');
    expect(result.out).toContain('verified: export export-b of tenant acme');
    expect(result.code).toBe(0);
    expect(readFileSync(out).equals(bundle)).toBe(true);
    expect(JSON.parse(requests[0]!.body)).toEqual({ from: '2026-01-01T00:20:00.000Z', sessionIds: ['s1'], previousExportId: 'export-a' });
  });

  it('fails when the downloaded file is not the one the platform recorded', async () => {
    behaviour = { status: 'completed', sha256: '0'.repeat(64) };
    const result = await ao('audit', 'export', '--out', join(s.dir, 'other.ndjson'));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`altered: the downloaded file hashes to ${sha256}, the platform recorded ${'0'.repeat(64)}`);
  });

  it('reports a failed export with the reason the platform gave', async () => {
    behaviour = { status: 'failed', error: 'the checkpoint could not be signed' };
    const result = await ao('audit', 'export');
    expect(result.code).toBe(1);
    expect(result.err).toContain('ao: export export-b failed: the checkpoint could not be signed');
  });

  it("prints a problem's title and detail, and what to do about a refused key", async () => {
    let message = '';
    const refused = await main(['node', 'ao', 'audit', 'exports'], { out: () => undefined, err: (t) => (message = t) }, { AO_URL: url, AO_API_KEY: 'bad-key' });
    expect(refused).toBe(3);
    expect(message).toBe('ao: GET /v1/audit/exports?limit=50 failed with 401: Unauthorized: The API key is unknown or revoked. (check AO_API_KEY or --api-key)');
    const invalid = await ao('audit', 'export', '--from', 'yesterday');
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain('--from yesterday is not a date');
  });

  it('says when the platform cannot be reached', async () => {
    const result = await ao('--url', 'http://127.0.0.1:9', 'audit', 'exports');
    expect(result.code).toBe(3);
    expect(result.err).toContain('cannot reach the platform at http://127.0.0.1:9');
  });
});

describe('ao audit exports', () => {
  it('lists past exports as a table, or as JSON', async () => {
    polls = 2;
    const table = await ao('audit', 'exports');
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^EXPORT\s+STATUS\s+REQUESTED\s+RANGE\s+EVENTS\s+TREE\s+EXPIRES\s+CHECK$/);
    expect(table.out).toMatch(/export-b\s+completed\s+2026-01-01T03:00:00.000Z\s+2026-01-01T00:20:00.000Z – …\s+20\s+40/);
    const json = await ao('audit', 'exports', '--json');
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ exportId: 'export-b', status: 'completed' })]);
  });
});
