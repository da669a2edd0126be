import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequested, uniqueStream, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource, type EntityManager } from 'typeorm';
import type { Projection } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';
import { defaultQuarantinePolicy, type QuarantinedEvent } from './quarantine.js';

/**
 * Planners per stream, in a table whose CHECK refuses the planner `Poison` (23514, a data error
 * as PostgreSQL gives for a NUL); `terminations` makes the first applies kill their own
 * connection (57P01), a real infrastructure failure. Each test's projection reads the whole
 * log and applies only its own tenants' events.
 */
function planners(schema: string, table: string, tenants: readonly string[], terminations = { left: 0 }): Projection {
  const rows = `"${schema}".${table}`;
  return {
    name: table,
    version: 1,
    setUp: async (m) => {
      await m.query(`CREATE TABLE IF NOT EXISTS ${rows} (stream_id text PRIMARY KEY, tenant_id text NOT NULL, planner text NOT NULL CONSTRAINT no_poison CHECK (planner <> 'Poison'), incomplete int NOT NULL DEFAULT 0)`);
    },
    reset: async (m) => void (await m.query(`TRUNCATE ${rows}`)),
    apply: async (event: EventEnvelope, m: EntityManager) => {
      if (!tenants.includes(event.tenantId)) return;
      if (terminations.left > 0) {
        terminations.left--;
        await m.query('SELECT pg_terminate_backend(pg_backend_pid())');
      }
      const { planner } = event.data as { planner: string };
      await m.query(`INSERT INTO ${rows} (stream_id, tenant_id, planner) VALUES ($1, $2, $3) ON CONFLICT (stream_id) DO UPDATE SET planner = excluded.planner`, [
        event.streamId,
        event.tenantId,
        planner,
      ]);
    },
    markIncomplete: async (event, m) => {
      if (!tenants.includes(event.tenantId)) return;
      await m.query(`INSERT INTO ${rows} (stream_id, tenant_id, planner, incomplete) VALUES ($1, $2, '?', 1) ON CONFLICT (stream_id) DO UPDATE SET incomplete = ${rows}.incomplete + 1`, [event.streamId, event.tenantId]);
    },
    markComplete: async (event, m) => void (await m.query(`UPDATE ${rows} SET incomplete = incomplete - 1 WHERE stream_id = $1`, [event.streamId])),
  };
}

describe('projections: one event never stops a projection', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestSchema('projection_quarantine');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4 }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const rows = async (table: string) =>
    Object.fromEntries(
      ((await dataSource.query(`SELECT stream_id, planner, incomplete FROM "${db.schema}".${table}`)) as { stream_id: string; planner: string; incomplete: number }[]).map((r) => [
        r.stream_id,
        [r.planner, r.incomplete],
      ]),
    );
  const appendPlanner = (streamId: string, tenantId: string, planner: string) => store.append(streamId, [planRequested({ tenantId, data: { planner, attempt: 1 } })]);

  it('quarantines a poison event of one tenant once, lands the good ones of both, and applies it after a fix', async () => {
    const [goodA, poison, goodB, laterA, laterB] = [uniqueStream(), uniqueStream(), uniqueStream(), uniqueStream(), uniqueStream()];
    await appendPlanner(goodA, 'tenant-a', 'Planner');
    const poisoned = await appendPlanner(poison, 'tenant-a', 'Poison');
    await appendPlanner(goodB, 'tenant-b', 'Planner');
    const quarantined: QuarantinedEvent[] = [];
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(planners(db.schema, 'poisoned', ['tenant-a', 'tenant-b']), {
      store,
      dataSource,
      schema: db.schema,
      quarantine: { attempts: 3, windowMs: 200 },
      onQuarantine: (event) => quarantined.push(event),
      onError: (error) => errors.push(error),
    });
    const subscription = await runner.start();
    await subscription.waitFor(poisoned.position);
    // The projection follows the log past the poison: later events of both tenants land too.
    await appendPlanner(laterA, 'tenant-a', 'Planner');
    await subscription.waitFor((await appendPlanner(laterB, 'tenant-b', 'Planner')).position);

    expect(await rows('poisoned')).toEqual({ [goodA]: ['Planner', 0], [goodB]: ['Planner', 0], [laterA]: ['Planner', 0], [laterB]: ['Planner', 0], [poison]: ['?', 1] });
    const [record] = await runner.quarantined();
    expect(record).toMatchObject({ projection: 'poisoned', streamId: poison, streamVersion: 0, type: 'PlanRequested', tenantId: 'tenant-a', reason: expect.stringContaining('23514') });
    expect(record!.attempts).toBeGreaterThanOrEqual(3);
    expect(record!.lastFailedAt.getTime() - record!.firstFailedAt.getTime()).toBeGreaterThanOrEqual(200);
    // Told once, counted once; the retries inside the window are not reported as errors.
    expect(quarantined).toEqual([expect.objectContaining({ eventId: record!.eventId })]);
    expect(runner.quarantinedTotal).toBe(1);
    expect(errors).toEqual([]);
    expect(await runner.status()).toMatchObject({ lag: 0, quarantined: 1 });

    // Still refused: stays quarantined, with one more attempt.
    expect(await runner.retryQuarantined(record!.eventId)).toEqual([{ eventId: record!.eventId, applied: false, reason: expect.stringContaining('23514') }]);
    expect((await runner.quarantined())[0]!.attempts).toBe(record!.attempts + 1);
    // The fix: the table accepts it now.
    await dataSource.query(`ALTER TABLE "${db.schema}".poisoned DROP CONSTRAINT no_poison`);
    expect(await runner.retryQuarantined()).toEqual([{ eventId: record!.eventId, applied: true }]);
    expect((await rows('poisoned'))[poison]).toEqual(['Poison', 0]);
    expect(await runner.quarantined()).toEqual([]);
    await runner.stop();
  });

  it('applies its quarantined events again when it starts, so a fix deployed by a restart takes them in unasked', async () => {
    const poison = uniqueStream();
    const options = { store, dataSource, schema: db.schema, quarantine: { attempts: 2, windowMs: 100 } };
    const retried: unknown[] = [];
    const first = new ProjectionRunner(planners(db.schema, 'restarted', ['restart']), { ...options, onRetried: (results) => retried.push(results) });
    await (await first.start()).waitFor((await appendPlanner(poison, 'restart', 'Poison')).position);
    const [record] = await first.quarantined();
    expect(record).toMatchObject({ streamId: poison });
    await first.stop();

    // A restart before the fix: still refused, still quarantined, one more attempt.
    const unfixed = new ProjectionRunner(planners(db.schema, 'restarted', ['restart']), { ...options, onRetried: (results) => retried.push(results) });
    await unfixed.start();
    await unfixed.stop();
    expect(await unfixed.quarantined()).toEqual([expect.objectContaining({ eventId: record!.eventId, attempts: record!.attempts + 1 })]);

    // The fix, then a restart: applied at start, the row complete, nothing left in quarantine.
    await dataSource.query(`ALTER TABLE "${db.schema}".restarted DROP CONSTRAINT no_poison`);
    const fixed = new ProjectionRunner(planners(db.schema, 'restarted', ['restart']), { ...options, onRetried: (results) => retried.push(results) });
    await fixed.start();
    expect(await fixed.quarantined()).toEqual([]);
    expect((await rows('restarted'))[poison]).toEqual(['Poison', 0]);
    expect(retried).toEqual([[{ eventId: record!.eventId, applied: false, reason: expect.stringContaining('23514') }], [{ eventId: record!.eventId, applied: true }]]);
    await fixed.stop();
  });

  it('retries an infrastructure failure for as long as it lasts, without quarantining', async () => {
    const stream = uniqueStream();
    const appended = await appendPlanner(stream, 'outage', 'Planner');
    const errors: unknown[] = [];
    // Five lost connections take longer than the window and more attempts than the policy allows.
    const runner = new ProjectionRunner(planners(db.schema, 'outage', ['outage'], { left: 5 }), {
      store,
      dataSource,
      schema: db.schema,
      quarantine: { attempts: 2, windowMs: 100 },
      onError: (error) => errors.push(error),
    });
    await (await runner.start()).waitFor(appended.position);
    expect((await rows('outage'))[stream]).toEqual(['Planner', 0]);
    expect(await runner.quarantined()).toEqual([]);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatchObject({ code: '57P01' });
    await runner.stop();
  });

  it('quarantines a poison event within the default retry window (time from append measured)', async () => {
    const runner = new ProjectionRunner(planners(db.schema, 'defaults', ['timing']), { store, dataSource, schema: db.schema, onQuarantine: () => quarantinedAt.resolve(Date.now()) });
    const quarantinedAt = Promise.withResolvers<number>();
    await (await runner.start()).waitFor((await store.lastPosition())!);
    const appendedAt = Date.now();
    await appendPlanner(uniqueStream(), 'timing', 'Poison');
    const took = (await quarantinedAt.promise) - appendedAt;
    process.stdout.write(`time from a poison event's append to its quarantine (defaults ${JSON.stringify(defaultQuarantinePolicy)}): ${took} ms\n`);
    expect(took).toBeGreaterThanOrEqual(defaultQuarantinePolicy.windowMs);
    // The window plus at most one backoff step (the subscription's backoff caps at 5 s).
    expect(took).toBeLessThan(defaultQuarantinePolicy.windowMs + 5_500);
    await waitFor('checkpoint past the poison', async () => (await runner.status()).lag === 0);
    await runner.stop();
  }, 20_000);
});
