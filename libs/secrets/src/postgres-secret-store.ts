import { inTenantScope, inTransaction, isolateByTenant, migrateUnderLock, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { openedOrUndefined, walkInBatches } from './batches.js';
import { MasterKeys, open, seal } from './envelope.js';
import { SecretStoreError, type SecretStore, type SecretsTransaction, type SecretSummary } from './port.js';
import { TenantDataKeys, type DataKey, type RewrapProgress, type WrappedDataKey } from './tenant-data-keys.js';

export interface PostgresSecretStoreOptions {
  /** The migration role's pool (migrations, the start-up rewrap, shredding) and the application role's (every tenant's reads and writes). */
  readonly database: TenantDatabase;
  readonly schema: string;
  /** SECRETS_KEY: the master key every data key is wrapped under. */
  readonly key: Buffer;
  /** SECRETS_PREVIOUS_KEYS: master keys it replaces, still opened so their data keys can be rewrapped. */
  readonly previousKeys?: readonly Buffer[];
}

export interface RewrapSummary {
  /** Data keys moved from a previous master key to SECRETS_KEY. */
  readonly dataKeysRewrapped: number;
  /** Values of the first format (sealed directly under a master key) moved under their tenant's data key. */
  readonly valuesMigrated: number;
  /** Data keys and values sealed under a master key that is not configured: unreadable until it is. */
  readonly unreadable: number;
}

interface ValueRow {
  readonly tenant_id: string;
  readonly name: string;
  readonly version: number;
  readonly key_id: string;
  readonly envelope: boolean;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** A value row with its data key beside it (the k_ columns are null when the key was shredded). */
interface ReadRow extends ValueRow {
  readonly master_key_id: string | null;
  readonly k_iv: Buffer | null;
  readonly wrapped: Buffer | null;
  readonly k_tag: Buffer | null;
}
/** key_id of values whose first-format row was shredded: no data key ever has this id (they are uuids). */
const shreddedKeyId = 'shredded';

/**
 * Secrets in PostgreSQL under envelope encryption: each value sealed with AES-256-GCM under its
 * tenant's data key (TenantDataKeys), each data key wrapped under the master key SECRETS_KEY.
 * The tenant, name and version are the value's authenticated data, so a ciphertext copied to
 * another row does not open.
 *
 * Rows of the first format (`envelope` false) were sealed directly under a master key, named by
 * `key_id`. They still read, and move to the envelope format when read and by rewrapAll, which
 * every service runs at start-up; no value needs sealing again after that, whatever key rotation
 * follows.
 *
 * Both tables are under row-level security: a tenant's reads and writes run on the application
 * role's pool in the tenant's scope; only the cross-tenant work (migration, rewrap, shredding) runs
 * as the migration role.
 */
export class PostgresSecretStore implements SecretStore {
  readonly joinsTransactions = true;
  private readonly table: string;
  private readonly masterKeys: MasterKeys;
  private readonly dataKeys: TenantDataKeys;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly tenantPool: pg.Pool,
    private readonly appRole: string,
    private readonly schema: string,
    key: Buffer,
    previousKeys: readonly Buffer[],
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.secrets`;
    this.masterKeys = new MasterKeys(key, previousKeys);
    this.dataKeys = new TenantDataKeys(pool, schema, this.masterKeys);
  }

  static async open(options: PostgresSecretStoreOptions): Promise<PostgresSecretStore> {
    const { pool, tenantPool, appRole } = options.database;
    const store = new PostgresSecretStore(pool, tenantPool, appRole.name, options.schema, options.key, options.previousKeys ?? []);
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
      // Rows written before envelope encryption keep false: key_id then names the master key that sealed them.
      await client.query(`ALTER TABLE ${store.table} ADD COLUMN IF NOT EXISTS envelope boolean NOT NULL DEFAULT false`);
      await store.dataKeys.migrate(client);
      for (const table of [store.table, store.dataKeys.table]) await isolateByTenant(client, table, { appRole: appRole.name, privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] });
    });
    return store;
  }

  async put(tenantId: string, name: string, value: string, transaction?: SecretsTransaction): Promise<SecretSummary> {
    // The row lock orders concurrent puts of one name, so each gets its own version.
    return this.inTenantTransaction(tenantId, transaction, async (client) => {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${this.table} WHERE tenant_id = $1 AND name = $2 FOR UPDATE`, [tenantId, name]);
      const version = (rows[0]?.version ?? 0) + 1;
      const dataKey = await this.dataKeys.forWriting(client, tenantId);
      const sealed = seal(dataKey.key, Buffer.from(value, 'utf8'), this.aad(tenantId, name, version));
      const saved = await client.query<{ updated_at: Date }>(
        `INSERT INTO ${this.table} (tenant_id, name, version, key_id, envelope, iv, ciphertext, tag) VALUES ($1, $2, $3, $4, true, $5, $6, $7)
         ON CONFLICT (tenant_id, name) DO UPDATE SET version = excluded.version, key_id = excluded.key_id, envelope = true, iv = excluded.iv,
           ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = now()
         RETURNING updated_at`,
        [tenantId, name, version, dataKey.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
      );
      return { name, version, updatedAt: saved.rows[0]!.updated_at.toISOString() };
    });
  }

  async get(tenantId: string, name: string): Promise<string | undefined> {
    const { rows } = await withTenant(this.tenantPool, tenantId, (client) =>
      client.query<ReadRow>(
        `SELECT s.*, k.master_key_id, k.iv AS k_iv, k.wrapped, k.tag AS k_tag
         FROM ${this.table} s LEFT JOIN ${this.dataKeys.table} k ON s.envelope AND k.tenant_id = s.tenant_id AND k.key_id = s.key_id
         WHERE s.tenant_id = $1 AND s.name = $2`,
        [tenantId, name],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    if (!row.envelope) {
      const value = this.openFirstFormat(row);
      await this.migrateFirstFormat(row, value);
      return value;
    }
    if (row.master_key_id === null || row.k_iv === null || row.wrapped === null || row.k_tag === null) {
      throw new SecretStoreError('Shredded', `secret ${name} of tenant ${tenantId} was crypto-shredded (the tenant's data key was destroyed): its value cannot be recovered; set it again`);
    }
    const wrapped: WrappedDataKey = { tenant_id: tenantId, key_id: row.key_id, master_key_id: row.master_key_id, iv: row.k_iv, wrapped: row.wrapped, tag: row.k_tag };
    return this.openValue(row, await this.dataKeys.unwrap(wrapped));
  }

  async list(tenantId: string): Promise<SecretSummary[]> {
    const { rows } = await withTenant(this.tenantPool, tenantId, (client) =>
      client.query<{ name: string; version: number; updated_at: Date }>(`SELECT name, version, updated_at FROM ${this.table} WHERE tenant_id = $1 ORDER BY name`, [tenantId]),
    );
    return rows.map((row) => ({ name: row.name, version: row.version, updatedAt: row.updated_at.toISOString() }));
  }

  async delete(tenantId: string, name: string, transaction?: SecretsTransaction): Promise<boolean> {
    const { rowCount } = await this.inTenantTransaction(tenantId, transaction, (client) => client.query(`DELETE FROM ${this.table} WHERE tenant_id = $1 AND name = $2`, [tenantId, name]));
    return (rowCount ?? 0) > 0;
  }

  /**
   * Destroys the tenant's data key. First-format rows of the tenant are not under it, so their
   * ciphertext is wiped in the same transaction: every value of the tenant then reads as Shredded.
   * PostgreSQL keeps deleted bytes in dead tuples and WAL until vacuum and WAL recycling; they
   * stay wrapped under the master key, and backups likewise hold nothing openable without it.
   */
  async shredTenant(tenantId: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(`UPDATE ${this.table} SET envelope = true, key_id = $2, iv = ''::bytea, ciphertext = ''::bytea, tag = ''::bytea WHERE tenant_id = $1 AND NOT envelope`, [tenantId, shreddedKeyId]);
      await this.dataKeys.shred(client, tenantId);
    });
  }

  /**
   * Brings every row to the current key and format: data keys under a previous master key are
   * rewrapped, first-format values sealed again under their tenant's data key. Safe to run from
   * several processes at once; reads and writes go on meanwhile.
   */
  async rewrapAll(progress: RewrapProgress = () => undefined): Promise<RewrapSummary> {
    const dataKeys = await this.dataKeys.rewrapAll(progress);
    const values = await walkInBatches(this.pool, {
      start: { tenant: '', name: '' },
      // Ordered by tenant so concurrent runs lock data keys in one order and never deadlock.
      select: async (client, after, limit) =>
        (
          await client.query<ValueRow>(
            `SELECT * FROM ${this.table} WHERE NOT envelope AND key_id = ANY($1) AND (tenant_id, name) > ($2, $3) ORDER BY tenant_id, name LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
            [this.masterKeys.ids, after.tenant, after.name],
          )
        ).rows,
      cursorOf: (row) => ({ tenant: row.tenant_id, name: row.name }),
      handle: async (client, row) => {
        const value = openedOrUndefined(() => this.openFirstFormat(row));
        if (value !== undefined) await this.reseal(client, row, value, await this.dataKeys.forWriting(client, row.tenant_id));
        return value !== undefined;
      },
      progress: (valuesMigrated, damaged) => progress('moving first-format secrets under their tenant data keys', { valuesMigrated, damaged }),
    });
    const { rows } = await this.pool.query<{ count: string }>(`SELECT count(*) FROM ${this.table} WHERE NOT envelope AND key_id <> ALL($1)`, [this.masterKeys.ids]);
    return { dataKeysRewrapped: dataKeys.rewrapped, valuesMigrated: values.handled, unreadable: dataKeys.unreadable + values.passed + Number(rows[0]!.count) };
  }

  async close(): Promise<void> {
    // The pool is the caller's.
  }

  /** The caller's transaction or one of the store's own, under the tenant's policy (inTenantScope). */
  private inTenantTransaction<T>(tenantId: string, transaction: SecretsTransaction | undefined, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    return inTenantScope({ tenantPool: this.tenantPool, appRole: this.appRole }, tenantId, transaction, work);
  }

  private openValue(row: ValueRow, dataKey: DataKey): string {
    return open(dataKey.key, row, this.aad(row.tenant_id, row.name, row.version)).toString('utf8');
  }

  private openFirstFormat(row: ValueRow): string {
    const master = this.masterKeys.key(row.key_id);
    if (!master) throw new SecretStoreError('UnknownKey', `secret ${row.name} of tenant ${row.tenant_id} was ${this.masterKeys.unknown(row.key_id)}`);
    return open(master, row, this.aad(row.tenant_id, row.name, row.version)).toString('utf8');
  }

  /** Moves one first-format row read by get() under its tenant's data key, unless it changed meanwhile. */
  private async migrateFirstFormat(row: ValueRow, value: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ValueRow>(`SELECT * FROM ${this.table} WHERE tenant_id = $1 AND name = $2 FOR UPDATE`, [row.tenant_id, row.name]);
      const current = rows[0];
      if (!current || current.envelope || current.version !== row.version) return;
      await this.reseal(client, current, value, await this.dataKeys.forWriting(client, row.tenant_id));
    });
  }

  /** Seals the same version again under a data key; its updated_at stays when it was set. */
  private async reseal(client: pg.ClientBase, row: ValueRow, value: string, dataKey: DataKey): Promise<void> {
    const sealed = seal(dataKey.key, Buffer.from(value, 'utf8'), this.aad(row.tenant_id, row.name, row.version));
    await client.query(`UPDATE ${this.table} SET envelope = true, key_id = $3, iv = $4, ciphertext = $5, tag = $6 WHERE tenant_id = $1 AND name = $2`, [
      row.tenant_id,
      row.name,
      dataKey.keyId,
      sealed.iv,
      sealed.ciphertext,
      sealed.tag,
    ]);
  }

  private aad(tenantId: string, name: string, version: number): Buffer {
    return Buffer.from(JSON.stringify([this.schema, tenantId, name, version]));
  }
}
