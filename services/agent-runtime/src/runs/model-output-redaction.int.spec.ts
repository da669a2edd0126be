import { randomUUID } from 'node:crypto';
import { agentRunStream, sessionStream, toolCallStream, type EventEnvelope, type NewEvent, type PiiKind } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { defaultPriceTable } from '../model/pricing.js';
import { AgentRunner } from './agent-runner.js';
import { ScriptedModels } from './model-source.js';

const logger = pino({ level: 'silent' });
const tenantId = 'acme';
/** What the model writes on its own: nothing of it was in the goal or context. */
const answer = 'Write to grace.hopper@example.com; her card is 4111 1111 1111 1111.';

describe("a run's model responses and result are stored with the tenant's kinds of personal data redacted", () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let runner: AgentRunner;

  beforeAll(async () => {
    db = await createTestSchema('model_output_redaction');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  /** Runs one Executor step that answers `answer` (or takes `turns`), with redaction of `kinds`; the run's stream. */
  async function runStep(kinds: readonly PiiKind[], goal = 'Find who to write to', turns: unknown[] = [{ agent: 'Executor', run: 'find', text: answer }]): Promise<EventEnvelope[]> {
    runner = new AgentRunner({ store, models: new ScriptedModels(), prices: defaultPriceTable, logger, privacy: { kindsFor: async () => kinds } });
    const sessionId = randomUUID();
    const stamp = (type: string, data: unknown): NewEvent => ({
      eventId: randomUUID(),
      type,
      schemaVersion: type === 'SessionStarted' ? 3 : 1,
      tenantId,
      correlationId: sessionId,
      causationId: null,
      actor: { kind: 'service', id: 'orchestrator' },
      occurredAt: new Date().toISOString(),
      traceparent: null,
      data,
    });
    await store.append(sessionStream(sessionId), [
      stamp('SessionStarted', { goal, context: { modelScript: { turns } }, constraints: {}, agentVersions: {}, toolVersions: {} }),
      stamp('PlanRequested', { planner: 'Planner', attempt: 1 }),
      stamp('PlanProposed', { steps: [{ stepId: 'find', title: 'Find the contact', agent: 'Executor', dependsOn: [] }] }),
      stamp('StepScheduled', { stepId: 'find', agent: 'Executor', attempt: 1 }),
    ]);
    const [request] = await store.readStream(sessionStream(sessionId), { fromVersion: 3 });
    await runner.onWorkRequested(request as Parameters<AgentRunner['onWorkRequested']>[0]);
    return store.readStream(agentRunStream(`${sessionId}.step.find.1`));
  }

  it('replaces them in ModelResponded and AgentRunCompleted, each followed by a PiiRedacted naming the fields', async () => {
    const run = await runStep(['email', 'card']);
    expect(run.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'PiiRedacted', 'AgentRunCompleted', 'PiiRedacted']);
    const stored = JSON.stringify(run);
    expect(stored).not.toContain('grace.hopper@example.com');
    expect(stored).not.toContain('4111 1111 1111 1111');
    expect(run[3]!.data).toMatchObject({ output: 'Write to [REDACTED:email]; her card is [REDACTED:card].' });
    const [responded, , completed] = [run[1]!, run[2]!, run[3]!];
    expect(run[2]!.data).toMatchObject({ eventId: responded.eventId, eventType: 'ModelResponded', found: { email: 1, card: 1 } });
    expect((run[2]!.data as { fields: { path: string }[] }).fields.map((field) => field.path)).toEqual([expect.stringMatching(/^\/output\/0\/.*text$/), expect.stringMatching(/^\/output\/0\/.*text$/)]);
    expect(run[4]!.data).toMatchObject({ eventId: completed.eventId, eventType: 'AgentRunCompleted', fields: [{ path: '/output', kind: 'email', count: 1 }, { path: '/output', kind: 'card', count: 1 }] });
  });

  it('redacts only the kinds the tenant chose, and nothing when it turned redaction off', async () => {
    const emailOnly = await runStep(['email']);
    expect(emailOnly.find((event) => event.type === 'AgentRunCompleted')!.data).toMatchObject({ output: 'Write to [REDACTED:email]; her card is 4111 1111 1111 1111.' });
    const off = await runStep([]);
    expect(off.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunCompleted']);
    expect(off[2]!.data).toMatchObject({ output: answer });
  });

  it("redacts the saved state of a paused run but keeps the tool call's arguments, and the run resumes from it", async () => {
    // The goal reaches the conversation the state holds; the tool call's arguments are the model's.
    const turns = [
      { agent: 'Executor', run: 'find', toolCalls: [{ tool: 'echo', arguments: { text: 'mail grace.hopper@example.com' } }] },
      { agent: 'Executor', run: 'find', text: answer },
    ];
    const paused = await runStep(['email', 'phone', 'card'], 'Call +44 20 7946 0958 and find who to write to', turns);
    expect(paused.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunPaused', 'PiiRedacted', 'ToolCallRequested']);
    const runState = (paused[2]!.data as { runState: string }).runState;
    expect(runState).not.toContain('+44 20 7946 0958');
    expect(runState).toContain('[REDACTED:phone]');
    expect(runState).toContain('grace.hopper@example.com');
    expect(paused[3]!.data).toMatchObject({ eventType: 'AgentRunPaused', found: { phone: expect.any(Number) } });
    expect((paused[3]!.data as { fields: { path: string }[] }).fields.every((field) => field.path.startsWith('/runState/'))).toBe(true);
    expect(paused[4]!.data).toMatchObject({ arguments: JSON.stringify({ text: 'mail grace.hopper@example.com' }) });

    const request = paused[4]!;
    const { sessionId, runId, callId, tool } = request.data as { sessionId: string; runId: string; callId: string; tool: string };
    const { tenantId: tenant, correlationId, traceparent } = request;
    await store.append(toolCallStream(runId, callId), [
      { eventId: randomUUID(), type: 'ToolCallCompleted', schemaVersion: 1, tenantId: tenant, correlationId, causationId: request.eventId, actor: { kind: 'service', id: 'tool-adapters' }, occurredAt: new Date().toISOString(), traceparent, data: { sessionId, runId, callId, tool, output: 'sent' } },
    ]);
    const [toolAnswer] = await store.readStream(toolCallStream(runId, callId));
    await runner.onToolAnswered(toolAnswer as Parameters<AgentRunner['onToolAnswered']>[0]);
    const resumed = await store.readStream(agentRunStream(runId));
    expect(resumed.find((event) => event.type === 'AgentRunCompleted')!.data).toMatchObject({ output: 'Write to [REDACTED:email]; her card is [REDACTED:card].' });
  });
});
