import { randomUUID } from 'node:crypto';
import { comparePositions, type GlobalPosition, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { ModelCallQueries, ModelCallsProjection, modelCallsTable } from './model-calls.js';

describe('model calls read model', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  let queries: ModelCallQueries;

  beforeAll(async () => {
    db = await createTestSchema('model_calls_read_model');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    const table = modelCallsTable(db.schema);
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4, entities: [table] }).initialize();
    runner = new ProjectionRunner(new ModelCallsProjection(db.schema), { store, dataSource, schema: db.schema, batchSize: 2 });
    await runner.start();
    queries = new ModelCallQueries(dataSource, table);
  });
  afterAll(async () => {
    await runner.stop();
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const caughtUp = (position: GlobalPosition) =>
    waitFor(`the model-calls projection at ${position}`, async () => {
      const [row] = (await dataSource.query(`SELECT position FROM "${db.schema}".projection_checkpoints WHERE projection = 'model-calls'`)) as { position: string }[];
      return row !== undefined && comparePositions(row.position, position) >= 0;
    });

  const responded = (tenantId: string, sessionId: string, turn: number, inputTokens: number, costUsd: number): NewEvent => ({
    eventId: randomUUID(),
    type: 'ModelResponded',
    schemaVersion: 1,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'agent-runtime' },
    occurredAt: new Date(Date.UTC(2026, 10, 22, 9, 0, turn)).toISOString(),
    traceparent: null,
    data: { sessionId, turn, model: 'gpt-4.1-mini', output: [], usage: { inputTokens, outputTokens: 10, costUsd } },
  });

  it("lists a session's model calls across its runs, in log order, and never another tenant's", async () => {
    const sessionId = randomUUID();
    await store.append(`agentrun-${sessionId}.plan.1`, [responded('acme', sessionId, 0, 300, 0.0012)]);
    await store.append(`agentrun-${sessionId}.step.s1.1`, [responded('acme', sessionId, 0, 120, 0.0005), responded('acme', sessionId, 1, 140, 0.0006)]);
    const { position } = await store.append(`agentrun-${sessionId}.review.1`, [responded('acme', sessionId, 0, 90, 0.0004)]);
    await caughtUp(position);

    const calls = await queries.forSession('acme', sessionId);
    expect(calls.map(({ runId, turn, inputTokens, costUsd }) => [runId, turn, inputTokens, costUsd])).toEqual([
      [`${sessionId}.plan.1`, 0, 300, 0.0012],
      [`${sessionId}.step.s1.1`, 0, 120, 0.0005],
      [`${sessionId}.step.s1.1`, 1, 140, 0.0006],
      [`${sessionId}.review.1`, 0, 90, 0.0004],
    ]);
    expect(await queries.forSession('globex', sessionId)).toEqual([]);
  });

  it('rebuilds the same rows from the log', async () => {
    const rows = () => dataSource.query(`SELECT * FROM "${db.schema}".model_calls ORDER BY global_position`);
    const before = await rows();
    expect(before).toHaveLength(4);
    await dataSource.query(`DELETE FROM "${db.schema}".model_calls WHERE turn = 1`);
    const done = await runner.rebuild();
    expect(done.eventsApplied).toBe(4);
    expect(await rows()).toEqual(before);
  });
});
