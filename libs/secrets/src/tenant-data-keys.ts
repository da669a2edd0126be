import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { openedOrUndefined, walkInBatches } from './batches.js';
import { open, seal, type MasterKeys, type Sealed } from './envelope.js';
import { SecretStoreError } from './port.js';

/** A tenant's data key as stored: random 32 bytes wrapped (AES-256-GCM) under the master key `master_key_id`. */
export interface WrappedDataKey {
  readonly tenant_id: string;
  readonly key_id: string;
  readonly master_key_id: string;
  readonly iv: Buffer;
  readonly wrapped: Buffer;
  readonly tag: Buffer;
}

export interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/** How far a rewrap run has come, for the start-up log. */
export type RewrapProgress = (message: string, details: Readonly<Record<string, number>>) => void;

/**
 * One data key per tenant in `<schema>.tenant_keys`, the envelope under the values: values are
 * sealed under their tenant's data key, and only data keys are sealed under the master key.
 * So deleting a tenant's row destroys every value it has (crypto-shredding), and rotating the
 * master key rewraps one small row per tenant, never a value.
 */
export class TenantDataKeys {
  readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly masterKeys: MasterKeys,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.tenant_keys`;
  }

  async migrate(client: pg.ClientBase): Promise<void> {
    // key_id is new for every key a tenant is given, so a value sealed under a shredded key never meets its successor.
    await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      tenant_id text PRIMARY KEY,
      key_id text NOT NULL UNIQUE,
      master_key_id text NOT NULL,
      iv bytea NOT NULL,
      wrapped bytea NOT NULL,
      tag bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      wrapped_at timestamptz NOT NULL DEFAULT now())`);
  }

  /**
   * The tenant's data key for sealing, made on its first secret. Locks the tenant's row until the
   * transaction ends, so a concurrent shredTenant waits rather than deleting a key being used.
   */
  async forWriting(client: pg.ClientBase, tenantId: string): Promise<DataKey> {
    const key = randomBytes(32);
    const keyId = randomUUID();
    const wrapped = this.wrap(tenantId, keyId, key);
    await client.query(
      `INSERT INTO ${this.table} (tenant_id, key_id, master_key_id, iv, wrapped, tag) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id) DO NOTHING`,
      [tenantId, keyId, this.masterKeys.currentId, wrapped.iv, wrapped.ciphertext, wrapped.tag],
    );
    const { rows } = await client.query<WrappedDataKey>(`SELECT * FROM ${this.table} WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    return this.unwrap(rows[0]!, client);
  }

  /**
   * Opens a stored data key. One wrapped under a previous master key is rewrapped under the
   * current one on the way (only if no one else changed it meanwhile), so reads move tenants to
   * the new key without waiting for rewrapAll.
   */
  async unwrap(row: WrappedDataKey, client: pg.Pool | pg.ClientBase = this.pool): Promise<DataKey> {
    const key = this.open(row);
    if (row.master_key_id !== this.masterKeys.currentId) await this.rewrap(client, row, key);
    return { keyId: row.key_id, key };
  }

  /** Deletes the tenant's data key: whatever was sealed under it can no longer be opened by anyone. */
  async shred(client: pg.ClientBase, tenantId: string): Promise<void> {
    await client.query(`DELETE FROM ${this.table} WHERE tenant_id = $1`, [tenantId]);
  }

  /**
   * Rewraps every data key still under a previous master key, in batches that skip rows another
   * process holds (several instances may run this at start-up at once). Returns how many it
   * rewrapped and how many stay unreadable (under a key not configured, or damaged).
   */
  async rewrapAll(progress: RewrapProgress): Promise<{ readonly rewrapped: number; readonly unreadable: number }> {
    const walked = await walkInBatches(this.pool, {
      start: '',
      select: async (client, after, limit) =>
        (
          await client.query<WrappedDataKey>(
            `SELECT * FROM ${this.table} WHERE master_key_id <> $1 AND master_key_id = ANY($2) AND tenant_id > $3 ORDER BY tenant_id LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
            [this.masterKeys.currentId, this.masterKeys.ids, after],
          )
        ).rows,
      cursorOf: (row) => row.tenant_id,
      handle: async (client, row) => {
        const key = openedOrUndefined(() => this.open(row));
        if (key) await this.rewrap(client, row, key);
        return key !== undefined;
      },
      progress: (rewrapped, damaged) => progress('rewrapping tenant data keys under the current SECRETS_KEY', { rewrapped, damaged }),
    });
    const { rows } = await this.pool.query<{ count: string }>(`SELECT count(*) FROM ${this.table} WHERE master_key_id <> ALL($1)`, [this.masterKeys.ids]);
    return { rewrapped: walked.handled, unreadable: walked.passed + Number(rows[0]!.count) };
  }

  private open(row: WrappedDataKey): Buffer {
    const master = this.masterKeys.key(row.master_key_id);
    if (!master) throw new SecretStoreError('UnknownKey', `the data key of tenant ${row.tenant_id} is ${this.masterKeys.unknown(row.master_key_id)}`);
    return open(master, { iv: row.iv, ciphertext: row.wrapped, tag: row.tag }, this.aad(row.tenant_id, row.key_id));
  }

  private async rewrap(client: pg.Pool | pg.ClientBase, row: WrappedDataKey, key: Buffer): Promise<void> {
    const wrapped = this.wrap(row.tenant_id, row.key_id, key);
    await client.query(
      `UPDATE ${this.table} SET master_key_id = $3, iv = $4, wrapped = $5, tag = $6, wrapped_at = now() WHERE tenant_id = $1 AND key_id = $2 AND master_key_id = $7`,
      [row.tenant_id, row.key_id, this.masterKeys.currentId, wrapped.iv, wrapped.ciphertext, wrapped.tag, row.master_key_id],
    );
  }

  private wrap(tenantId: string, keyId: string, key: Buffer): Sealed {
    return seal(this.masterKeys.current, key, this.aad(tenantId, keyId));
  }

  /** A wrapped key copied to another tenant's row does not open there. */
  private aad(tenantId: string, keyId: string): Buffer {
    return Buffer.from(JSON.stringify([this.schema, 'data-key', tenantId, keyId]));
  }
}
