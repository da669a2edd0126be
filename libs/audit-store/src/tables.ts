import { createInSchema, isolateByTenant } from '@agent-orchestrator/postgres';
import pg from 'pg';

/** The audit trail's tables in one schema, as schema-qualified SQL names. */
export interface AuditTables {
  readonly schema: string;
  /** One row per leaf of a tenant's Merkle tree: the event it hashes and where it sits in the log. */
  readonly leaves: string;
  /** One row per tenant: its tree's size, its compact-range frontier, and the last leaf's log position. */
  readonly trees: string;
  /** The builder's place in the whole log: one row, the platform's only (no tenant column, closed to the application role). */
  readonly builder: string;
  readonly keys: string;
  readonly checkpoints: string;
  readonly exports: string;
  /** A completed export's bundle, ~1 MiB a row, in order. */
  readonly chunks: string;
  readonly retention: string;
}

export function auditTables(schema: string): AuditTables {
  const name = (table: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
  return {
    schema,
    leaves: name('audit_leaves'),
    trees: name('audit_trees'),
    builder: name('audit_builder'),
    keys: name('audit_keys'),
    checkpoints: name('audit_checkpoints'),
    exports: name('audit_exports'),
    chunks: name('audit_export_chunks'),
    retention: name('audit_retention'),
  };
}

function statements(t: AuditTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.leaves} (
       tenant_id text NOT NULL,
       position bigint NOT NULL,
       event_id uuid NOT NULL UNIQUE,
       global_position text NOT NULL,
       stream_id text NOT NULL,
       stream_version bigint NOT NULL,
       correlation_id text NOT NULL,
       occurred_at timestamptz NOT NULL,
       leaf_hash bytea NOT NULL,
       chain_hash bytea NOT NULL,
       PRIMARY KEY (tenant_id, position))`,
    `CREATE INDEX IF NOT EXISTS audit_leaves_occurred ON ${t.leaves} (tenant_id, occurred_at)`,
    `CREATE INDEX IF NOT EXISTS audit_leaves_correlation ON ${t.leaves} (tenant_id, correlation_id, position)`,
    `CREATE INDEX IF NOT EXISTS audit_leaves_stream ON ${t.leaves} (tenant_id, stream_id, position)`,
    `CREATE TABLE IF NOT EXISTS ${t.trees} (
       tenant_id text PRIMARY KEY,
       size bigint NOT NULL,
       frontier bytea[] NOT NULL,
       last_global_position text,
       updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE IF NOT EXISTS ${t.builder} (name text PRIMARY KEY, cursor text)`,
    `INSERT INTO ${t.builder} (name, cursor) VALUES ('tree', NULL) ON CONFLICT (name) DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS ${t.keys} (
       tenant_id text NOT NULL,
       key_id text NOT NULL,
       fingerprint text NOT NULL,
       public_key text NOT NULL,
       valid_from timestamptz NOT NULL,
       valid_until timestamptz,
       previous_key_id text,
       endorsement text,
       PRIMARY KEY (tenant_id, key_id))`,
    `CREATE TABLE IF NOT EXISTS ${t.checkpoints} (
       event_id uuid PRIMARY KEY,
       tenant_id text NOT NULL,
       tree_size bigint NOT NULL,
       root_hash text NOT NULL,
       signed_at timestamptz NOT NULL,
       key_id text NOT NULL,
       signature text NOT NULL,
       reason text NOT NULL,
       timestamp text)`,
    `CREATE INDEX IF NOT EXISTS audit_checkpoints_tenant ON ${t.checkpoints} (tenant_id, tree_size, signed_at)`,
    `CREATE TABLE IF NOT EXISTS ${t.exports} (
       export_id uuid PRIMARY KEY,
       tenant_id text NOT NULL,
       status text NOT NULL,
       request jsonb NOT NULL,
       requested_at timestamptz NOT NULL,
       requested_by text NOT NULL,
       written bigint NOT NULL DEFAULT 0,
       total bigint,
       checkpoint jsonb,
       events bigint,
       bytes bigint,
       sha256 text,
       completed_at timestamptz,
       expires_at timestamptz,
       error text,
       verification jsonb)`,
    `CREATE INDEX IF NOT EXISTS audit_exports_tenant ON ${t.exports} (tenant_id, requested_at DESC)`,
    `CREATE TABLE IF NOT EXISTS ${t.chunks} (
       export_id uuid NOT NULL,
       seq integer NOT NULL,
       tenant_id text NOT NULL,
       data bytea NOT NULL,
       PRIMARY KEY (export_id, seq))`,
    `CREATE TABLE IF NOT EXISTS ${t.retention} (tenant_id text PRIMARY KEY, days integer NOT NULL, set_at timestamptz NOT NULL)`,
  ];
}

/**
 * Creates the audit tables in `schema` when missing and puts each tenant table under row-level
 * security, readable (SELECT only) by `appRole`: the audit service writes them as the migration
 * role, the gateway reads them as the application role. Idempotent, and safe from several
 * processes at once (the gateway and the audit service both run it at start).
 */
export async function migrateAuditStore(pool: pg.Pool, options: { readonly schema: string; readonly appRole?: string }): Promise<AuditTables> {
  const tables = auditTables(options.schema);
  const readable = options.appRole === undefined ? {} : { appRole: options.appRole, privileges: ['SELECT'] as const };
  await createInSchema(pool, `audit-store:${options.schema}`, options.schema, statements(tables), async (client) => {
    for (const table of [tables.leaves, tables.trees, tables.keys, tables.checkpoints, tables.exports, tables.chunks, tables.retention]) await isolateByTenant(client, table, readable);
  });
  return tables;
}
