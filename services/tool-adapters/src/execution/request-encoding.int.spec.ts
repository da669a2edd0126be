import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import busboy from 'busboy';
import { parseCookie } from 'cookie';
import qs from 'qs';
import { HttpExecutor } from './http-executor.js';

type Operation = ToolDefinition['operations'][number];

/** What the server read from one request, with real parsers: the multipart parts, and the raw parts of everything else. */
interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  fields: { name: string; value: string; mimeType: string }[];
  files: { name: string; filename: string | undefined; mimeType: string; content: Buffer }[];
}

const pngBytes = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 7) % 256));

function startServer(): Promise<{ server: Server; baseUrl: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const record: Received = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.alloc(0), fields: [], files: [] };
    const answer = () => {
      received.push(record);
      if (request.url === '/api/flaky' && received.filter((r) => r.url === '/api/flaky').length === 1) return void response.writeHead(503).end('busy');
      if (request.url === '/api/answers/png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(pngBytes);
      if (request.url === '/api/answers/big') return void response.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.alloc(5000, 1));
      if (request.url === '/api/answers/csv') return void response.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end('id,name\n1,Ada\n');
      if (request.url === '/api/answers/problem') return void response.writeHead(200, { 'content-type': 'application/problem+json' }).end('{"title":"fine"}');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    if ((request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      const parser = busboy({ headers: request.headers });
      parser.on('field', (name, value, info) => record.fields.push({ name, value, mimeType: info.mimeType }));
      parser.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => record.files.push({ name, filename: info.filename, mimeType: info.mimeType, content: Buffer.concat(chunks) }));
      });
      parser.on('close', answer);
      request.pipe(parser);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      record.body = Buffer.concat(chunks);
      answer();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, received })));
}

/** Operations built as the compiler builds them (the agreed shape), with schemas loose enough to let the executor's own checks speak. */
const operation = (name: string, method: Operation['method'], path: string, parameters: Operation['parameters'], body: Operation['body'] = null, bodySchema: Record<string, unknown> = {}): Operation => ({
  name,
  method,
  path,
  description: name,
  parameters,
  body,
  inputSchema: { type: 'object', properties: { ...Object.fromEntries(parameters.map((p) => [p.name, {}])), ...(body ? { body: bodySchema } : {}) } },
  idempotent: method === 'get',
});

const fileSchema = { anyOf: [{ type: 'string' }, { type: 'object', required: ['base64'], properties: { base64: { type: 'string' }, filename: { type: 'string' }, contentType: { type: 'string' } }, additionalProperties: false }] };

const operations: Operation[] = [
  operation('pathStyles', 'get', '/items/{ids}/{coords}/{tags}/{name}', [
    { name: 'ids', in: 'path', required: true, style: 'label', explode: true },
    { name: 'coords', in: 'path', required: true, style: 'matrix', explode: true },
    { name: 'tags', in: 'path', required: true },
    { name: 'name', in: 'path', required: true },
  ]),
  operation('queryStyles', 'get', '/search', [
    { name: 'tag', in: 'query', required: false },
    { name: 'fields', in: 'query', required: false, explode: false },
    { name: 'words', in: 'query', required: false, style: 'spaceDelimited' },
    { name: 'ids', in: 'query', required: false, style: 'pipeDelimited' },
    { name: 'filter', in: 'query', required: false, style: 'deepObject', explode: true },
    { name: 'next', in: 'query', required: false, allowReserved: true },
    { name: 'q', in: 'query', required: false },
  ]),
  operation('headersAndCookies', 'get', '/whoami', [
    { name: 'x-tags', in: 'header', required: false },
    { name: 'x-point', in: 'header', required: false, explode: true },
    { name: 'session', in: 'cookie', required: false },
    { name: 'ids', in: 'cookie', required: false, explode: false },
    { name: 'pref', in: 'cookie', required: false },
  ]),
  operation('mergePatch', 'patch', '/people/{id}', [{ name: 'id', in: 'path', required: true }], { required: true, mediaType: 'application/merge-patch+json' }),
  operation('signUp', 'post', '/sign-up', [], { required: true, mediaType: 'application/x-www-form-urlencoded', encoding: { roles: { style: 'pipeDelimited' } } }),
  operation('upload', 'post', '/upload', [], { required: true, mediaType: 'multipart/form-data', encoding: { metadata: { contentType: 'application/vnd.meta+json' }, thumbnail: { contentType: 'image/png, image/jpeg' } } }, {
    type: 'object',
    properties: { title: { type: 'string' }, file: fileSchema, thumbnail: fileSchema, notes: { type: 'string', format: 'binary' }, metadata: { type: 'object' }, labels: { type: 'array' } },
  }),
  operation('note', 'post', '/notes', [], { required: true, mediaType: 'text/plain' }, { type: 'string' }),
  operation('blob', 'put', '/blobs', [], { required: true, mediaType: 'application/octet-stream' }),
  operation('flaky', 'post', '/flaky', [], { required: true, mediaType: 'multipart/form-data' }, { type: 'object', properties: { file: fileSchema } }),
  operation('png', 'get', '/answers/png', []),
  operation('big', 'get', '/answers/big', []),
  operation('csv', 'get', '/answers/csv', []),
  operation('problem', 'get', '/answers/problem', []),
];

describe('sending every kind of request and reading every kind of answer', () => {
  let tool: Awaited<ReturnType<typeof startServer>>;
  let definition: ToolDefinition;
  // The tool server is on loopback: the operator's allow-list lets this executor reach it.
  const executor = new HttpExecutor({ retries: 0, maxResponseBytes: 4096 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] }));
  const key = { tenantId: 'acme', tool: 'kinds', version: 1 };
  const call = (name: string, args: Record<string, unknown>) => executor.call(key, definition, operations.find((o) => o.name === name)!, JSON.stringify(args), `key-${name}`);
  const only = () => {
    expect(tool.received).toHaveLength(1);
    return tool.received[0]!;
  };

  beforeAll(async () => {
    tool = await startServer();
    definition = { source: { kind: 'inline' }, document: {}, openapi: '3.1.0', title: 'Kinds', documentVersion: '1', baseUrl: tool.baseUrl, operations, scopes: [] };
  });
  afterAll(() => new Promise<void>((resolve) => tool.server.close(() => resolve())));
  beforeEach(() => tool.received.splice(0));

  it('fills path templates per label, matrix and simple styles, encoding what would change the path', async () => {
    const outcome = await call('pathStyles', { ids: [3, 4], coords: { lat: 1.5, lon: -2 }, tags: ['a', 'b,c'], name: 'ü/..' });
    expect(outcome).toMatchObject({ outcome: 'completed', status: 200 });
    const { url } = only();
    expect(url).toBe('/api/items/.3.4/;lat=1.5;lon=-2/a,b%2Cc/%C3%BC%2F..');
    const segments = url.split('/').map(decodeURIComponent);
    expect(segments.slice(3)).toEqual(['.3.4', ';lat=1.5;lon=-2', 'a,b,c', 'ü/..']);
  });

  it('writes query parameters per form, spaceDelimited, pipeDelimited and deepObject, with reserved characters only where allowed', async () => {
    const outcome = await call('queryStyles', {
      tag: ['red', 'blue'],
      fields: ['id', 'name'],
      words: ['big', 'cat'],
      ids: [1, 2, 3],
      filter: { status: 'open', amount: { gte: 10 } },
      next: '/page?after=9',
      q: 'a&b=c #d',
    });
    expect(outcome).toMatchObject({ outcome: 'completed' });
    const { url } = only();
    const search = new URL(url, 'http://x').searchParams;
    expect(search.getAll('tag')).toEqual(['red', 'blue']);
    expect(search.get('fields')).toBe('id,name');
    expect(search.get('words')).toBe('big cat');
    expect(search.get('ids')).toBe('1|2|3');
    expect(search.get('q')).toBe('a&b=c #d');
    expect(qs.parse(url.split('?')[1]!).filter).toEqual({ status: 'open', amount: { gte: '10' } });
    // Left as it is, the reserved characters split the value as the document allowed them to.
    expect(url).toContain('&next=/page?after=9&');
  });

  it('sends header parameters as simple values and cookie parameters in one Cookie header', async () => {
    const outcome = await call('headersAndCookies', { 'x-tags': ['a', 'b'], 'x-point': { x: 1, y: 2 }, session: 'abc def;x', ids: [1, 2, 3], pref: ['dark', 'compact'] });
    expect(outcome).toMatchObject({ outcome: 'completed' });
    const { headers } = only();
    expect(headers['x-tags']).toBe('a,b');
    expect(headers['x-point']).toBe('x=1,y=2');
    expect(headers.cookie).toBe('session=abc%20def%3Bx; ids=1,2,3; pref=dark; pref=compact');
    expect(parseCookie(headers.cookie!)).toMatchObject({ session: 'abc def;x', ids: '1,2,3', pref: 'dark' });
  });

  it('never sends a CR, LF or NUL in a header or cookie, nor a value its style cannot carry, and names the argument', async () => {
    expect(await call('headersAndCookies', { session: 'abc\r\nSet-Cookie: admin=1' })).toEqual({ outcome: 'refused', reason: 'argument session (cookie session) holds a CR, LF or NUL, which a Cookie header cannot carry' });
    expect(await call('headersAndCookies', { 'x-tags': ['ok', 'no\0'] })).toEqual({ outcome: 'refused', reason: 'the value of header x-tags holds a CR, LF or NUL, which HTTP does not allow' });
    expect(await call('queryStyles', { filter: ['open'] })).toEqual({ outcome: 'refused', reason: 'argument filter is an array; style deepObject carries objects only' });
    expect(await call('queryStyles', { tag: [['red']] })).toEqual({ outcome: 'refused', reason: 'argument tag[0] holds a nested array, which style form cannot carry; only deepObject nests' });
    expect(await call('pathStyles', { ids: [1], coords: {}, tags: [], name: '..' })).toEqual({ outcome: 'refused', reason: 'argument name is "..", which would change the path instead of filling it' });
    expect(tool.received).toEqual([]);
  });

  it('sends a +json body with its own content type', async () => {
    expect(await call('mergePatch', { id: 'p1', body: { name: null, tags: ['x'] } })).toMatchObject({ outcome: 'completed' });
    const { method, url, headers, body } = only();
    expect([method, url, headers['content-type']]).toEqual(['PATCH', '/api/people/p1', 'application/merge-patch+json']);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ name: null, tags: ['x'] });
  });

  it('sends a form body with nested objects in brackets, arrays repeated, and each property per its encoding', async () => {
    const outcome = await call('signUp', { body: { email: 'ada@example.com', address: { city: 'Paris', geo: { lat: 48.8 } }, interests: ['math', 'engines'], roles: ['admin', 'author'], note: 'a+b & c' } });
    expect(outcome).toMatchObject({ outcome: 'completed' });
    const { headers, body } = only();
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    const text = body.toString('utf8');
    expect(qs.parse(text)).toEqual({ email: 'ada@example.com', address: { city: 'Paris', geo: { lat: '48.8' } }, interests: ['math', 'engines'], roles: 'admin|author', note: 'a+b & c' });
    expect(new URLSearchParams(text).getAll('interests')).toEqual(['math', 'engines']);
  });

  it('sends a multipart body: text fields, files from base64 or text, JSON parts, repeated parts, and the encoding content types', async () => {
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const outcome = await call('upload', {
      body: {
        title: 'Quarterly report',
        file: { base64: image.toString('base64'), filename: 'chart.png', contentType: 'image/png' },
        thumbnail: { base64: image.toString('base64') },
        notes: 'plain notes, given as text',
        metadata: { pages: 3, draft: false },
        labels: ['q3', 'finance'],
      },
    });
    expect(outcome).toMatchObject({ outcome: 'completed' });
    const { fields, files, headers } = only();
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(fields).toEqual([
      { name: 'title', value: 'Quarterly report', mimeType: 'text/plain' },
      { name: 'labels', value: 'q3', mimeType: 'text/plain' },
      { name: 'labels', value: 'finance', mimeType: 'text/plain' },
    ]);
    const byName = Object.fromEntries(files.map((file) => [file.name, { ...file, content: file.content.toString('base64') }]));
    expect(byName.file).toEqual({ name: 'file', filename: 'chart.png', mimeType: 'image/png', content: image.toString('base64') });
    expect(byName.thumbnail).toEqual({ name: 'thumbnail', filename: 'thumbnail', mimeType: 'image/png', content: image.toString('base64') });
    expect(byName.notes).toMatchObject({ filename: 'notes', mimeType: 'application/octet-stream', content: Buffer.from('plain notes, given as text').toString('base64') });
    expect(byName.metadata).toMatchObject({ mimeType: 'application/vnd.meta+json' });
    expect(JSON.parse(Buffer.from(byName.metadata!.content, 'base64').toString('utf8'))).toEqual({ pages: 3, draft: false });
  });

  it('refuses a file whose base64 is not base64, naming the argument, and sends nothing', async () => {
    expect(await call('upload', { body: { title: 't', file: { base64: 'not base64!', filename: 'a.png' } } })).toEqual({
      outcome: 'refused',
      reason: 'argument body.file.base64 is not base64: give the bytes in standard base64 (A-Z, a-z, 0-9, "+", "/", padded with "=")',
    });
    expect(await call('upload', { body: { file: { base64: 'AAAA', filename: 'a\r\n.png' } } })).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^argument body.file has a filename or contentType holding a CR, LF or NUL/) });
    expect(await call('blob', { body: { base64: 'QUJD=' } })).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^argument body.base64 is not base64/) });
    expect(tool.received).toEqual([]);
  });

  it('sends text/plain as the string, and octet-stream from base64 or a string', async () => {
    expect(await call('note', { body: 'line one\nline two ü' })).toMatchObject({ outcome: 'completed' });
    expect(only().headers['content-type']).toBe('text/plain');
    expect(only().body.toString('utf8')).toBe('line one\nline two ü');
    tool.received.splice(0);

    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    expect(await call('blob', { body: { base64: bytes.toString('base64') } })).toMatchObject({ outcome: 'completed' });
    expect(await call('blob', { body: 'just text' })).toMatchObject({ outcome: 'completed' });
    expect(tool.received.map((r) => [r.method, r.headers['content-type'], r.body.toString('hex')])).toEqual([
      ['PUT', 'application/octet-stream', bytes.toString('hex')],
      ['PUT', 'application/octet-stream', Buffer.from('just text').toString('hex')],
    ]);
  });

  it('sends the same multipart body again when a call is retried', async () => {
    const retrying = new HttpExecutor({ retries: 1, minBackoffMs: 1 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] }));
    const args = { body: { file: { base64: Buffer.from('report').toString('base64'), filename: 'r.txt', contentType: 'text/plain' }, note: 'n' } };
    const outcome = await retrying.call(key, definition, operations.find((o) => o.name === 'flaky')!, JSON.stringify(args), 'key-flaky');
    expect(outcome).toMatchObject({ outcome: 'completed', attempts: 2 });
    expect(tool.received.map((r) => [r.headers['idempotency-key'], r.fields, r.files.map((f) => [f.filename, f.mimeType, f.content.toString('utf8')])])).toEqual(
      Array.from({ length: 2 }, () => ['key-flaky', [{ name: 'note', value: 'n', mimeType: 'text/plain' }], [['r.txt', 'text/plain', 'report']]]),
    );
  });

  it('describes a binary answer by type, size and hash instead of keeping it, and keeps text and +json answers as text', async () => {
    const png = await call('png', {});
    // The bytes come back beside the description, for the caller to keep; the output only describes them.
    expect(png).toEqual({ outcome: 'completed', status: 200, attempts: 1, output: JSON.stringify({ binary: { contentType: 'image/png', size: 3000, sha256: createHash('sha256').update(pngBytes).digest('hex') } }), binary: pngBytes });
    expect(await call('csv', {})).toMatchObject({ outcome: 'completed', output: 'id,name\n1,Ada\n' });
    expect(await call('problem', {})).toMatchObject({ outcome: 'completed', output: '{"title":"fine"}' });
  });

  it('fails a binary answer larger than the limit', async () => {
    expect(await call('big', {})).toMatchObject({ outcome: 'failed', reason: 'the response is larger than 4096 bytes' });
  });
});
