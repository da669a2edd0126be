import { checkedFetch } from '../e2e/answer-check.js';
import fc from 'fast-check';
import { hostileInputScenario } from '../e2e/hostile-input.behaviour.js';
import { seedTenantA, startDevMode, type Answer, type DevModeUnderTest } from '../e2e/two-tenants.behaviour.js';
import { fuzzRequests, operationsOf, type FuzzRequest } from './requests.js';

/** A fixed seed, so CI fuzzes the same requests every run; FUZZ_SEED and FUZZ_RUNS for longer hunts (`npm run fuzz`). */
const seed = Number(process.env.FUZZ_SEED ?? 1313);
const runs = Number(process.env.FUZZ_RUNS ?? 1000);

type Keys = Record<'adminA' | 'operatorA' | 'viewerA' | 'adminB', string>;

/**
 * What must hold after any input: each check answers undefined when it holds, else what is wrong.
 * Add one here (e.g. `/readyz` green) and every fuzz run checks it.
 */
export function postConditions(url: string, keys: Keys): { name: string; check: () => Promise<string | undefined> }[] {
  const get = async (path: string, key?: string) => {
    const response = await checkedFetch(`${url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: response.status, text: await response.text() };
  };
  return [
    { name: '/healthz answers 200', check: async () => ((await get('/healthz')).status === 200 ? undefined : 'not 200') },
    {
      // Nothing a client sent stalled a consumer or projection, or had to be set aside by one.
      name: '/readyz answers 200 with nothing quarantined',
      check: async () => {
        const answer = await get('/readyz');
        const checks = (JSON.parse(answer.text) as { checks: { name: string; quarantined?: number }[] }).checks;
        const quarantined = checks.filter((check) => (check.quarantined ?? 0) > 0).map((check) => check.name);
        return answer.status === 200 && quarantined.length === 0 ? undefined : `${answer.status}, quarantined in ${quarantined.join(', ') || 'none'}: ${answer.text.slice(0, 300)}`;
      },
    },
    {
      name: "tenant A's sessions still list",
      check: async () => {
        const answer = await get('/v1/sessions', keys.adminA);
        return answer.status === 200 ? undefined : `${answer.status} ${answer.text.slice(0, 300)}`;
      },
    },
    {
      name: 'a new session still starts and is read back',
      check: async () => {
        const response = await checkedFetch(`${url}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${keys.adminA}`, 'content-type': 'application/json' }, body: JSON.stringify({ goal: 'after the fuzz' }) });
        if (response.status !== 202) return `start answered ${response.status}`;
        const { sessionId } = (await response.json()) as { sessionId: string };
        return (await get(`/v1/sessions/${sessionId}`, keys.adminA)).status === 200 ? undefined : 'not readable';
      },
    },
  ];
}

/**
 * The platform in dev mode, fuzzed through its own OpenAPI document with the keys of two tenants:
 * no input may answer 5xx, the platform must stay healthy, and nothing of tenant A may reach a
 * request made with tenant B's key.
 */
describe('hostile input against dev mode, and fuzzing the API from its own OpenAPI document', () => {
  let dev: DevModeUnderTest;
  let url: string;
  let marker: string;
  const keys: Keys = { adminA: '', operatorA: '', viewerA: '', adminB: '' };
  const idsOfA: string[] = [];
  const call = (method: string, path: string, key: string | undefined, body?: unknown): Promise<Answer> => dev.call(method, path, key, body);

  beforeAll(async () => {
    dev = await startDevMode('fuzz');
    url = dev.url;
    const resourcesOfA = await seedTenantA(dev);
    marker = resourcesOfA.marker;
    Object.assign(keys, { adminA: dev.adminKeyOfA, operatorA: resourcesOfA.keys.operator, viewerA: resourcesOfA.keys.viewer, adminB: await dev.keyOfTenant('tenant-b', ['admin']) });
    idsOfA.push(...Object.values(resourcesOfA.ids).flat());
  });
  afterAll(() => dev?.stop());

  it("refuses the issue's hostile requests with 4xx, and a NUL goal stops no read model", () => hostileInputScenario({ url, key: keys.adminA }, keys.adminB));

  it('answers the later of two concurrent starts with one Idempotency-Key as a replay; one session is written', async () => {
    const start = () =>
      checkedFetch(`${url}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.adminA}`, 'content-type': 'application/json', 'idempotency-key': `race-${marker}` },
        body: JSON.stringify({ goal: 'one of two at once' }),
      });
    const answers = await Promise.all([start(), start()]);
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as { sessionId: string }[];
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    expect(bodies[0]!.sessionId).toBe(bodies[1]!.sessionId);
    expect(answers.map((answer) => answer.headers.get('idempotent-replayed')).sort()).toEqual([null, 'true'].sort());
    const events = JSON.parse((await call('GET', `/v1/sessions/${bodies[0]!.sessionId}/events`, keys.adminA)).text) as { items: { type: string }[] };
    expect(events.items.filter((event) => event.type === 'SessionStarted')).toHaveLength(1);
  });

  it('never answers 5xx, stays healthy, and never shows tenant A to tenant B', async () => {
    const document = JSON.parse((await call('GET', '/docs/json', undefined)).text) as Parameters<typeof operationsOf>[0];
    const operations = operationsOf(document);
    const keyNames = ['adminA', 'adminA', 'operatorA', 'viewerA', 'adminB', 'adminB', 'none'];
    const started = Date.now();
    const seen = { requests: 0, serverErrors: 0, byStatus: new Map<number, number>() };

    await fc.assert(
      fc.asyncProperty(fuzzRequests(operations, keyNames, idsOfA), async (request: FuzzRequest) => {
        const key = request.keyName === 'none' ? undefined : keys[request.keyName as keyof Keys];
        const response = await checkedFetch(`${url}${request.path}`, {
          method: request.method,
          headers: { ...request.headers, ...(key ? { authorization: `Bearer ${key}` } : {}), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(request.body === undefined ? {} : { body: request.body }),
        });
        const text = await response.text();
        seen.requests += 1;
        seen.byStatus.set(response.status, (seen.byStatus.get(response.status) ?? 0) + 1);
        if (response.status >= 500) seen.serverErrors += 1;
        expect({ status: response.status >= 500 ? response.status : 'below 500', request: request.method + ' ' + request.path.slice(0, 200), answer: text.slice(0, 300) }).toMatchObject({ status: 'below 500' });
        if (request.keyName === 'adminB') expect(text).not.toContain(marker);
        // Ids B cannot make its own (sessions, keys, approvals of A): naming one reads nothing.
        if (request.keyName === 'adminB' && request.namesKnownIds && request.method === 'GET' && /^\/v1\/(sessions|api-keys|approvals)\//.test(request.path)) expect(response.status).not.toBe(200);
      }),
      { seed, numRuns: runs, endOnFailure: true },
    );

    for (const id of idsOfA) {
      for (const path of [`/v1/sessions/${id}`, `/v1/sessions/${id}/events`, `/v1/agents/${id}`, `/v1/tools/${id}`]) {
        const answer = await call('GET', path, keys.adminB);
        expect({ path, status: answer.status, leaks: answer.text.includes(marker) }).toEqual({ path, status: expect.any(Number), leaks: false });
        expect([400, 403, 404, 422]).toContain(answer.status);
      }
    }
    for (const { name, check } of postConditions(url, keys)) expect({ name, problem: await check() }).toEqual({ name, problem: undefined });

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`fuzz: ${seen.requests} requests (seed ${seed}), ${seen.serverErrors} 5xx, ${seconds} s; statuses ${JSON.stringify(Object.fromEntries([...seen.byStatus].sort(([a], [b]) => a - b)))}`);
    expect(seen.serverErrors).toBe(0);
  }, /* long runs (npm run fuzz) get time in proportion: about 10 ms a request here, 100 allowed */ Math.max(120_000, runs * 100));
});
