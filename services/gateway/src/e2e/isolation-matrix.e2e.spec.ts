import { randomBytes, randomUUID } from 'node:crypto';
import { waitFor } from '@agent-orchestrator/testing';
import pg from 'pg';
import { operationsOf, type Operation } from '../fuzz/requests.js';
import { fillPath, idKindOf, idQueryKind, routeOf, send, validBody } from './route-requests.behaviour.js';
import { seedTenantA, startDevMode, type DevModeUnderTest, type ResourcesOfA } from './two-tenants.behaviour.js';

/** Fields that record use rather than state: reading A's state (with A's key) may move them. */
/** Fields that move with the clock, not with anything B does: a key's last use, a dashboard's time and ages, the usage window ending now. */
const volatileFields = new Set(['lastUsedAt', 'generatedAt', 'oldestPendingSeconds', 'from', 'to']);
const normalised = (text: string): string => JSON.stringify(JSON.parse(text || 'null', (key, value: unknown) => (volatileFields.has(key) ? undefined : value)));

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id nobody has, of the same form as `id`: a uuid, a lowercase name (a budget's, a tool's) or a name. */
const unknownLike = (id: string) => (uuidPattern.test(id) ? randomUUID() : /^[a-z][a-z0-9-]*$/.test(id) ? `nosuch${randomBytes(4).toString('hex')}` : `NoSuch${randomBytes(4).toString('hex')}`);

/** B's calls in this order: reads, then deletes, then writes, so that a name B writes for itself is not then read or deleted as if it were A's. */
const methodOrder = ['GET', 'DELETE', 'POST', 'PATCH', 'PUT'];

interface Probe {
  readonly operation: Operation;
  readonly idOfA: string | undefined;
  /** The path and query with A's id in place, and the same with an id nobody has (when it names one). */
  readonly withIdOfA: string;
  readonly withUnknownId: string | undefined;
}

/**
 * Every operation of /docs/json, as tenant B's admin, with tenant A's ids in every path parameter
 * and in every query parameter that names an id: the answer must be what B gets for an id nobody
 * has, and that must be 404, or 2xx carrying nothing of A's (an empty list, or B's own), or 403
 * (a route closed to tenant admins); and afterwards A's state (every GET of A's, and the version
 * of each of A's streams) must be as it was.
 */
describe("isolation: tenant B's admin naming tenant A's ids reads nothing of A's and changes nothing", () => {
  let dev: DevModeUnderTest;
  let ofA: ResourcesOfA;
  let adminB: string;
  let operations: Operation[];

  const idsOf = (kind: string | undefined): readonly string[] => {
    const known = kind === undefined ? undefined : (ofA.ids as Record<string, readonly string[]>)[kind];
    return known ?? Object.values(ofA.ids).flat();
  };

  /** Every request that names one of A's ids (in its path or in a query parameter that names ids), and one per operation that takes none. */
  const probes = (): Probe[] =>
    operations.flatMap((operation) => {
      const idQueries = operation.queryParameters.filter((name) => idQueryKind(name) !== undefined || name === 'id');
      if (operation.pathParameters.length === 0) {
        const inQueries = idQueries.flatMap((name) =>
          idsOf(idQueryKind(name)).map((id) => ({ operation, idOfA: id, withIdOfA: `${operation.path}?${name}=${encodeURIComponent(id)}`, withUnknownId: `${operation.path}?${name}=${encodeURIComponent(unknownLike(id))}` })),
        );
        return [{ operation, idOfA: undefined, withIdOfA: operation.path, withUnknownId: undefined }, ...inQueries];
      }
      return idsOf(idKindOf(operation.path)).map((id) => ({ operation, idOfA: id, withIdOfA: fillPath(operation.path, id), withUnknownId: fillPath(operation.path, unknownLike(id)) }));
    });

  /** Routes that read the platform's own live state, no tenant's: the projections' positions and heartbeats move whatever B does. */
  const platformStatusRoutes = new Set(['/v1/projections']);

  /** Everything A's admin can read, and the version of each of A's streams. */
  const stateOfA = async () => {
    const answers: Record<string, string> = {};
    for (const operation of operations.filter((candidate) => candidate.method === 'GET' && !candidate.upgrades && candidate.path.startsWith('/v1/') && !platformStatusRoutes.has(candidate.path))) {
      const ids = operation.pathParameters.length > 0 ? idsOf(idKindOf(operation.path)) : [undefined];
      for (const id of ids) {
        const path = id === undefined ? operation.path : fillPath(operation.path, id);
        const answer = await dev.call('GET', path.endsWith('/events') ? `${path}?limit=1000` : path, dev.adminKeyOfA);
        answers[path] = `${answer.status} ${normalised(answer.text)}`;
      }
    }
    const pool = new pg.Pool({ connectionString: dev.databaseUrl, max: 1 });
    try {
      const streams = await pool.query<{ stream_id: string; version: string }>('SELECT stream_id, version FROM event_store.streams WHERE tenant_id = $1 ORDER BY stream_id', [dev.tenantOfA]);
      return { answers, streams: Object.fromEntries(streams.rows.map((row) => [row.stream_id, Number(row.version)])) };
    } finally {
      await pool.end();
    }
  };

  /** A's sessions have come to rest (finished, or waiting for a person) and every consumer and projection has caught up. */
  const settled = () =>
    waitFor(
      "tenant A's sessions to come to rest",
      async () => {
        for (const sessionId of ofA.ids.sessions) {
          const status = ((await dev.call('GET', `/v1/sessions/${sessionId}`, dev.adminKeyOfA)).json as { status?: string }).status;
          if (!['completed', 'failed', 'cancelled', 'awaiting_approval'].includes(status ?? '')) return false;
        }
        const readiness = (await dev.call('GET', '/readyz', undefined)).json as { checks: { lag: number }[] };
        return readiness.checks.every((check) => check.lag === 0);
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );

  beforeAll(async () => {
    dev = await startDevMode('isolation');
    ofA = await seedTenantA(dev);
    adminB = await dev.keyOfTenant('tenant-b', ['admin']);
    operations = operationsOf((await dev.call('GET', '/docs/json', undefined)).json as Parameters<typeof operationsOf>[0]);
    await settled();
  });
  afterAll(() => dev?.stop());

  it("answers every (route, id of A's) pair as it answers an unknown id: 404, 403, or B's own", async () => {
    const before = await stateOfA();
    const ordered = probes().sort((a, b) => methodOrder.indexOf(a.operation.method) - methodOrder.indexOf(b.operation.method));
    const egressOfB = ((await dev.call('GET', '/v1/egress', adminB)).json as { allow: string[] }).allow;
    // A's ids as they would stand in an answer: a uuid anywhere, a name as a JSON string.
    const traces = [ofA.marker, ...Object.values(ofA.ids).flat().map((id) => (uuidPattern.test(id) ? id : JSON.stringify(id)))];
    let writtenByB = '';
    const wrong: string[] = [];
    let pairs = 0;
    for (const probe of ordered) {
      const body = () => validBody(probe.operation, { unique: randomBytes(4).toString('hex'), egressAllow: [...egressOfB, 'tenant-b.example'] });
      const unknown = probe.withUnknownId === undefined ? undefined : await send(dev.url, probe.operation, probe.withUnknownId, adminB, body());
      const bodyWithIdOfA = body();
      const sent = `${decodeURIComponent(probe.withIdOfA)} ${JSON.stringify(bodyWithIdOfA) ?? ''}\n`;
      if (probe.operation.method !== 'GET') writtenByB += sent;
      const answer = await send(dev.url, probe.operation, probe.withIdOfA, adminB, bodyWithIdOfA);
      if (probe.idOfA !== undefined) pairs += 1;
      const where = `${probe.operation.method} ${probe.withIdOfA}`;
      const succeeded = answer.status === 101 || (answer.status >= 200 && answer.status < 300);
      if (unknown && answer.status !== unknown.status) wrong.push(`${where}: ${answer.status} for A's id but ${unknown.status} for an unknown one (${answer.text.slice(0, 200)})`);
      else if (!succeeded && answer.status !== 404 && answer.status !== 403) wrong.push(`${where}: ${answer.status}, neither 404 nor 2xx (${answer.text.slice(0, 200)})`);
      // What B sent now, or wrote before (its own secret named like A's), it may see; anything else of A's, never.
      const leaked = traces.filter((trace) => answer.text.includes(trace) && !`${sent}${writtenByB}`.includes(trace.replace(/^"|"$/g, '')));
      if (leaked.length > 0) wrong.push(`${where}: the answer holds A's ${leaked.join(', ')}`);
    }
    expect(wrong).toEqual([]);
    await settled();
    expect(await stateOfA()).toEqual(before);
    // B's writes of tenant-wide settings landed in B's own tenant.
    expect(((await dev.call('GET', '/v1/egress', adminB)).json as { allow: string[] }).allow).toContain('tenant-b.example');
    expect(((await dev.call('GET', '/v1/policies', adminB)).json as { version: number }).version).toBeGreaterThan(0);
    const routes = new Set(ordered.filter((probe) => probe.idOfA !== undefined).map((probe) => routeOf(probe.operation)));
    console.log(`isolation matrix: ${pairs} (route, id of A's) pairs on ${routes.size} routes checked as B's admin, ${ordered.length - pairs} calls without an id; A's ${Object.keys(before.streams).length} streams and ${Object.keys(before.answers).length} reads unchanged`);
    expect(pairs).toBeGreaterThan(0);
  });
});
