import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { eventCatalog, sessionStream, type GlobalPosition, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { waitForProjectionCheckpoint } from '@agent-orchestrator/projections';
import { createTestSchema, spawnFixture, testBrokers, uniqueTopicPrefix, waitFor, type RunningFixture, type TestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';

const projectionsMain = join(import.meta.dirname, '..', 'projections-main.ts');

interface ProjectionsProcess {
  readonly fixture: RunningFixture;
  readonly healthUrl: string;
}

function sessionStarted(sessionId: string): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'SessionStarted',
    schemaVersion: eventCatalog.latestVersion('SessionStarted'),
    tenantId: 'acme',
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'orchestrator' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data: { goal: 'Summarise the quarterly report', context: {}, constraints: {}, agentVersions: {}, toolVersions: {} },
  };
}

/**
 * projections-main.ts as deployed: the read models projected by processes of their own, two at
 * once, one killed mid-stream, while the log is appended to; what a process that does not host
 * them (the orchestrator with PROJECTIONS=apart) waits on is the durable checkpoint.
 */
describe('the projections process, apart from the deciders', () => {
  const topicPrefix = uniqueTopicPrefix('projections-apart');
  let db: TestSchema;
  let readModelSchema: string;
  let store: PostgresEventStore;
  const processes: ProjectionsProcess[] = [];

  beforeAll(async () => {
    db = await createTestSchema('projections_apart');
    readModelSchema = `${db.schema}_rm`;
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await Promise.all(processes.map((process) => process.fixture.kill()));
    await store.close();
    await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(readModelSchema)} CASCADE`);
    await db.dispose();
  });

  const startProjections = async (): Promise<ProjectionsProcess> => {
    const fixture = spawnFixture(projectionsMain, {
      DATABASE_URL: db.connectionString,
      KAFKA_BROKERS: testBrokers().join(','),
      TOPIC_PREFIX: topicPrefix,
      EVENT_STORE_SCHEMA: db.schema,
      READ_MODEL_SCHEMA: readModelSchema,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
    });
    const started = await waitFor(
      'the projections process to start',
      () => {
        if (fixture.child.exitCode !== null) throw new Error(`the projections process exited: ${fixture.output()}`);
        const line = fixture.output().split('\n').find((text) => text.includes('"msg":"projections started"'));
        return line ? (JSON.parse(line) as { healthUrl: string }) : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 50 },
    );
    const process = { fixture, healthUrl: started.healthUrl };
    processes.push(process);
    return process;
  };

  it('keeps the read models whole when one of two projections processes is killed mid-stream', async () => {
    const first = await startProjections();
    const second = await startProjections();
    const sessionIds: string[] = [];
    let last: GlobalPosition = '';
    const appendSessions = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const sessionId = randomUUID();
        last = (await store.append(sessionStream(sessionId), [sessionStarted(sessionId)])).position;
        sessionIds.push(sessionId);
      }
    };

    await appendSessions(100);
    await first.fixture.kill();
    await appendSessions(100);
    await waitForProjectionCheckpoint(db.pool, { schema: readModelSchema, projection: 'sessions', position: last, timeoutMs: 60_000 });
    const rows = await db.pool.query<{ session_id: string }>(`SELECT session_id FROM ${pg.escapeIdentifier(readModelSchema)}.sessions`);
    expect(new Set(rows.rows.map((row) => row.session_id))).toEqual(new Set(sessionIds));
    expect(rows.rows).toHaveLength(sessionIds.length);

    const report = (await (await fetch(`${second.healthUrl}/readyz`)).json()) as { status: string; checks: { name: string }[] };
    expect(report.status).toBe('ready');
    expect(report.checks.map((check) => check.name)).toEqual(expect.arrayContaining(['projection:sessions', 'projection:approvals', 'projection:model-calls', 'projection:parked-calls', 'projection:tenant-statuses', expect.stringContaining('projections.commands')]));
  }, 240_000);

  it('waits on the checkpoint for a position the projections have not reached, and says where they stand', async () => {
    await expect(waitForProjectionCheckpoint(db.pool, { schema: readModelSchema, projection: 'no-such-projection', position: '0', timeoutMs: 200 })).rejects.toThrow(/projection no-such-projection did not reach 0 within 200 ms \(at start\)/);
  });

  it('stops gracefully on SIGTERM', async () => {
    const running = processes.find((process) => process.fixture.child.exitCode === null && process.fixture.child.signalCode === null)!;
    running.fixture.child.kill('SIGTERM');
    expect(await running.fixture.exited()).toBe(0);
    expect(running.fixture.output()).toContain('"msg":"projections stopped"');
  });
});
