import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { DeadLetterQueries } from './dead-letter-queries.js';
import { DeadLetterIndex, type DeadLetterEntry } from './dead-letters.js';

describe('dead-letter index', () => {
  let db: TestSchema;
  let index: DeadLetterIndex;
  let queries: DeadLetterQueries;

  beforeAll(async () => {
    db = await createTestSchema('dead_letters');
    const database = await db.tenantDatabase();
    index = new DeadLetterIndex(db.pool, db.schema, database.appRole.name);
    await index.setUp();
    await index.setUp(); // a second process starting finds it in place
    queries = new DeadLetterQueries(database, db.schema);
  });
  afterAll(() => db.dispose());

  const entry = (id: string, overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry => ({
    id,
    source: 'dead-letter',
    tenantId: 'tenant-a',
    consumer: 'tool-adapters.events',
    errorCode: 'Rejected',
    reason: 'no such run',
    attempts: 1,
    sourceTopic: 'events.approval',
    sourcePartition: 2,
    sourceOffset: '17',
    sessionId: 'session-1',
    tool: 'crm',
    messageType: 'ApprovalGranted',
    seenAt: new Date('2026-11-29T10:00:00.000Z'),
    redriveCount: 0,
    key: 'approval-1',
    headers: { 'event-type': 'ApprovalGranted' },
    value: Buffer.from('{"a":1}'),
    position: 4,
    ...overrides,
  });

  it('keeps one row for a dead letter seen twice at the same position', async () => {
    expect(await index.upsert(entry('dl-1'))).toBe(true);
    expect(await index.upsert(entry('dl-1', { reason: 'again' }))).toBe(false);
    const row = await queries.get({ kind: 'platform' }, 'dl-1');
    expect(row).toMatchObject({ reason: 'no such run', attempts: 1, status: 'pending', redriveCount: 0, consumer: 'tool-adapters.events', sourceOffset: '17' });
    expect(row?.value?.toString()).toBe('{"a":1}');
    expect(row?.headers).toEqual({ 'event-type': 'ApprovalGranted' });
  });

  it('updates the same row when a redriven message fails again, back to pending', async () => {
    expect(await index.markRedriven('dl-1', { operationId: 'op-1', at: new Date() })).toBe(true);
    expect(await index.markRedriven('dl-1', { operationId: 'op-1', at: new Date() })).toBe(false);
    expect(await queries.get({ kind: 'platform' }, 'dl-1')).toMatchObject({ status: 'redriven', redriveCount: 1, actedBy: 'op-1' });
    await index.upsert(entry('dl-1', { position: 9, reason: 'still no run', attempts: 2, redriveCount: 1, seenAt: new Date('2026-11-29T11:00:00.000Z') }));
    expect(await queries.get({ kind: 'platform' }, 'dl-1')).toMatchObject({
      status: 'pending',
      reason: 'still no run',
      attempts: 3,
      redriveCount: 1,
      firstSeen: new Date('2026-11-29T10:00:00.000Z'),
      lastSeen: new Date('2026-11-29T11:00:00.000Z'),
    });
  });

  it('discards and resolves only what is pending', async () => {
    await index.upsert(entry('dl-2', { tenantId: 'tenant-b', tool: null, sideEffect: { repeats: false, why: 'GET crm.listLeads' } }));
    expect(await queries.get({ kind: 'platform' }, 'dl-2')).toMatchObject({ repeatsSideEffect: false, sideEffectNote: 'GET crm.listLeads' });
    expect(await queries.get({ kind: 'platform' }, 'dl-1')).toMatchObject({ repeatsSideEffect: null, sideEffectNote: null });
    expect(await index.markDiscarded('dl-2', { operationId: 'op-2', at: new Date(), reason: 'bad data' })).toBe(true);
    expect(await index.resolve('dl-2', new Date())).toBe(false);
    expect(await queries.get({ kind: 'platform' }, 'dl-2')).toMatchObject({ status: 'discarded', discardReason: 'bad data' });
    await index.upsert(entry('dl-3', { source: 'parked-call', consumer: 'tool-adapters' }));
    expect(await index.resolve('dl-3', new Date())).toBe(true);
    expect(await queries.get({ kind: 'platform' }, 'dl-3')).toMatchObject({ status: 'resolved', source: 'parked-call' });
  });

  it("shows a tenant its own rows only, and an undecodable message to the platform alone", async () => {
    await index.upsert(entry('dl-4', { tenantId: null, messageType: null }));
    const asA = await queries.list({ kind: 'tenant', tenantId: 'tenant-a' }, {}, { limit: 10 });
    expect(asA.items.map((item) => item.id).sort()).toEqual(['dl-1', 'dl-3']);
    expect(await queries.get({ kind: 'tenant', tenantId: 'tenant-a' }, 'dl-2')).toBeUndefined();
    expect(await queries.get({ kind: 'tenant', tenantId: 'tenant-a' }, 'dl-4')).toBeUndefined();
    expect((await queries.list({ kind: 'platform' }, {}, { limit: 10 })).items).toHaveLength(4);
    expect((await queries.list({ kind: 'platform' }, { tenant: 'tenant-b' }, { limit: 10 })).items.map((item) => item.id)).toEqual(['dl-2']);
  });

  it('filters and pages newest first', async () => {
    const page = await queries.list({ kind: 'platform' }, { source: 'dead-letter', code: 'Rejected' }, { limit: 2 });
    expect(page.items.map((item) => item.id)).toEqual(['dl-1', 'dl-4']);
    const rest = await queries.list({ kind: 'platform' }, { source: 'dead-letter', code: 'Rejected' }, { limit: 2, after: page.next });
    expect(rest.items.map((item) => item.id)).toEqual(['dl-2']);
    expect(rest.next).toBeUndefined();
    expect((await queries.matching({ kind: 'tenant', tenantId: 'tenant-a' }, { status: 'pending', tool: 'crm' })).map((item) => item.id)).toEqual(['dl-1']);
    expect((await queries.matching({ kind: 'platform' }, { since: new Date('2026-11-29T10:30:00.000Z') })).map((item) => item.id)).toEqual(['dl-1']);
  });
});
