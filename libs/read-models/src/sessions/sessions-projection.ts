import { describeOverrun, parseStreamName, sessionEvents, streamCategories, type EventEnvelope, type SessionEvent, type Usage } from '@agent-orchestrator/contracts';
import { isolateByTenant } from '@agent-orchestrator/postgres';
import type { Projection } from '@agent-orchestrator/projections';
import type { EntityManager } from 'typeorm';
import { readOnlyFor } from '../tenant-scope.js';
import { sessionsDdl, sqlTableNames, type SessionsTables } from './sessions-tables.js';

/** A session event as the store hands it out: upcast to its type's latest data. */
type SessionEnvelope = SessionEvent & Pick<EventEnvelope, 'streamId' | 'streamVersion' | 'globalPosition'>;

const sessionEventTypes: ReadonlySet<string> = new Set(sessionEvents.map((definition) => definition.type));

function isSessionEvent(event: EventEnvelope): event is EventEnvelope & SessionEnvelope {
  return parseStreamName(event.streamId).category === streamCategories.session && sessionEventTypes.has(event.type);
}

/** Numbers a statement's parameters: `$1` is the session id. */
class SqlParams {
  readonly values: unknown[];

  constructor(sessionId: string) {
    this.values = [sessionId];
  }

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** pg would send a JS array as a Postgres array, so JSON goes as text. */
  json(value: unknown): string {
    return `${this.add(value === undefined ? null : JSON.stringify(value))}::jsonb`;
  }
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
  private readonly sessions: string;
  private readonly steps: string;

  /** @param appRole the role the gateway reads these tables as, one tenant at a time; without it only the owner may read them. */
  constructor(
    private readonly tables: SessionsTables,
    private readonly appRole?: string,
  ) {
    ({ sessions: this.sessions, sessionSteps: this.steps } = sqlTableNames(tables));
  }

  async setUp(manager: EntityManager): Promise<void> {
    // Two processes creating the same table at once can both pass IF NOT EXISTS and then collide
    // on the catalog; the lock (released at commit) makes the second see the first's tables.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`read-model:${this.tables.schema}.sessions`]);
    for (const statement of sessionsDdl(this.tables)) await manager.query(statement);
    for (const table of [this.sessions, this.steps]) await isolateByTenant(manager, table, readOnlyFor(this.appRole));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE ${this.sessions}, ${this.steps}`);
  }

  async apply(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (!isSessionEvent(event)) return;
    const sessionId = parseStreamName(event.streamId).id;
    if (event.type === 'SessionStarted') {
      // A session stream starts with SessionStarted at version 0: a conflict is a replay.
      const { goal, constraints } = event.data;
      await manager.query(
        `INSERT INTO ${this.sessions} (session_id, tenant_id, status, goal, constraints, started_at, updated_at, last_stream_version)
         VALUES ($1, $2, 'queued', $3, $4::jsonb, $5, $5, $6) ON CONFLICT (session_id) DO NOTHING`,
        [sessionId, event.tenantId, goal, JSON.stringify(constraints), event.occurredAt, event.streamVersion],
      );
      return;
    }
    const [current] = (await manager.query(`SELECT last_stream_version FROM ${this.sessions} WHERE session_id = $1 FOR UPDATE`, [sessionId])) as {
      last_stream_version: number;
    }[];
    // No row: a session this model never saw start, which a log that starts streams with
    // SessionStarted does not hold. At or below the row's version: already applied.
    if (!current || current.last_stream_version >= event.streamVersion) return;

    const params = new SqlParams(sessionId);
    const changes = await this.applyToSteps(event, manager, params);
    await manager.query(
      `UPDATE ${this.sessions} SET ${[
        ...changes,
        `last_stream_version = ${params.add(event.streamVersion)}`,
        `updated_at = ${params.add(event.occurredAt)}`,
        `steps_completed = (SELECT count(*) FROM ${this.steps} WHERE session_id = $1 AND status = 'completed')`,
      ].join(', ')} WHERE session_id = $1`,
      params.values,
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

  /** Writes what the event changes in the session's steps; returns its changes to the session row. */
  private async applyToSteps(event: SessionEnvelope, manager: EntityManager, p: SqlParams): Promise<string[]> {
    const sessionId = p.values[0] as string;
    const step = (set: string, stepId: string, values: unknown[]) =>
      manager.query(`UPDATE ${this.steps} SET ${set} WHERE session_id = $1 AND step_id = $2`, [sessionId, stepId, ...values]);
    switch (event.type) {
      case 'SessionStarted':
        return [];
      case 'PlanRequested':
        return [`status = 'running'`];
      case 'PlanProposed': {
        const { steps } = event.data;
        await manager.query(`DELETE FROM ${this.steps} WHERE session_id = $1`, [sessionId]);
        await manager.query(
          `INSERT INTO ${this.steps} (session_id, step_id, tenant_id, title, agent, depends_on, status)
           SELECT $1, s."stepId", $2, s.title, s.agent, s."dependsOn", 'pending'
           FROM jsonb_to_recordset($3::jsonb) AS s("stepId" text, title text, agent text, "dependsOn" jsonb)`,
          [sessionId, event.tenantId, JSON.stringify(steps)],
        );
        return [`plan = ${p.json(event.data)}`, `steps_total = ${p.add(steps.length)}`];
      }
      case 'StepScheduled':
        await step(`status = 'scheduled', attempt = $3, scheduled_at = $4, completed_at = NULL, failure_reason = NULL`, event.data.stepId, [
          event.data.attempt,
          event.occurredAt,
        ]);
        return [];
      case 'StepCompleted': {
        const { stepId, output, usage } = event.data;
        await step(
          `status = 'completed', output = $3::jsonb, completed_at = $4,
           input_tokens = input_tokens + $5, output_tokens = output_tokens + $6, cost_usd = cost_usd + $7`,
          stepId,
          [output === undefined ? null : JSON.stringify(output), event.occurredAt, usage.inputTokens, usage.outputTokens, usage.costUsd],
        );
        return added(usage, p);
      }
      case 'UsageRecorded': {
        const { task, usage } = event.data;
        if (task.kind === 'step') {
          await step(`input_tokens = input_tokens + $3, output_tokens = output_tokens + $4, cost_usd = cost_usd + $5`, task.stepId, [
            usage.inputTokens,
            usage.outputTokens,
            usage.costUsd,
          ]);
        }
        return added(usage, p);
      }
      case 'StepFailed':
        await step(`status = 'failed', failure_reason = $3`, event.data.stepId, [event.data.reason]);
        return [];
      case 'ReviewRequested':
        return [`review_round = ${p.add(event.data.round)}`];
      case 'ReviewCompleted':
        // The verdict changes nothing by itself: the SessionCompleted or ReworkRequested after it does.
        return [];
      case 'ReworkRequested':
        await manager.query(
          `UPDATE ${this.steps} SET status = 'pending', output = NULL, completed_at = NULL, failure_reason = NULL
           WHERE session_id = $1 AND step_id = ANY($2::text[])`,
          [sessionId, event.data.stepIds],
        );
        return ['rework_count = rework_count + 1'];
      case 'SessionCompleted':
        return [`status = 'completed'`, `result = ${p.json(event.data.result)}`, ...this.ended(event, event.data.usage, p)];
      case 'SessionFailed':
        return [`status = 'failed'`, `failure_reason = ${p.add(event.data.reason)}`, ...this.ended(event, event.data.usage, p)];
      case 'SessionCancelled':
        return [`status = 'cancelled'`, `failure_reason = ${p.add(event.data.reason ?? null)}`, ...this.ended(event, event.data.usage, p)];
      case 'SessionPaused':
        return [`status = 'paused'`];
      case 'SessionResumed':
        return [`status = 'running'`];
      case 'PlanRetryHeld':
        // The paused session says why it is paused; the retry it holds shows once it resumes.
        return [];
      case 'SessionForked':
        return [`forked_from = ${p.json(event.data.from)}`];
      case 'BudgetExceeded':
        // The decider follows it with SessionFailed in the same append; until that is applied the
        // session is still running, but already says why it is about to fail.
        return [`failure_reason = ${p.add(describeOverrun(event.data))}`];
      default:
        return unreachable(event);
    }
  }

  /** A terminal event states the session's usage: it replaces the running sums. */
  private ended(event: SessionEnvelope, usage: Usage, p: SqlParams): string[] {
    return [
      `ended_at = ${p.add(event.occurredAt)}`,
      `input_tokens = ${p.add(usage.inputTokens)}`,
      `output_tokens = ${p.add(usage.outputTokens)}`,
      `cost_usd = ${p.add(usage.costUsd)}`,
    ];
  }
}

/** A run's usage added to the session's running sums. */
function added(usage: Usage, p: SqlParams): string[] {
  return [
    `input_tokens = input_tokens + ${p.add(usage.inputTokens)}`,
    `output_tokens = output_tokens + ${p.add(usage.outputTokens)}`,
    `cost_usd = cost_usd + ${p.add(usage.costUsd)}`,
  ];
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
