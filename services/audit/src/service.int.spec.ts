import { randomBytes, randomUUID } from 'node:crypto';
import { AuditReadModel } from '@agent-orchestrator/audit-store';
import { auditStream, messageHeaders, type AuditCommand, type CommandMetadata } from '@agent-orchestrator/contracts';
import { openPlatform, parsePlatformConfig, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { collectMessages, testBrokers, testDatabaseUrl, testKafka, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { appendSessions } from './audit-harness.behaviour.js';
import { startAudit } from './service.js';

const suffix = randomBytes(4).toString('hex');
const schemas = { eventStore: `t_audit_es_${suffix}`, readModels: `t_audit_rm_${suffix}`, secrets: `t_audit_sec_${suffix}` };

/** The audit service on real Kafka and PostgreSQL: its commands from `commands.audit`, refusals to its dead-letter topic. */
describe('the audit service', () => {
  let platform: Platform;
  let audit: RunningService;
  let model: AuditReadModel;
  const kafka = testKafka('audit-service-spec');

  beforeAll(async () => {
    const config = parsePlatformConfig(
      {
        DATABASE_URL: testDatabaseUrl(),
        KAFKA_BROKERS: testBrokers().join(','),
        TOPIC_PREFIX: uniqueTopicPrefix('audit'),
        EVENT_STORE_SCHEMA: schemas.eventStore,
        READ_MODEL_SCHEMA: schemas.readModels,
        LOG_LEVEL: 'silent',
        EVENT_POLL_MS: '10',
      },
      'audit',
    );
    platform = await openPlatform(config, 'audit');
    audit = await startAudit(platform, {
      checkpointIntervalMs: 3_600_000,
      retentionSweepMs: 3_600_000,
      tsaUrl: undefined,
      secrets: { backend: 'postgres', key: randomBytes(32), previousKeys: [], schema: schemas.secrets },
    });
    model = AuditReadModel.open({ pool: platform.tenantPool, schema: schemas.readModels });
  });
  afterAll(async () => {
    await audit?.stop();
    await platform?.pool.query(`DROP SCHEMA IF EXISTS ${schemas.eventStore} CASCADE; DROP SCHEMA IF EXISTS ${schemas.readModels} CASCADE; DROP SCHEMA IF EXISTS ${schemas.secrets} CASCADE`);
    await platform?.close();
  });

  const metadata = (tenantId: string): CommandMetadata => ({ tenantId, correlationId: auditStream(tenantId), causationId: null, actor: { kind: 'user', id: 'auditor-1' }, traceparent: null, now: new Date().toISOString(), eventIds: [] });
  const send = (tenantId: string, ...commands: Array<{ commandId: string; command: AuditCommand } | Record<string, unknown>>) =>
    platform.producer.send(commands.map((value) => ({ topic: platform.topics.commands('audit'), key: auditStream(tenantId), value: JSON.stringify(value) })));
  const trail = async (tenantId: string) => (await platform.store.readStream(auditStream(tenantId))).map((event) => event.type);

  it("makes a tenant's first key as its trail starts, and exports on RequestAuditExport once however often it is delivered", async () => {
    await appendSessions(platform.store, 'acme', 2, 3);
    await waitFor("acme's first key", async () => (await model.keys('acme')).length === 1, { timeoutMs: 30_000 });
    const exportId = randomUUID();
    const request = { commandId: randomUUID(), command: { type: 'RequestAuditExport' as const, exportId, range: {}, metadata: metadata('acme') } };
    await send('acme', request, request);
    await waitFor('the export to complete', async () => (await model.getExport('acme', exportId))?.status === 'completed', { timeoutMs: 30_000 });
    await waitFor('the platform to verify what it stored', async () => (await model.getExport('acme', exportId))?.verification !== null);
    expect(await model.getExport('acme', exportId)).toMatchObject({ requestedBy: 'auditor-1', request: {}, verification: { ok: true, findings: [] } });
    expect((await trail('acme')).filter((type) => type === 'AuditExportRequested' || type === 'AuditExportCompleted')).toEqual(['AuditExportRequested', 'AuditExportCompleted']);
  });

  it('signs on SignAuditCheckpoint, rotates on RotateAuditKey, sets the retention, and dead-letters what it cannot do', async () => {
    await send('acme', { commandId: randomUUID(), command: { type: 'SignAuditCheckpoint', metadata: metadata('acme') } });
    const rotation = { commandId: randomUUID(), command: { type: 'RotateAuditKey' as const, metadata: metadata('acme') } };
    await send('acme', rotation, rotation);
    await send('acme', { commandId: randomUUID(), command: { type: 'SetAuditRetention', days: 400, metadata: metadata('acme') } });
    await waitFor('the retention', async () => (await model.retention('acme')).days === 400, { timeoutMs: 30_000 });
    expect((await model.checkpoints('acme', { limit: 10 })).map((checkpoint) => checkpoint.reason)).toContain('requested');
    // Delivered twice, the rotation rotated once.
    expect(await model.keys('acme')).toHaveLength(2);
    await send('acme', { commandId: randomUUID(), command: { type: 'SetAuditRetention', days: 30, metadata: metadata('acme') } });
    const tenantWithoutKey = `nokey${suffix}`;
    await appendSessions(platform.store, tenantWithoutKey, 1, 1);
    await waitFor('its first key', async () => (await model.keys(tenantWithoutKey)).length === 1, { timeoutMs: 30_000 });
    const [key] = await model.keys(tenantWithoutKey);
    await platform.pool.query(`DELETE FROM ${schemas.secrets}.secrets WHERE tenant_id = $1`, [tenantWithoutKey]);
    await send(tenantWithoutKey, { commandId: randomUUID(), command: { type: 'SignAuditCheckpoint', metadata: metadata(tenantWithoutKey) } });
    const dead = await collectMessages(kafka, platform.topics.deadLetters('audit.commands'), (messages) => messages.length >= 2);
    const reasons = dead.map((d) => [d.message.headers?.[messageHeaders.dlqErrorCode]?.toString(), d.message.headers?.[messageHeaders.dlqReason]?.toString()]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['InvalidMessage', expect.stringContaining('days')],
        ['Rejected', expect.stringContaining(`audit.signing-key.${key!.keyId} that holds its private key is missing`)],
      ]),
    );
  });
});
