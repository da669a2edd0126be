import { parseStreamName, type EventEnvelope } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { BulkWriter, Projection, ProjectionTables } from '@agent-orchestrator/projections';
import type { EntityManager } from 'typeorm';
import { readOnlyFor } from '../tenant-scope.js';
import { foldSessionEvent, isSessionEvent, type FoldedSession, type SessionRow, type StepRow } from './session-fold.js';
import { sessionsDdl, sessionsTables, sqlTableNames, type SessionsTables } from './sessions-tables.js';

const sessionColumns: readonly (keyof SessionRow)[] = [
  'session_id', 'tenant_id', 'status', 'goal', 'constraints', 'plan', 'result', 'failure_reason', 'input_tokens', 'output_tokens', 'cost_usd',
  'steps_total', 'steps_completed', 'review_round', 'rework_count', 'started_at', 'updated_at', 'ended_at', 'last_stream_version', 'quarantined_events', 'forked_from',
];
const stepColumns: readonly (keyof StepRow)[] = [
  'session_id', 'step_id', 'tenant_id', 'title', 'agent', 'depends_on', 'status', 'attempt', 'output', 'failure_reason', 'input_tokens', 'output_tokens', 'cost_usd',
  'scheduled_at', 'completed_at',
];
const sessionTimes = ['started_at', 'updated_at', 'ended_at'] as const;
const stepTimes = ['scheduled_at', 'completed_at'] as const;

/** A row as pg reads it (bigint and numeric as strings, timestamptz as Date) in the fold's terms. */
function fromDatabase<Row extends { input_tokens: number; output_tokens: number; cost_usd: number }>(row: Row, times: readonly (keyof Row)[]): Row {
  const folded: Row = { ...row, input_tokens: Number(row.input_tokens), output_tokens: Number(row.output_tokens), cost_usd: Number(row.cost_usd) };
  for (const column of times) {
    const value = folded[column] as unknown;
    if (value instanceof Date) (folded as Record<keyof Row, unknown>)[column] = value.toISOString();
  }
  return folded;
}

/**
 * The sessions read model: one row per session and one per step of its adopted plan, as the
 * gateway serves them. Statuses follow the decider (see `sessionStatus`): SessionStarted ->
 * queued; PlanRequested -> running; SessionPaused -> paused, SessionResumed -> running;
 * SessionCompleted/Failed/Cancelled -> completed/failed/cancelled. `awaiting_approval` is never
 * set here: approvals live on other streams.
 *
 * The runner commits rows with the checkpoint, so each event arrives once, in stream order. Each
 * row still remembers the stream version it reflects and ignores an event at or below it, which
 * makes a manual replay of old events harmless.
 */
export class SessionsProjection implements Projection {
  readonly name = 'sessions';
  readonly version = 1;
  readonly readModelTables: ProjectionTables;
  private readonly sessions: string;
  private readonly steps: string;

  /** @param appRole the role the gateway reads these tables as, one tenant at a time; without it only the owner may read them. */
  constructor(
    private readonly model: SessionsTables,
    private readonly appRole?: string,
  ) {
    ({ sessions: this.sessions, sessionSteps: this.steps } = sqlTableNames(model));
    this.readModelTables = { schema: model.schema, names: ['sessions', 'session_steps'] };
  }

  inSchema(schema: string): SessionsProjection {
    return new SessionsProjection(sessionsTables(schema), this.appRole);
  }

  async setUp(manager: EntityManager): Promise<void> {
    // Two processes creating the same table at once can both pass IF NOT EXISTS and then collide
    // on the catalog; the lock (released at commit) makes the second see the first's tables.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.model.schema}.sessions`]);
    for (const statement of sessionsDdl(this.model)) await manager.query(statement);
    for (const table of [this.sessions, this.steps]) await isolateByTenant(manager, table, readOnlyFor(this.appRole));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.sessions}, ${this.steps}`);
  }

  apply(event: EventEnvelope, manager: EntityManager): Promise<void> {
    return this.applyBatch([event], manager);
  }

  /**
   * A page of events in three steps: the rows of the sessions it touches are read (locked), its
   * events folded into them in order (`foldSessionEvent`), and the changed rows written back: the
   * sessions in one upsert, the steps of sessions whose steps changed deleted and inserted again.
   * A few statements a page instead of a few an event, with the same rows as one event at a time.
   */
  async applyBatch(events: readonly EventEnvelope[], manager: EntityManager): Promise<void> {
    const page = events.filter(isSessionEvent);
    if (page.length === 0) return;
    const sessions = await this.load([...new Set(page.map((event) => parseStreamName(event.streamId).id))], manager);
    for (const event of page) foldSessionEvent(sessions, event);
    await this.write([...sessions.values()], manager);
  }

  /**
   * For a rebuild: sessions folded across pages and written once the writer holds many rows. A
   * session whose rows an earlier write (or page) made is read back when its next event comes.
   */
  bulkWriter(): BulkWriter {
    const held = new Map<string, FoldedSession>();
    /** Sessions with rows in the tables. A rebuild starts from empty tables, so these are only those it wrote. */
    const written = new Set<string>();
    let heldSteps = 0;
    return {
      get heldRows() {
        return held.size + heldSteps;
      },
      add: async (events, manager) => {
        const page = events.filter(isSessionEvent);
        const toRead = [...new Set(page.map((event) => parseStreamName(event.streamId).id))].filter((id) => !held.has(id) && written.has(id));
        if (toRead.length > 0) {
          for (const [id, session] of await this.load(toRead, manager, false)) {
            held.set(id, session);
            heldSteps += session.steps.size;
          }
        }
        for (const event of page) {
          const id = parseStreamName(event.streamId).id;
          const before = held.get(id)?.steps.size ?? 0;
          foldSessionEvent(held, event);
          heldSteps += (held.get(id)?.steps.size ?? 0) - before;
        }
      },
      flush: async (manager) => {
        await this.write([...held.values()], manager);
        for (const id of held.keys()) written.add(id);
        held.clear();
        heldSteps = 0;
      },
      discard: (events) => {
        held.clear();
        heldSteps = 0;
        for (const event of events) if (isSessionEvent(event)) written.add(parseStreamName(event.streamId).id);
      },
    };
  }

  private async load(sessionIds: readonly string[], manager: EntityManager, lock = true): Promise<Map<string, FoldedSession>> {
    const sessions = new Map<string, FoldedSession>();
    const rows = (await manager.query(`SELECT * FROM ${this.sessions} WHERE session_id = ANY($1::text[])${lock ? ' FOR UPDATE' : ''}`, [sessionIds])) as SessionRow[];
    if (rows.length === 0) return sessions;
    for (const row of rows) sessions.set(row.session_id, { row: fromDatabase(row, sessionTimes), steps: new Map(), changed: false, stepsChanged: false, stored: true });
    const steps = (await manager.query(`SELECT * FROM ${this.steps} WHERE session_id = ANY($1::text[])`, [rows.map((row) => row.session_id)])) as StepRow[];
    for (const step of steps) sessions.get(step.session_id)?.steps.set(step.step_id, fromDatabase(step, stepTimes));
    return sessions;
  }

  private async write(sessions: readonly FoldedSession[], manager: EntityManager): Promise<void> {
    const changed = sessions.filter((session) => session.changed).map((session) => session.row);
    if (changed.length > 0) {
      await manager.query(
        `INSERT INTO ${this.sessions} (${sessionColumns.join(', ')})
         SELECT ${sessionColumns.join(', ')} FROM jsonb_populate_recordset(NULL::${this.sessions}, $1::jsonb)
         ON CONFLICT (session_id) DO UPDATE SET ${sessionColumns
           .filter((column) => column !== 'session_id')
           .map((column) => `${column} = excluded.${column}`)
           .join(', ')}`,
        [JSON.stringify(changed)],
      );
    }
    const replanned = sessions.filter((session) => session.stepsChanged);
    if (replanned.length === 0) return;
    const stored = replanned.filter((session) => session.stored).map((session) => session.row.session_id);
    if (stored.length > 0) await manager.query(`DELETE FROM ${this.steps} WHERE session_id = ANY($1::text[])`, [stored]);
    const steps = replanned.flatMap((session) => [...session.steps.values()]);
    if (steps.length === 0) return;
    await manager.query(
      `INSERT INTO ${this.steps} (${stepColumns.join(', ')})
       SELECT ${stepColumns.join(', ')} FROM jsonb_populate_recordset(NULL::${this.steps}, $1::jsonb)`,
      [JSON.stringify(steps)],
    );
  }

  /**
   * The session the quarantined event belongs to reads as incomplete. When the event was its
   * SessionStarted, a row is made from the envelope alone, so the session is listed (marked
   * incomplete) and its later events still apply.
   */
  async markIncomplete(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (!isSessionEvent(event)) return;
    await manager.query(
      `INSERT INTO ${this.sessions} (session_id, tenant_id, status, goal, constraints, started_at, updated_at, last_stream_version, quarantined_events)
       VALUES ($1, $2, 'queued', '', '{}'::jsonb, $3, $3, $4, 1)
       ON CONFLICT (session_id) DO UPDATE SET quarantined_events = ${this.sessions}.quarantined_events + 1`,
      [parseStreamName(event.streamId).id, event.tenantId, event.occurredAt, event.streamVersion],
    );
  }

  async markComplete(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (!isSessionEvent(event)) return;
    await manager.query(`UPDATE ${this.sessions} SET quarantined_events = greatest(quarantined_events - 1, 0) WHERE session_id = $1`, [parseStreamName(event.streamId).id]);
  }
}
