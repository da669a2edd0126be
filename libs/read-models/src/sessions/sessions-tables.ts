import type { PlanStep, SessionConstraints } from '@agent-orchestrator/contracts';
import pg from 'pg';
import { EntitySchema, type ValueTransformer } from 'typeorm';
import type { SessionStatus } from '@agent-orchestrator/contracts';

/** The plan as proposed: steps in plan order. */
export interface SessionPlan {
  readonly steps: readonly PlanStep[];
  readonly rationale?: string;
}

export type StepStatus = 'pending' | 'scheduled' | 'completed' | 'failed';

/**
 * One session as clients see it. Usage is summed over every run it paid for while the session
 * runs, and replaced by the usage its terminal event states once it ends. `failureReason` is why
 * it ended without a result: the failure, the cancellation's reason, or a crossed budget.
 */
export interface SessionRecord {
  readonly sessionId: string;
  readonly tenantId: string;
  readonly status: SessionStatus;
  readonly goal: string;
  readonly constraints: SessionConstraints;
  readonly plan: SessionPlan | null;
  readonly result: unknown;
  readonly failureReason: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly stepsTotal: number;
  readonly stepsCompleted: number;
  readonly reviewRound: number;
  readonly reworkCount: number;
  readonly startedAt: Date;
  /** When the latest applied event occurred (not when it was applied), so a rebuild reproduces it. */
  readonly updatedAt: Date;
  readonly endedAt: Date | null;
  /** The session stream's version the row reflects; events at or below it are ignored. */
  readonly lastStreamVersion: number;
  /**
   * Events of this session the projection could not apply and quarantined: above 0 the row is
   * incomplete (it may miss what those events said) until they are retried or the model rebuilt.
   */
  readonly quarantinedEvents: number;
  /** The session this one was forked from, and the version of its log the fork copied up to; null for any other session. */
  readonly forkedFrom: { readonly sessionId: string; readonly version: number } | null;
}

/**
 * One step of the adopted plan. Status, attempt, output and times describe the latest attempt;
 * usage sums every attempt that spent anything, reworks and late answers included.
 */
export interface SessionStepRecord {
  readonly sessionId: string;
  readonly stepId: string;
  readonly tenantId: string;
  readonly title: string;
  readonly agent: string;
  readonly dependsOn: readonly string[];
  readonly status: StepStatus;
  readonly attempt: number;
  readonly output: unknown;
  readonly failureReason: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly scheduledAt: Date | null;
  readonly completedAt: Date | null;
}

/** The sessions read model's tables, in one schema of the caller's choosing. */
export interface SessionsTables {
  readonly schema: string;
  readonly sessions: EntitySchema<SessionRecord>;
  readonly sessionSteps: EntitySchema<SessionStepRecord>;
  /** For a DataSource's `entities`. */
  readonly entities: readonly EntitySchema[];
}

/** pg returns bigint and numeric as strings; token counts and micro-dollar costs fit a double. */
const asNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

const counter = { type: 'int', default: 0 } as const;
const tokens = { type: 'bigint', default: 0, transformer: asNumber } as const;
/** Micro-dollars, as the decider sums them: SQL sums of these are exact. */
const cost = { type: 'numeric', precision: 20, scale: 6, default: 0, transformer: asNumber } as const;

export function sessionsTables(schema: string): SessionsTables {
  const sessions = new EntitySchema<SessionRecord>({
    name: 'SessionReadModel',
    tableName: 'sessions',
    schema,
    columns: {
      sessionId: { name: 'session_id', type: 'text', primary: true },
      tenantId: { name: 'tenant_id', type: 'text' },
      status: { type: 'text' },
      goal: { type: 'text' },
      constraints: { type: 'jsonb' },
      plan: { type: 'jsonb', nullable: true },
      result: { type: 'jsonb', nullable: true },
      failureReason: { name: 'failure_reason', type: 'text', nullable: true },
      inputTokens: { name: 'input_tokens', ...tokens },
      outputTokens: { name: 'output_tokens', ...tokens },
      costUsd: { name: 'cost_usd', ...cost },
      stepsTotal: { name: 'steps_total', ...counter },
      stepsCompleted: { name: 'steps_completed', ...counter },
      reviewRound: { name: 'review_round', ...counter },
      reworkCount: { name: 'rework_count', ...counter },
      startedAt: { name: 'started_at', type: 'timestamptz' },
      updatedAt: { name: 'updated_at', type: 'timestamptz' },
      endedAt: { name: 'ended_at', type: 'timestamptz', nullable: true },
      lastStreamVersion: { name: 'last_stream_version', type: 'int' },
      quarantinedEvents: { name: 'quarantined_events', ...counter },
      forkedFrom: { name: 'forked_from', type: 'jsonb', nullable: true },
    },
    // session_id last, so keyset pages (started_at desc, session_id desc) are read in index order.
    indices: [
      { name: 'sessions_tenant_status_started', columns: ['tenantId', 'status', 'startedAt', 'sessionId'] },
      { name: 'sessions_tenant_started', columns: ['tenantId', 'startedAt', 'sessionId'] },
    ],
  });
  const sessionSteps = new EntitySchema<SessionStepRecord>({
    name: 'SessionStepReadModel',
    tableName: 'session_steps',
    schema,
    columns: {
      sessionId: { name: 'session_id', type: 'text', primary: true },
      stepId: { name: 'step_id', type: 'text', primary: true },
      tenantId: { name: 'tenant_id', type: 'text' },
      title: { type: 'text' },
      agent: { type: 'text' },
      dependsOn: { name: 'depends_on', type: 'jsonb' },
      status: { type: 'text' },
      attempt: counter,
      output: { type: 'jsonb', nullable: true },
      failureReason: { name: 'failure_reason', type: 'text', nullable: true },
      inputTokens: { name: 'input_tokens', ...tokens },
      outputTokens: { name: 'output_tokens', ...tokens },
      costUsd: { name: 'cost_usd', ...cost },
      scheduledAt: { name: 'scheduled_at', type: 'timestamptz', nullable: true },
      completedAt: { name: 'completed_at', type: 'timestamptz', nullable: true },
    },
  });
  return { schema, sessions, sessionSteps, entities: [sessions, sessionSteps] };
}

/** Table names for hand-written SQL, schema-qualified and quoted. */
export function sqlTableNames(tables: SessionsTables): { sessions: string; sessionSteps: string } {
  const schema = pg.escapeIdentifier(tables.schema);
  return { sessions: `${schema}.sessions`, sessionSteps: `${schema}.session_steps` };
}

/**
 * The DDL the projection runs in its set-up transaction. It must describe the same tables as the
 * entity schemas above: the integration spec asks TypeORM's schema builder for the difference.
 */
export function sessionsDdl(tables: SessionsTables): string[] {
  const { sessions, sessionSteps } = sqlTableNames(tables);
  return [
    `CREATE TABLE IF NOT EXISTS ${sessions} (
      session_id text PRIMARY KEY,
      tenant_id text NOT NULL,
      status text NOT NULL,
      goal text NOT NULL,
      constraints jsonb NOT NULL,
      plan jsonb,
      result jsonb,
      failure_reason text,
      input_tokens bigint NOT NULL DEFAULT 0,
      output_tokens bigint NOT NULL DEFAULT 0,
      cost_usd numeric(20, 6) NOT NULL DEFAULT 0,
      steps_total int NOT NULL DEFAULT 0,
      steps_completed int NOT NULL DEFAULT 0,
      review_round int NOT NULL DEFAULT 0,
      rework_count int NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      ended_at timestamptz,
      last_stream_version int NOT NULL,
      quarantined_events int NOT NULL DEFAULT 0,
      forked_from jsonb)`,
    // Tables made before quarantining existed; the default is right for every row they hold.
    `ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS quarantined_events int NOT NULL DEFAULT 0`,
    // Tables made before forks existed: none of their sessions is a fork.
    `ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS forked_from jsonb`,
    `CREATE INDEX IF NOT EXISTS sessions_tenant_status_started ON ${sessions} (tenant_id, status, started_at, session_id)`,
    `CREATE INDEX IF NOT EXISTS sessions_tenant_started ON ${sessions} (tenant_id, started_at, session_id)`,
    `CREATE TABLE IF NOT EXISTS ${sessionSteps} (
      session_id text NOT NULL,
      step_id text NOT NULL,
      tenant_id text NOT NULL,
      title text NOT NULL,
      agent text NOT NULL,
      depends_on jsonb NOT NULL,
      status text NOT NULL,
      attempt int NOT NULL DEFAULT 0,
      output jsonb,
      failure_reason text,
      input_tokens bigint NOT NULL DEFAULT 0,
      output_tokens bigint NOT NULL DEFAULT 0,
      cost_usd numeric(20, 6) NOT NULL DEFAULT 0,
      scheduled_at timestamptz,
      completed_at timestamptz,
      PRIMARY KEY (session_id, step_id))`,
  ];
}
