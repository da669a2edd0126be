import { randomUUID } from 'node:crypto';
import { agentRunId, agentRunStream, policyCheckStream, sessionStream, toolCallStream, type NewEvent } from '@agent-orchestrator/contracts';
import { canonicalContent, chainHash } from '@agent-orchestrator/event-store';
import { ApprovalsProjection, openReadModels } from '@agent-orchestrator/read-models';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { ApiKeyStore } from '../api-keys/api-key-store.js';
import { startGatewayOnLog } from '../gateway-under-test.js';

type Gateway = Awaited<ReturnType<typeof startGatewayOnLog>>;
interface Link {
  event: { eventId: string; streamId: string; streamVersion: number; type: string } & Record<string, unknown>;
  prevHash: string | null;
  hash: string;
}
interface Streams {
  streams: { streamId: string; kind: string; links: Link[] }[];
  truncated: boolean;
}

/** GET /v1/sessions/{id}/streams: what the console folds into a session's tree and checks the hash chain of. */
describe("a session's streams with their hash links", () => {
  let db: TestSchema;
  let gateway: Gateway;
  let key: string;
  let otherTenantKey: string;
  const sessionId = randomUUID();
  const runId = agentRunId(sessionId, { kind: 'step', stepId: 'look-up', attempt: 1 });
  const callId = 'call-1';

  const event = (type: string, data: unknown, tenantId = 'demo'): NewEvent => ({
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'spec' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data,
  });
  const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.001 };

  beforeAll(async () => {
    db = await createTestSchema('gateway_session_streams');
    gateway = await startGatewayOnLog(db);
    // The approvals a session's calls were held by come from their read model, which the projecting process sets up.
    const readModels = await openReadModels({ url: db.connectionString, schema: `${db.schema}_read`, poolSize: 1 });
    await readModels.dataSource.transaction((manager) => new ApprovalsProjection(readModels.schema).setUp(manager));
    await readModels.close();
    const keys = new ApiKeyStore(await db.tenantDatabase(), db.schema);
    key = (await keys.create({ tenantId: 'demo', name: 'demo admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
    otherTenantKey = (await keys.create({ tenantId: 'globex', name: 'globex admin', roles: ['admin'], createdBy: 'spec' })).apiKey;
    const { store } = gateway;
    await store.append(sessionStream(sessionId), [
      { ...event('SessionStarted', { goal: 'Look up customer 42', context: {}, constraints: {}, agentVersions: {}, toolVersions: {} }), schemaVersion: 3 },
      event('PlanRequested', { planner: 'Planner', attempt: 1 }),
      event('PlanProposed', { steps: [{ stepId: 'look-up', title: 'Look up customer 42', agent: 'AccountManager', dependsOn: [] }] }),
      event('StepScheduled', { stepId: 'look-up', agent: 'AccountManager', attempt: 1 }),
    ]);
    await store.append(agentRunStream(runId), [
      event('ModelResponded', { sessionId, turn: 0, model: 'scripted', output: [], usage }),
      event('ToolCallRequested', { sessionId, runId, agent: 'AccountManager', callId, tool: 'crm__getCustomer', arguments: '{"id":"42"}' }),
    ]);
    await store.append(policyCheckStream(runId, callId), [
      event('PolicyDecisionRecorded', { sessionId, runId, callId, agent: 'AccountManager', tool: 'crm__getCustomer', target: null, effect: 'allow', ruleId: 'default', policyVersion: 0, reason: 'allowed by default' }),
    ]);
    await store.append(toolCallStream(runId, callId), [event('ToolCallCompleted', { sessionId, runId, callId, tool: 'crm__getCustomer', output: '{"tier":"bronze"}' })]);
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it("gives the session's stream, its runs and each call's policy check and answer, as stored, with links that recompute", async () => {
    const answer = await gateway.call('GET', `/v1/sessions/${sessionId}/streams`, { key });
    expect(answer.status).toBe(200);
    const { streams, truncated } = answer.json as Streams;
    expect(truncated).toBe(false);
    expect(streams.map((stream) => [stream.kind, stream.streamId, stream.links.map((link) => link.event.type)])).toEqual([
      ['session', sessionStream(sessionId), ['SessionStarted', 'PlanRequested', 'PlanProposed', 'StepScheduled']],
      ['agentRun', agentRunStream(runId), ['ModelResponded', 'ToolCallRequested']],
      ['policyCheck', policyCheckStream(runId, callId), ['PolicyDecisionRecorded']],
      ['toolCall', toolCallStream(runId, callId), ['ToolCallCompleted']],
    ]);
    // As stored: the SessionStarted written at version 3 is not upcast.
    expect(streams[0]!.links[0]!.event.schemaVersion).toBe(3);
    for (const { links } of streams) {
      links.forEach((link, index) => {
        expect(link.prevHash).toBe(index === 0 ? null : links[index - 1]!.hash);
        expect(chainHash(link.prevHash, link.event.streamVersion, canonicalContent(link.event as never))).toBe(link.hash);
      });
    }
  });

  it("reads another tenant's session as missing", async () => {
    expect((await gateway.call('GET', `/v1/sessions/${sessionId}/streams`, { key: otherTenantKey })).status).toBe(404);
    expect((await gateway.call('GET', `/v1/sessions/${randomUUID()}/streams`, { key })).status).toBe(404);
  });
});
