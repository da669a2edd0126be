import { join } from 'node:path';
import { metricNames } from '@agent-orchestrator/metrics';
import { scrapeMetrics, sumOf } from '@agent-orchestrator/metrics/testing';
import { createTestSchema, spawnFixture, testBrokers, uniqueTopicPrefix, waitFor, type RunningFixture, type TestSchema } from '@agent-orchestrator/testing';
import { metricsOffProblem } from './health-server.js';

const fixture = join(import.meta.dirname, '..', 'test', 'metrics-switch.fixture.ts');

/** METRICS as runService honours it, in a real service process on real PostgreSQL and Kafka. */
describe('runService and METRICS', () => {
  let db: TestSchema;
  const running: RunningFixture[] = [];

  beforeAll(async () => {
    db = await createTestSchema('run_service_metrics');
  });
  afterAll(async () => {
    for (const service of running) await service.kill();
    await db.dispose();
  });

  const start = (metrics: string | undefined) => {
    const service = spawnFixture(fixture, {
      DATABASE_URL: db.connectionString,
      KAFKA_BROKERS: testBrokers().join(','),
      TOPIC_PREFIX: uniqueTopicPrefix('run-service-metrics'),
      EVENT_STORE_SCHEMA: db.schema,
      READ_MODEL_SCHEMA: db.schema,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
      METRICS: metrics ?? '',
      OTEL_SDK_DISABLED: 'true',
    });
    running.push(service);
    return service;
  };
  const line = (service: RunningFixture, msg: string) =>
    waitFor(`"${msg}"`, () => service.output().split('\n').filter((text) => text.includes(`"msg":"${msg}"`)).map((text) => JSON.parse(text) as Record<string, unknown>)[0] ?? false, { timeoutMs: 60_000 });
  const stopped = async (service: RunningFixture) => {
    service.child.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
  };

  it('records and answers /metrics by default', async () => {
    const service = start(undefined);
    const started = await line(service, 'metrics-fixture started');
    expect(started).toMatchObject({ metrics: 'on' });
    expect(await line(service, 'metrics-fixture recorded a tool call')).toMatchObject({ recording: true });
    const metrics = await scrapeMetrics(`${String(started.healthUrl)}/metrics`);
    expect(sumOf(metrics[metricNames.toolCalls], { tenant: 'acme', tool: 'crm' })).toBe(1);
    expect(metrics.process_cpu_user_seconds_total).toBeDefined();
    await stopped(service);
  }, 90_000);

  it('with METRICS=off records nothing and answers /metrics 404 saying metrics are off; health and readiness still answer', async () => {
    const service = start('off');
    const started = await line(service, 'metrics-fixture started');
    expect(started).toMatchObject({ metrics: 'off' });
    expect(await line(service, 'metrics-fixture recorded a tool call')).toMatchObject({ recording: false });
    const answer = await fetch(`${String(started.healthUrl)}/metrics`);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await answer.json()).toEqual(metricsOffProblem);
    expect((await fetch(`${String(started.healthUrl)}/healthz`)).status).toBe(200);
    expect((await fetch(`${String(started.healthUrl)}/readyz`)).status).toBe(200);
    await stopped(service);
  }, 90_000);

  it('stops start-up on a wrong METRICS, naming it and what it expects', async () => {
    const service = start('false');
    expect(await service.exited()).toBe(1);
    expect(service.output()).toContain('METRICS: expects on or off');
  }, 90_000);
});
