import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AuditReadModel } from '@agent-orchestrator/audit-store';
import { auditStream } from '@agent-orchestrator/contracts';
import { appendSessions, now, openAuditHarness, verifyBytes, type AuditHarness } from '../audit-harness.behaviour.js';
import { ExportJobs } from './export-jobs.js';
import { sweepExpiredBundles } from './retention-sweep.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the lines of every kind, read as the checks need them
const linesOf = (bundle: Buffer) => bundle.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string } & Record<string, any>);
// A full collection before each reading, so what is measured is what the job holds, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const liveMemory = () => {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
};

/** Exports from real PostgreSQL: the bundle as the contract has it, stored in chunks, checked by the offline verifier. */
describe('audit exports', () => {
  let h: AuditHarness;
  let model: AuditReadModel;
  beforeAll(async () => {
    h = await openAuditHarness('audit_export');
    model = AuditReadModel.open({ pool: h.tenancy.tenantPool, schema: h.db.schema });
  });
  afterAll(() => h.dispose());
  /** A test's timers, stopped even when it timed out (its own cleanup never ran then). */
  const timers: ReturnType<typeof setInterval>[] = [];
  afterEach(() => {
    for (const timer of timers.splice(0)) clearInterval(timer);
  });

  it("exports every event of the tenant and none of another's, in the contract's line order, and the verifier finds nothing", async () => {
    const sessions = await appendSessions(h.store, 'acme', 3, 4);
    await appendSessions(h.store, 'globex', 2, 3);
    const exportId = await h.exportNow('acme');
    const record = await model.getExport('acme', exportId);
    expect(record).toMatchObject({ status: 'completed', events: expect.any(Number), error: null, verification: { ok: true, findings: [] } });
    const bundle = await h.bundle('acme', exportId);
    expect(record!.bytes).toBe(bundle.length);
    const lines = linesOf(bundle);
    const kinds = lines.map((line) => line.kind);
    expect(kinds[0]).toBe('manifest');
    expect(kinds.at(-1)).toBe('signature');
    const order = ['manifest', 'event', 'stream-head', 'range-proof', 'checkpoint', 'key', 'signature'];
    expect([...new Set(kinds)]).toEqual(order);
    expect(kinds.map((kind) => order.indexOf(kind))).toEqual([...kinds.map((kind) => order.indexOf(kind))].sort((a, b) => a - b));
    const events = lines.filter((line) => line.kind === 'event');
    // The 12 session events, the request's and the first key's: everything below the checkpoint.
    expect(events.map((line) => line.position)).toEqual(Array.from({ length: 14 }, (_, index) => index));
    expect(events.every((line) => line.event.tenantId === 'acme')).toBe(true);
    for (const sessionId of sessions) expect(events.filter((line) => line.event.correlationId === sessionId)).toHaveLength(4);
    expect(lines[0]).toMatchObject({ exportId, tenantId: 'acme', proofMode: 'range', range: { first: 0, end: 14 }, counts: { events: 14, streams: 7 }, previous: null });
    expect(lines.filter((line) => line.kind === 'stream-head')).toHaveLength(7);
    expect(await verifyBytes(bundle)).toMatchObject({ ok: true, findings: [] });
  });

  it('exports sessions with an inclusion proof each, and a from/to window as the contiguous run between its bounds', async () => {
    const [early] = await appendSessions(h.store, 'initech', 1, 3, '2026-01-01T00:00:00.000Z');
    const [middle] = await appendSessions(h.store, 'initech', 1, 3, '2026-02-01T00:00:00.000Z');
    await appendSessions(h.store, 'initech', 1, 3, '2026-03-01T00:00:00.000Z');
    const sessionBundle = await h.bundle('initech', await h.exportNow('initech', { sessionIds: [early!, middle!] }));
    const bySession = linesOf(sessionBundle);
    expect(bySession[0]).toMatchObject({ proofMode: 'inclusion', range: { first: 0, end: 6 }, counts: { events: 6, streams: 4 } });
    expect(bySession.filter((line) => line.kind === 'inclusion-proof').map((line) => line.position)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await verifyBytes(sessionBundle)).toMatchObject({ ok: true, findings: [] });
    const window = linesOf(await h.bundle('initech', await h.exportNow('initech', { from: '2026-01-15T00:00:00.000Z', to: '2026-02-15T00:00:00.000Z' })));
    expect(window[0]).toMatchObject({ proofMode: 'range', range: { first: 3, end: 6 } });
    expect(window.filter((line) => line.kind === 'event').map((line) => line.event.correlationId)).toEqual([middle, middle, middle]);
  });

  it('proves a later export consistent with the earlier one it names, and fails with a reason for one that is not a completed export', async () => {
    const first = await h.exportNow('acme');
    await appendSessions(h.store, 'acme', 2, 3);
    const second = await h.exportNow('acme', { previousExportId: first });
    const lines = linesOf(await h.bundle('acme', second));
    const firstCheckpoint = (await model.getExport('acme', first))!.checkpoint!;
    expect(lines[0]).toMatchObject({ previous: { exportId: first, checkpoint: { treeSize: firstCheckpoint.treeSize, rootHash: firstCheckpoint.rootHash } } });
    expect(lines.find((line) => line.kind === 'consistency-proof')).toMatchObject({ fromSize: firstCheckpoint.treeSize });
    expect((await model.getExport('acme', second))!.verification).toMatchObject({ ok: true });
    expect(await verifyBytes(await h.bundle('acme', second), await h.bundle('acme', first))).toMatchObject({ ok: true, findings: [] });
    const bad = await h.exportNow('acme', { previousExportId: '99999999-9999-4999-8999-999999999999' });
    expect(await model.getExport('acme', bad)).toMatchObject({ status: 'failed', error: expect.stringContaining('previousExportId 99999999-9999-4999-8999-999999999999 is not a completed export of this tenant') });
    const trail = (await h.store.readStream(auditStream('acme'))).map((event) => event.type);
    expect(trail.filter((type) => type === 'AuditExportFailed')).toHaveLength(1);
  });

  // A slice of `npm run bench:audit` (30,000 events in 1 MiB chunks, memory measured): 6,000
  // events in 64 KiB chunks, so a shared CI machine runs it in well under its timeout.
  it('streams a large export into chunks with progress as it goes, memory flat, and the verifier agrees', async () => {
    const sessions = 60;
    const chunkBytes = 64 * 1024;
    await appendSessions(h.store, 'umbrella', sessions, 100);
    await h.builder.catchUpTo(await h.store.lastPosition());
    const baseline = liveMemory();
    let peak = baseline;
    const progress = new Set<number>();
    // Memory is read as the job moves on, at most six times and a second apart: each reading is a
    // full collection, which in a CI worker whose heap holds other suites' modules takes seconds,
    // so reading on a timer starved the job it measured (and outlived a timed-out test).
    let readings = 0;
    let readAt = -Infinity;
    const readMemory = () => {
      if (readings >= 6 || performance.now() - readAt < 1000) return;
      readings += 1;
      peak = Math.max(peak, liveMemory());
      readAt = performance.now();
    };
    const watcher = setInterval(() => {
      void h.db.pool.query<{ written: string }>(`SELECT written FROM ${h.tables.exports} WHERE tenant_id = 'umbrella' AND status = 'running'`).then(({ rows }) => {
        if (!rows[0]) return;
        progress.add(Number(rows[0].written));
        if (Number(rows[0].written) > 0) readMemory();
      }, () => undefined);
    }, 20);
    timers.push(watcher);
    // The job alone: the platform's check after it is the verifier's business (its own figures).
    const unverified = new ExportJobs({ store: h.store, pool: h.db.pool, tables: h.tables, checkpointer: h.checkpointer, keys: h.keys, logger: h.logger, now, chunkBytes });
    const exportId = randomUUID();
    try {
      const metadata = { tenantId: 'umbrella', correlationId: 'audit-umbrella', causationId: null, actor: { kind: 'user' as const, id: 'auditor-1' }, traceparent: null, now: now(), eventIds: [randomUUID()] };
      await unverified.request({ type: 'RequestAuditExport', exportId, range: {}, metadata });
      await unverified.settled(exportId);
    } finally {
      clearInterval(watcher);
    }
    const record = (await model.getExport('umbrella', exportId))!;
    expect(record).toMatchObject({ status: 'completed', events: sessions * 100 + 2, verification: null });
    const chunks = (await h.db.pool.query<{ size: number }>(`SELECT length(data) AS size FROM ${h.tables.chunks} WHERE export_id = $1 ORDER BY seq`, [exportId])).rows.map((row) => row.size);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.slice(0, -1).every((size) => size >= chunkBytes && size < chunkBytes + 4096)).toBe(true);
    expect([...progress].filter((written) => written > 0 && written < record.events!).length).toBeGreaterThan(3);
    // Holding the bundle would take more than its size; the job holds a page and a chunk (the heap's
    // own growth between samples comes on top, so the bound is the bundle's size, not a fraction of it).
    expect(readings).toBeGreaterThan(0);
    expect(peak - baseline).toBeLessThan(record.bytes!);
    expect(await verifyBytes(await h.bundle('umbrella', exportId))).toMatchObject({ ok: true, findings: [] });
    // 6,002 events appended, built, exported and verified: seconds alone, more on a shared machine.
  }, 240_000);

  it('deletes the bundles of exports past their expiry and marks them expired, leaving the others', async () => {
    const [kept, old] = [await h.exportNow('globex'), await h.exportNow('globex')];
    await h.db.pool.query(`UPDATE ${h.tables.exports} SET expires_at = now() - interval '1 second' WHERE export_id = $1`, [old]);
    expect(await sweepExpiredBundles(h.db.pool, h.tables, now())).toBe(1);
    expect((await model.getExport('globex', old))!.status).toBe('expired');
    expect((await h.bundle('globex', old)).length).toBe(0);
    expect((await model.getExport('globex', kept))!.status).toBe('completed');
    expect((await h.bundle('globex', kept)).length).toBeGreaterThan(0);
    // The expiry is completion plus the retention (180 days by default).
    const record = (await model.getExport('globex', kept))!;
    expect(Date.parse(record.expiresAt!) - Date.parse(record.completedAt!)).toBe(180 * 86_400_000);
  });
});
