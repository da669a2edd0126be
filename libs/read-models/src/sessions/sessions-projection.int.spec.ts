import { comparePositions, type GlobalPosition, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { createTestSchema, planRequested, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { noUsage, planStep, SessionHistory, usage } from './session-history.js';
import { maxGoalSearchLength, SessionQueries, type ListSessionsQuery } from './session-queries.js';
import { SessionsProjection } from './sessions-projection.js';
import { sessionsTables, type SessionsTables } from './sessions-tables.js';

describe('sessions read model', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let tables: SessionsTables;
  let projection: SessionsProjection;
  let runner: ProjectionRunner;
  let queries: SessionQueries;

  beforeAll(async () => {
    db = await createTestSchema('sessions_read_model');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    tables = sessionsTables(db.schema);
    dataSource = await new DataSource({ type: 'postgres', url: db.connectionString, schema: db.schema, poolSize: 6, entities: [...tables.entities] }).initialize();
    projection = new SessionsProjection(tables);
    // Small batches, so batch boundaries fall inside appends as they can in production.
    runner = new ProjectionRunner(projection, { store, dataSource, schema: db.schema, batchSize: 3 });
    await runner.start();
    queries = new SessionQueries(dataSource, tables);
  });
  afterAll(async () => {
    await runner.stop();
    await dataSource.destroy();
    await store.close();
    await db.dispose();
  });

  /** Appends to the session's stream and waits until the projection's checkpoint has passed it. */
  async function append(history: { streamId: string }, ...events: NewEvent[]): Promise<void> {
    const { position } = await store.append(history.streamId, events);
    await caughtUp(position);
  }
  const caughtUp = (position: GlobalPosition) =>
    waitFor(`the sessions projection at ${position}`, async () => {
      const [row] = (await dataSource.query(`SELECT position FROM "${db.schema}".projection_checkpoints WHERE projection = 'sessions'`)) as { position: string }[];
      return row !== undefined && comparePositions(row.position, position) >= 0;
    });
  const session = (history: SessionHistory) => queries.getSession(history.tenantId, history.sessionId);
  const allRows = async () => ({
    sessions: await dataSource.query(`SELECT * FROM "${db.schema}".sessions ORDER BY session_id`),
    steps: await dataSource.query(`SELECT * FROM "${db.schema}".session_steps ORDER BY session_id, step_id`),
  });

  it('creates tables that match the entity schemas, also when several processes set up at once', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);

    const other = await createTestSchema('sessions_setup');
    try {
      const fresh = new SessionsProjection(sessionsTables(other.schema));
      await Promise.all([1, 2, 3].map(() => dataSource.transaction((tx) => fresh.setUp(tx))));
      const created = await other.pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [other.schema]);
      expect(created.rows.map((r) => r.table_name)).toEqual(['session_steps', 'sessions']);
    } finally {
      await other.dispose();
    }
  });

  it('follows a session through parallel steps, a dependent step, review, one rework and completion', async () => {
    const s = new SessionHistory('acme', '2025-03-03T09:00:00.000Z');
    const market = planStep('research-market', 'Researcher');
    const rivals = planStep('research-rivals', 'Researcher');
    const brief = planStep('write-brief', 'Executor', ['research-market', 'research-rivals']);

    await append(s, s.started('Write a market brief', { maxTokens: 100_000 }));
    expect(await session(s)).toMatchObject({ status: 'queued', goal: 'Write a market brief', constraints: { maxTokens: 100_000 }, steps: [] });
    await append(s, s.planRequested());
    expect(await session(s)).toMatchObject({ status: 'running', plan: null, stepsTotal: 0 });

    await append(s, s.planProposed([market, rivals, brief]), s.scheduled(market), s.scheduled(rivals), s.completed(market, usage(1000, 200, 0.012)));
    expect(await session(s)).toMatchObject({
      status: 'running',
      plan: { steps: [market, rivals, brief] },
      stepsTotal: 3,
      stepsCompleted: 1,
      steps: [
        { stepId: 'research-market', status: 'completed', attempt: 1, output: { text: 'Do research-market, attempt 1' }, inputTokens: 1000 },
        { stepId: 'research-rivals', status: 'scheduled', attempt: 1, output: null, scheduledAt: new Date('2025-03-03T09:00:04.000Z') },
        { stepId: 'write-brief', status: 'pending', attempt: 0, dependsOn: ['research-market', 'research-rivals'], scheduledAt: null },
      ],
    });

    await append(s, s.completed(rivals, usage(800, 150, 0.0095)), s.scheduled(brief), s.completed(brief, usage(2000, 600, 0.031)));
    await append(s, s.event('ReviewRequested', { round: 1, reviewer: 'Reviewer' }));
    expect(await session(s)).toMatchObject({ stepsCompleted: 3, reviewRound: 1, inputTokens: 3800, outputTokens: 950, costUsd: 0.0525 });

    const reasons = ['the brief ignores the rivals research'];
    await append(
      s,
      s.event('ReviewCompleted', { round: 1, verdict: 'rework', reasons }),
      s.event('ReworkRequested', { round: 1, reasons, stepIds: ['write-brief'] }),
      s.scheduled(brief, 2),
    );
    expect(await session(s)).toMatchObject({
      status: 'running',
      reworkCount: 1,
      stepsCompleted: 2,
      steps: [{ status: 'completed' }, { status: 'completed' }, { stepId: 'write-brief', status: 'scheduled', attempt: 2, output: null, completedAt: null }],
    });

    await append(s, s.completed(brief, usage(2100, 650, 0.033), 2), s.event('ReviewRequested', { round: 2, reviewer: 'Reviewer' }));
    // Running sums, before any terminal event states the total.
    expect(await session(s)).toMatchObject({ stepsCompleted: 3, reviewRound: 2, inputTokens: 5900, outputTokens: 1600, costUsd: 0.0855 });

    const endedAt = s.now;
    const result = { brief: 'Do write-brief, attempt 2' };
    await append(s, s.event('ReviewCompleted', { round: 2, verdict: 'pass', reasons: [] }));
    await append(s, s.event('SessionCompleted', { result, usage: usage(5900, 1600, 0.0855) }));
    expect(await session(s)).toMatchObject({
      tenantId: 'acme',
      status: 'completed',
      result,
      failureReason: null,
      inputTokens: 5900,
      outputTokens: 1600,
      costUsd: 0.0855,
      stepsTotal: 3,
      stepsCompleted: 3,
      reviewRound: 2,
      reworkCount: 1,
      startedAt: new Date('2025-03-03T09:00:00.000Z'),
      updatedAt: new Date(Date.parse(endedAt) + 1000),
      endedAt: new Date(Date.parse(endedAt) + 1000),
      lastStreamVersion: 16,
      steps: [
        { stepId: 'research-market', status: 'completed', inputTokens: 1000, outputTokens: 200, costUsd: 0.012 },
        { stepId: 'research-rivals', status: 'completed', inputTokens: 800, outputTokens: 150, costUsd: 0.0095 },
        // Both attempts of the reworked step count.
        { stepId: 'write-brief', status: 'completed', attempt: 2, output: { text: 'Do write-brief, attempt 2' }, inputTokens: 4100, outputTokens: 1250, costUsd: 0.064 },
      ],
    });
  });

  it('records a failed step and a failed session', async () => {
    const s = new SessionHistory('acme', '2025-03-03T10:00:00.000Z');
    const fetch = planStep('fetch-report', 'Executor');
    const reason = 'step "fetch-report" failed and cannot be retried: 404 from the reports API';
    await append(s, ...s.begun(), s.planProposed([fetch]), s.scheduled(fetch));
    await append(s, s.event('StepFailed', { stepId: 'fetch-report', attempt: 1, reason: '404 from the reports API', retryable: false }));
    expect(await session(s)).toMatchObject({ status: 'running', steps: [{ status: 'failed', failureReason: '404 from the reports API' }] });
    await append(s, s.event('SessionFailed', { reason, usage: noUsage }));
    expect(await session(s)).toMatchObject({ status: 'failed', failureReason: reason, result: null, endedAt: expect.any(Date), stepsCompleted: 0 });
  });

  it('stores text PostgreSQL refuses (NUL) that a model produced, with U+FFFD in its place', async () => {
    const s = new SessionHistory('acme', '2025-03-03T10:30:00.000Z');
    const step = planStep('draft', 'Executor');
    await append(s, ...s.begun('goal\u0000with a NUL'), s.planProposed([step]), s.scheduled(step));
    await append(s, s.event('StepCompleted', { stepId: 'draft', attempt: 1, output: { text: 'a\u0000b', ['k\u0000']: ['\u0000'] }, usage: noUsage }));
    await append(s, s.event('SessionFailed', { reason: 'model said \u0000', usage: noUsage }));
    expect(await session(s)).toMatchObject({
      goal: 'goal\ufffdwith a NUL',
      status: 'failed',
      failureReason: 'model said \ufffd',
      quarantinedEvents: 0,
      steps: [{ status: 'completed', output: { text: 'a\ufffdb', ['k\ufffd']: ['\ufffd'] } }],
    });
  });

  it('marks a session incomplete when one of its events is quarantined, and lists it even when that was its start', async () => {
    // Its own tables: the rows made here are not what the log would rebuild.
    const other = await createTestSchema('sessions_incomplete');
    try {
      const fresh = new SessionsProjection(sessionsTables(other.schema));
      const s = new SessionHistory('acme', '2025-03-03T10:45:00.000Z');
      const at = (event: NewEvent, streamVersion: number) => ({ ...event, streamId: s.streamId, streamVersion, globalPosition: String(streamVersion) });
      const started = at(s.started('never applied'), 0);
      const row = async () => (await dataSource.query(`SELECT status, quarantined_events FROM "${other.schema}".sessions WHERE session_id = $1`, [s.sessionId]))[0];
      await dataSource.transaction(async (tx) => {
        await fresh.setUp(tx);
        await fresh.markIncomplete(started, tx);
        await fresh.markIncomplete(started, tx);
      });
      expect(await row()).toEqual({ status: 'queued', quarantined_events: 2 });
      // SessionStarted finds its row made and changes nothing; the later events apply.
      await dataSource.transaction(async (tx) => {
        await fresh.apply(started, tx);
        await fresh.apply(at(s.planRequested(), 1), tx);
        await fresh.markComplete(started, tx);
      });
      expect(await row()).toEqual({ status: 'running', quarantined_events: 1 });
    } finally {
      await other.dispose();
    }
  });

  it('records a cancelled session with the usage it had', async () => {
    const s = new SessionHistory('acme', '2025-03-03T11:00:00.000Z');
    const step = planStep('draft', 'Executor');
    await append(s, ...s.begun(), s.planProposed([step]), s.scheduled(step), s.completed(step, usage(10, 20, 0.001)));
    await append(s, s.event('SessionCancelled', { reason: 'no longer needed', usage: usage(10, 20, 0.001) }));
    expect(await session(s)).toMatchObject({ status: 'cancelled', failureReason: 'no longer needed', endedAt: expect.any(Date), inputTokens: 10, costUsd: 0.001 });
  });

  it('shows a session paused for its tenant as paused (listed under status=paused), and running once resumed', async () => {
    const s = new SessionHistory('hooli', '2025-03-07T09:00:00.000Z');
    const step = planStep('draft', 'Executor');
    await append(s, s.started('Draft the memo'), s.planRequested(), s.planProposed([step]), s.scheduled(step));
    await append(s, s.event('SessionPaused', { reason: 'tenant_suspended', tenantStatusVersion: 2 }), s.completed(step, usage(10, 5, 0.001)));
    expect(await session(s)).toMatchObject({ status: 'paused', stepsCompleted: 1, endedAt: null });
    expect((await queries.listSessions('hooli', { status: 'paused', limit: 10 })).items.map((i) => i.sessionId)).toEqual([s.sessionId]);
    expect((await queries.listSessions('hooli', { status: 'running', limit: 10 })).items).toEqual([]);
    expect((await queries.liveSessions(1000)).map((live) => live.sessionId)).toContain(s.sessionId);

    await append(s, s.event('SessionResumed', { tenantStatusVersion: 3 }), s.event('ReviewRequested', { round: 1, reviewer: 'Reviewer' }));
    expect(await session(s)).toMatchObject({ status: 'running', reviewRound: 1 });
    expect((await queries.listSessions('hooli', { status: 'paused', limit: 10 })).items).toEqual([]);
  });

  it("shows a fork's forkedFrom, listed and read, and null for any other session", async () => {
    const original = new SessionHistory('forked-co', '2025-03-08T09:00:00.000Z');
    const fork = new SessionHistory('forked-co', '2025-03-08T09:05:00.000Z');
    const step = planStep('draft', 'Executor');
    await append(original, ...original.begun('Draft the memo'), original.planProposed([step]), original.scheduled(step));
    // The fork's copies, then SessionForked, then the step in flight asked for again.
    await append(fork, fork.started('Draft the memo'), fork.planRequested(), fork.planProposed([step]), fork.scheduled(step));
    await append(fork, fork.event('SessionForked', { from: { sessionId: original.sessionId, version: 3 }, overrides: { modelFixture: 'three-steps-rework-once' } }), fork.scheduled(step));
    expect(await session(fork)).toMatchObject({ status: 'running', forkedFrom: { sessionId: original.sessionId, version: 3 }, steps: [{ stepId: 'draft', status: 'scheduled' }] });
    expect(await session(original)).toMatchObject({ forkedFrom: null });
    const listed = (await queries.listSessions('forked-co', { limit: 10 })).items;
    expect(listed.map(({ sessionId, forkedFrom }) => ({ sessionId, forkedFrom }))).toEqual([
      { sessionId: fork.sessionId, forkedFrom: { sessionId: original.sessionId, version: 3 } },
      { sessionId: original.sessionId, forkedFrom: null },
    ]);
  });

  it('adds planner, reviewer and late step usage to the session, and step usage to its step', async () => {
    const s = new SessionHistory('acme', '2025-03-03T11:30:00.000Z');
    const step = planStep('draft', 'Executor');
    await append(s, ...s.begun(), s.event('UsageRecorded', { task: { kind: 'plan', attempt: 1 }, usage: usage(300, 80, 0.5) }), s.planProposed([step]));
    await append(s, s.scheduled(step), s.completed(step, usage(10, 20, 0.001)));
    await append(s, s.event('UsageRecorded', { task: { kind: 'step', stepId: 'draft', attempt: 1 }, usage: usage(5, 5, 0.002) }));
    await append(s, s.event('UsageRecorded', { task: { kind: 'review', round: 1 }, usage: usage(40, 4, 0.25) }));
    expect(await session(s)).toMatchObject({
      inputTokens: 355,
      outputTokens: 109,
      costUsd: 0.753,
      steps: [{ stepId: 'draft', inputTokens: 15, outputTokens: 25, costUsd: 0.003 }],
    });
  });

  it('records a crossed budget as the reason, then the failure the decider appends with it', async () => {
    const s = new SessionHistory('acme', '2025-03-03T12:00:00.000Z');
    const [research, write] = [planStep('research', 'Researcher'), planStep('write', 'Executor', ['research'])];
    const spent = usage(900, 300, 0.02);
    await append(s, ...s.begun('Write a long report', { maxTokens: 1000 }), s.planProposed([research, write]), s.scheduled(research));
    // One append in production; the runner's batch can still end between them.
    await append(s, s.completed(research, spent), s.event('BudgetExceeded', { budget: 'tokens', limit: 1000, used: 1200 }));
    const reason = 'budget exceeded: 1200 tokens used, at most 1000 allowed';
    expect(await session(s)).toMatchObject({ status: 'running', failureReason: reason, endedAt: null });
    await append(s, s.event('SessionFailed', { reason, usage: spent }));
    expect(await session(s)).toMatchObject({ status: 'failed', failureReason: reason, inputTokens: 900, outputTokens: 300, stepsCompleted: 1 });
  });

  it('never shows a session to another tenant', async () => {
    const mine = new SessionHistory('initech', '2025-03-04T09:00:00.000Z');
    const theirs = new SessionHistory('globex', '2025-03-04T09:00:00.000Z');
    const step = planStep('plan', 'Executor');
    await append(mine, ...mine.begun(), mine.planProposed([step]));
    await append(theirs, ...theirs.begun(), theirs.planProposed([step]));

    expect(await queries.getSession('initech', theirs.sessionId)).toBeNull();
    expect(await queries.getSession('initech', 'no-such-session')).toBeNull();
    expect(await queries.getSession('initech', mine.sessionId)).toMatchObject({ tenantId: 'initech', steps: [{ tenantId: 'initech' }] });
    const listed = await queries.listSessions('initech', { limit: 100 });
    expect(listed.items.map((i) => i.sessionId)).toEqual([mine.sessionId]);
  });

  it('lists a tenant\'s sessions newest first, filtered by status and start time, three pages by cursor', async () => {
    // Seven sessions a minute apart, two starting at the same instant; sessions 1 and 4 cancelled.
    const starts = [0, 1, 2, 3, 3, 4, 5].map((minute) => `2025-03-05T10:0${minute}:00.000Z`);
    const histories = starts.map((at) => new SessionHistory('umbrella', at));
    for (const [index, s] of histories.entries()) {
      await append(s, ...s.begun(`goal ${index}`), ...(index === 1 || index === 4 ? [s.event('SessionCancelled', { usage: noUsage })] : []));
    }
    const noise = new SessionHistory('hooli', starts[3]!);
    await append(noise, ...noise.begun());
    const newestFirst = [...histories].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.sessionId.localeCompare(a.sessionId)).map((s) => s.sessionId);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.listSessions('umbrella', { limit: 3, ...(cursor && { cursor }) });
      pages.push(page.items.map((i) => i.sessionId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 5);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(newestFirst);

    const cancelled = await queries.listSessions('umbrella', { status: 'cancelled', limit: 10 });
    expect(cancelled.items.map((i) => i.sessionId).sort()).toEqual([histories[1]!.sessionId, histories[4]!.sessionId].sort());
    expect(cancelled.items.every((i) => i.status === 'cancelled' && !('plan' in i))).toBe(true);

    // startedAfter is inclusive, startedBefore exclusive: 10:02, 10:03 twice, 10:04.
    const window = { startedAfter: new Date(starts[2]!), startedBefore: new Date(starts[6]!) };
    const inWindow = await queries.listSessions('umbrella', { ...window, limit: 10 });
    expect(inWindow.items.map((i) => i.sessionId)).toEqual(newestFirst.slice(1, 5));
    const runningInWindow = await queries.listSessions('umbrella', { ...window, status: 'running', limit: 2 });
    const rest = await queries.listSessions('umbrella', { ...window, status: 'running', limit: 2, cursor: runningInWindow.nextCursor! });
    expect([...runningInWindow.items, ...rest.items].map((i) => i.sessionId)).toEqual(newestFirst.slice(1, 5).filter((id) => id !== histories[4]!.sessionId));
    expect(rest.nextCursor).toBeNull();

    await expect(queries.listSessions('umbrella', { limit: 101 })).rejects.toMatchObject({ code: 'InvalidLimit' });
    await expect(queries.listSessions('umbrella', { limit: 3, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'InvalidCursor' });
  });

  it('finds sessions by a piece of their goal, ignoring case, with LIKE\'s wildcards taken as text', async () => {
    const goals = ['Upgrade customer 42 to GOLD', 'Refund order 7', 'Gold plating 100% of the invoices', 'Email the gold_members list'];
    const histories = goals.map((_, index) => new SessionHistory('stark', `2025-04-01T10:0${index}:00.000Z`));
    for (const [index, s] of histories.entries()) await append(s, ...s.begun(goals[index]));
    const noise = new SessionHistory('wayne', '2025-04-01T10:09:00.000Z');
    await append(noise, ...noise.begun('Upgrade the gold tier'));
    const found = async (goalContains: string, more: Partial<ListSessionsQuery> = {}) =>
      (await queries.listSessions('stark', { goalContains, limit: 10, ...more })).items.map((i) => i.goal);

    expect(await found('gold')).toEqual([goals[3], goals[2], goals[0]]);
    expect(await found('100%')).toEqual([goals[2]]);
    expect(await found('_')).toEqual([goals[3]]);
    expect(await found('%')).toEqual([goals[2]]);
    expect(await found('\\')).toEqual([]);
    expect(await found('nothing like this')).toEqual([]);
    // With the other filters and across pages.
    const first = await queries.listSessions('stark', { goalContains: 'GOLD', limit: 2 });
    const rest = await queries.listSessions('stark', { goalContains: 'GOLD', limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((i) => i.goal)).toEqual([goals[3], goals[2], goals[0]]);
    expect(rest.nextCursor).toBeNull();
    expect(await found('gold', { startedBefore: new Date('2025-04-01T10:02:00.000Z') })).toEqual([goals[0]]);

    await expect(queries.listSessions('stark', { goalContains: '', limit: 10 })).rejects.toMatchObject({ code: 'InvalidSearch' });
    await expect(queries.listSessions('stark', { goalContains: 'x'.repeat(maxGoalSearchLength + 1), limit: 10 })).rejects.toMatchObject({ code: 'InvalidSearch' });
  });

  it('ignores a replayed event at or below the version a row reflects', async () => {
    const s = new SessionHistory('acme', '2025-03-06T09:00:00.000Z');
    const step = planStep('draft', 'Executor');
    await append(s, ...s.begun(), s.planProposed([step]), s.scheduled(step), s.completed(step, usage(100, 50, 0.005)));
    const before = await allRows();

    // Without the guard, PlanProposed would reset the step to pending and StepCompleted count twice.
    const history = await store.readStream(s.streamId);
    await dataSource.transaction(async (tx) => {
      for (const event of history) await projection.apply(event, tx);
    });
    await dataSource.transaction((tx) => projection.apply(history[2]!, tx));
    expect(await allRows()).toEqual(before);
  });

  it('ignores session event types on other streams, even under a session\'s id', async () => {
    const s = new SessionHistory('acme', '2025-03-06T10:00:00.000Z');
    await append(s, s.started());
    await append({ streamId: `agentrun-${s.sessionId}` }, planRequested(), planRequested({ data: { planner: 'Planner', attempt: 2 } }));
    expect(await session(s)).toMatchObject({ status: 'queued', lastStreamVersion: 0 });
  });

  it('rebuilds the same rows from the log', async () => {
    const before = await allRows();
    expect(before.sessions.length).toBeGreaterThan(10);
    await dataSource.query(`UPDATE "${db.schema}".sessions SET status = 'failed', input_tokens = 0`);
    await dataSource.query(`DELETE FROM "${db.schema}".session_steps`);

    let logged = 0;
    for await (const _ of store.streamAll()) logged++;
    const done = await runner.rebuild();
    expect(done.eventsApplied).toBe(logged);
    expect(await allRows()).toEqual(before);
  });

  it('sets aside an event whose row cannot be written in a rebuild that folds pages in memory, and goes on with the rest', async () => {
    const log = await createTestSchema('sessions_bulk_refused');
    const logStore = await PostgresEventStore.open({ pool: log.pool, schema: log.schema, pollIntervalMs: 20 });
    const logData = await new DataSource({ type: 'postgres', url: log.connectionString, schema: log.schema, poolSize: 2 }).initialize();
    const market = planStep('research-market', 'Researcher');
    const brief = planStep('write-brief', 'Executor', ['research-market']);
    const histories = ['before', 'refused', 'after'].map(() => new SessionHistory('acme', '2026-11-01T09:00:00.000Z'));
    const [before, refused, after] = histories as [SessionHistory, SessionHistory, SessionHistory];
    for (const history of histories) await logStore.append(history.streamId, [...history.begun(), history.planProposed([market, brief]), history.scheduled(market)]);
    // A cost past numeric(20, 6): the schema takes it, PostgreSQL refuses to store it (22003).
    await logStore.append(refused.streamId, [refused.completed(market, usage(10, 2, 1e15))]);
    for (const history of histories) await logStore.append(history.streamId, [history.scheduled(brief), history.completed(brief, usage(100, 20, 0.01))]);
    const rebuild = async (held: number) => {
      const runner = new ProjectionRunner(new SessionsProjection(sessionsTables(log.schema)), { store: logStore, dataSource: logData, schema: log.schema, batchSize: 2, rebuildBatchSize: 2, rebuildHeldLimit: held });
      try {
        const done = await runner.rebuild();
        const rows = (await logData.query(`SELECT session_id, status, steps_completed, cost_usd, quarantined_events FROM "${log.schema}".sessions`)) as { session_id: string }[];
        return { quarantined: done.quarantined, rows: new Map(rows.map((row) => [row.session_id, row])) };
      } finally {
        await runner.stop();
      }
    };
    try {
      // Everything in one write, which fails; then page by page, where the one event is refused.
      const whole = await rebuild(50_000);
      expect(whole.quarantined).toBe(1);
      expect(whole.rows.get(refused.sessionId)).toEqual({ session_id: refused.sessionId, status: 'running', steps_completed: 1, cost_usd: '0.010000', quarantined_events: 1 });
      for (const history of [before, after]) expect(whole.rows.get(history.sessionId)).toEqual({ session_id: history.sessionId, status: 'running', steps_completed: 1, cost_usd: '0.010000', quarantined_events: 0 });
      // A write after every event: the same rows.
      const eventByEvent = await rebuild(1);
      expect(eventByEvent).toEqual(whole);
    } finally {
      await logData.destroy();
      await logStore.close();
      await log.dispose();
    }
  });

  // The live model above was built in pages of 3. A rebuild folds pages in memory across writes
  // (its bulk writer) and reads back what it wrote when a session continues: the rows must not
  // depend on where pages or writes fall. Page 1 with a write after every event reads every
  // session back at each of its events; the whole log in one write reads none back.
  it.each([
    { page: 1, held: 1 },
    { page: 4, held: 9 },
    { page: 5000, held: 50_000 },
  ])('builds the same rows from the whole log in pages of $page, writing every $held events or rows, as the live model', async ({ page, held }) => {
    const folded = await allRows();
    const other = await createTestSchema('sessions_rebuilt');
    const otherData = await new DataSource({ type: 'postgres', url: other.connectionString, schema: other.schema, poolSize: 2 }).initialize();
    const rebuilt = new ProjectionRunner(new SessionsProjection(sessionsTables(other.schema)), { store, dataSource: otherData, schema: other.schema, batchSize: 1, rebuildBatchSize: page, rebuildHeldLimit: held });
    try {
      const done = await rebuilt.rebuild();
      expect(done.eventsApplied).toBeGreaterThan(100);
      expect(done.quarantined).toBe(0);
      const rows = {
        sessions: await otherData.query(`SELECT * FROM "${other.schema}".sessions ORDER BY session_id`),
        steps: await otherData.query(`SELECT * FROM "${other.schema}".session_steps ORDER BY session_id, step_id`),
      };
      expect(rows).toEqual(folded);
    } finally {
      await rebuilt.stop();
      await otherData.destroy();
      await other.dispose();
    }
  });
});
