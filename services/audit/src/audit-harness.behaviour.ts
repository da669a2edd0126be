import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle, type BundleReport } from '@agent-orchestrator/audit-proof';
import { migrateAuditStore, type AuditTables } from '@agent-orchestrator/audit-store';
import type { AuditExportRange, NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { PostgresSecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino, type Logger } from 'pino';
import { Checkpointer } from './checkpoints/checkpointer.js';
import { ExportJobs } from './exports/export-jobs.js';
import { storedBundle } from './exports/chunk-sink.js';
import { verifyStoredBundle } from './exports/stored-verification.js';
import { SigningKeys } from './keys/signing-keys.js';
import { TreeBuilder } from './tree/tree-builder.js';

/**
 * The audit service's parts on a fresh schema of the test server (the log, the audit tables and
 * the secret store side by side), for the service's integration specs. No Kafka: the specs that
 * exercise commands start the service on a platform of their own.
 */
export interface AuditHarness {
  readonly db: TestSchema;
  readonly tenancy: TenantDatabase;
  readonly store: PostgresEventStore;
  readonly tables: AuditTables;
  readonly secrets: PostgresSecretStore;
  readonly logger: Logger;
  readonly builder: TreeBuilder;
  readonly keys: SigningKeys;
  readonly checkpointer: Checkpointer;
  readonly exports: ExportJobs;
  /** Asks for an export and waits for its job to finish. */
  exportNow(tenantId: string, range?: AuditExportRange): Promise<string>;
  bundle(tenantId: string, exportId: string): Promise<Buffer>;
  dispose(): Promise<void>;
}

export const now = (): string => new Date().toISOString();

export async function openAuditHarness(label: string): Promise<AuditHarness> {
  const db = await createTestSchema(label);
  const tenancy = await db.tenantDatabase();
  const store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
  const tables = await migrateAuditStore(db.pool, { schema: db.schema, appRole: tenancy.appRole.name });
  const secrets = await PostgresSecretStore.open({ database: tenancy, schema: `${db.schema}_secrets`, key: randomBytes(32) });
  const logger = pino({ level: 'silent' });
  const builder = new TreeBuilder({ store, pool: db.pool, tables, pageSize: 500 });
  const keys = new SigningKeys({ store, secrets, logger, now });
  const checkpointer = new Checkpointer({ store, pool: db.pool, tables, builder, keys, logger, now });
  const exports = new ExportJobs({ store, pool: db.pool, tables, checkpointer, keys, logger, now, verify: verifyStoredBundle });
  const bundle = async (tenantId: string, exportId: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of storedBundle(db.pool, tables, tenantId, exportId)) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  return {
    db,
    tenancy,
    store,
    tables,
    secrets,
    logger,
    builder,
    keys,
    checkpointer,
    exports,
    bundle,
    async exportNow(tenantId, range = {}) {
      const exportId = randomUUID();
      const metadata = { tenantId, correlationId: `audit-${tenantId}`, causationId: null, actor: { kind: 'user' as const, id: 'auditor-1' }, traceparent: null, now: now(), eventIds: [randomUUID()] };
      await exports.request({ type: 'RequestAuditExport', exportId, range, metadata });
      await exports.settled(exportId);
      return exportId;
    },
    async dispose() {
      await exports.settled();
      await store.close();
      await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_secrets" CASCADE`);
      await db.dispose();
    },
  };
}

/** The verifier over bundles in memory (it reads files, as an auditor runs it); `previous` the export this one continues. */
export async function verifyBytes(bundle: Buffer, previous?: Buffer): Promise<BundleReport> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-spec-'));
  try {
    await writeFile(join(dir, 'bundle.ndjson'), bundle);
    if (previous !== undefined) await writeFile(join(dir, 'previous.ndjson'), previous);
    return await verifyBundle({ bundle: join(dir, 'bundle.ndjson'), ...(previous === undefined ? {} : { previous: join(dir, 'previous.ndjson') }) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `count` events of one session (correlation id `sessionId`) over `streams` streams of it. */
export function sessionEvents(tenantId: string, sessionId: string, count: number, occurredAt = now()): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type: 'PlanRequested',
    schemaVersion: 1,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'orchestrator' },
    occurredAt,
    traceparent: null,
    data: { planner: 'Planner', attempt: i + 1 },
  }));
}

/** Appends `sessions` sessions of `perSession` events each, over two streams a session (its own and an agent run's), interleaved. */
export async function appendSessions(store: PostgresEventStore, tenantId: string, sessions: number, perSession: number, occurredAt?: string): Promise<string[]> {
  const ids = Array.from({ length: sessions }, () => randomUUID());
  for (const sessionId of ids) {
    const events = sessionEvents(tenantId, sessionId, perSession, occurredAt);
    const half = Math.ceil(events.length / 2);
    await store.append(`session-${sessionId}`, events.slice(0, half));
    if (events.length > half) await store.append(`agentrun-${sessionId}.step.s1.1`, events.slice(half));
  }
  return ids;
}
