import { checkedFetch } from './e2e/answer-check.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { collectMessages, tenantDatabaseAt, testBrokers, testDatabaseUrl, testKafka, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { stringify as stringifyYaml } from 'yaml';
import { clusterServices, startCluster, type Cluster } from '@agent-orchestrator/cluster';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { auditExportScenario } from './e2e/audit-export.behaviour.js';
import { hostileInputScenario } from './e2e/hostile-input.behaviour.js';
import { privacyScenario } from './e2e/privacy.behaviour.js';
import { approvalScenario, reworkLoopScenario } from './e2e/scenarios.behaviour.js';
import { parkedCallsScenario } from './e2e/parked-calls.behaviour.js';
import { sessionForkScenario } from './e2e/session-fork.behaviour.js';
import { tenantSuspensionScenario } from './e2e/tenant-suspension.behaviour.js';

const root = join(import.meta.dirname, '../../..');
const adminKey = randomBytes(32).toString('base64url');
const platformAdminKey = randomBytes(32).toString('base64url');
const suffix = randomBytes(4).toString('hex');
const topicPrefix = uniqueTopicPrefix('e2e');
const schemas = { eventStore: `e2e_es_${suffix}`, readModels: `e2e_rm_${suffix}`, gateway: `e2e_gw_${suffix}`, secrets: `e2e_sec_${suffix}` };

/** Three steps, s1 and s2 in parallel, s3 on both; the first review asks for s3 again, the second passes. */
const reworkOnceScript = (s3DelayMs = 0) => ({
  turns: [
    {
      agent: 'Planner',
      output: {
        steps: [
          { stepId: 's1', title: 'List the open invoices', agent: 'Executor', dependsOn: [] },
          { stepId: 's2', title: 'List the credit notes', agent: 'Executor', dependsOn: [] },
          { stepId: 's3', title: 'Net them into a summary', agent: 'Executor', dependsOn: ['s1', 's2'] },
        ],
      },
    },
    { agent: 'Executor', run: 's1', toolCalls: [{ tool: 'echo', arguments: { text: '12 open invoices' } }] },
    { agent: 'Executor', run: 's1', text: 'Open invoices: 12.' },
    { agent: 'Executor', run: 's2', text: 'Credit notes: 3.' },
    { agent: 'Executor', run: 's3', text: 'Net: 9 invoices to chase.', ...(s3DelayMs > 0 ? { delayMs: s3DelayMs } : {}) },
    { agent: 'Reviewer', run: 'round-1', output: { verdict: 'rework', reasons: ['The summary does not say which customers.'], stepIds: ['s3'] } },
    { agent: 'Reviewer', run: 'round-2', output: { verdict: 'pass', reasons: [] } },
  ],
});

describe('the orchestration loop in cluster mode, through the public API', () => {
  let cluster: Cluster;
  let store: PostgresEventStore;
  let pool: pg.Pool;
  /** The gateway's pools as the spec's own, to make keys of other tenants as an operator would. */
  let database: Promise<TenantDatabase> | undefined;
  const tenants = () => (database ??= tenantDatabaseAt(pool, testDatabaseUrl()));
  const output: string[] = [];

  const call = async (method: string, path: string, init: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? adminKey}`;
    if (init.body !== undefined || init.raw !== undefined) headers['content-type'] ??= 'application/json';
    const response = await checkedFetch(`${cluster.gatewayUrl}${path}`, { method, headers, body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const startSession = (context: Record<string, unknown>, key: string = randomUUID()) =>
    call('POST', '/v1/sessions', { body: { goal: 'Summarise what customers owe us', context }, headers: { 'idempotency-key': key } });
  const sessionEvents = async (sessionId: string): Promise<EventEnvelope[]> => (await call('GET', `/v1/sessions/${sessionId}/events?limit=1000`)).body.items;
  const runEvents = async (sessionId: string, run: string) => store.readStream(`agentrun-${sessionId}.${run}`);
  /** Replaces the tenant's egress allow-list: the specs' tool servers are on loopback, which is refused by default. */
  const allowEgress = async (...allow: string[]) => expect((await call('PUT', '/v1/egress', { body: { allow } })).status).toBe(200);
  const waitForStatus = (sessionId: string, status: string) =>
    waitFor(`session ${sessionId} to be ${status}`, async () => (await call('GET', `/v1/sessions/${sessionId}`)).body?.status === status, { timeoutMs: 90_000 });

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    cluster = await startCluster({
      root,
      databaseUrl: testDatabaseUrl(),
      kafkaBrokers: testBrokers(),
      bootstrapAdminApiKey: adminKey,
      bootstrapTenant: 'acme',
      platformAdminApiKey: platformAdminKey,
      topicPrefix,
      eventStoreSchema: schemas.eventStore,
      readModelSchema: schemas.readModels,
      gatewaySchema: schemas.gateway,
      env: { SECRETS_KEY: randomBytes(32).toString('base64'), SECRETS_SCHEMA: schemas.secrets, APPROVAL_SWEEP_MS: '500' },
      onOutput: (service, line) => output.push(`${service}: ${line}`),
      // Nine processes compile and start at once on two cores beside the other spec files: give them time.
      startTimeoutMs: 180_000,
    });
    store = await PostgresEventStore.open({ pool, schema: schemas.eventStore });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    await store?.close();
    for (const schema of Object.values(schemas)) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await (await database)?.tenantPool.end();
    await pool.end();
  });

  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(output.slice(-80).join('\n'));
  });

  it('plans three steps (two in parallel), executes, reviews, reworks once and completes; the WebSocket sees every event in order', async () => {
    const started = await startSession({ modelScript: reworkOnceScript() });
    expect(started.status).toBe(202);
    const { sessionId } = started.body;

    const live: EventEnvelope[] = [];
    const socket = new WebSocket(`${cluster.gatewayUrl.replace('http', 'ws')}/v1/sessions/${sessionId}/live?apiKey=${adminKey}`);
    const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
    socket.addEventListener('message', (message) => live.push(JSON.parse(String(message.data)).event));
    expect(await closed).toBe(1000);

    const log = await sessionEvents(sessionId);
    expect(live).toEqual(log);
    expect(log.map((event) => event.streamVersion)).toEqual(log.map((_, index) => index));
    const decisions = log
      .filter((event) => event.type !== 'UsageRecorded')
      .map((event) => {
      const data = event.data as { stepId?: string; verdict?: string };
      return [event.type, data.stepId ?? data.verdict].filter(Boolean).join(' ');
    });
    expect(decisions.slice(0, 3)).toEqual(['SessionStarted', 'PlanRequested', 'PlanProposed']);
    expect(new Set(decisions.slice(3, 5))).toEqual(new Set(['StepScheduled s1', 'StepScheduled s2']));
    expect(decisions.slice(7)).toEqual([
      'StepScheduled s3',
      'StepCompleted s3',
      'ReviewRequested',
      'ReviewCompleted rework',
      'ReworkRequested',
      'StepScheduled s3',
      'StepCompleted s3',
      'ReviewRequested',
      'ReviewCompleted pass',
      'SessionCompleted',
    ]);

    // The socket closes after the log's last event; the sessions read model follows on its own.
    await waitForStatus(sessionId, 'completed');
    const session = (await call('GET', `/v1/sessions/${sessionId}`)).body;
    expect(session).toMatchObject({ sessionId, status: 'completed', stepsTotal: 3, stepsCompleted: 3, reworkCount: 1 });
    expect(session.steps.map((step: { stepId: string; status: string }) => [step.stepId, step.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'completed'],
      ['s3', 'completed'],
    ]);
    expect(session.result).toEqual({
      steps: [
        { stepId: 's1', output: 'Open invoices: 12.' },
        { stepId: 's2', output: 'Credit notes: 3.' },
        { stepId: 's3', output: 'Net: 9 invoices to chase.' },
      ],
    });

    // Every model response is in the log: s1 paused on the echo tool and resumed with its answer.
    const s1 = await runEvents(sessionId, 'step.s1.1');
    expect(s1.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunPaused', 'ToolCallRequested', 'ModelResponded', 'AgentRunCompleted']);
    const [answer] = await store.readStream(`toolcall-${sessionId}.step.s1.1.${(s1[3]!.data as { callId: string }).callId}`);
    expect(answer).toMatchObject({ type: 'ToolCallCompleted', data: { tool: 'echo', output: '12 open invoices' } });
    for (const run of ['plan.1', 'step.s2.1', 'step.s3.1', 'step.s3.2', 'review.1', 'review.2']) {
      expect((await runEvents(sessionId, run)).map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunCompleted']);
    }

    // The session's usage is what every model response of every run cost: planner and reviewers too.
    const runs = ['plan.1', 'step.s1.1', 'step.s2.1', 'step.s3.1', 'step.s3.2', 'review.1', 'review.2'];
    const responses = (await Promise.all(runs.map((run) => runEvents(sessionId, run)))).flat().filter((event) => event.type === 'ModelResponded');
    const spent = responses.map((event) => (event.data as { usage: { inputTokens: number; outputTokens: number } }).usage);
    expect({ inputTokens: session.inputTokens, outputTokens: session.outputTokens }).toEqual({
      inputTokens: spent.reduce((sum, usage) => sum + usage.inputTokens, 0),
      outputTokens: spent.reduce((sum, usage) => sum + usage.outputTokens, 0),
    });
    // The model-calls read model holds each of those responses once.
    await waitFor('every model call projected', async () => (await call('GET', `/v1/sessions/${sessionId}/model-calls`)).body.items.length === responses.length);
    const calls = (await call('GET', `/v1/sessions/${sessionId}/model-calls`)).body.items as { runId: string; inputTokens: number }[];
    expect(calls.map((c) => c.runId).sort()).toEqual(responses.map((event) => event.streamId.slice('agentrun-'.length)).sort());
    expect(calls.reduce((sum, c) => sum + c.inputTokens, 0)).toBe(session.inputTokens);
    expect(log.filter((event) => event.type === 'UsageRecorded').map((event) => (event.data as { task: { kind: string } }).task.kind)).toEqual([
      'plan',
      'review',
      'review',
    ]);
  });

  it('serves the web console at / on the API\'s port, its pages for the console\'s routes, and the API\'s 404 elsewhere', async () => {
    // npm test builds the console before the specs (scripts/test.sh); the gateway process serves apps/console/dist.
    for (const path of ['/', '/approvals', '/sessions/any-session']) {
      const page = await fetch(`${cluster.gatewayUrl}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    }
    const unknown = await fetch(`${cluster.gatewayUrl}/v1/not-a-route`, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers /readyz in every service process, the orchestrator listing its projections and consumers', async () => {
    for (const service of clusterServices) {
      const url = cluster.healthUrl(service);
      expect(url).toBeDefined();
      const report = await waitFor(`${service} ready`, async () => {
        // The other services' health ports serve no document: only the gateway's answer is checked against one.
        const answer = await (service === 'gateway' ? checkedFetch : fetch)(`${url}/readyz`);
        return answer.status === 200 && ((await answer.json()) as { status: string; checks: { name: string; kind: string; lag: number }[] });
      });
      expect(report.status).toBe('ready');
      if (service === 'orchestrator') {
        expect(report.checks.map((check) => check.name)).toEqual(expect.arrayContaining(['projection:sessions', 'projection:approvals', expect.stringContaining('orchestrator.commands')]));
      }
    }
    // The relay runs as two processes: one leads, the other stands by, each saying which on /readyz.
    const roles = await waitFor('one relay leading and one standing by', async () => {
      const reports = await Promise.all([0, 1].map(async (replica) => (await (await fetch(`${cluster.healthUrl('relay', replica)}/readyz`)).json()) as { checks: { kind: string; role?: string }[] }));
      const found = reports.map((report) => report.checks.find((check) => check.kind === 'relay')?.role).sort();
      return found.join() === 'leader,standby' && found;
    });
    expect(roles).toEqual(['leader', 'standby']);
    expect(await cluster.relayLeader()).toEqual(expect.any(Number));
  });

  it('completes a session whose agent-runtime is killed mid-step and started again, and runs no step twice', async () => {
    const { sessionId } = (await startSession({ modelScript: reworkOnceScript(2_500) })).body;
    await waitFor('s3 to be running', async () => (await runEvents(sessionId, 'step.s3.1')).length > 0, { timeoutMs: 60_000 });
    await cluster.kill('agent-runtime');
    const killedAt = new Date().toISOString();
    await cluster.start('agent-runtime');
    await waitForStatus(sessionId, 'completed');

    const s3 = await runEvents(sessionId, 'step.s3.1');
    expect(s3.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'AgentRunCompleted']);
    // The kill really cut the model call: s3's only response was recorded by the restarted process.
    expect(s3[1]!.occurredAt > killedAt).toBe(true);
    const log = await sessionEvents(sessionId);
    const completions = log.filter((event) => event.type === 'StepCompleted').map((event) => (event.data as { stepId: string; attempt: number }));
    expect(completions.map(({ stepId, attempt }) => `${stepId}#${attempt}`)).toEqual(expect.arrayContaining(['s1#1', 's2#1', 's3#1', 's3#2']));
    expect(completions).toHaveLength(4);
  });

  it('gives the same session for the same Idempotency-Key and body, and 409 for another body', async () => {
    const key = randomUUID();
    const first = await startSession({ topic: 'a' }, key);
    const again = await startSession({ topic: 'a' }, key);
    expect(again.status).toBe(202);
    expect(again.body.sessionId).toBe(first.body.sessionId);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await startSession({ topic: 'b' }, key);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ status: 409, type: 'urn:agent-orchestrator:problem:conflict' });
    await waitForStatus(first.body.sessionId, 'completed');
    expect((await sessionEvents(first.body.sessionId)).filter((event) => event.type === 'SessionStarted')).toHaveLength(1);
  });

  it('cancels a running session', async () => {
    const { sessionId } = (await startSession({ modelScript: { turns: [{ agent: 'Planner', delayMs: 60_000, output: { steps: [] } }] } })).body;
    await waitForStatus(sessionId, 'running');
    expect((await call('POST', `/v1/sessions/${sessionId}/cancel`, { body: { reason: 'not needed any more' } })).status).toBe(202);
    await waitForStatus(sessionId, 'cancelled');
    expect((await sessionEvents(sessionId)).at(-1)).toMatchObject({ type: 'SessionCancelled', data: { reason: 'not needed any more' } });
    // The planner's minute-long model call stops with the session instead of holding its partition.
    await waitFor('the planner run to stop', async () => (await runEvents(sessionId, 'plan.1')).some((event) => event.type === 'AgentRunFailed'), { timeoutMs: 15_000 });
    expect((await runEvents(sessionId, 'plan.1')).at(-1)).toMatchObject({ type: 'AgentRunFailed', data: { reason: 'stopped: the session ended (SessionCancelled) while the run was under way' } });
  });

  it('defines agents in versions; a session runs on the versions it started with, whatever is edited later', async () => {
    const created = await call('POST', '/v1/agents', { body: { name: 'Collections', instructions: 'You chase overdue invoices.', tools: ['echo'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Collections', version: 1, tools: ['echo'], handoffs: [], guardrails: [] });
    expect((await call('POST', '/v1/agents', { body: { name: 'Collections', instructions: 'Again.' } })).status).toBe(409);
    const edited = await call('PATCH', '/v1/agents/Collections', { body: { instructions: 'You chase overdue invoices, politely.', tools: [] } });
    expect(edited.body).toMatchObject({ name: 'Collections', version: 2, instructions: 'You chase overdue invoices, politely.', tools: [] });

    // The step waits a moment, so version 3 lands while the session that pinned version 2 runs.
    const script = {
      turns: [
        { agent: 'Planner', output: { steps: [{ stepId: 'chase', title: 'Chase the overdue invoices', agent: 'Collections', dependsOn: [] }] } },
        { agent: 'Collections', run: 'chase', text: 'Chased 3 customers.', delayMs: 1_500 },
      ],
    };
    const pinned = (await startSession({ modelScript: script })).body.sessionId;
    await waitFor('the chase step to start', async () => (await runEvents(pinned, 'step.chase.1')).length > 0, { timeoutMs: 60_000 });
    const refusing = { guardrails: [{ type: 'blocked_terms', on: 'output', terms: ['customers'] }] };
    expect((await call('PATCH', '/v1/agents/Collections', { body: refusing })).body).toMatchObject({ version: 3 });
    await waitForStatus(pinned, 'completed');
    expect((await sessionEvents(pinned))[0]).toMatchObject({ type: 'SessionStarted', data: { agentVersions: { Collections: 2 } } });
    expect((await runEvents(pinned, 'step.chase.1'))[0]).toMatchObject({ type: 'AgentRunStarted', data: { agent: 'Collections', agentVersion: 2 } });

    // A session started now pins version 3, whose guardrail refuses the same answer.
    const later = (await startSession({ modelScript: script })).body.sessionId;
    await waitForStatus(later, 'failed');
    expect((await call('GET', `/v1/sessions/${later}`)).body.failureReason).toContain('guardrail Collections.guardrails[0] (blocked_terms) refused the output');

    expect((await call('GET', '/v1/agents')).body.items.map((agent: { name: string; version: number }) => [agent.name, agent.version])).toEqual([['Collections', 3]]);
    expect((await call('GET', '/v1/agents/Collections?version=1')).body).toMatchObject({ version: 1, instructions: 'You chase overdue invoices.' });
    expect((await call('GET', '/v1/agents/Collections?version=9')).status).toBe(404);

    const unknownNames = await call('POST', '/v1/agents', { body: { name: 'Triage', instructions: 'Route.', handoffs: ['Ghost'], tools: ['fax'] } });
    expect(unknownNames.status).toBe(422);
    expect(unknownNames.body.errors).toEqual([
      { pointer: '#/handoffs/0', detail: 'your tenant has no agent named Ghost' },
      { pointer: '#/tools/0', detail: 'no tool named fax; the tools are: echo' },
    ]);
    expect((await call('PATCH', '/v1/agents/Collections', { body: {} })).status).toBe(422);
    expect((await call('PATCH', '/v1/agents/Nobody', { body: { instructions: 'x' } })).status).toBe(404);
    expect((await call('GET', '/v1/agents/Triage')).status).toBe(404);
  });

  it('registers tools from OpenAPI documents, inline or by URL, in versions; an invalid document is a 422 that registers nothing', async () => {
    const document = {
      openapi: '3.0.3',
      info: { title: 'Invoices', version: '2.1' },
      servers: [{ url: 'http://127.0.0.1:9/api' }],
      paths: {
        '/invoices': { get: { operationId: 'listInvoices', summary: 'List invoices', responses: { '200': { description: 'The invoices' } } } },
        '/invoices/{invoiceId}/reminders': {
          post: {
            operationId: 'sendReminder',
            parameters: [{ name: 'invoiceId', in: 'path', required: true, schema: { type: 'string' } }],
            requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { channel: { type: 'string' } } } } } },
            responses: { '202': { description: 'Sent' } },
          },
        },
      },
    };
    const inline = await call('POST', '/v1/tools', { body: { name: 'billing', document, scopes: ['billing:write'] } });
    expect(inline.status).toBe(201);
    expect(inline.body).toMatchObject({ name: 'billing', version: 1, baseUrl: 'http://127.0.0.1:9/api', scopes: ['billing:write'], source: { kind: 'inline' } });
    expect(inline.body.operations.map((operation: { name: string; idempotent: boolean }) => [operation.name, operation.idempotent])).toEqual([
      ['listInvoices', true],
      ['sendReminder', false],
    ]);

    // The same tool again, as YAML served over HTTP: its next version.
    const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/yaml' }).end(stringifyYaml(document)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.yaml`;
      await allowEgress(`127.0.0.1:${(server.address() as AddressInfo).port}`);
      const fetched = await call('POST', '/v1/tools', { body: { name: 'billing', url } });
      expect(fetched.body).toMatchObject({ name: 'billing', version: 2, source: { kind: 'url', url } });
    } finally {
      server.close();
    }
    expect((await call('GET', '/v1/tools')).body.items.map((tool: { name: string; version: number }) => [tool.name, tool.version])).toEqual([['billing', 2]]);
    expect((await call('GET', '/v1/tools/billing?version=1')).body).toMatchObject({ version: 1, source: { kind: 'inline' } });

    const invalid = await call('POST', '/v1/tools', { body: { name: 'broken', document: { openapi: '3.0.3', info: { title: 'Broken' }, paths: {} } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.detail).toMatch(/The OpenAPI document is not valid: .*must have required property 'version'/s);
    expect((await call('POST', '/v1/tools', { body: { name: 'broken', document: 'openapi: [' } })).status).toBe(422);
    expect((await call('POST', '/v1/tools', { body: { name: 'broken' } })).status).toBe(422);
    expect((await call('GET', '/v1/tools/broken')).status).toBe(404);

    // An agent may now name the tool.
    expect((await call('POST', '/v1/agents', { body: { name: 'Dunning', instructions: 'You send reminders.', tools: ['billing'] } })).status).toBe(201);
  });

  it("calls a registered tool over HTTP from a step, validates arguments before sending, and never calls a tool the session does not allow", async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ balance: 1200, owner: 'ada@example.com', card: '4111 1111 1111 1111' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
      await allowEgress(new URL(baseUrl).host);
      const document = {
        openapi: '3.1.0',
        info: { title: 'Ledger', version: '1' },
        servers: [{ url: baseUrl }],
        paths: {
          '/accounts/{account}/balance': {
            get: { operationId: 'balance', parameters: [{ name: 'account', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{4}$' } }], responses: { '200': { description: 'ok' } } },
          },
        },
      };
      expect((await call('POST', '/v1/tools', { body: { name: 'ledger', document } })).status).toBe(201);
      expect((await call('POST', '/v1/agents', { body: { name: 'Clerk', instructions: 'You read balances.', tools: ['ledger'] } })).status).toBe(201);
      const plan = { agent: 'Planner', output: { steps: [{ stepId: 'read', title: 'Read the balance', agent: 'Clerk', dependsOn: [] }] } };
      const script = {
        turns: [
          plan,
          { agent: 'Clerk', run: 'read', toolCalls: [{ tool: 'ledger__balance', arguments: { account: 'not-a-number' } }] },
          { agent: 'Clerk', run: 'read', toolCalls: [{ tool: 'ledger__balance', arguments: { account: '4711' } }] },
          { agent: 'Clerk', run: 'read', text: 'Account 4711 holds 1200.' },
        ],
      };
      const { sessionId } = (await startSession({ modelScript: script })).body;
      await waitForStatus(sessionId, 'completed');
      expect(requests).toEqual(['GET /v2/accounts/4711/balance']);
      const run = await runEvents(sessionId, 'step.read.1');
      const calls = run.filter((event) => event.type === 'ToolCallRequested').map((event) => (event.data as { callId: string }).callId);
      const answers = await Promise.all(calls.map(async (callId) => (await store.readStream(`toolcall-${sessionId}.step.read.1.${callId}`))[0]));
      expect(answers.map((answer) => answer?.type)).toEqual(['ToolCallFailed', 'ToolCallCompleted']);
      expect(answers[0]).toMatchObject({ data: { reason: expect.stringContaining('the call was not sent: the arguments do not match ledger.balance') } });
      // The personal data in the response was replaced before the answer was stored, and the redaction recorded.
      expect(answers[1]).toMatchObject({ data: { tool: 'ledger__balance', output: '{"balance":1200,"owner":"[REDACTED:email]","card":"[REDACTED:card]"}' } });
      const answered = await store.readStream(`toolcall-${sessionId}.step.read.1.${calls[1]}`);
      expect(answered.map((event) => event.type)).toEqual(['ToolCallCompleted', 'PiiRedacted']);
      expect(answered[1]).toMatchObject({
        data: { eventId: answered[0]!.eventId, eventType: 'ToolCallCompleted', fields: [{ path: '/output', kind: 'email', count: 1 }, { path: '/output', kind: 'card', count: 1 }], found: { email: 1, card: 1 } },
      });
      const everything = JSON.stringify([...(await sessionEvents(sessionId)), ...run, ...answered, ...(await runEvents(sessionId, 'review.1'))]);
      expect(everything).not.toContain('ada@example.com');
      expect(everything).not.toContain('4111 1111 1111 1111');

      // allowedTools leaves the tool out: the model asks for it anyway, and nothing reaches the server.
      const refused = (await call('POST', '/v1/sessions', { body: { goal: 'Read a balance', context: { modelScript: script }, constraints: { allowedTools: ['echo'] } } })).body.sessionId;
      await waitForStatus(refused, 'failed');
      expect(requests).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it('answers a call to a dead endpoint as failed after its retries, dead-letters it with the reason, and the run goes on', async () => {
    // A port nothing listens on: bound once, then released.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await allowEgress(`127.0.0.1:${port}`);
    const document = {
      openapi: '3.0.3',
      info: { title: 'Void', version: '1' },
      servers: [{ url: `http://127.0.0.1:${port}` }],
      paths: { '/ping': { get: { operationId: 'ping', responses: { '200': { description: 'ok' } } } } },
    };
    expect((await call('POST', '/v1/tools', { body: { name: 'void', document } })).status).toBe(201);
    expect((await call('POST', '/v1/agents', { body: { name: 'Prober', instructions: 'You check endpoints.', tools: ['void'] } })).status).toBe(201);
    const script = {
      turns: [
        { agent: 'Planner', output: { steps: [{ stepId: 'probe', title: 'Ping the endpoint', agent: 'Prober', dependsOn: [] }] } },
        { agent: 'Prober', run: 'probe', toolCalls: [{ tool: 'void__ping', arguments: {} }] },
        { agent: 'Prober', run: 'probe', text: 'The endpoint is down.' },
      ],
    };
    const { sessionId } = (await startSession({ modelScript: script })).body;
    await waitForStatus(sessionId, 'completed');
    const requested = (await runEvents(sessionId, 'step.probe.1')).find((event) => event.type === 'ToolCallRequested')!;
    const [answer] = await store.readStream(`toolcall-${sessionId}.step.probe.1.${(requested.data as { callId: string }).callId}`);
    expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/^gave up after 4 attempts: GET \/ping got no answer: ECONNREFUSED/) } });

    const kafka = testKafka('e2e-dlq');
    const dead = await collectMessages(kafka, `${topicPrefix}dlq.tool-adapters`, (messages) => messages.some((m) => m.message.headers?.['event-id']?.toString() === requested.eventId));
    const letter = dead.find((m) => m.message.headers?.['event-id']?.toString() === requested.eventId)!;
    expect(letter.message.headers?.['dlq-reason']?.toString()).toMatch(/^gave up after 4 attempts/);
  });

  it('reaches loopback only where the tenant allows it (tool documents by URL, redirects, tool calls); a redirect answer fails the call, a CR/LF header is never sent', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      const json = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.url === '/openapi.json') return json(document);
      if (request.url === '/page') return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>internal admin console</title></html>');
      if (request.url === '/hop') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (request.url === '/status') return json({ up: true });
      if (request.url === '/moved') return void response.writeHead(302, { location: 'http://example.com/' }).end();
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const document = {
      openapi: '3.0.3',
      info: { title: 'Relay', version: '1' },
      servers: [{ url: base }],
      paths: {
        '/status': { get: { operationId: 'status', parameters: [{ name: 'x-note', in: 'header', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
        '/moved': { get: { operationId: 'moved', responses: { '200': { description: 'ok' } } } },
      },
    };
    const register = (url: string) => call('POST', '/v1/tools', { body: { name: 'relay', url } });
    try {
      await allowEgress();
      const refused = await register(`${base}/openapi.json`);
      expect(refused).toMatchObject({ status: 422, body: { detail: 'The document URL was refused: 127.0.0.1 is a loopback address; a tenant admin may allow it with PUT /v1/egress.' } });
      expect((await call('GET', '/v1/tools/relay')).status).toBe(404);
      expect(requests).toEqual([]);

      const operator = (await call('POST', '/v1/api-keys', { body: { name: 'e2e-egress-operator', roles: ['operator'] } })).body.apiKey as string;
      expect((await call('PUT', '/v1/egress', { key: operator, body: { allow: [base] } })).status).toBe(403);
      expect((await call('GET', '/v1/egress', { key: operator })).status).toBe(403);
      const bad = await call('PUT', '/v1/egress', { body: { allow: [`127.0.0.1:${port}`, 'http://127.0.0.1/'] } });
      expect(bad.status).toBe(422);
      expect(JSON.stringify(bad.body)).toContain('\\"http://127.0.0.1/\\" is not a host, host:port, IP address or CIDR block');
      const before = (await call('GET', '/v1/egress')).body.version as number;
      const put = await call('PUT', '/v1/egress', { body: { allow: [`127.0.0.1:${port}`] } });
      expect(put.body).toMatchObject({ version: before + 1, allow: [`127.0.0.1:${port}`] });
      expect((await call('GET', '/v1/egress')).body).toMatchObject({ version: before + 1, allow: [`127.0.0.1:${port}`] });

      // What an allowed address answers is not repeated back unless it is a document; a redirect to the cloud metadata address is refused.
      const html = await register(`${base}/page`);
      expect(html.status).toBe(422);
      expect(JSON.stringify(html.body)).not.toContain('internal admin console');
      const hop = await register(`${base}/hop`);
      expect(hop).toMatchObject({ status: 422, body: { detail: expect.stringMatching(/^The document URL was refused: 169\.254\.169\.254 is a link-local address/) } });
      expect(requests).toEqual(['GET /page', 'GET /hop']);
      expect(await register(`${base}/openapi.json`)).toMatchObject({ status: 201, body: { name: 'relay', baseUrl: base } });

      expect((await call('POST', '/v1/agents', { body: { name: 'Relayer', instructions: 'You check the relay.', tools: ['relay'] } })).status).toBe(201);
      const script = (calls: { tool: string; arguments: Record<string, unknown> }[]) => ({
        turns: [
          { agent: 'Planner', output: { steps: [{ stepId: 'probe', title: 'Check the relay', agent: 'Relayer', dependsOn: [] }] } },
          ...calls.map((toolCall) => ({ agent: 'Relayer', run: 'probe', toolCalls: [toolCall] })),
          { agent: 'Relayer', run: 'probe', text: 'Checked.' },
        ],
      });
      const answersOf = async (sessionId: string) => {
        const run = await runEvents(sessionId, 'step.probe.1');
        const callIds = run.filter((event) => event.type === 'ToolCallRequested').map((event) => (event.data as { callId: string }).callId);
        return Promise.all(callIds.map(async (callId) => (await store.readStream(`toolcall-${sessionId}.step.probe.1.${callId}`))[0]));
      };
      requests.splice(0);
      const allowed = (await startSession({ modelScript: script([{ tool: 'relay__status', arguments: {} }, { tool: 'relay__moved', arguments: {} }, { tool: 'relay__status', arguments: { 'x-note': 'hi\r\nx-admin: yes' } }]) })).body.sessionId;
      await waitForStatus(allowed, 'completed');
      expect((await answersOf(allowed)).map((answer) => [answer?.type, (answer?.data as { output?: string; reason?: string }).output ?? (answer?.data as { reason: string }).reason])).toEqual([
        ['ToolCallCompleted', '{"up":true}'],
        ['ToolCallFailed', 'GET /moved answered 302, a redirect; tool calls do not follow redirects, so register the tool with the URL of the server that answers'],
        ['ToolCallFailed', 'the call was not sent: the value of header x-note holds a CR, LF or NUL, which HTTP does not allow'],
      ]);
      // The redirect was tried once and not followed; the CR/LF request never left.
      expect(requests).toEqual(['GET /status', 'GET /moved']);

      // The list of the moment applies: once the admin takes the entry out, the tool is not reached.
      await allowEgress();
      const denied = (await startSession({ modelScript: script([{ tool: 'relay__status', arguments: {} }]) })).body.sessionId;
      await waitForStatus(denied, 'completed');
      expect(await answersOf(denied)).toMatchObject([{ type: 'ToolCallFailed', data: { reason: 'the call was not sent: 127.0.0.1 is a loopback address; a tenant admin may allow it with PUT /v1/egress' } }]);
      expect(requests).toEqual(['GET /status', 'GET /moved']);
    } finally {
      server.close();
    }
  });

  it('lets reads through, holds the write for approval, runs it once with the edited argument after tool-adapters restarts, and never calls a tool off the allow-list', async () => {
    // A CRM that counts its side effects; writes are deduplicated by Idempotency-Key, as the adapter expects.
    const requests: string[] = [];
    const writes = new Map<string, unknown>();
    let flaky = 0;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        requests.push(`${request.method} ${request.url}`);
        const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (request.method === 'GET' && request.url === '/customers/42') return json(200, { id: '42', tier: 'bronze' });
        if (request.method === 'GET' && request.url === '/health') return ++flaky <= 2 ? json(503, { error: 'warming up' }) : json(200, { ok: true });
        if (request.method === 'PATCH' && request.url === '/customers/42') {
          writes.set(String(request.headers['idempotency-key']), JSON.parse(body));
          return json(200, { id: '42', ...JSON.parse(body) });
        }
        if (request.url === '/vault') return json(200, { secret: 'never' });
        json(404, {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await allowEgress(new URL(baseUrl).host);
    const customer = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } };
    const crm = {
      openapi: '3.1.0',
      info: { title: 'CRM', version: '1' },
      servers: [{ url: baseUrl }],
      paths: {
        '/customers/{id}': {
          get: { operationId: 'getCustomer', parameters: [customer], responses: { '200': { description: 'ok' } } },
          patch: {
            operationId: 'updateCustomer',
            parameters: [customer],
            requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['tier'], additionalProperties: false, properties: { tier: { enum: ['bronze', 'silver', 'gold'] } } } } } },
            responses: { '200': { description: 'ok' } },
          },
        },
        '/health': { get: { operationId: 'health', responses: { '200': { description: 'ok' } } } },
      },
    };
    const vault = { openapi: '3.0.3', info: { title: 'Vault', version: '1' }, servers: [{ url: baseUrl }], paths: { '/vault': { get: { operationId: 'read', responses: { '200': { description: 'ok' } } } } } };
    try {
      expect((await call('POST', '/v1/tools', { body: { name: 'crm', document: crm, scopes: ['crm:read', 'crm:write'] } })).status).toBe(201);
      expect((await call('POST', '/v1/tools', { body: { name: 'vault', document: vault } })).status).toBe(201);
      expect((await call('POST', '/v1/agents', { body: { name: 'Account', instructions: 'You manage customers.', tools: ['crm', 'vault'] } })).status).toBe(201);
      const policy = {
        allowedTools: ['crm', 'echo'],
        rules: [{ id: 'crm-writes', description: 'Customer changes need a second pair of eyes', effect: 'require_approval', match: { tools: ['crm'], methods: ['patch'] }, approval: { role: 'approver' } }],
      };
      const put = await call('PUT', '/v1/policies', { body: policy });
      expect(put).toMatchObject({ status: 200, body: { version: 1, allowedTools: ['crm', 'echo'], defaultEffect: 'allow', rules: [{ id: 'crm-writes', approval: { role: 'approver', approvers: 1, onExpiry: 'fail' } }] } });
      expect((await call('GET', '/v1/policies')).body).toMatchObject({ version: 1 });
      const keys = Object.fromEntries(
        await Promise.all(['approver', 'viewer'].map(async (role) => [role, (await call('POST', '/v1/api-keys', { body: { name: `e2e-${role}`, roles: [role] } })).body.apiKey as string])),
      ) as Record<'approver' | 'viewer', string>;
      expect((await call('PUT', '/v1/policies', { key: keys.approver, body: policy })).status).toBe(403);

      const script = {
        turns: [
          { agent: 'Planner', output: { steps: [{ stepId: 'upgrade', title: 'Upgrade customer 42', agent: 'Account', dependsOn: [] }] } },
          { agent: 'Account', run: 'upgrade', toolCalls: [{ tool: 'crm__getCustomer', arguments: { id: '42' } }] },
          { agent: 'Account', run: 'upgrade', toolCalls: [{ tool: 'crm__health', arguments: {} }] },
          { agent: 'Account', run: 'upgrade', toolCalls: [{ tool: 'vault__read', arguments: {} }] },
          { agent: 'Account', run: 'upgrade', toolCalls: [{ tool: 'crm__updateCustomer', arguments: { id: '42', body: { tier: 'gold' } } }] },
          { agent: 'Account', run: 'upgrade', text: 'Customer 42 upgraded.' },
        ],
      };
      const { sessionId } = (await startSession({ modelScript: script })).body;
      const announced: EventEnvelope[] = [];
      const socket = new WebSocket(`${cluster.gatewayUrl.replace('http', 'ws')}/v1/sessions/${sessionId}/live?apiKey=${adminKey}`);
      socket.addEventListener('message', (message) => {
        const { approval } = JSON.parse(String(message.data)) as { approval?: EventEnvelope };
        if (approval) announced.push(approval);
      });
      await waitForStatus(sessionId, 'awaiting_approval');
      // The reads ran at once (the flaky one on its third try); the vault was never called; the write waits.
      expect(requests).toEqual(['GET /customers/42', 'GET /health', 'GET /health', 'GET /health']);

      const inbox = await call('GET', `/v1/approvals?sessionId=${sessionId}`, { key: keys.approver });
      expect(inbox.body.items).toHaveLength(1);
      const item = inbox.body.items[0];
      expect(item).toMatchObject({
        status: 'pending',
        tool: 'crm__updateCustomer',
        arguments: { id: '42', body: { tier: 'gold' } },
        rule: { id: 'crm-writes', policyVersion: 1 },
        role: 'approver',
        context: { goal: 'Summarise what customers owe us', stepId: 'upgrade' },
      });
      expect((await call('GET', `/v1/approvals/${item.approvalId}`, { key: keys.viewer })).body).toMatchObject({ approvalId: item.approvalId, target: { tool: 'crm', operation: 'updateCustomer', method: 'patch' } });
      expect((await call('GET', '/v1/approvals', { key: keys.viewer })).body.items).toEqual([]); // nothing a viewer may decide

      const decide = (key: string, body: unknown) => call('POST', `/v1/approvals/${item.approvalId}/decision`, { key, body });
      expect((await decide(keys.viewer, { decision: 'approve' })).status).toBe(403);
      const badEdit = await decide(keys.approver, { decision: 'approve', arguments: { id: '42', body: { tier: 'platinum' } } });
      expect(badEdit).toMatchObject({ status: 422, body: { detail: expect.stringContaining('do not fit crm.updateCustomer') } });

      // tool-adapters is down when the approval comes, and executes the call once when it is back.
      await cluster.kill('tool-adapters');
      const approved = await decide(keys.approver, { decision: 'approve', arguments: { id: '42', body: { tier: 'silver' } }, reason: 'silver, not gold' });
      expect(approved).toMatchObject({ status: 200, body: { status: 'granted', recorded: 'ApprovalGranted' } });
      expect((await decide(keys.approver, { decision: 'reject', reason: 'too late' })).status).toBe(409);
      expect(requests).toHaveLength(4);
      await cluster.start('tool-adapters');
      await waitForStatus(sessionId, 'completed');
      // The live stream announced the approval when it was requested and when it was granted.
      expect(announced.map((event) => [event.type, (event.data as { approvalId: string }).approvalId])).toEqual([
        ['ApprovalRequested', item.approvalId],
        ['ApprovalGranted', item.approvalId],
      ]);
      socket.close();
      expect(requests.filter((request) => request.startsWith('PATCH'))).toEqual(['PATCH /customers/42']);
      expect([...writes.values()]).toEqual([{ tier: 'silver' }]);
      expect(requests).not.toContain('GET /vault');

      const decisions = await Promise.all(
        (await runEvents(sessionId, 'step.upgrade.1'))
          .filter((event) => event.type === 'ToolCallRequested')
          .map(async (event) => {
            const { callId } = event.data as { callId: string };
            return { check: await store.readStream(`policycheck-${sessionId}.step.upgrade.1.${callId}`), answer: (await store.readStream(`toolcall-${sessionId}.step.upgrade.1.${callId}`))[0] };
          }),
      );
      expect(decisions.map(({ check }) => check.map((event) => `${event.type}:${(event.data as { effect?: string }).effect ?? ''}`))).toEqual([
        ['PolicyDecisionRecorded:allow'],
        ['PolicyDecisionRecorded:allow'],
        ['PolicyDecisionRecorded:deny', 'PolicyViolationRecorded:'],
        ['PolicyDecisionRecorded:require_approval'],
      ]);
      expect(decisions[2]!.answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringContaining("vault is not on the tenant's allow-list") } });
      expect(decisions[3]!.answer).toMatchObject({ type: 'ToolCallCompleted', data: { output: '{"id":"42","tier":"silver"}' } });
      expect((await call('GET', `/v1/approvals/${item.approvalId}`)).body).toMatchObject({ status: 'granted', edited: true, arguments: { id: '42', body: { tier: 'silver' } }, requestedArguments: { id: '42', body: { tier: 'gold' } } });
    } finally {
      server.close();
      // Later cases run without a policy in the way.
      await call('PUT', '/v1/policies', { body: {} });
    }
  });

  it('answers a held call as refused when nobody approves it in time, and the run goes on', async () => {
    const document = {
      openapi: '3.1.0',
      info: { title: 'Mailer', version: '1' },
      servers: [{ url: 'http://127.0.0.1:9' }],
      paths: { '/send': { post: { operationId: 'send', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': { description: 'ok' } } } } },
    };
    expect((await call('POST', '/v1/tools', { body: { name: 'mailer', document } })).status).toBe(201);
    expect((await call('POST', '/v1/agents', { body: { name: 'Sender', instructions: 'You send mail.', tools: ['mailer'] } })).status).toBe(201);
    const rule = { id: 'mail-needs-ok', effect: 'require_approval', match: { tools: ['mailer'] }, approval: { expiresInSeconds: 10 } };
    expect((await call('PUT', '/v1/policies', { body: { rules: [rule] } })).status).toBe(200);
    try {
      const script = {
        turns: [
          { agent: 'Planner', output: { steps: [{ stepId: 'mail', title: 'Send the reminder', agent: 'Sender', dependsOn: [] }] } },
          { agent: 'Sender', run: 'mail', toolCalls: [{ tool: 'mailer__send', arguments: { body: { to: 'finance' } } }] },
          { agent: 'Sender', run: 'mail', text: 'The reminder was not approved in time.' },
        ],
      };
      const { sessionId } = (await startSession({ modelScript: script })).body;
      await waitForStatus(sessionId, 'awaiting_approval');
      await waitForStatus(sessionId, 'completed');
      const [item] = (await call('GET', `/v1/approvals?sessionId=${sessionId}&status=expired&for=all`)).body.items;
      expect(item).toMatchObject({ status: 'expired', rule: { id: 'mail-needs-ok' }, outcome: { reason: expect.stringContaining('nobody decided by') } });
      const requested = (await runEvents(sessionId, 'step.mail.1')).find((event) => event.type === 'ToolCallRequested')!;
      const [answer] = await store.readStream(`toolcall-${sessionId}.step.mail.1.${(requested.data as { callId: string }).callId}`);
      expect(answer).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/^nobody approved the call before .*; it was not made$/) } });
    } finally {
      await call('PUT', '/v1/policies', { body: {} });
    }
  });

  it("presents a tool's credential from the secret store without it reaching the log, and holds calls to the tool's rate limit", async () => {
    const token = 'tok_9f8e7d6c5b4a39281706f5e4';
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'Ada', youSent: request.headers.authorization }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const document = {
      openapi: '3.1.0',
      info: { title: 'Profile', version: '1' },
      servers: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }],
      security: [{ bearer: [] }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      paths: { '/me': { get: { operationId: 'me', responses: { '200': { description: 'ok' } } } } },
    };
    await allowEgress(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const wrongScheme = await call('POST', '/v1/tools', { body: { name: 'profile', document, credentials: { apiKey: 'profile-token' } } });
      expect(wrongScheme).toMatchObject({ status: 422, body: { detail: expect.stringContaining('Its schemes are: bearer') } });
      expect((await call('POST', '/v1/tools', { body: { name: 'profile', document, credentials: { bearer: 'profile-token' }, rateLimitPerMinute: 1 } })).status).toBe(201);
      expect((await call('PUT', '/v1/secrets/profile-token', { body: { value: token } })).body).toMatchObject({ name: 'profile-token', version: 1 });
      const viewer = (await call('POST', '/v1/api-keys', { body: { name: 'e2e-secrets-viewer', roles: ['viewer'] } })).body.apiKey as string;
      expect((await call('GET', '/v1/secrets', { key: viewer })).status).toBe(403);
      const listed = await call('GET', '/v1/secrets');
      expect(listed.body.items).toEqual([{ name: 'profile-token', version: 1, updatedAt: expect.any(String) }]);
      expect((await call('POST', '/v1/agents', { body: { name: 'Profiler', instructions: 'You read profiles.', tools: ['profile'] } })).status).toBe(201);
      const script = {
        turns: [
          { agent: 'Planner', output: { steps: [{ stepId: 'who', title: 'Who am I', agent: 'Profiler', dependsOn: [] }] } },
          { agent: 'Profiler', run: 'who', toolCalls: [{ tool: 'profile__me', arguments: {} }] },
          { agent: 'Profiler', run: 'who', toolCalls: [{ tool: 'profile__me', arguments: {} }] },
          { agent: 'Profiler', run: 'who', text: 'You are Ada.' },
        ],
      };
      const { sessionId } = (await startSession({ modelScript: script })).body;
      await waitForStatus(sessionId, 'completed');
      // One call a minute: the first went out with the credential, the second was held back.
      expect(seen).toEqual([`Bearer ${token}`]);
      const run = await runEvents(sessionId, 'step.who.1');
      const answers = await Promise.all(
        run.filter((event) => event.type === 'ToolCallRequested').map(async (event) => (await store.readStream(`toolcall-${sessionId}.step.who.1.${(event.data as { callId: string }).callId}`))[0]),
      );
      expect(answers[0]).toMatchObject({ type: 'ToolCallCompleted', data: { output: expect.stringContaining('"youSent":"Bearer [REDACTED:secret]"') } });
      expect(answers[1]).toMatchObject({ type: 'ToolCallFailed', data: { reason: expect.stringMatching(/^the call was not sent: the rate limit of 1 calls a minute for tool profile is used up/) } });
      const everything = JSON.stringify([...(await sessionEvents(sessionId)), ...run, ...answers, ...(await store.readStream('tool-acme'))]);
      expect(everything).not.toContain(token);
      expect(output.join('\n')).not.toContain(token);
    } finally {
      server.close();
    }
  });

  // The scenarios dev mode runs too (dev-mode.e2e.spec.ts): one scenario, two targets.
  it('scenario shared with dev mode: the demo fixture plans, reworks and completes; the WebSocket sees it all', () => reworkLoopScenario({ url: cluster.gatewayUrl, key: adminKey }));

  it('scenario shared with dev mode: the demo CRM write waits for an approver and runs once with the edited argument', () => approvalScenario({ url: cluster.gatewayUrl, key: adminKey }));

  it("scenario shared with dev mode: issue 13's hostile requests are 4xx, and a NUL goal stops no read model", async () => {
    const otherTenant = await new ApiKeyStore(await tenants(), schemas.gateway).create({ tenantId: 'initech', name: 'e2e', roles: ['admin'], createdBy: 'e2e' });
    await hostileInputScenario({ url: cluster.gatewayUrl, key: adminKey }, otherTenant.apiKey);
  });
  it('scenario shared with dev mode: an auditor exports the audit trail with ao (a viewer may not), and the bundles verify offline, the second against the first', () =>
    auditExportScenario({ url: cluster.gatewayUrl, key: adminKey }));

  it('scenario shared with dev mode: the demo session forked before its approval with another model fixture runs to its own approval, the original untouched, and the diff shows it', () =>
    sessionForkScenario({ url: cluster.gatewayUrl, key: adminKey }));

  it('scenario shared with dev mode: the writes of an outage park, one is discarded (the agent told), and ao redrives the rest: each session completes, each write once', () =>
    parkedCallsScenario({ url: cluster.gatewayUrl, key: adminKey }));

  it('scenario shared with dev mode: personal data in goals, context, step outputs and approval reasons is stored redacted, unless the tenant turned it off', () => privacyScenario({ url: cluster.gatewayUrl, key: adminKey }));

  it("pauses the tenant's session in flight while the platform admin suspends the tenant, and completes it once resumed", () =>
    tenantSuspensionScenario(
      { url: cluster.gatewayUrl, key: adminKey },
      {
        tenantId: 'acme',
        platformAdminKey,
        sessionLog: async (sessionId) => (await store.readStream(`session-${sessionId}`)).map((event) => event.type),
        readModelStatus: async (sessionId) => (await pool.query<{ status: string }>(`SELECT status FROM ${schemas.readModels}.sessions WHERE session_id = $1`, [sessionId])).rows[0]?.status,
      },
    ));

  it('answers bad input with a clear 4xx and writes nothing', async () => {
    const ours = (await call('POST', '/v1/sessions', { body: { goal: 'Seen by its own tenant only' } })).body.sessionId as string;
    const listed = async () => (await call('GET', '/v1/sessions?limit=100')).body.items as { sessionId: string }[];
    await waitFor('our session in the list', async () => (await listed()).some((session) => session.sessionId === ours));
    const before = (await listed()).length;
    const otherTenant = await new ApiKeyStore(await tenants(), schemas.gateway).create({ tenantId: 'globex', name: 'e2e', roles: ['admin'], createdBy: 'e2e' });
    for (const path of [`/v1/sessions/${ours}`, `/v1/sessions/${ours}/events`]) {
      expect((await call('GET', path, { key: otherTenant.apiKey })).status).toBe(404);
    }
    expect((await call('POST', `/v1/sessions/${ours}/cancel`, { key: otherTenant.apiKey })).status).toBe(404);
    expect((await call('GET', '/v1/sessions', { key: otherTenant.apiKey })).body.items).toEqual([]);

    expect((await call('POST', '/v1/sessions', { raw: '{"goal": ' })).status).toBe(400);
    const unknown = await call('POST', '/v1/sessions', { body: { goal: 'g', priority: 'high' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: '#/priority', detail: 'unknown field' }]);
    expect((await call('POST', '/v1/sessions', { raw: JSON.stringify({ goal: 'x'.repeat(2 * 1024 * 1024) }) })).status).toBe(413);
    expect((await call('POST', '/v1/sessions', { key: null, body: { goal: 'g' } })).status).toBe(401);
    expect((await call('POST', '/v1/sessions', { key: 'not-a-key', body: { goal: 'g' } })).status).toBe(401);
    expect((await call('POST', '/v1/sessions', { body: { goal: 'g' }, headers: { 'idempotency-key': 'has space' } })).status).toBe(400);
    expect((await call('GET', '/v1/sessions?limit=0')).status).toBe(400);

    // A session any of them started would be in the log before its answer; one started after
    // them is listed once the read model has passed them all.
    const marker = (await call('POST', '/v1/sessions', { body: { goal: 'Started after the bad input' } })).body.sessionId as string;
    await waitFor('the marker session in the list', async () => (await listed()).some((session) => session.sessionId === marker));
    expect((await listed()).length).toBe(before + 1);
  });
});
