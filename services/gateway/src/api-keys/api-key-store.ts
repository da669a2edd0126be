import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { inTenantScope, isolateByTenant, migrateUnderLock, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { isRole, type Role } from '../auth/roles.js';
import { GatewayError } from '../errors.js';
import { ApiKeys, lastUseResolutionSeconds, type ApiKeySummary, type AuthenticatedKey, type CreatedApiKey, type NewApiKey, type Queryable, type RevokeOutcome } from './api-keys.js';

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
  expires_at: Date | null;
  last_used_at: Date | null;
  rotated_at: Date | null;
  previous_valid_until: Date | null;
}

const summaryColumns = 'key_id, name, roles, created_at, created_by, revoked_at, expires_at, last_used_at, rotated_at, previous_valid_until';

/** A key that may authenticate now: neither revoked nor expired. */
const live = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())';


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
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    rotatedAt: row.rotated_at?.toISOString() ?? null,
    previousSecretValidUntil: row.previous_valid_until?.toISOString() ?? null,
  };
}

/** A stored key found by one of its secrets, with what the database clock says of it. */
interface PresentedKeyRow {
  key_id: string;
  tenant_id: string;
  roles: string[];
  revoked_at: Date | null;
  expires_at: Date | null;
  expired: boolean;
  /** The secret is the key's current one, not the one a rotation replaced. */
  current_secret: boolean;
  previous_valid_until: Date | null;
  accepted: boolean;
}

/** Why a known secret is refused, for the 401's detail: only the holder of the secret reads it. */
function refusalOf(row: PresentedKeyRow): string {
  if (row.revoked_at) return `The API key was revoked at ${row.revoked_at.toISOString()}.`;
  if (row.expired) return `The API key expired at ${row.expires_at!.toISOString()}. An admin of your tenant can create a new one (POST /v1/api-keys).`;
  return `This secret was replaced when the API key was rotated, and stopped working at ${row.previous_valid_until!.toISOString()}. Use the secret the rotation returned.`;
}

export interface BootstrapResult {
  readonly keyId: string;
  /** False when the key was already registered (an earlier start, or another instance). */
  readonly created: boolean;
  /** The tenant the key belongs to: the configured one, unless it was registered earlier for another. */
  readonly tenantId: string;
  readonly revoked: boolean;
  /** The configured secret is one a rotation has replaced: it works only until the overlap ends. */
  readonly rotated: boolean;
}

/**
 * API keys in `<schema>.api_keys`, stored as hashes only. The table is under row-level security:
 * a tenant's keys are listed and written as the application role in the tenant's scope, on its
 * pool, or inside the caller's transaction (the migration role's, which records an admin event
 * with the change) by acting as the application role for those statements. A presented key is looked up
 * before any tenant is known, through `authenticate_api_key`, a function of the table's owner
 * that returns (and notes the use of) the one row the hash matches; the migration role registers
 * the bootstrap key.
 */
export class ApiKeyStore extends ApiKeys {
  private readonly table: string;
  private readonly lookup: string;
  private readonly pool: pg.Pool;

  constructor(
    private readonly database: TenantDatabase,
    private readonly schema: string,
  ) {
    super();
    this.pool = database.pool;
    this.table = `${pg.escapeIdentifier(schema)}.api_keys`;
    this.lookup = `${pg.escapeIdentifier(schema)}.authenticate_api_key`;
  }

  /** Creates the schema and table if missing; safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await migrateUnderLock(this.pool, `gateway-api-keys:${this.schema}`, async (client) => {
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
      // Expiry, last use and rotation came later; a table made before them gets them empty.
      // previous_key_hash is the secret the last rotation replaced, accepted until previous_valid_until.
      await client.query(`ALTER TABLE ${this.table}
        ADD COLUMN IF NOT EXISTS expires_at timestamptz,
        ADD COLUMN IF NOT EXISTS last_used_at timestamptz,
        ADD COLUMN IF NOT EXISTS rotated_at timestamptz,
        ADD COLUMN IF NOT EXISTS previous_key_hash bytea UNIQUE CHECK (octet_length(previous_key_hash) = 32),
        ADD COLUMN IF NOT EXISTS previous_valid_until timestamptz`);
      const appRole = this.database.appRole.name;
      await isolateByTenant(client, this.table, { appRole, privileges: ['SELECT', 'INSERT', 'UPDATE'] });
      // Runs as its owner, so it reads past the policy; the path is pinned so no caller's object
      // stands in for the table's. It notes the use, but writes last_used_at only when the stored
      // value is older than `resolution` seconds: a busy key costs one row write a minute across
      // every gateway process, not one per request, and no second round trip.
      await client.query(`DROP FUNCTION IF EXISTS ${pg.escapeIdentifier(this.schema)}.api_key_by_hash(bytea)`);
      await client.query(`CREATE OR REPLACE FUNCTION ${this.lookup}(presented bytea, resolution int)
        RETURNS TABLE (key_id uuid, tenant_id text, roles text[], revoked_at timestamptz, expires_at timestamptz, expired boolean,
                       previous_valid_until timestamptz, current_secret boolean, accepted boolean)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $fn$
          WITH presented AS (
            SELECT key_id, tenant_id, roles, revoked_at, expires_at, coalesce(expires_at <= now(), false) AS expired, previous_valid_until,
                   key_hash = presented AS current_secret,
                   ${live} AND (key_hash = presented OR previous_valid_until > now()) AS accepted
            FROM ${this.table} WHERE key_hash = presented OR previous_key_hash = presented),
          noted AS (
            UPDATE ${this.table} k SET last_used_at = now() FROM presented p
            WHERE k.key_id = p.key_id AND p.accepted AND (k.last_used_at IS NULL OR k.last_used_at <= now() - make_interval(secs => resolution)))
          SELECT * FROM presented
        $fn$`);
      await client.query(`REVOKE ALL ON FUNCTION ${this.lookup}(bytea, int) FROM PUBLIC`);
      await client.query(`GRANT EXECUTE ON FUNCTION ${this.lookup}(bytea, int) TO ${pg.escapeIdentifier(appRole)}`);
    });
  }

  /** The caller's transaction (a pool means none) or one of the store's own, under the tenant's policy (inTenantScope). */
  private inTenant<T>(tenantId: string, db: Queryable | undefined, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    return inTenantScope({ tenantPool: this.database.tenantPool, appRole: this.database.appRole.name }, tenantId, db instanceof pg.Pool ? undefined : db, work);
  }

  /**
   * Registers the key from the environment as an admin of `tenantId`, once: a restart, or a
   * second instance starting at the same time, finds it by hash and leaves it alone. A revoked
   * bootstrap key stays revoked, and a rotated one stays rotated (the variable's value is then
   * the replaced secret, never registered again as a key of its own). A different key configured
   * later is added beside the old one; the old one keeps working until an admin revokes it, so
   * rotating the variable never locks anyone out by surprise.
   */
  async bootstrap(secret: string, tenantId: string): Promise<BootstrapResult> {
    const registered = await this.findBySecret(secret);
    if (registered) return registered;
    const inserted = await this.pool.query<{ key_id: string }>(
      `INSERT INTO ${this.table} (key_id, tenant_id, name, roles, key_hash, created_by)
       VALUES ($1, $2, 'bootstrap admin', ARRAY['admin'], $3, $4)
       ON CONFLICT (key_hash) DO NOTHING
       RETURNING key_id`,
      [randomUUID(), tenantId, hashOf(secret), bootstrapCreator],
    );
    if (inserted.rows[0]) return { keyId: inserted.rows[0].key_id, created: true, tenantId, revoked: false, rotated: false };
    // Another instance registered it between our look-up and our insert.
    const raced = await this.findBySecret(secret);
    if (!raced) throw new Error('the bootstrap key was neither inserted nor found');
    return raced;
  }

  private async findBySecret(secret: string): Promise<BootstrapResult | undefined> {
    const found = await this.pool.query<{ key_id: string; tenant_id: string; revoked_at: Date | null; current_secret: boolean }>(
      `SELECT key_id, tenant_id, revoked_at, key_hash = $1 AS current_secret FROM ${this.table} WHERE key_hash = $1 OR previous_key_hash = $1`,
      [hashOf(secret)],
    );
    const row = found.rows[0];
    return row && { keyId: row.key_id, created: false, tenantId: row.tenant_id, revoked: row.revoked_at !== null, rotated: !row.current_secret };
  }

  /**
   * Looked up by the hash of the presented secret, so no secret is ever compared byte by byte:
   * the time the index lookup takes depends on the hash, which tells an attacker nothing about
   * which secret would match. A constant-time compare would guard nothing here. The same
   * statement notes the use (see `authenticate_api_key`).
   */
  override async authenticate(secret: string): Promise<AuthenticatedKey | null> {
    if (secret.length === 0 || secret.length > maxSecretLength) return null;
    const found = await this.database.tenantPool.query<PresentedKeyRow>(`SELECT * FROM ${this.lookup}($1, $2)`, [hashOf(secret), lastUseResolutionSeconds]);
    const row = found.rows[0];
    if (!row) return null;
    if (!row.accepted) throw new GatewayError('InvalidCredentials', refusalOf(row));
    // The secret a rotation replaced ends with its overlap, or with the key if that comes first.
    const ends = [row.expires_at, row.current_secret ? null : row.previous_valid_until].filter((instant): instant is Date => instant !== null);
    const expiresAt = ends.length === 0 ? null : new Date(Math.min(...ends.map((instant) => instant.getTime()))).toISOString();
    return { keyId: row.key_id, tenantId: row.tenant_id, roles: rolesOf(row.roles), expiresAt };
  }

  override async create(key: NewApiKey, db?: Queryable): Promise<CreatedApiKey> {
    const keyId = randomUUID();
    const apiKey = newSecret(keyId);
    const inserted = await this.inTenant(key.tenantId, db, (client) => client.query<ApiKeyRow>(
      `INSERT INTO ${this.table} (key_id, tenant_id, name, roles, key_hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${summaryColumns}`,
      [keyId, key.tenantId, key.name, [...new Set(key.roles)], hashOf(apiKey), key.createdBy, key.expiresAt ?? null],
    ));
    return { ...summaryOf(inserted.rows[0]!), apiKey };
  }

  override async revoke(tenantId: string, keyId: string, db?: Queryable): Promise<RevokeOutcome> {
    // Not a uuid: no such key anywhere. Checked here so Postgres never sees a malformed uuid.
    if (!uuidPattern.test(keyId)) return 'not-found';
    return this.inTenant(tenantId, db, async (client) => {
      // One tenant's revocations take turns, so two admins revoking the last two admin keys at
      // the same time cannot both see the other's key still standing and both succeed.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gateway-api-keys-revoke:${this.schema}:${tenantId}`]);
      const adminCounts = await client.query<{ target: boolean; others: number }>(
        `SELECT bool_or(key_id = $2) AS target, count(*) FILTER (WHERE key_id <> $2)::int AS others
         FROM ${this.table} WHERE tenant_id = $1 AND 'admin' = ANY(roles) AND ${live}`,
        [tenantId, keyId],
      );
      const { target, others } = adminCounts.rows[0]!;
      if (target && others === 0) {
        throw new GatewayError(
          'Conflict',
          "This is your tenant's last active admin API key: revoked, it would leave no key able to manage the tenant's keys. Create another admin key first (POST /v1/api-keys with roles [\"admin\"]), then revoke this one. Identity-provider tokens with the admin role do not count here.",
        );
      }
      // The row is locked before it is read, so of two concurrent revocations exactly one sees it live.
      const revoked = await client.query<{ was_live: boolean }>(
        `WITH target AS (SELECT key_id, revoked_at FROM ${this.table} WHERE key_id = $1 AND tenant_id = $2 FOR UPDATE)
         UPDATE ${this.table} k SET revoked_at = coalesce(k.revoked_at, now()) FROM target WHERE k.key_id = target.key_id
         RETURNING target.revoked_at IS NULL AS was_live`,
        [keyId, tenantId],
      );
      const row = revoked.rows[0];
      return !row ? 'not-found' : row.was_live ? 'revoked' : 'already-revoked';
    });
  }

  /** Revokes every live key of the tenant (it is being deleted); returns their ids. */
  async revokeAll(tenantId: string, db: Queryable): Promise<string[]> {
    const revoked = await this.inTenant(tenantId, db, (client) =>
      client.query<{ key_id: string }>(`UPDATE ${this.table} SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL RETURNING key_id`, [tenantId]),
    );
    return revoked.rows.map((row) => row.key_id).sort();
  }

  /**
   * Moves the current secret to the replaced slot and stores a new one. There is one replaced
   * slot: rotating again during an overlap ends that overlap at once, so at most two secrets of
   * a key work at any time, the newest and the one just before it.
   */
  override async rotate(tenantId: string, keyId: string, overlapSeconds: number, db?: Queryable): Promise<CreatedApiKey | null> {
    if (!uuidPattern.test(keyId)) return null;
    return this.inTenant(tenantId, db, (client) => this.rotateIn(client, tenantId, keyId, overlapSeconds));
  }

  private async rotateIn(db: Queryable, tenantId: string, keyId: string, overlapSeconds: number): Promise<CreatedApiKey | null> {
    const apiKey = newSecret(keyId);
    const rotated = await db.query<ApiKeyRow>(
      `UPDATE ${this.table}
       SET previous_key_hash = key_hash, previous_valid_until = now() + make_interval(secs => $3), key_hash = $4, rotated_at = now()
       WHERE key_id = $1 AND tenant_id = $2 AND ${live}
       RETURNING ${summaryColumns}`,
      [keyId, tenantId, overlapSeconds, hashOf(apiKey)],
    );
    const row = rotated.rows[0];
    if (row) return { ...summaryOf(row), apiKey };
    const existing = await db.query<{ revoked_at: Date | null; expires_at: Date | null }>(`SELECT revoked_at, expires_at FROM ${this.table} WHERE key_id = $1 AND tenant_id = $2`, [
      keyId,
      tenantId,
    ]);
    const key = existing.rows[0];
    if (!key) return null;
    const why = key.revoked_at ? `was revoked at ${key.revoked_at.toISOString()}` : `expired at ${key.expires_at?.toISOString() ?? '(unknown)'}`;
    throw new GatewayError('Conflict', `The API key ${why}, so it cannot be rotated. Create a new key instead (POST /v1/api-keys).`);
  }

  override async list(tenantId: string): Promise<readonly ApiKeySummary[]> {
    const listed = await withTenant(this.database.tenantPool, tenantId, (client) =>
      client.query<ApiKeyRow>(`SELECT ${summaryColumns} FROM ${this.table} WHERE tenant_id = $1 ORDER BY created_at, key_id`, [tenantId]),
    );
    return listed.rows.map(summaryOf);
  }
}
