import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { clusterServices, startCluster, type Cluster, type ClusterService } from '@agent-orchestrator/cluster';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { demoPolicy, provisionDemo, startDemoCrm, type DemoCrm } from '@agent-orchestrator/demo';
import { metricNames } from '@agent-orchestrator/metrics';
import { countOf, labelValues, scrapeMetrics, sumOf, type PromMetrics } from '@agent-orchestrator/metrics/testing';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import pg from 'pg';
import { api } from './e2e/scenarios.behaviour.js';

const root = join(import.meta.dirname, '../../..');
const adminKey = randomBytes(32).toString('base64url');
const suffix = randomBytes(4).toString('hex');
/** This spec's own schemas, dropped after it: named as the cluster's options name them. */
const schemas = { eventStoreSchema: `e2e_mes_${suffix}`, readModelSchema: `e2e_mrm_${suffix}`, gatewaySchema: `e2e_mgw_${suffix}` };
const secretsSchema = `e2e_msec_${suffix}`;

/** The labels the platform's families may carry: bounded ones only, never an id. */
const boundedLabels = new Set(['tenant', 'model', 'agent', 'tool', 'outcome', 'status', 'consumer', 'projection', 'source', 'gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type', 'gen_ai_agent_name']);
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

interface StreamsAnswer {
  readonly streams: readonly { readonly kind: string; readonly links: readonly { readonly event: EventEnvelope }[] }[];
}

/**
 * Issue 19's metrics in cluster mode: the demo session (a read, a write held for an approver,
 * the approval, completion) runs through the public API, and every service process's /metrics,
 * parsed as Prometheus text, shows it: tokens equal to the usage the log recorded, its tool
 * calls, its approval while pending, its session and step durations, each process's lag.
 */
describe('metrics: /metrics of every service after a real session', () => {
  let cluster: Cluster;
  let crm: DemoCrm;
  let pool: pg.Pool;
  const output: string[] = [];
  const target = () => ({ url: cluster.gatewayUrl, key: adminKey });
  const scrape = (service: ClusterService) => scrapeMetrics(cluster.metricsUrl(service)!);
  let sessionId: string;
  /** Every service's scrape once the session completed. */
  const scraped = new Map<ClusterService, PromMetrics>();

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    const env = { SECRETS_KEY: randomBytes(32).toString('base64'), SECRETS_SCHEMA: secretsSchema, APPROVAL_SWEEP_MS: '500' };
    const onOutput = (service: ClusterService, line: string) => output.push(`${service}: ${line}`);
    // Eight processes compile and start at once on a shared machine: give them time.
    cluster = await startCluster({ root, databaseUrl: testDatabaseUrl(), kafkaBrokers: testBrokers(), topicPrefix: uniqueTopicPrefix('metrics'), ...schemas, bootstrapAdminApiKey: adminKey, bootstrapTenant: 'acme', env, onOutput, startTimeoutMs: 240_000 });
    crm = await startDemoCrm(0);
    await provisionDemo({ gatewayUrl: cluster.gatewayUrl, apiKey: adminKey, crmUrl: crm.url });
    expect((await api(target()).call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
  }, 600_000);

  afterAll(async () => {
    await cluster?.stop();
    await crm?.stop();
    for (const schema of [...Object.values(schemas), secretsSchema]) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(output.slice(-80).join('\n'));
  });

  it('shows the pending approval and its age while the session waits, then the session in every family, equal to its recorded usage', async () => {
    const { call, waitForStatus } = api(target());
    const started = await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } });
    expect(started.status).toBe(202);
    sessionId = started.body.sessionId;
    await waitForStatus(sessionId, 'awaiting_approval');

    // Read from the read models at scrape time by the process that hosts them.
    const waiting = await waitFor('the pending approval on the orchestrator', async () => {
      const metrics = await scrape('orchestrator');
      return sumOf(metrics[metricNames.approvalsPending], { tenant: 'acme' }) === 1 && metrics;
    });
    expect(sumOf(waiting[metricNames.oldestPendingApprovalAge], { tenant: 'acme' })).toBeGreaterThanOrEqual(0);
    expect(sumOf(waiting[metricNames.sessions], { tenant: 'acme' })).toBe(1);

    const [approval] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`)).body.items;
    expect((await call('POST', `/v1/approvals/${approval.approvalId}/decision`, { body: { decision: 'approve' } })).body).toMatchObject({ status: 'granted' });
    await waitForStatus(sessionId, 'completed');
    const session = (await call('GET', `/v1/sessions/${sessionId}`)).body as { inputTokens: number; outputTokens: number; costUsd: number };
    const streams = (await call('GET', `/v1/sessions/${sessionId}/streams`)).body as StreamsAnswer;
    const events = streams.streams.flatMap((stream) => stream.links.map((link) => link.event));
    const ofType = (...types: string[]) => events.filter((event) => types.includes(event.type));
    const responses = ofType('ModelResponded') as EventEnvelope<{ usage: { inputTokens: number; outputTokens: number; costUsd: number } }>[];
    expect(responses.length).toBeGreaterThan(0);
    const recorded = (field: 'inputTokens' | 'outputTokens' | 'costUsd') => responses.reduce((total, event) => total + event.data.usage[field], 0);
    expect(recorded('inputTokens')).toBe(session.inputTokens);
    expect(recorded('outputTokens')).toBe(session.outputTokens);

    const runtime = await scrape('agent-runtime');
    const tokens = runtime[metricNames.tokenUsage];
    expect(sumOf(tokens, { tenant: 'acme', gen_ai_token_type: 'input' })).toBe(session.inputTokens);
    expect(sumOf(tokens, { tenant: 'acme', gen_ai_token_type: 'output' })).toBe(session.outputTokens);
    expect(countOf(tokens, { gen_ai_token_type: 'input' })).toBe(responses.length);
    expect(countOf(runtime[metricNames.operationDuration], { gen_ai_operation_name: 'chat' })).toBe(responses.length);
    expect(sumOf(runtime[metricNames.costUsd], { tenant: 'acme' })).toBeCloseTo(session.costUsd, 9);
    expect([...(labelValues(tokens).get('gen_ai_agent_name') ?? [])]).toEqual(expect.arrayContaining(['Planner']));

    const answers = ofType('ToolCallCompleted', 'ToolCallFailed', 'ToolCallParked');
    expect(answers.length).toBeGreaterThanOrEqual(2);
    const tools = await scrape('tool-adapters');
    expect(sumOf(tools[metricNames.toolCalls], { tenant: 'acme' })).toBe(answers.length);
    expect(sumOf(tools[metricNames.toolCalls], { tenant: 'acme', outcome: 'completed' })).toBe(ofType('ToolCallCompleted').length);

    const stepAnswers = ofType('StepCompleted', 'StepFailed').length;
    const orchestrator = await waitFor('the session gone from the live gauges', async () => {
      const metrics = await scrape('orchestrator');
      return sumOf(metrics[metricNames.approvalsPending], { tenant: 'acme' }) === 0 && sumOf(metrics[metricNames.sessions], { tenant: 'acme' }) === 0 && metrics;
    });
    expect(countOf(orchestrator[metricNames.sessionDuration], { tenant: 'acme', status: 'completed' })).toBe(1);
    expect(sumOf(orchestrator[metricNames.sessionDuration], { tenant: 'acme', status: 'completed' })).toBeGreaterThan(0);
    expect(stepAnswers).toBeGreaterThan(0);
    expect(countOf(orchestrator[metricNames.stepDuration], { tenant: 'acme' })).toBe(stepAnswers);
    expect([...(labelValues(orchestrator[metricNames.projectionLag]).get('projection') ?? [])]).toEqual(expect.arrayContaining(['sessions', 'approvals']));

    for (const service of clusterServices) scraped.set(service, await scrape(service));
  }, 300_000);

  it("has every process that consumes report its consumers' lag, and each family where its work happens", () => {
    // The gateway and the relay consume no Kafka topic: their /metrics have their process's metrics and no consumer.
    const consumers = clusterServices.filter((service) => service !== 'gateway' && service !== 'relay');
    expect(consumers.filter((service) => (scraped.get(service)![metricNames.consumerLag]?.data.length ?? 0) === 0)).toEqual([]);
    // Node's own process metrics come with every registry.
    expect(clusterServices.filter((service) => scraped.get(service)!.process_cpu_user_seconds_total === undefined)).toEqual([]);
    expect(Object.keys(scraped.get('replay')!)).toEqual(expect.arrayContaining([metricNames.deadLetters, metricNames.projectionLag]));
    expect(Object.keys(scraped.get('orchestrator')!)).toEqual(expect.arrayContaining([metricNames.sessions, metricNames.approvalsPending, metricNames.oldestPendingApprovalAge, metricNames.sessionDuration, metricNames.stepDuration, metricNames.projectionLag, metricNames.quarantinedEvents]));
  });

  it('keeps label sets bounded: no session, run or call id in any label of any process, only bounded label names', () => {
    expect(sessionId).toBeDefined();
    for (const [service, metrics] of scraped) {
      for (const [name, family] of Object.entries(metrics)) {
        if (!name.startsWith('gen_ai_') && !name.startsWith('agent_orchestrator_')) continue;
        for (const [label, values] of labelValues(family)) {
          expect([service, name, label, boundedLabels.has(label)]).toEqual([service, name, label, true]);
          for (const value of values) expect([service, name, label, value, uuid.test(value) || value.includes(sessionId)]).toEqual([service, name, label, value, false]);
        }
      }
    }
  });

  it("serves the gateway's /metrics on its HEALTH_PORT, never on the public API port", async () => {
    expect(cluster.metricsUrl('gateway')).not.toContain(new URL(cluster.gatewayUrl).host);
    expect(scraped.get('gateway')![metricNames.consumerLag]).toBeDefined();
    const onApi = await fetch(`${cluster.gatewayUrl}/metrics`);
    expect(onApi.headers.get('content-type') ?? '').not.toContain('text/plain');
    expect(await onApi.text()).not.toContain(`# TYPE ${metricNames.consumerLag}`);
  });
});
