import { describeOverrun, parseStreamName, sessionEvents, streamCategories, type EventEnvelope, type SessionEvent, type Usage } from '@agent-orchestrator/contracts';

/** A session event as the store hands it out: upcast to its type's latest data. */
export type SessionEnvelope = SessionEvent & Pick<EventEnvelope, 'streamId' | 'streamVersion' | 'globalPosition'>;

const sessionEventTypes: ReadonlySet<string> = new Set(sessionEvents.map((definition) => definition.type));

export function isSessionEvent(event: EventEnvelope): event is EventEnvelope & SessionEnvelope {
  return parseStreamName(event.streamId).category === streamCategories.session && sessionEventTypes.has(event.type);
}

/**
 * A `sessions` row as the fold holds it: named as its columns, so a page of rows goes to
 * PostgreSQL as one JSON document (`jsonb_populate_recordset`). Times are ISO strings; cost is
 * USD to six decimals, as the column stores it.
 */
export interface SessionRow {
  session_id: string;
  tenant_id: string;
  status: string;
  goal: string;
  constraints: unknown;
  plan: unknown;
  result: unknown;
  failure_reason: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  steps_total: number;
  steps_completed: number;
  review_round: number;
  rework_count: number;
  started_at: string;
  updated_at: string;
  ended_at: string | null;
  last_stream_version: number;
  quarantined_events: number;
  forked_from: unknown;
}

/** A `session_steps` row, as `SessionRow` is one of `sessions`. */
export interface StepRow {
  session_id: string;
  step_id: string;
  tenant_id: string;
  title: string;
  agent: string;
  depends_on: unknown;
  status: string;
  attempt: number;
  output: unknown;
  failure_reason: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  scheduled_at: string | null;
  completed_at: string | null;
}

/** One session's rows while a page of events is folded into them. */
export interface FoldedSession {
  row: SessionRow;
  /** The adopted plan's steps by id, in plan order. */
  steps: Map<string, StepRow>;
  /** The row is new or changed: it is written back. */
  changed: boolean;
  /** Its steps changed: they are written back, all of them (a new plan replaces the old steps). */
  stepsChanged: boolean;
  /** The row was read from the table, so steps of it may be there too (a session new to this page has none yet). */
  stored: boolean;
}

/**
 * Adds USD amounts as the numeric(20, 6) column would, rounding the sum to six decimals. Summed in
 * nano-dollars, exact as integers: a stored amount has six decimals, an event's at most nine.
 */
export function addUsd(stored: number, amount: number): number {
  const nanos = Math.round(stored * 1e6) * 1000 + Math.round(amount * 1e9);
  return Math.round(nanos / 1000) / 1e6;
}

/** An amount as the column stores it: rounded to six decimals. */
export function storedUsd(amount: number): number {
  return addUsd(0, amount);
}

/**
 * Folds one event into the page's sessions: what `UPDATE`s of the row and its steps would have
 * done, in memory. The sessions model (see `SessionsProjection`) loads the page's rows, folds its
 * events in order and writes the changed rows back in a few statements.
 *
 * A session stream starts with SessionStarted at version 0, so a row that exists when one comes is
 * a replay of it. Any other event of a session with no row is one this model never saw start, and
 * one at or below the row's version was already applied: both change nothing.
 */
export function foldSessionEvent(sessions: Map<string, FoldedSession>, event: SessionEnvelope): void {
  const sessionId = parseStreamName(event.streamId).id;
  const folded = sessions.get(sessionId);
  if (event.type === 'SessionStarted') {
    if (folded) return;
    const { goal, constraints } = event.data;
    sessions.set(sessionId, {
      row: {
        session_id: sessionId,
        tenant_id: event.tenantId,
        status: 'queued',
        goal,
        constraints,
        plan: null,
        result: null,
        failure_reason: null,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        steps_total: 0,
        steps_completed: 0,
        review_round: 0,
        rework_count: 0,
        started_at: event.occurredAt,
        updated_at: event.occurredAt,
        ended_at: null,
        last_stream_version: event.streamVersion,
        quarantined_events: 0,
        forked_from: null,
      },
      steps: new Map(),
      changed: true,
      stepsChanged: false,
      stored: false,
    });
    return;
  }
  if (!folded || folded.row.last_stream_version >= event.streamVersion) return;
  applyEvent(folded, event);
  const { row } = folded;
  row.last_stream_version = event.streamVersion;
  row.updated_at = event.occurredAt;
  row.steps_completed = [...folded.steps.values()].filter((step) => step.status === 'completed').length;
  folded.changed = true;
}

function applyEvent(folded: FoldedSession, event: SessionEnvelope): void {
  const { row } = folded;
  /** Changes one step of the plan, if the plan has it. */
  const step = (stepId: string, change: (step: StepRow) => void) => {
    const found = folded.steps.get(stepId);
    if (!found) return;
    change(found);
    folded.stepsChanged = true;
  };
  switch (event.type) {
    case 'SessionStarted':
      return;
    case 'PlanRequested':
      row.status = 'running';
      return;
    case 'PlanProposed': {
      const { steps } = event.data;
      folded.steps = new Map();
      for (const planned of steps) {
        // The steps' primary key would refuse a plan that names a step twice; so does the fold.
        if (folded.steps.has(planned.stepId)) throw new Error(`the plan names step ${planned.stepId} twice`);
        folded.steps.set(planned.stepId, newStep(row, event.tenantId, planned));
      }
      folded.stepsChanged = true;
      row.plan = event.data;
      row.steps_total = steps.length;
      return;
    }
    case 'StepScheduled':
      step(event.data.stepId, (s) => {
        s.status = 'scheduled';
        s.attempt = event.data.attempt;
        s.scheduled_at = event.occurredAt;
        s.completed_at = null;
        s.failure_reason = null;
      });
      return;
    case 'StepCompleted': {
      const { stepId, output, usage } = event.data;
      step(stepId, (s) => {
        s.status = 'completed';
        s.output = output === undefined ? null : output;
        s.completed_at = event.occurredAt;
        addUsage(s, usage);
      });
      addUsage(row, usage);
      return;
    }
    case 'UsageRecorded': {
      const { task, usage } = event.data;
      if (task.kind === 'step') step(task.stepId, (s) => addUsage(s, usage));
      addUsage(row, usage);
      return;
    }
    case 'StepFailed':
      step(event.data.stepId, (s) => {
        s.status = 'failed';
        s.failure_reason = event.data.reason;
      });
      return;
    case 'ReviewRequested':
      row.review_round = event.data.round;
      return;
    case 'ReviewCompleted':
      // The verdict changes nothing by itself: the SessionCompleted or ReworkRequested after it does.
      return;
    case 'ReworkRequested':
      for (const stepId of event.data.stepIds) {
        step(stepId, (s) => {
          s.status = 'pending';
          s.output = null;
          s.completed_at = null;
          s.failure_reason = null;
        });
      }
      row.rework_count += 1;
      return;
    case 'SessionCompleted':
      row.status = 'completed';
      row.result = event.data.result === undefined ? null : event.data.result;
      ended(row, event, event.data.usage);
      return;
    case 'SessionFailed':
      row.status = 'failed';
      row.failure_reason = event.data.reason;
      ended(row, event, event.data.usage);
      return;
    case 'SessionCancelled':
      row.status = 'cancelled';
      row.failure_reason = event.data.reason ?? null;
      ended(row, event, event.data.usage);
      return;
    case 'SessionPaused':
      row.status = 'paused';
      return;
    case 'SessionResumed':
      row.status = 'running';
      return;
    case 'PlanRetryHeld':
      // The paused session says why it is paused; the retry it holds shows once it resumes.
      return;
    case 'SessionForked':
      row.forked_from = event.data.from;
      return;
    case 'BudgetExceeded':
      // The decider follows it with SessionFailed in the same append; until that is applied the
      // session is still running, but already says why it is about to fail.
      row.failure_reason = describeOverrun(event.data);
      return;
    default:
      return unreachable(event);
  }
}

function newStep(row: SessionRow, tenantId: string, planned: { stepId: string; title: string; agent: string; dependsOn: readonly string[] }): StepRow {
  return {
    session_id: row.session_id,
    step_id: planned.stepId,
    tenant_id: tenantId,
    title: planned.title,
    agent: planned.agent,
    depends_on: planned.dependsOn,
    status: 'pending',
    attempt: 0,
    output: null,
    failure_reason: null,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    scheduled_at: null,
    completed_at: null,
  };
}

/** A run's usage added to the running sums. */
function addUsage(sums: { input_tokens: number; output_tokens: number; cost_usd: number }, usage: Usage): void {
  sums.input_tokens += usage.inputTokens;
  sums.output_tokens += usage.outputTokens;
  sums.cost_usd = addUsd(sums.cost_usd, usage.costUsd);
}

/** A terminal event states the session's usage: it replaces the running sums. */
function ended(row: SessionRow, event: SessionEnvelope, usage: Usage): void {
  row.ended_at = event.occurredAt;
  row.input_tokens = usage.inputTokens;
  row.output_tokens = usage.outputTokens;
  row.cost_usd = storedUsd(usage.costUsd);
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
