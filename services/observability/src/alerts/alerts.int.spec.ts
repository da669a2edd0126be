import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { alertSignatureHeader, alertWebhookSecretName, approvalStream, egressStream, type AlertRaisedData, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { AlertQueries, ApprovalsProjection, DeadLetterIndex, type AlertRecord, type DeadLetterEntry } from '@agent-orchestrator/read-models';
import { openSecretStore, type SecretStore } from '@agent-orchestrator/secrets';
import { openPlatform, parsePlatformConfig, type Platform } from '@agent-orchestrator/service-host';
import { testBrokers, testDatabaseUrl, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { DataSource } from 'typeorm';
import { startAlerts, type RunningAlerts } from './alerts.js';
import { parseAlertsConfig } from './config.js';
import { verifySignature } from './delivery/signature.js';

const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_alerts_es_${suffix}`, readModels: `t_alerts_rm_${suffix}`, secrets: `t_alerts_sec_${suffix}` };
const secretsKey = randomBytes(32).toString('base64');
const env = {
  DATABASE_URL: testDatabaseUrl(),
  KAFKA_BROKERS: testBrokers().join(','),
  TOPIC_PREFIX: uniqueTopicPrefix('alerts'),
  EVENT_STORE_SCHEMA: schemas.eventStore,
  READ_MODEL_SCHEMA: schemas.readModels,
  LOG_LEVEL: 'silent',
  EVENT_POLL_MS: '10',
  READINESS_STALL_MS: '5000',
  SECRETS_KEY: secretsKey,
  SECRETS_SCHEMA: schemas.secrets,
  // The schedules are the specs' to drive (evaluateNow, deliverNow): an hour apart here.
  ALERT_EVALUATE_MS: '3600000',
  ALERT_DELIVERY_POLL_MS: '3600000',
  ALERT_APPROVAL_SLA_MS: '1800000',
  ALERT_DEAD_LETTER_GROWTH: '3',
  ALERT_DEAD_LETTER_WINDOW_MS: '600000',
  ALERT_DELIVERY_ATTEMPTS: '3',
  ALERT_DELIVERY_BACKOFF_MS: '20',
  // The operator trusts 127.0.0.2 (the platform webhook's receiver here); 127.0.0.1 stays each tenant's to allow.
  EGRESS_ALLOW: '127.0.0.2',
};
const fixture = (type: string): EventEnvelope => JSON.parse(readFileSync(join(import.meta.dirname, '../../../../libs/contracts/fixtures', `${type}.v1.json`), 'utf8'));

/** A webhook receiver that answers 500 to the first `failFirst` deliveries and 200 after, keeping each raw body and signature. */
async function startReceiver(failFirst: number, host = '127.0.0.1'): Promise<{ url: string; received: { body: string; signature: string; delivery: string }[]; close(): Promise<void> }> {
  const received: { body: string; signature: string; delivery: string }[] = [];
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push({ body, signature: String(request.headers[alertSignatureHeader]), delivery: String(request.headers['x-ao-delivery']) });
      response.statusCode = received.length <= failFirst ? 500 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}/hooks/alerts`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Alerts on real PostgreSQL (the log, the read models, the secret store) and a real webhook receiver. */
describe('alerts', () => {
  let platform: Platform;
  let alerts: RunningAlerts;
  let secrets: SecretStore;
  let approvals: ProjectionRunner;
  let approvalsSource: DataSource;
  const queries = new AlertQueries(schemas.readModels);
  const projectionStatus = `"${schemas.readModels}".projection_status`;

  beforeAll(async () => {
    platform = await openPlatform(parsePlatformConfig(env, 'observability'), 'observability');
    alerts = await startAlerts(platform, parseAlertsConfig(env));
    secrets = (await openSecretStore(parseAlertsConfig(env).secrets, platform))!;
    // The approvals read model, as the projections' host keeps it: what the SLA rule reads.
    approvalsSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), schema: schemas.readModels, poolSize: 2, entities: [] }).initialize();
    approvals = new ProjectionRunner(new ApprovalsProjection(schemas.readModels, platform.appRole.name), { store: platform.store, dataSource: approvalsSource, schema: schemas.readModels });
    await approvals.start();
  });
  afterAll(async () => {
    await approvals?.stop();
    await approvalsSource?.destroy();
    await alerts?.stop();
    await secrets?.close();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE; DROP SCHEMA IF EXISTS ${schemas.secrets} CASCADE`);
    await platform?.close();
  });

  const alertsOf = async (tenantId: string): Promise<AlertRecord[]> => queries.list(platform.pool, tenantId, { limit: 100 });
  const until = (what: string, tenantId: string, holds: (found: AlertRecord[]) => boolean) =>
    waitFor(`alerts ${what}`, async () => {
      const found = await alertsOf(tenantId);
      return holds(found) ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 25 });
  const append = (streamId: string, event: NewEvent) => platform.store.append(streamId, [event]);
  const event = (type: string, tenantId: string, data: unknown, occurredAt = new Date().toISOString()): NewEvent => {
    const { streamId: _s, streamVersion: _v, globalPosition: _p, ...rest } = fixture(type);
    return { ...rest, eventId: randomUUID(), tenantId, occurredAt, data };
  };
  const requestApproval = async (tenantId: string, minutesAgo: number) => {
    const approvalId = randomUUID();
    const requested = fixture('ApprovalRequested').data as Record<string, unknown>;
    const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await append(approvalStream(approvalId), event('ApprovalRequested', tenantId, { ...requested, approvalId, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }, at));
    return approvalId;
  };
  const reject = async (tenantId: string, approvalId: string) => {
    const rejected = fixture('ApprovalRejected').data as Record<string, unknown>;
    await append(approvalStream(approvalId), event('ApprovalRejected', tenantId, { ...rejected, approvalId }));
  };
  const setWebhook = (tenantId: string, url: string) => secrets.put(tenantId, alertWebhookSecretName, JSON.stringify({ url, secret: `whsec_${tenantId}_0123456789abcdef` }));
  const allowEgress = (tenantId: string, allow: string[]) => append(egressStream(tenantId), event('EgressAllowListSet', tenantId, { version: 1, allow }));
  const attempts = async (eventId: string) =>
    (await platform.pool.query<{ attempt: number; outcome: string; status_code: number | null; error: string | null }>(`SELECT attempt, outcome, status_code, error FROM "${schemas.readModels}".alert_delivery_attempts WHERE event_id = $1 ORDER BY attempt`, [eventId])).rows;
  const delivery = async (eventId: string) => (await platform.pool.query<{ status: string }>(`SELECT status FROM "${schemas.readModels}".alert_deliveries WHERE event_id = $1`, [eventId])).rows[0];

  it('budget crossings on events.budgetledger raise one alert each for their tenant (80 % warns, 100 % is critical), however often Kafka delivers them', async () => {
    const tenantId = `budget-${suffix}`;
    const crossed = fixture('BudgetThresholdCrossed');
    const envelope = { ...crossed, eventId: randomUUID(), tenantId, streamId: `budgetledger-${tenantId}.research-daily.2026-11-29`, data: { ...(crossed.data as Record<string, unknown>), thresholdPercent: 80, used: 161000 } };
    // As the relay publishes it, twice: a redelivery must not raise the alert again.
    const message = { topic: platform.topics.events('budgetledger'), key: envelope.streamId, value: JSON.stringify(envelope) };
    await platform.producer.send([message, message]);
    // Then its 100 %, on the same key (the same partition): once its alert shows, both deliveries of the 80 % were handled.
    const full = { ...envelope, eventId: randomUUID(), streamVersion: envelope.streamVersion + 1, data: { ...envelope.data, thresholdPercent: 100, used: 200000 } };
    await platform.producer.send([{ ...message, value: JSON.stringify(full) }]);
    const raised = await waitFor('both budget alerts', async () => {
      const open = (await queries.open(platform.pool)).filter((alert) => alert.tenantId === tenantId);
      return open.length === 2 && open;
    }, { timeoutMs: 60_000 });
    expect(raised.map((alert) => [alert.rule, alert.severity]).sort()).toEqual([['budget', 'critical'], ['budget', 'warning']]);
    const raises = (await platform.store.readAll({ tenantId })).filter((event) => event.type === 'AlertRaised');
    expect(raises).toHaveLength(2);
  });

  it('dead letters growing by N within the window raise one alert per tenant and consumer; a window without growth resolves it', async () => {
    const index = new DeadLetterIndex(platform.pool, schemas.readModels);
    await index.setUp();
    const deadLetters = `"${schemas.readModels}".dead_letters`;
    const consumer = `orchestrator-${suffix}`;
    const [acme, globex] = [`dl-acme-${suffix}`, `dl-globex-${suffix}`];
    let position = 0;
    const deadLetter = (tenantId: string | null): DeadLetterEntry => ({
      id: randomUUID(),
      source: 'dead-letter',
      tenantId,
      consumer,
      errorCode: 'handler-failed',
      reason: 'spec',
      attempts: 3,
      sourceTopic: 'spec',
      sourcePartition: 0,
      sourceOffset: String(position),
      sessionId: null,
      tool: null,
      messageType: 'StepScheduled',
      seenAt: new Date(),
      redriveCount: 0,
      key: null,
      headers: {},
      value: null,
      position: ++position,
    });
    const growthAlerts = async (tenantId: string) => (await alertsOf(tenantId)).filter((alert) => alert.key === `dead-letters:${consumer}`);
    // A backlog older than the window is not growth: 20 pending, none recent.
    for (let i = 0; i < 20; i++) await index.upsert(deadLetter(acme));
    await platform.pool.query(`UPDATE ${deadLetters} SET first_seen = now() - interval '2 hours', last_seen = now() - interval '2 hours' WHERE consumer = $1`, [consumer]);
    await alerts.evaluateNow();
    expect(await growthAlerts(acme)).toEqual([]);

    // Two new in acme (below N = 3), three in globex, three of no tenant.
    for (let i = 0; i < 2; i++) await index.upsert(deadLetter(acme));
    for (let i = 0; i < 3; i++) await index.upsert(deadLetter(globex));
    for (let i = 0; i < 3; i++) await index.upsert(deadLetter(null));
    expect(await alerts.evaluateNow()).toMatchObject({ ran: true });
    const [globexAlert] = await until('globex growth raised', globex, (found) => found.some((a) => a.key === `dead-letters:${consumer}`));
    expect(globexAlert).toMatchObject({ rule: 'dead-letters', status: 'open', severity: 'warning', subject: { consumer, arrivedInWindow: 3, pending: 3, growth: 3, windowMs: 600_000 } });
    await until('platform growth raised', 'platform', (found) => found.some((a) => a.key === `dead-letters:${consumer}` && a.status === 'open'));
    expect(await growthAlerts(acme)).toEqual([]);

    // A third in acme reaches N; evaluated again, globex's alert stays one alert.
    await index.upsert(deadLetter(acme));
    await alerts.evaluateNow();
    await until('acme growth raised', acme, (found) => found.some((a) => a.key === `dead-letters:${consumer}`));
    expect((await growthAlerts(globex)).map((a) => a.status)).toEqual(['open']);
    expect((await platform.store.readStream(globexAlert!.streamId)).map((e) => e.type)).toEqual(['AlertRaised']);

    // A window passes with nothing new (the rows age past it): every growth alert resolves, the backlog still pending.
    await platform.pool.query(`UPDATE ${deadLetters} SET last_seen = now() - interval '11 minutes' WHERE consumer = $1`, [consumer]);
    await alerts.evaluateNow();
    for (const tenantId of [acme, globex, 'platform']) {
      await until(`${tenantId} growth resolved`, tenantId, (found) => found.filter((a) => a.key === `dead-letters:${consumer}`).every((a) => a.status === 'resolved'));
    }
    expect((await platform.store.readStream(globexAlert!.streamId)).map((e) => e.type)).toEqual(['AlertRaised', 'AlertResolved']);
  });

  it('a stalled projection raises one platform alert, however often evaluated, resolved once it moves again', async () => {
    await platform.pool.query(
      `INSERT INTO ${projectionStatus} (projection, version, position, lag, lag_capped, events_per_second, last_advance_at, behind_since, quarantined, heartbeat_at)
       VALUES ('sessions-under-test', 1, NULL, 40, false, 0, now() - interval '1 hour', now() - interval '1 hour', 0, now() - interval '1 hour')`,
    );
    expect(await alerts.evaluateNow()).toMatchObject({ ran: true, outcomes: { raised: 1 } });
    const [raised] = await until('stalled raised', 'platform', (found) => found.some((a) => a.key === 'projection-stalled:sessions-under-test'));
    expect(raised).toMatchObject({ rule: 'projection-stalled', status: 'open', severity: 'critical', subject: { projection: 'sessions-under-test', lag: 40 } });
    // Evaluated again (and twice at once, as two processes would): still one alert.
    await Promise.all([alerts.evaluateNow(), alerts.evaluateNow()]);
    const stream = await platform.store.readStream(raised!.streamId);
    expect(stream.map((e) => e.type)).toEqual(['AlertRaised']);

    await platform.pool.query(`UPDATE ${projectionStatus} SET lag = 0, behind_since = NULL, last_advance_at = now(), heartbeat_at = now() WHERE projection = 'sessions-under-test'`);
    expect(await alerts.evaluateNow()).toMatchObject({ ran: true, outcomes: { resolved: 1 } });
    await until('stalled resolved', 'platform', (found) => found.some((a) => a.alertId === raised!.alertId && a.status === 'resolved'));
    expect((await platform.store.readStream(raised!.streamId)).map((e) => e.type)).toEqual(['AlertRaised', 'AlertResolved']);
  });

  it("a platform alert goes to the platform's webhook, signed, and to no tenant's", async () => {
    const receiver = await startReceiver(0, '127.0.0.2');
    try {
      await secrets.put('platform', alertWebhookSecretName, JSON.stringify({ url: receiver.url, secret: 'whsec_platform_0123456789abcdef' }));
      const projection = `usage-under-test-${suffix}`;
      await platform.pool.query(
        `INSERT INTO ${projectionStatus} (projection, version, position, lag, lag_capped, events_per_second, last_advance_at, behind_since, quarantined, heartbeat_at)
         VALUES ($1, 1, NULL, 7, false, 0, now() - interval '1 hour', now() - interval '1 hour', 0, now() - interval '1 hour')`,
        [projection],
      );
      await alerts.evaluateNow();
      const raised = (await until('platform alert raised', 'platform', (found) => found.some((a) => a.key === `projection-stalled:${projection}`))).find((a) => a.key === `projection-stalled:${projection}`);
      const [raisedEvent] = await platform.store.readStream(raised!.streamId);
      expect(raisedEvent).toMatchObject({ tenantId: 'platform', data: { scope: { kind: 'platform' } } });
      await waitFor('the platform delivery queued', async () => (await platform.pool.query<{ tenant_id: string }>(`SELECT tenant_id FROM "${schemas.readModels}".alert_deliveries WHERE event_id = $1`, [raisedEvent!.eventId])).rows[0], { timeoutMs: 30_000 }).then((row) =>
        expect(row).toEqual({ tenant_id: 'platform' }),
      );
      while ((await alerts.deliverNow()) > 0);
      expect(await delivery(raisedEvent!.eventId)).toEqual({ status: 'delivered' });
      const mine = receiver.received.filter((r) => r.delivery === raisedEvent!.eventId);
      expect(mine).toHaveLength(1);
      expect(verifySignature('whsec_platform_0123456789abcdef', mine[0]!.body, mine[0]!.signature, Math.floor(Date.now() / 1000))).toBe(true);
      expect(JSON.parse(mine[0]!.body)).toMatchObject({ type: 'alert.raised', tenantId: 'platform', alert: { rule: 'projection-stalled', scope: { kind: 'platform' } } });
      // Only platform alerts reach it: every body it got is the platform's.
      expect(receiver.received.map((r) => JSON.parse(r.body).tenantId as string).filter((tenant) => tenant !== 'platform')).toEqual([]);
    } finally {
      await secrets.delete('platform', alertWebhookSecretName);
      await receiver.close();
    }
  });

  it('an approval past its SLA raises a tenant alert delivered signed to its webhook: the first delivery fails, the redelivery arrives once', async () => {
    const receiver = await startReceiver(1);
    try {
      await setWebhook('acme', receiver.url);
      await allowEgress('acme', ['127.0.0.1']);
      const overdue = await requestApproval('acme', 45);
      await requestApproval('acme', 5);
      await waitFor('approvals projected', async () => (await platform.pool.query(`SELECT count(*)::int AS n FROM "${schemas.readModels}".approvals WHERE tenant_id = 'acme'`)).rows[0]?.n === 2, { timeoutMs: 30_000 });

      await alerts.evaluateNow();
      const [alert] = await until('approval raised', 'acme', (found) => found.some((a) => a.rule === 'approval-overdue'));
      expect(alert).toMatchObject({ key: `approval-overdue:${overdue}`, status: 'open', severity: 'warning' });
      expect(await alertsOf('acme')).toHaveLength(1);
      const [raisedEvent] = await platform.store.readStream(alert!.streamId);

      await waitFor('the delivery queued', async () => (await delivery(raisedEvent!.eventId)) !== undefined, { timeoutMs: 30_000 });
      await alerts.deliverNow();
      expect(await delivery(raisedEvent!.eventId)).toEqual({ status: 'delivered' });
      expect(receiver.received).toHaveLength(2);
      for (const { body, signature, delivery: id } of receiver.received) {
        expect(verifySignature('whsec_acme_0123456789abcdef', body, signature, Math.floor(Date.now() / 1000))).toBe(true);
        expect(verifySignature('whsec_acme_0123456789abcdeX', body, signature, Math.floor(Date.now() / 1000))).toBe(false);
        expect(id).toBe(raisedEvent!.eventId);
      }
      expect(JSON.parse(receiver.received[1]!.body)).toMatchObject({ id: raisedEvent!.eventId, type: 'alert.raised', tenantId: 'acme', alert: { alertId: alert!.alertId, rule: 'approval-overdue' } satisfies Partial<AlertRaisedData> });
      expect(await attempts(raisedEvent!.eventId)).toEqual([
        { attempt: 1, outcome: 'failed', status_code: 500, error: 'the receiver answered 500' },
        { attempt: 2, outcome: 'delivered', status_code: 200, error: null },
      ]);
      // Delivered is delivered: another run posts nothing again.
      await alerts.deliverNow();
      expect(receiver.received).toHaveLength(2);

      // Decided: the condition clears, the alert resolves, and the resolution is delivered too.
      await reject('acme', overdue);
      await waitFor('approval settled', async () => (await platform.pool.query(`SELECT status FROM "${schemas.readModels}".approvals WHERE approval_id = $1`, [overdue])).rows[0]?.status === 'rejected', { timeoutMs: 30_000 });
      await alerts.evaluateNow();
      await until('approval resolved', 'acme', (found) => found.every((a) => a.status === 'resolved'));
      const resolvedEvent = (await platform.store.readStream(alert!.streamId))[1]!;
      await waitFor('the resolution queued', async () => (await delivery(resolvedEvent.eventId)) !== undefined, { timeoutMs: 30_000 });
      await alerts.deliverNow();
      expect(receiver.received).toHaveLength(3);
      expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({ type: 'alert.resolved', alert: { alertId: alert!.alertId } });
    } finally {
      await receiver.close();
    }
  });

  it.each([
    ['loopback the tenant did not allow', (port: string) => `http://127.0.0.1:${port}/hooks`, [] as string[]],
    ['cloud metadata, even when the tenant allows it', () => 'http://169.254.169.254/latest/meta-data', ['169.254.169.254']],
  ])('a webhook pointing inside (%s) is refused by the egress guard and nothing is sent', async (_what, urlOf, allow) => {
    const receiver = await startReceiver(0);
    const tenantId = `t${randomBytes(3).toString('hex')}`;
    try {
      await setWebhook(tenantId, urlOf(new URL(receiver.url).port));
      if (allow.length > 0) await allowEgress(tenantId, allow);
      await requestApproval(tenantId, 60);
      await waitFor('approval projected', async () => (await platform.pool.query(`SELECT 1 FROM "${schemas.readModels}".approvals WHERE tenant_id = $1`, [tenantId])).rows.length === 1, { timeoutMs: 30_000 });
      await alerts.evaluateNow();
      const [alert] = await until('raised', tenantId, (found) => found.length === 1);
      const [raisedEvent] = await platform.store.readStream(alert!.streamId);
      await waitFor('queued', async () => (await delivery(raisedEvent!.eventId)) !== undefined, { timeoutMs: 30_000 });
      await alerts.deliverNow();
      expect(await attempts(raisedEvent!.eventId)).toEqual([{ attempt: 1, outcome: 'refused', status_code: null, error: expect.stringMatching(/169\.254\.169\.254|127\.0\.0\.1/) }]);
      expect(await delivery(raisedEvent!.eventId)).toEqual({ status: 'pending' });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
