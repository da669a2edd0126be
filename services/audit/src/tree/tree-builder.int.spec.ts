import { canonicalEntry, leafHash, rootOf } from '@agent-orchestrator/audit-proof';
import type { ChainLink } from '@agent-orchestrator/event-store';
import { Readiness } from '@agent-orchestrator/service-host';
import { planRequested, waitFor } from '@agent-orchestrator/testing';
import pg from 'pg';
import { appendSessions, openAuditHarness, type AuditHarness } from '../audit-harness.behaviour.js';
import { rootOfRange } from './compact-range.js';
import { TreeBuilder } from './tree-builder.js';
import { startTreeBuilding } from './tree-subscription.js';

/** Each tenant's tree, built from the log as stored, exactly once whatever is redelivered, restarted or raced. */
describe('the tree builder', () => {
  let h: AuditHarness;
  beforeAll(async () => {
    h = await openAuditHarness('audit_tree');
  });
  afterAll(() => h.dispose());

  const leavesOf = async (tenantId: string) =>
    (await h.db.pool.query<{ position: string; event_id: string; leaf_hash: Buffer }>(`SELECT position, event_id, leaf_hash FROM ${h.tables.leaves} WHERE tenant_id = $1 ORDER BY position`, [tenantId])).rows;
  const treeOf = async (tenantId: string) => {
    const { rows } = await h.db.pool.query<{ size: string; frontier: Buffer[] }>(`SELECT size, frontier FROM ${h.tables.trees} WHERE tenant_id = $1`, [tenantId]);
    return { size: Number(rows[0]!.size), frontier: rows[0]!.frontier };
  };
  /** What the tree must be: every event of the tenant as stored, in log order. */
  const expected = async (tenantId: string) => {
    const links: ChainLink[] = [];
    for (let page = await h.store.readChainAll({ tenantId }); page.length > 0; page = await h.store.readChainAll({ tenantId, after: page.at(-1)!.event.globalPosition })) links.push(...page);
    return links;
  };
  const logEnd = async () => (await h.store.lastPosition())!;

  it("gives each tenant a tree of its own events in log order, each hashed as stored (not upcast), and a root equal to the naive one", async () => {
    await appendSessions(h.store, 'acme', 3, 5);
    await appendSessions(h.store, 'globex', 2, 3);
    // A version-1 SessionStarted reads upcast as version 3: its leaf must hash version 1, as the chain does.
    await h.store.append('session-0b7c6a3e-5d1f-4c1e-9a1b-000000000001', [planRequested({ type: 'SessionStarted', schemaVersion: 1, tenantId: 'acme', data: { goal: 'Reconcile ledgers' } })]);
    await appendSessions(h.store, 'acme', 1, 4);
    await h.builder.catchUpTo(await logEnd());
    for (const tenantId of ['acme', 'globex']) {
      const links = await expected(tenantId);
      const leaves = await leavesOf(tenantId);
      expect(leaves.map((leaf) => [Number(leaf.position), leaf.event_id])).toEqual(links.map((link, position) => [position, link.event.eventId]));
      const hashes = links.map((link) => leafHash(canonicalEntry(link.event)));
      expect(leaves.map((leaf) => leaf.leaf_hash.toString('hex'))).toEqual(hashes.map((hash) => hash.toString('hex')));
      const tree = await treeOf(tenantId);
      expect(tree.size).toBe(links.length);
      expect(rootOfRange(tree).toString('hex')).toBe(rootOf(hashes).toString('hex'));
    }
    const old = (await expected('acme')).find((link) => link.event.type === 'SessionStarted')!;
    expect(old.event.schemaVersion).toBe(1);
    const upcast = (await h.store.readAll({ tenantId: 'acme' })).find((event) => event.eventId === old.event.eventId)!;
    expect(upcast.schemaVersion).toBe(3);
    expect(leafHash(canonicalEntry(upcast)).equals(leafHash(canonicalEntry(old.event)))).toBe(false);
  });

  it('builds nothing twice when the same batch comes again, from a restarted builder, or from two builders at once', async () => {
    const before = (await leavesOf('acme')).length;
    await appendSessions(h.store, 'acme', 4, 6);
    const end = await logEnd();
    // Two processes' builders racing on the same pages, one of them twice.
    const other = new TreeBuilder({ store: h.store, pool: h.db.pool, tables: h.tables, pageSize: 7 });
    await Promise.all([h.builder.catchUpTo(end), other.catchUpTo(end), other.catchUpTo(end)]);
    // A redelivered batch, and a builder started afresh on the same tables.
    await h.builder.catchUpTo(end);
    await new TreeBuilder({ store: h.store, pool: h.db.pool, tables: h.tables }).catchUpTo(end);
    const leaves = await leavesOf('acme');
    expect(leaves).toHaveLength(before + 24);
    expect(leaves.map((leaf) => Number(leaf.position))).toEqual(leaves.map((_, index) => index));
    expect(rootOfRange(await treeOf('acme')).equals(rootOf(leaves.map((leaf) => leaf.leaf_hash)))).toBe(true);
    expect(await h.builder.cursor()).toBe(end);
  });

  it('commits leaves and cursor together: a build that fails half way leaves nothing, and the next builds it once', async () => {
    const before = (await leavesOf('globex')).length;
    await appendSessions(h.store, 'globex', 2, 5);
    const end = await logEnd();
    // Connections (of a pool of their own) that die at the cursor's update, after the page's leaves and trees were written.
    const failing = new pg.Pool({ connectionString: h.db.connectionString, max: 2 });
    failing.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: unknown }).query = (text: unknown, ...rest: unknown[]) =>
        typeof text === 'string' && text.startsWith(`UPDATE ${h.tables.builder}`) ? Promise.reject(new Error('connection lost')) : query(text, ...rest);
    });
    await expect(new TreeBuilder({ store: h.store, pool: failing, tables: h.tables }).catchUpTo(end)).rejects.toThrow('connection lost');
    await failing.end();
    expect(await leavesOf('globex')).toHaveLength(before);
    await h.builder.catchUpTo(end);
    expect(await leavesOf('globex')).toHaveLength(before + 10);
  });

  it('is woken by appends through the store subscription, resumes from its cursor, and reports its lag', async () => {
    const readiness = new Readiness();
    const building = startTreeBuilding({ store: h.store, readiness, logger: h.logger }, h.builder);
    try {
      const before = (await leavesOf('initech')).length;
      await appendSessions(h.store, 'initech', 3, 4);
      await waitFor('the new events to become leaves', async () => (await leavesOf('initech')).length === before + 12);
      await waitFor('readiness to report no lag', async () => (await readiness.report()).checks.find((check) => check.name === 'audit-tree')?.lag === 0);
    } finally {
      await building.stop();
    }
    expect((await readiness.report()).checks).toEqual([]);
  });
});
