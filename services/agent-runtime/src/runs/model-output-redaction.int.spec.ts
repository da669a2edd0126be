import { randomUUID } from 'node:crypto';
import { agentRunStream, sessionStream, type EventEnvelope, type NewEvent, type PiiKind } from '@agent-orchestrator/contracts';
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

  beforeAll(async () => {
    db = await createTestSchema('model_output_redaction');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  /** Runs one Executor step that answers `answer`, with redaction of `kinds`; the run's stream. */
  async function runStep(kinds: readonly PiiKind[]): Promise<EventEnvelope[]> {
    const runner = new AgentRunner({ store, models: new ScriptedModels(), prices: defaultPriceTable, logger, privacy: { kindsFor: async () => kinds } });
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
      stamp('SessionStarted', { goal: 'Find who to write to', context: { modelScript: { turns: [{ agent: 'Executor', run: 'find', text: answer }] } }, constraints: {}, agentVersions: {}, toolVersions: {} }),
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
});
