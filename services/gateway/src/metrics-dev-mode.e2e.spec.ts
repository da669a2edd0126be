import { randomBytes } from 'node:crypto';
import { metricNames } from '@agent-orchestrator/metrics';
import { countOf, scrapeMetrics, sumOf } from '@agent-orchestrator/metrics/testing';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import { api } from './e2e/scenarios.behaviour.js';

/**
 * Dev mode's /metrics: one registry for every service of the process, on METRICS_PORT (a free
 * one here), apart from the API port that tenants' keys reach.
 */
describe('metrics in dev mode', () => {
  const key = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    dev = await startDevModeProcess('metrics_e2e', { DEV_API_KEY: key, DEMO: 'false' }, { readyTimeoutMs: 150_000 });
    const ready = dev.output().split('\n').find((line) => line.includes('"msg":"dev mode ready"'))!;
    metricsUrl = (JSON.parse(ready) as { metricsUrl: string }).metricsUrl;
  }, 180_000);
  afterAll(async () => {
    await dev?.stop();
  });
  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(dev.output().slice(-4000));
  });

  it("answers /metrics on its own port with a session's tokens, steps and end, and not on the API port", async () => {
    expect(new URL(metricsUrl).port).not.toBe(new URL(dev.url).port);
    const { call, waitForStatus } = api({ url: dev.url, key });
    const started = await call('POST', '/v1/sessions', { body: { goal: 'Summarise what customers owe us', context: { modelFixture: 'three-steps-rework-once' } } });
    expect(started.status).toBe(202);
    const { sessionId } = started.body as { sessionId: string };
    await waitForStatus(sessionId, 'completed');
    const session = (await call('GET', `/v1/sessions/${sessionId}`)).body as { inputTokens: number; outputTokens: number };
    expect(session.inputTokens).toBeGreaterThan(0);

    const metrics = await scrapeMetrics(metricsUrl);
    expect(sumOf(metrics[metricNames.tokenUsage], { gen_ai_token_type: 'input' })).toBe(session.inputTokens);
    expect(sumOf(metrics[metricNames.tokenUsage], { gen_ai_token_type: 'output' })).toBe(session.outputTokens);
    // The fixture's review sends every step back once: each of the three steps is answered twice.
    expect(countOf(metrics[metricNames.stepDuration], { outcome: 'completed' })).toBe(6);
    expect(countOf(metrics[metricNames.sessionDuration], { status: 'completed' })).toBe(1);
    expect(metrics[metricNames.projectionLag]?.data.map((sample) => sample.labels.projection)).toEqual(expect.arrayContaining(['sessions', 'approvals']));
    expect(JSON.stringify(metrics)).not.toContain(sessionId);

    const onApi = await fetch(`${dev.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    expect(onApi.headers.get('content-type') ?? '').not.toContain('text/plain');
    expect(await onApi.text()).not.toContain(`# TYPE ${metricNames.tokenUsage}`);
  }, 240_000);
});

/** METRICS=off in dev mode: no service of the process records, and /metrics says metrics are off. */
describe('dev mode with METRICS=off', () => {
  const key = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let ready: { metricsUrl: string; metrics: string };

  beforeAll(async () => {
    dev = await startDevModeProcess('metrics_off_e2e', { DEV_API_KEY: key, DEMO: 'false', METRICS: 'off' }, { readyTimeoutMs: 150_000 });
    ready = JSON.parse(dev.output().split('\n').find((line) => line.includes('"msg":"dev mode ready"'))!) as typeof ready;
  }, 180_000);
  afterAll(async () => {
    await dev?.stop();
  });

  it('answers /metrics 404 naming the switch, says so at start-up, and serves the API as ever', async () => {
    expect(ready.metrics).toBe('off');
    await waitFor('the start-up banner', () => dev.output().includes('Metrics:    off (METRICS=off: nothing is recorded;'));
    const answer = await fetch(ready.metricsUrl);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await answer.json()).toMatchObject({ title: 'Metrics are off', detail: expect.stringContaining('METRICS=off') });
    const { call } = api({ url: dev.url, key });
    expect((await call('GET', '/v1/sessions')).status).toBe(200);
  }, 60_000);
});
