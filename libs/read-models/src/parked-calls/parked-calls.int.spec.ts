import { randomUUID } from 'node:crypto';
import { comparePositions, toolCallStream, type GlobalPosition, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { ParkedCallQueries, ParkedCallsProjection } from './parked-calls.js';

describe('parked calls read model', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  let queries: ParkedCallQueries;

  beforeAll(async () => {
    db = await createTestSchema('parked_calls_read_model');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4, entities: [] }).initialize();
    runner = new ProjectionRunner(new ParkedCallsProjection(db.schema), { store, dataSource, schema: db.schema, batchSize: 2 });
    await runner.start();
    queries = new ParkedCallQueries(dataSource, db.schema);
  });
  afterAll(async () => {
    await runner.stop();
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  const caughtUp = (position: GlobalPosition) =>
    waitFor(`the parked-calls projection at ${position}`, async () => {
      const [row] = (await dataSource.query(`SELECT position FROM "${db.schema}".projection_checkpoints WHERE projection = 'parked-calls'`)) as { position: string }[];
      return row !== undefined && comparePositions(row.position, position) >= 0;
    }, { timeoutMs: 30_000 });

  const event = (tenantId: string, sessionId: string, type: string, data: Record<string, unknown>, at: number): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'tool-adapters' },
    occurredAt: new Date(Date.UTC(2026, 10, 29, 11, 0, at)).toISOString(),
    traceparent: null,
    data,
  });
  const call = (sessionId: string, callId: string) => ({ sessionId, runId: `${sessionId}.step.s1.1`, callId, tool: 'crm__createContact' });
  const parking = (sessionId: string, callId: string, attempts: number, parkings: number) => ({ ...call(sessionId, callId), operation: 'createContact', method: 'post', code: 'http-503', reason: 'gave up', attempts, parkings });

  it('holds a session while a call is parked or being redriven, sums the attempts over parkings, and releases it once answered', async () => {
    const sessionId = randomUUID();
    const stream = toolCallStream(`${sessionId}.step.s1.1`, 'c1');
    let { position } = await store.append(stream, [event('acme', sessionId, 'ToolCallParked', parking(sessionId, 'c1', 3, 1), 0)]);
    await caughtUp(position);
    expect(await queries.sessionsBlocked('acme', [sessionId, 'other'])).toEqual(new Set([sessionId]));
    expect(await queries.holds(sessionId)).toEqual([{ runId: `${sessionId}.step.s1.1`, resolvedAt: null }]);

    ({ position } = await store.append(stream, [event('acme', sessionId, 'ToolCallRetried', call(sessionId, 'c1'), 1)]));
    await caughtUp(position);
    expect(await queries.holding('acme', sessionId)).toMatchObject([{ callId: 'c1', status: 'retrying', attempts: 3 }]);

    ({ position } = await store.append(stream, [event('acme', sessionId, 'ToolCallParked', parking(sessionId, 'c1', 2, 2), 2)]));
    await caughtUp(position);
    expect(await queries.holding('acme', sessionId)).toMatchObject([{ callId: 'c1', status: 'parked', attempts: 5, parkings: 2, code: 'http-503', operation: 'createContact' }]);
    // Another tenant reads none of it.
    expect(await queries.holding('globex', sessionId)).toEqual([]);
    expect(await queries.sessionsBlocked('globex', [sessionId])).toEqual(new Set());

    await store.append(stream, [event('acme', sessionId, 'ToolCallRetried', call(sessionId, 'c1'), 3)]);
    ({ position } = await store.append(stream, [event('acme', sessionId, 'ToolCallCompleted', { ...call(sessionId, 'c1'), output: '{}' }, 4)]));
    await caughtUp(position);
    expect(await queries.holding('acme', sessionId)).toEqual([]);
    expect(await queries.sessionsBlocked('acme', [sessionId])).toEqual(new Set());
    expect(await queries.holds(sessionId)).toEqual([{ runId: `${sessionId}.step.s1.1`, resolvedAt: '2026-11-29T11:00:04.000Z' }]);
  });

  it('records a discard as the resolution, and leaves calls that were never parked out', async () => {
    const sessionId = randomUUID();
    await store.append(toolCallStream(`${sessionId}.step.s1.1`, 'plain'), [event('acme', sessionId, 'ToolCallCompleted', { ...call(sessionId, 'plain'), output: '{}' }, 0)]);
    const stream = toolCallStream(`${sessionId}.step.s1.1`, 'c2');
    await store.append(stream, [event('acme', sessionId, 'ToolCallParked', parking(sessionId, 'c2', 3, 1), 1)]);
    const { position } = await store.append(stream, [
      event('acme', sessionId, 'ToolCallDiscarded', { ...call(sessionId, 'c2'), reason: 'done by hand' }, 2),
      event('acme', sessionId, 'ToolCallFailed', { ...call(sessionId, 'c2'), reason: 'discarded by an operator: done by hand' }, 3),
    ]);
    await caughtUp(position);
    const rows = (await dataSource.query(`SELECT call_id, status, resolution FROM "${db.schema}".parked_tool_calls WHERE session_id = $1`, [sessionId])) as unknown[];
    expect(rows).toEqual([{ call_id: 'c2', status: 'resolved', resolution: 'discarded' }]);
  });
});
