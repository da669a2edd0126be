import { metricNames } from './families.js';
import { otherLabelValue } from './label-caps.js';
import { PlatformMetrics } from './platform-metrics.js';
import { countOf, labelValues, parseMetrics, sumOf } from './testing.js';

const parse = async (metrics: PlatformMetrics) => new Map(Object.entries(await parseMetrics(await metrics.text())));
const caps = { tenant: 2, model: 2, agent: 2, tool: 2, consumer: 2, projection: 2 };

describe('PlatformMetrics', () => {
  it('records a model call as input and output token observations, its duration and its cost', async () => {
    const metrics = new PlatformMetrics();
    metrics.modelCall({ tenant: 'acme', model: 'gpt-x', agent: 'Planner', inputTokens: 120, outputTokens: 30, costUsd: 0.25, seconds: 0.4 });
    metrics.modelCall({ tenant: 'acme', model: 'gpt-x', agent: 'Planner', inputTokens: 80, outputTokens: 20, costUsd: 0.5, seconds: 0.2 });
    const families = await parse(metrics);
    const tokens = families.get(metricNames.tokenUsage);
    expect(tokens?.type).toBe('histogram');
    expect(sumOf(tokens, { gen_ai_token_type: 'input', gen_ai_request_model: 'gpt-x', gen_ai_agent_name: 'Planner', tenant: 'acme' })).toBe(200);
    expect(sumOf(tokens, { gen_ai_token_type: 'output' })).toBe(50);
    expect(countOf(tokens, { gen_ai_token_type: 'input' })).toBe(2);
    expect(sumOf(families.get(metricNames.operationDuration))).toBeCloseTo(0.6);
    expect(sumOf(families.get(metricNames.costUsd), { tenant: 'acme', model: 'gpt-x', agent: 'Planner' })).toBeCloseTo(0.75);
  });

  it('records nothing while recording is off, and again once it is back on', async () => {
    const metrics = new PlatformMetrics();
    metrics.setRecording(false);
    metrics.toolCall({ tenant: 'acme', tool: 'crm', outcome: 'completed' });
    metrics.stepEnded({ tenant: 'acme', agent: 'Executor', outcome: 'completed', seconds: 1 });
    expect(sumOf((await parse(metrics)).get(metricNames.toolCalls))).toBe(0);
    metrics.setRecording(true);
    metrics.toolCall({ tenant: 'acme', tool: 'crm', outcome: 'completed' });
    const families = await parse(metrics);
    expect(sumOf(families.get(metricNames.toolCalls))).toBe(1);
    expect(countOf(families.get(metricNames.stepDuration))).toBe(0);
  });

  it("starts Node's process metrics only once recording is on, never while it is off", async () => {
    const metrics = new PlatformMetrics({ processMetrics: true });
    metrics.setRecording(false);
    // Read as text: the event-loop gauges say NaN until the monitor has sampled, which the parser refuses.
    const off = await metrics.text();
    expect(off).toContain(`# TYPE ${metricNames.toolCalls} counter`);
    expect(off).not.toContain('process_cpu_user_seconds_total');
    expect(off).not.toContain('nodejs_eventloop_lag_seconds');
    metrics.setRecording(true);
    const on = await metrics.text();
    expect(on).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(on).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('folds the values past a label cap into "other", keeping sums exact', async () => {
    const metrics = new PlatformMetrics({ caps });
    for (const tenant of ['t1', 't2', 't3', 't4']) metrics.toolCall({ tenant, tool: 'crm', outcome: 'completed' });
    for (const tool of ['a', 'b', 'c']) metrics.toolCall({ tenant: 't1', tool, outcome: 'failed' });
    const calls = (await parse(metrics)).get(metricNames.toolCalls);
    expect([...labelValues(calls).get('tenant')!].sort()).toEqual(['other', 't1', 't2']);
    expect([...labelValues(calls).get('tool')!].sort()).toEqual(['a', 'crm', 'other']);
    expect(sumOf(calls, { tenant: otherLabelValue })).toBe(2);
    expect(sumOf(calls)).toBe(7);
  });

  it('reads the scrape-time gauges from their sources at each scrape, combining what folds into one series', async () => {
    const metrics = new PlatformMetrics({ caps });
    let running = 3;
    const unwatch = metrics.watch('sessions', async () => [
      { tenant: 't1', status: 'running', count: running },
      { tenant: 't2', status: 'running', count: 1 },
      { tenant: 't3', status: 'running', count: 4 },
      { tenant: 't4', status: 'running', count: 5 },
    ]);
    metrics.watch('approvals', async () => [
      { tenant: 't1', pending: 2, oldestAgeSeconds: 30 },
      { tenant: 't2', pending: 1, oldestAgeSeconds: 90 },
    ]);
    metrics.watch('readiness', async () => [
      { kind: 'consumer', name: 'orchestrator', lag: 7, quarantined: 0 },
      { kind: 'projection', name: 'sessions', lag: 2, quarantined: 1 },
    ]);
    metrics.watch('deadLetters', async () => {
      throw new Error('the table is gone');
    });
    let families = await parse(metrics);
    expect(sumOf(families.get(metricNames.sessions), { tenant: 't1' })).toBe(3);
    expect(sumOf(families.get(metricNames.sessions), { tenant: otherLabelValue })).toBe(9);
    expect(sumOf(families.get(metricNames.approvalsPending))).toBe(3);
    expect(sumOf(families.get(metricNames.oldestPendingApprovalAge), { tenant: 't2' })).toBe(90);
    expect(sumOf(families.get(metricNames.consumerLag), { consumer: 'orchestrator' })).toBe(7);
    expect(sumOf(families.get(metricNames.projectionLag), { projection: 'sessions' })).toBe(2);
    expect(sumOf(families.get(metricNames.quarantinedEvents), { projection: 'sessions' })).toBe(1);
    expect(families.get(metricNames.deadLetters)?.data ?? []).toEqual([]);
    // The registry collects families together: a failed reading shows at the next scrape at the latest.
    expect(sumOf((await parse(metrics)).get(metricNames.sourceErrors), { source: 'deadLetters' })).toBe(1);

    running = 0;
    unwatch();
    families = await parse(metrics);
    expect(families.get(metricNames.sessions)?.data ?? []).toEqual([]);
  });
});
