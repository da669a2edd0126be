import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentRunStream, policyCheckStream, policyStream, sessionStream, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { PolicyChecks, type ToolCallRequest } from './policy-checks.js';

const fixtures = join(import.meta.dirname, '../../../libs/contracts/fixtures');
/** A published fixture as a new event of another session: fresh ids, the same shape. */
function fromFixture(name: string, sessionId: string, data: Record<string, unknown> = {}): NewEvent {
  const { streamId: _s, streamVersion: _v, globalPosition: _p, ...event } = JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as EventEnvelope;
  return { ...event, eventId: randomUUID(), correlationId: sessionId, data: { ...(event.data as object), ...data } };
}

describe('policy checks against the log', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  const checks = () => new PolicyChecks({ store, logger: pino({ level: 'silent' }), now: () => '2026-11-22T10:00:00.000Z' });

  beforeAll(async () => {
    db = await createTestSchema('policy_checks');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    const budget = { rules: [{ id: 'over-a-cent', effect: 'require_approval', match: { sessionCostUsdAtLeast: 0.01 }, approval: { role: 'admin' } }] };
    await store.append(policyStream('acme'), [fromFixture('PolicyUpdated.v1.json', 'policy', { version: 1, policy: budget })]);
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  async function request(sessionId: string, spentSteps: number): Promise<ToolCallRequest> {
    await store.append(sessionStream(sessionId), [fromFixture('SessionStarted.v3.json', sessionId), ...Array.from({ length: spentSteps }, () => fromFixture('StepCompleted.v1.json', sessionId))]);
    const runId = `${sessionId}.step.s1.1`;
    const event = fromFixture('ToolCallRequested.v1.json', sessionId, { sessionId, runId, tool: 'echo', arguments: '{"text":"hi"}' });
    const { position } = await store.append(agentRunStream(runId), [event]);
    return { ...event, streamId: agentRunStream(runId), streamVersion: 0, globalPosition: position } as ToolCallRequest;
  }

  it('holds a call once the session has spent what a budget rule names, reading the spend from the session log', async () => {
    const cheap = await request(randomUUID(), 0);
    const costly = await request(randomUUID(), 1); // one step at $0.0121
    await checks().decide(cheap);
    await checks().decide(costly);
    const decision = async (call: ToolCallRequest) => (await store.readStream(policyCheckStream(call.data.runId, call.data.callId)))[0]!.data;
    expect(await decision(cheap)).toMatchObject({ effect: 'allow', ruleId: 'default', policyVersion: 1, target: null });
    expect(await decision(costly)).toMatchObject({ effect: 'require_approval', ruleId: 'over-a-cent', approval: { role: 'admin', approvers: 1 } });
  });

  it("checks a fork's calls against the policy version it pinned, not the current one", async () => {
    const allowAll = { rules: [{ id: 'anything-goes', effect: 'allow', match: {} }] };
    await store.append(policyStream('acme'), [fromFixture('PolicyUpdated.v1.json', 'policy', { version: 2, policy: allowAll })]);
    const forkedCall = async (overrides: Record<string, unknown>) => {
      const sessionId = randomUUID();
      const forked = fromFixture('SessionForked.v1.json', sessionId, { from: { sessionId: randomUUID(), version: 1 }, overrides });
      await store.append(sessionStream(sessionId), [fromFixture('SessionStarted.v3.json', sessionId), fromFixture('StepCompleted.v1.json', sessionId), forked]);
      const runId = `${sessionId}.step.s1.1`;
      const event = fromFixture('ToolCallRequested.v1.json', sessionId, { sessionId, runId, tool: 'echo', arguments: '{"text":"hi"}' });
      const { position } = await store.append(agentRunStream(runId), [event]);
      const call = { ...event, streamId: agentRunStream(runId), streamVersion: 0, globalPosition: position } as ToolCallRequest;
      await checks().decide(call);
      return (await store.readStream(policyCheckStream(runId, call.data.callId)))[0]!.data;
    };
    // One step spent: version 1's budget rule holds the call; version 2 lets everything through.
    expect(await forkedCall({ policyVersion: 1 })).toMatchObject({ effect: 'require_approval', ruleId: 'over-a-cent', policyVersion: 1 });
    expect(await forkedCall({})).toMatchObject({ effect: 'allow', ruleId: 'anything-goes', policyVersion: 2 });
  });

  it('decides a call once however often its request is delivered', async () => {
    const call = await request(randomUUID(), 0);
    await Promise.all([checks().decide(call), checks().decide(call), checks().decide(call)]);
    expect(await store.readStream(policyCheckStream(call.data.runId, call.data.callId))).toHaveLength(1);
  });
});
