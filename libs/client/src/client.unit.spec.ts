import { createClient } from './client.js';
import { problemTypes, ProblemError } from './problem.js';

/** A fetch that answers from a list, recording each request. */
function scriptedFetch(answers: (() => Response | Promise<Response>)[]) {
  const requests: Request[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const answer = answers[requests.length - 1];
    if (!answer) throw new Error(`unexpected request ${request.method} ${request.url}`);
    return answer();
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const problem = (status: number, type: string, headers: Record<string, string> = {}) => json(status, { type, title: 't', status, detail: 'd' }, { ...headers, 'content-type': 'application/problem+json' });
const lostAnswer = () => Promise.reject(new TypeError('fetch failed'));

describe('the client', () => {
  it('retries a start with the same Idempotency-Key after a lost answer or a 503, and sends the key it was given', async () => {
    const { fetch, requests } = scriptedFetch([lostAnswer, problem(503, problemTypes.unavailable), json(202, { sessionId: 's1', status: 'queued' }), json(202, { sessionId: 's2', status: 'queued' })]);
    const client = createClient({ baseUrl: 'http://gateway/', apiKey: 'k1', fetch });
    await expect(client.sessions.start({ goal: 'upgrade customer 42' })).resolves.toEqual({ sessionId: 's1', status: 'queued' });
    const keys = requests.map((request) => request.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys).toEqual([keys[0], keys[0], keys[0]]);
    expect(requests.map((request) => request.headers.get('authorization'))).toEqual(['Bearer k1', 'Bearer k1', 'Bearer k1']);
    await client.sessions.start({ goal: 'again' }, { idempotencyKey: 'mine' });
    expect(requests[3]!.headers.get('idempotency-key')).toBe('mine');
  });

  it('waits the Retry-After of a 429 before retrying a start', async () => {
    const { fetch, requests } = scriptedFetch([problem(429, problemTypes.rateLimited, { 'retry-after': '1' }), json(202, { sessionId: 's1', status: 'queued' })]);
    const client = createClient({ baseUrl: 'http://gateway', fetch });
    const started = Date.now();
    await client.sessions.start({ goal: 'upgrade customer 42' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(requests).toHaveLength(2);
  });

  it('does not retry an answer that will not change (422)', async () => {
    const { fetch, requests } = scriptedFetch([problem(422, problemTypes.invalidBody), json(202, {})]);
    const client = createClient({ baseUrl: 'http://gateway', fetch });
    await expect(client.sessions.start({ goal: '' })).rejects.toMatchObject({ status: 422, type: problemTypes.invalidBody });
    expect(requests).toHaveLength(1);
  });

  it('throws a ProblemError for every non-2xx answer, the raw client included, with Retry-After on 429', async () => {
    const { fetch } = scriptedFetch([problem(404, problemTypes.notFound), problem(429, problemTypes.rateLimited, { 'retry-after': '7' })]);
    const client = createClient({ baseUrl: 'http://gateway', fetch });
    await expect(client.sessions.get('nope')).rejects.toBeInstanceOf(ProblemError);
    await expect(client.raw.GET('/v1/agents')).rejects.toMatchObject({ status: 429, type: problemTypes.rateLimited, retryAfter: 7 });
  });

  it('asks getToken for a token before every request', async () => {
    const { fetch, requests } = scriptedFetch([json(200, { items: [] }), json(200, { items: [] })]);
    let issued = 0;
    const client = createClient({ baseUrl: 'http://gateway', fetch, getToken: async () => `token-${++issued}` });
    await client.agents.list();
    await client.tools.list();
    expect(requests.map((request) => [request.url, request.headers.get('authorization')])).toEqual([
      ['http://gateway/v1/agents', 'Bearer token-1'],
      ['http://gateway/v1/tools', 'Bearer token-2'],
    ]);
  });

  it('asks who it speaks for, and how to sign in without sending a credential it does not have', async () => {
    const caller = { tenantId: 'acme', subject: 'k-1', roles: ['auditor'], via: 'apiKey', keyId: 'k-1', expiresAt: null };
    const options = { oidc: { issuer: 'https://idp.example', clientId: 'console', scopes: 'openid' } };
    const { fetch, requests } = scriptedFetch([json(200, caller), json(200, options)]);
    await expect(createClient({ baseUrl: 'http://gateway', apiKey: 'k1', fetch }).me()).resolves.toEqual(caller);
    await expect(createClient({ baseUrl: 'http://gateway', fetch }).signInOptions()).resolves.toEqual(options);
    expect(requests.map((request) => [request.url, request.headers.get('authorization')])).toEqual([
      ['http://gateway/v1/me', 'Bearer k1'],
      ['http://gateway/v1/sign-in', null],
    ]);
  });

  it('pages through sessions by cursor with the same filter', async () => {
    const { fetch, requests } = scriptedFetch([json(200, { items: [{ sessionId: 'a' }], nextCursor: 'c1' }), json(200, { items: [{ sessionId: 'b' }], nextCursor: null })]);
    const client = createClient({ baseUrl: 'http://gateway', fetch });
    const sessions: unknown[] = [];
    for await (const session of client.sessions.all({ status: 'completed', limit: 1 })) sessions.push(session);
    expect(sessions).toEqual([{ sessionId: 'a' }, { sessionId: 'b' }]);
    expect(requests.map((request) => new URL(request.url).search)).toEqual(['?status=completed&limit=1', '?status=completed&limit=1&cursor=c1']);
  });
});
