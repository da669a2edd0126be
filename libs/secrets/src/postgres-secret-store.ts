import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { isolateByTenant, migrateUnderLock, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import type { SecretStore, SecretSummary } from './port.js';

/**
 * Secrets in a PostgreSQL table, each value sealed with AES-256-GCM under a key from the
 * environment (SECRETS_KEY), never stored in the clear. The tenant, name and version are the
 * authenticated data, so a ciphertext copied to another row does not open. Each row names the id
 * of the key that sealed it (a digest of the key, not the key), for rotation. The table is under
 * row-level security: every read and write runs on the application role's pool in the tenant's scope.
 */
export class PostgresSecretStore implements SecretStore {
  private readonly table: string;
  private readonly keyId: string;

  private constructor(
    private readonly tenantPool: pg.Pool,
    private readonly schema: string,
    private readonly key: Buffer,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.secrets`;
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  static async open(options: { readonly database: TenantDatabase; readonly schema: string; readonly key: Buffer }): Promise<PostgresSecretStore> {
    if (options.key.length !== 32) throw new Error('the secrets key must be 32 bytes (AES-256)');
    const { pool, tenantPool, appRole } = options.database;
    const store = new PostgresSecretStore(tenantPool, options.schema, options.key);
    await migrateUnderLock(pool, `secrets:${options.schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(options.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${store.table} (
        tenant_id text NOT NULL,
        name text NOT NULL,
        version int NOT NULL,
        key_id text NOT NULL,
        iv bytea NOT NULL,
        ciphertext bytea NOT NULL,
        tag bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, name))`);
      await isolateByTenant(client, store.table, { appRole: appRole.name, privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] });
    });
    return store;
  }

  async put(tenantId: string, name: string, value: string): Promise<SecretSummary> {
    // The row lock orders concurrent puts of one name, so each gets its own version.
    return withTenant(this.tenantPool, tenantId, async (client) => {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${this.table} WHERE tenant_id = $1 AND name = $2 FOR UPDATE`, [tenantId, name]);
      const version = (rows[0]?.version ?? 0) + 1;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      cipher.setAAD(this.aad(tenantId, name, version));
      const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const saved = await client.query<{ updated_at: Date }>(
        `INSERT INTO ${this.table} (tenant_id, name, version, key_id, iv, ciphertext, tag) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, name) DO UPDATE SET version = excluded.version, key_id = excluded.key_id, iv = excluded.iv,
           ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = now()
         RETURNING updated_at`,
        [tenantId, name, version, this.keyId, iv, ciphertext, cipher.getAuthTag()],
      );
      return { name, version, updatedAt: saved.rows[0]!.updated_at.toISOString() };
    });
  }

  async get(tenantId: string, name: string): Promise<string | undefined> {
    const { rows } = await withTenant(this.tenantPool, tenantId, (client) =>
      client.query<{ version: number; key_id: string; iv: Buffer; ciphertext: Buffer; tag: Buffer }>(`SELECT version, key_id, iv, ciphertext, tag FROM ${this.table} WHERE tenant_id = $1 AND name = $2`, [tenantId, name]),
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.key_id !== this.keyId) throw new Error(`secret ${name} was sealed under key ${row.key_id}, not the configured SECRETS_KEY (${this.keyId}); set the key it was stored with`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, row.iv);
    decipher.setAAD(this.aad(tenantId, name, row.version));
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  }

  async list(tenantId: string): Promise<SecretSummary[]> {
    const { rows } = await withTenant(this.tenantPool, tenantId, (client) =>
      client.query<{ name: string; version: number; updated_at: Date }>(`SELECT name, version, updated_at FROM ${this.table} WHERE tenant_id = $1 ORDER BY name`, [tenantId]),
    );
    return rows.map((row) => ({ name: row.name, version: row.version, updatedAt: row.updated_at.toISOString() }));
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    const { rowCount } = await withTenant(this.tenantPool, tenantId, (client) => client.query(`DELETE FROM ${this.table} WHERE tenant_id = $1 AND name = $2`, [tenantId, name]));
    return (rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    // The pool is the caller's.
  }

  private aad(tenantId: string, name: string, version: number): Buffer {
    return Buffer.from(JSON.stringify([this.schema, tenantId, name, version]));
  }
}
