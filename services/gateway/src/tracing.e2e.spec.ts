import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startCluster, type Cluster } from '@agent-orchestrator/cluster';
import { demoPolicy, provisionDemo, startDemoCrm, type DemoCrm } from '@agent-orchestrator/demo';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { genAi, platformAttributes, sessionTraceId, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@agent-orchestrator/tracing';
import pg from 'pg';
import { api } from './e2e/scenarios.behaviour.js';

const root = join(import.meta.dirname, '../../..');
const adminKey = randomBytes(32).toString('base64url');
const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `tr_es_${suffix}`, readModels: `tr_rm_${suffix}`, gateway: `tr_gw_${suffix}`, secrets: `tr_sec_${suffix}` };
const goal = 'Upgrade customer 42 to gold';

interface LoggedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly traceparent: string | null;
  readonly data: Record<string, unknown>;
}

/** The text a model's output carries (its messages' text and its calls' arguments), deep: what no span may carry. */
const texts = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(texts)
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, inner]) => (typeof inner === 'string' ? (['text', 'arguments'].includes(key) ? [inner] : []) : texts(inner)))
      : [];

describe('one trace per session, exported over OTLP from every process of cluster mode', () => {
  let cluster: Cluster;
  let receiver: OtlpReceiver;
  let crm: DemoCrm;
  let pool: pg.Pool;
  const output: string[] = [];

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    receiver = await startOtlpReceiver();
    crm = await startDemoCrm(0);
    cluster = await startCluster({
      root,
      databaseUrl: testDatabaseUrl(),
      kafkaBrokers: testBrokers(),
      bootstrapAdminApiKey: adminKey,
      bootstrapTenant: 'acme',
      topicPrefix: uniqueTopicPrefix('trace'),
      eventStoreSchema: schemas.eventStore,
      readModelSchema: schemas.readModels,
      gatewaySchema: schemas.gateway,
      env: {
        SECRETS_KEY: randomBytes(32).toString('base64'),
        SECRETS_SCHEMA: schemas.secrets,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Exported within a fifth of a second, so the spec waits on spans, not on the batch timer.
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      onOutput: (service, line) => output.push(`${service}: ${line}`),
      // Eight processes compiling at once on a busy machine.
      startTimeoutMs: 420_000,
    });
  }, 600_000);

  afterAll(async () => {
    await cluster?.stop();
    await crm?.stop();
    await receiver?.close();
    for (const schema of Object.values(schemas)) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  afterEach(() => {
    if (expect.getState().assertionCalls !== expect.getState().numPassingAsserts) console.log(output.slice(-60).join('\n'));
  });

  it('nests the demo session → plan → steps → agent runs → model calls → tool calls → policy decision and approval, without its goal or answers', async () => {
    const target = { url: cluster.gatewayUrl, key: adminKey };
    const { call, waitForStatus } = api(target);
    await provisionDemo({ gatewayUrl: target.url, apiKey: adminKey, crmUrl: crm.url });
    expect((await call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
    const started = await call('POST', '/v1/sessions', { body: { goal, context: { modelFixture: 'demo-upgrade-customer' } } });
    expect(started.status).toBe(202);
    const { sessionId } = started.body as { sessionId: string };
    await waitForStatus(sessionId, 'awaiting_approval');
    const [approval] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`)).body.items;
    expect((await call('POST', `/v1/approvals/${approval.approvalId}/decision`, { body: { decision: 'approve' } })).status).toBe(200);
    await waitForStatus(sessionId, 'completed');

    const traceId = sessionTraceId(sessionId);
    const ofSession = (span: ReceivedSpan) => span.attributes[platformAttributes.sessionId] === sessionId || String(span.attributes['messaging.kafka.message.key'] ?? '').includes(sessionId);
    const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
    const consumingServices = () => new Set(inTrace().filter((span) => span.name.startsWith('process ')).map((span) => span.service.replace('agent-orchestrator-', '')));
    const consumers = ['orchestrator', 'agent-runtime', 'policy', 'approvals', 'tool-adapters'];
    // Done when the session's span is in, every span of the trace has its parent there too, and every consuming service sent its spans.
    await waitFor(
      'the session trace to be exported whole',
      () => {
        const spans = inTrace();
        const ids = new Set(spans.map((span) => span.spanId));
        const complete = spans.some((span) => span.name === 'session') && spans.every((span) => span.parentSpanId === undefined || ids.has(span.parentSpanId));
        return complete && consumers.every((service) => consumingServices().has(service));
      },
      { timeoutMs: 90_000 },
    );

    // One trace: every span about the session, from every process, is in it, and it is one tree.
    const spans = inTrace();
    expect(receiver.spans.filter(ofSession).filter((span) => span.traceId !== traceId)).toEqual([]);
    const roots = spans.filter((span) => span.parentSpanId === undefined);
    expect(roots.map((span) => span.name)).toEqual(['session']);

    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentName = (span: ReceivedSpan) => byId.get(span.parentSpanId ?? '')?.name ?? '';
    const named = (prefix: string) => spans.filter((span) => span.name === prefix || span.name.startsWith(`${prefix} `));
    const [session] = named('session');
    expect(named('plan').map(parentName)).toEqual(['session']);
    expect(named('step').length).toBeGreaterThan(0);
    for (const step of named('step')) expect(parentName(step)).toBe('session');
    const runs = named('invoke_agent');
    expect(runs.map((run) => run.attributes[genAi.agentName]).sort()).toEqual(['AccountManager', 'AccountManager', 'Planner', 'Reviewer']);
    for (const run of runs) expect(parentName(run)).toMatch(/^(plan|step .+|review .+)$/);
    const chats = named('chat');
    expect(chats.length).toBeGreaterThanOrEqual(runs.length);
    for (const chat of chats) {
      expect(parentName(chat)).toMatch(/^invoke_agent /);
      expect(chat.attributes).toMatchObject({ [genAi.operationName]: 'chat', [genAi.requestModel]: expect.any(String), [genAi.providerName]: expect.any(String), [genAi.inputTokens]: expect.any(Number), [genAi.outputTokens]: expect.any(Number), [genAi.costCurrency]: 'USD' });
    }
    const tools = named('execute_tool');
    const write = tools.find((tool) => tool.attributes[genAi.toolName] === 'crm__updateCustomer');
    expect(write?.attributes).toMatchObject({ [genAi.operationName]: 'execute_tool', [platformAttributes.toolOperation]: 'updateCustomer', [platformAttributes.toolOutcome]: 'completed' });
    for (const tool of tools) expect(parentName(tool)).toMatch(/^invoke_agent /);
    const decisions = named('policy decision');
    expect(decisions.length).toBe(tools.length);
    for (const decision of decisions) expect(parentName(decision)).toMatch(/^execute_tool /);
    const [approvalSpan] = named('approval');
    expect(byId.get(approvalSpan!.parentSpanId!)).toBe(write);
    expect(approvalSpan!.attributes[platformAttributes.approvalWaitMs]).toBeGreaterThan(0);
    expect(approvalSpan!.endNs - approvalSpan!.startNs).toBeGreaterThan(0n);
    // The session spans its work: nothing of it starts before it or ends after it.
    for (const span of [...named('step'), ...runs, ...chats, ...tools]) {
      expect(span.startNs).toBeGreaterThanOrEqual(session!.startNs);
      expect(span.endNs).toBeLessThanOrEqual(session!.endNs);
    }

    // Every event of the session's log keeps the trace and the span it belongs to.
    const { streams } = (await call('GET', `/v1/sessions/${sessionId}/streams`)).body as { streams: { links: { event: LoggedEvent }[] }[] };
    const events = streams.flatMap((stream) => stream.links.map((link) => link.event));
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) {
      const [, trace, span] = (event.traceparent ?? '').split('-');
      expect({ type: event.type, trace, exported: byId.has(span ?? '') }).toEqual({ type: event.type, trace: traceId, exported: true });
    }

    // No span carries the goal or any model answer, in any attribute of any span.
    const answers = events.filter((event) => event.type === 'ModelResponded').flatMap((event) => texts(event.data.output)).filter((text) => text.length >= 12);
    expect(answers.length).toBeGreaterThan(0);
    const exported = JSON.stringify(receiver.spans.map(({ name, attributes }) => ({ name, attributes })));
    for (const text of [goal, ...answers]) expect(exported).not.toContain(text);
  }, 240_000);
});
