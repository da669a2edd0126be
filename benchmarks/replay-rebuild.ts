import { randomUUID } from 'node:crypto';
import { eventCatalog, sessionStream, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { SessionsProjection, sessionsTables } from '@agent-orchestrator/read-models';
import { createTestSchema } from '@agent-orchestrator/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { MeasureOptions, Measured } from './replay.bench.js';
import { progressBar, round } from './support.js';

/**
 * REBUILD_BENCH_EVENTS: the log's size (default 100,000, as the issue asks); a smaller one for a quick look.
 * REBUILD_PAGE: events a rebuild reads and applies at a time (default the runner's, 5,000), to compare page sizes.
 */
const events = Number(process.env.REBUILD_BENCH_EVENTS ?? 100_000);
/** The events of one session below: started, plan requested and proposed, two steps scheduled and completed, completed. */
const perSession = 8;
const usage = { inputTokens: 100, outputTokens: 20, costUsd: 0.01 };

function sessionEvents(sessionId: string, at: number): NewEvent[] {
  const event = (type: string, data: unknown, offset: number): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: eventCatalog.latestVersion(type),
    tenantId: `tenant-${at % 7}`,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'orchestrator' },
    occurredAt: new Date(Date.UTC(2026, 10, 1) + at * 10_000 + offset * 1000).toISOString(),
    traceparent: null,
    data,
  });
  const steps = [
    { stepId: 'research', title: 'Research the market', agent: 'Researcher', dependsOn: [] },
    { stepId: 'write', title: 'Write the brief', agent: 'Executor', dependsOn: ['research'] },
  ];
  return [
    event('SessionStarted', { goal: `Write market brief ${at}`, context: {}, constraints: {}, agentVersions: {}, toolVersions: {} }, 0),
    event('PlanRequested', { planner: 'Planner', attempt: 1 }, 1),
    event('PlanProposed', { steps, rationale: 'research first, then write' }, 2),
    event('StepScheduled', { stepId: 'research', agent: 'Researcher', attempt: 1 }, 3),
    event('StepCompleted', { stepId: 'research', attempt: 1, output: { text: 'findings' }, usage }, 4),
    event('StepScheduled', { stepId: 'write', agent: 'Executor', attempt: 1 }, 5),
    event('StepCompleted', { stepId: 'write', attempt: 1, output: { text: 'the brief' }, usage }, 6),
    event('SessionCompleted', { result: { text: 'the brief' }, usage: { inputTokens: 200, outputTokens: 40, costUsd: 0.02 } }, 7),
  ];
}

/** Multi-row INSERT … ON CONFLICT DO UPDATE of `rows` into `table`, `batch` rows a statement: the raw way to write the model. */
async function upsertRows(pool: pg.Pool, table: string, key: readonly string[], rows: readonly Record<string, unknown>[], batch = 1000): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const quoted = columns.map((column) => pg.escapeIdentifier(column));
  const updates = columns.filter((column) => !key.includes(column)).map((column) => `${pg.escapeIdentifier(column)} = excluded.${pg.escapeIdentifier(column)}`);
  for (let start = 0; start < rows.length; start += batch) {
    const slice = rows.slice(start, start + batch);
    const values: unknown[] = [];
    const tuples = slice.map((row) => `(${columns.map((column) => {
      const value = row[column];
      values.push(value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value);
      return `$${values.length}`;
    }).join(', ')})`);
    await pool.query(`INSERT INTO ${table} (${quoted.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`, values);
  }
}

/**
 * `rebuild_ratio`: the sessions model rebuilt from a log of N events (ProjectionRunner.rebuild:
 * shadow tables, the log applied page by page, the swap) against raw batched upserts through pg of
 * the same rows the rebuild ends with (sessions and steps, 1,000 rows a statement) into tables of
 * the same DDL. Goal <= 1.5.
 */
export async function measureRebuild(options: MeasureOptions): Promise<Measured> {
  const db = await createTestSchema('bench_rebuild', 6);
  const store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 50 });
  const dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 4 }).initialize();
  const sessions = Math.ceil(events / perSession);
  const bar = progressBar('replay rebuild bench', sessions / 100 + options.rounds * 2);
  try {
    for (let at = 0; at < sessions; at += 100) {
      await Promise.all(Array.from({ length: Math.min(100, sessions - at) }, (_, i) => {
        const sessionId = randomUUID();
        return store.append(sessionStream(sessionId), sessionEvents(sessionId, at + i));
      }));
      bar.increment(1, { phase: 'seeding' });
    }
    const runner = new ProjectionRunner(new SessionsProjection(sessionsTables(db.schema)), { store, dataSource, schema: db.schema, batchSize: 1000, ...(process.env.REBUILD_PAGE ? { rebuildBatchSize: Number(process.env.REBUILD_PAGE) } : {}) });
    const raw = await createTestSchema('bench_rebuild_raw', 2);
    const rawProjection = new SessionsProjection(sessionsTables(raw.schema));
    const rebuildMs: number[] = [];
    const rawMs: number[] = [];
    const readMs: number[] = [];
    let applied = 0;
    const page = Number(process.env.REBUILD_PAGE ?? 5000);
    try {
      for (let r = 0; r < options.rounds; r++) {
        let started = performance.now();
        applied = (await runner.rebuild()).eventsApplied;
        rebuildMs.push(performance.now() - started);
        bar.increment(1, { phase: 'rebuild' });

        const rows = {
          sessions: (await db.pool.query(`SELECT * FROM "${db.schema}".sessions`)).rows,
          steps: (await db.pool.query(`SELECT * FROM "${db.schema}".session_steps`)).rows,
        };
        await dataSource.transaction(async (tx) => {
          await rawProjection.setUp(tx);
          await rawProjection.reset(tx);
        });
        started = performance.now();
        await upsertRows(raw.pool, `"${raw.schema}".sessions`, ['session_id'], rows.sessions);
        await upsertRows(raw.pool, `"${raw.schema}".session_steps`, ['session_id', 'step_id'], rows.steps);
        rawMs.push(performance.now() - started);
        bar.increment(1, { phase: 'raw upserts' });

        // The log read alone, page by page as the rebuild reads it: the floor under any rebuild.
        started = performance.now();
        for await (const _event of store.streamAll({ pageSize: page })) void _event;
        readMs.push(performance.now() - started);
      }
    } finally {
      await runner.stop();
      await raw.dispose();
    }
    const best = (values: number[]) => Math.min(...values);
    const ratio = best(rebuildMs) / best(rawMs);
    return {
      figures: { rebuild_ratio: round(ratio, 2), rebuild_events: applied, rebuild_events_per_second: round(applied / (best(rebuildMs) / 1000), 0) },
      lines: [
        `rebuild of the sessions model from ${applied} events: ${round(best(rebuildMs) / 1000, 2)} s (${round(applied / (best(rebuildMs) / 1000), 0)} events/s); raw batched upserts of the same rows: ${round(best(rawMs) / 1000, 2)} s`,
        `reading the log alone, ${page} events a page: ${round(best(readMs) / 1000, 2)} s (${round(best(readMs) / best(rawMs), 2)}x the raw upserts)`,
        `rebuild_ratio ${round(ratio, 2)} (goal <= 1.5)`,
      ],
    };
  } finally {
    bar.stop();
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  }
}
