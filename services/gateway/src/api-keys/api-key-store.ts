import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isolateByTenant, migrateUnderLock, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { isRole, type Role } from '../auth/roles.js';
import { ApiKeys, type ApiKeySummary, type AuthenticatedKey, type CreatedApiKey, type NewApiKey } from './api-keys.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longer than any key we issue or accept from the environment: not worth hashing. */
const maxSecretLength = 512;
const bootstrapCreator = 'bootstrap:BOOTSTRAP_ADMIN_API_KEY';

/**
 * SHA-256 of the whole presented key. A fast hash is right here: every key is at least 32
 * random bytes (or, for the bootstrap key, at least 32 characters chosen by the operator), so
 * there is no small space to brute-force and a slow password hash would only add latency to
 * every request.
 */
function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** `ao_<key id without dashes>_<32 random bytes, base64url>`: the id lets an operator find a leaked key. */
function newSecret(keyId: string): string {
  return `ao_${keyId.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
}

interface ApiKeyRow {
  key_id: string;
  name: string;
  roles: string[];
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
}

function rolesOf(stored: readonly string[]): Role[] {
  // A role dropped from the code since the key was made grants nothing, rather than failing every request.
  return stored.filter(isRole);
}

function summaryOf(row: ApiKeyRow): ApiKeySummary {
  return {
    keyId: row.key_id,
    name: row.name,
    roles: rolesOf(row.roles),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

export interface BootstrapResult {
  readonly keyId: string;
  /** False when the key was already registered (an earlier start, or another instance). */
  readonly created: boolean;
  /** The tenant the key belongs to: the configured one, unless it was registered earlier for another. */
  readonly tenantId: string;
  readonly revoked: boolean;
}

/**
 * API keys in `<schema>.api_keys`, stored as hashes only. The table is under row-level security:
 * a tenant's keys are read and written on the application role's pool in that tenant's scope; the
 * lookup of a presented key, before any tenant is known, goes through `api_key_by_hash`, a
 * SECURITY DEFINER function of the table's owner that returns the one matching row. Set-up and
 * the bootstrap key, which may find a key of any tenant, run as the migration role.
 */
export class ApiKeyStore extends ApiKeys {
  private readonly table: string;
  private readonly lookup: string;

  constructor(
    private readonly database: TenantDatabase,
    private readonly schema: string,
  ) {
    super();
    this.table = `${pg.escapeIdentifier(schema)}.api_keys`;
    this.lookup = `${pg.escapeIdentifier(schema)}.api_key_by_hash`;
  }

  /** Creates the schema and table if missing; safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await migrateUnderLock(this.database.pool, `gateway-api-keys:${this.schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        key_id     uuid PRIMARY KEY,
        tenant_id  text NOT NULL,
        name       text NOT NULL,
        roles      text[] NOT NULL CHECK (cardinality(roles) > 0),
        key_hash   bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        created_by text NOT NULL)`);
      await client.query(`CREATE INDEX IF NOT EXISTS api_keys_by_tenant ON ${this.table} (tenant_id, created_at)`);
      const appRole = pg.escapeIdentifier(this.database.appRole.name);
      await isolateByTenant(client, this.table, { appRole: this.database.appRole.name, privileges: ['SELECT', 'INSERT', 'UPDATE'] });
      // Runs as its owner, so it reads past the policy; the path is pinned so no caller's object stands in for the table's.
      await client.query(`CREATE OR REPLACE FUNCTION ${this.lookup}(presented bytea) RETURNS SETOF ${this.table}
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $fn$ SELECT * FROM ${this.table} WHERE key_hash = presented $fn$`);
      await client.query(`REVOKE ALL ON FUNCTION ${this.lookup}(bytea) FROM PUBLIC`);
      await client.query(`GRANT EXECUTE ON FUNCTION ${this.lookup}(bytea) TO ${appRole}`);
    });
  }


  /**
   * Registers the key from the environment as an admin of `tenantId`, once: a restart, or a
   * second instance starting at the same time, finds it by hash and leaves it alone. A revoked
   * bootstrap key stays revoked. A different key configured later is added beside the old one;
   * the old one keeps working until an admin revokes it, so rotating the variable never locks
   * anyone out by surprise.
   */
  async bootstrap(secret: string, tenantId: string): Promise<BootstrapResult> {
    const inserted = await this.database.pool.query<{ key_id: string }>(
      `INSERT INTO ${this.table} (key_id, tenant_id, name, roles, key_hash, created_by)
       VALUES ($1, $2, 'bootstrap admin', ARRAY['admin'], $3, $4)
       ON CONFLICT (key_hash) DO NOTHING
       RETURNING key_id`,
      [randomUUID(), tenantId, hashOf(secret), bootstrapCreator],
    );
    if (inserted.rows[0]) return { keyId: inserted.rows[0].key_id, created: true, tenantId, revoked: false };
    const existing = await this.database.pool.query<{ key_id: string; tenant_id: string; revoked_at: Date | null }>(
      `SELECT key_id, tenant_id, revoked_at FROM ${this.table} WHERE key_hash = $1`,
      [hashOf(secret)],
    );
    const row = existing.rows[0];
    if (!row) throw new Error('the bootstrap key was neither inserted nor found');
    return { keyId: row.key_id, created: false, tenantId: row.tenant_id, revoked: row.revoked_at !== null };
  }

  /**
   * Looked up by the hash of the presented secret, so no secret is ever compared byte by byte:
   * the time the index lookup takes depends on the hash, which tells an attacker nothing about
   * which secret would match. A constant-time compare would guard nothing here.
   */
  override async authenticate(secret: string): Promise<AuthenticatedKey | null> {
    if (secret.length === 0 || secret.length > maxSecretLength) return null;
    const found = await this.database.tenantPool.query<{ key_id: string; tenant_id: string; roles: string[] }>(
      `SELECT key_id, tenant_id, roles FROM ${this.lookup}($1) WHERE revoked_at IS NULL`,
      [hashOf(secret)],
    );
    const row = found.rows[0];
    return row ? { keyId: row.key_id, tenantId: row.tenant_id, roles: rolesOf(row.roles) } : null;
  }

  override async create(key: NewApiKey): Promise<CreatedApiKey> {
    const keyId = randomUUID();
    const apiKey = newSecret(keyId);
    const inserted = await withTenant(this.database.tenantPool, key.tenantId, (client) =>
      client.query<ApiKeyRow>(
        `INSERT INTO ${this.table} (key_id, tenant_id, name, roles, key_hash, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING key_id, name, roles, created_at, created_by, revoked_at`,
        [keyId, key.tenantId, key.name, [...new Set(key.roles)], hashOf(apiKey), key.createdBy],
      ),
    );
    return { ...summaryOf(inserted.rows[0]!), apiKey };
  }

  override async revoke(tenantId: string, keyId: string): Promise<boolean> {
    // Not a uuid: no such key anywhere. Checked here so Postgres never sees a malformed uuid.
    if (!uuidPattern.test(keyId)) return false;
    const revoked = await withTenant(this.database.tenantPool, tenantId, (client) =>
      client.query(`UPDATE ${this.table} SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 AND tenant_id = $2`, [keyId, tenantId]),
    );
    return revoked.rowCount === 1;
  }

  override async list(tenantId: string): Promise<readonly ApiKeySummary[]> {
    const listed = await withTenant(this.database.tenantPool, tenantId, (client) =>
      client.query<ApiKeyRow>(
        `SELECT key_id, name, roles, created_at, created_by, revoked_at
         FROM ${this.table} WHERE tenant_id = $1 ORDER BY created_at, key_id`,
        [tenantId],
      ),
    );
    return listed.rows.map(summaryOf);
  }
}
