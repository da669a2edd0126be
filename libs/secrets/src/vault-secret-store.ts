import nodeVault from 'node-vault';
import { SecretStoreError, type SecretStore, type SecretSummary } from './port.js';

export interface VaultSecretStoreOptions {
  readonly endpoint: string;
  readonly token: string;
  /** The KV version 2 engine's mount. */
  readonly mount: string;
  /** Where under the mount this platform keeps its tenants' secrets; also the prefix of its Transit key names. */
  readonly prefix: string;
  /** The Transit engine's mount (VAULT_TRANSIT_MOUNT, default `transit`). */
  readonly transitMount?: string;
}

/** What a KV entry holds: Transit ciphertext, or (entries written before Transit) the value itself. */
interface Entry {
  readonly ciphertext?: string;
  readonly value?: string;
  /** Set by shredTenant on an entry that held a value in the clear: it is gone, and says so. */
  readonly shredded?: string;
}

/**
 * Secrets in HashiCorp Vault: each value encrypted by the Transit engine under its tenant's key
 * (`<transit>/keys/<prefix>-<tenant>`, made by Vault on the first encrypt) and the ciphertext kept
 * in the KV version 2 engine at `<mount>/data/<prefix>/<tenant>/<name>` (field `ciphertext`); Vault
 * keeps the versions. Deleting the tenant's Transit key is crypto-shredding: every version of
 * every value of the tenant, in Vault's storage and its snapshots, no longer decrypts. Entries
 * written before Transit hold `value` in the clear: they still read, move to Transit when set
 * again, and shredTenant destroys their versions.
 *
 * Written against Vault's documented KV v2 and Transit HTTP APIs through node-vault. No Vault
 * server exists on the machines this was built on, so this adapter has NOT been run here: its
 * behaviour suite (secret-store.int.spec.ts) runs wherever VAULT_ADDR (and VAULT_TOKEN) are set.
 */
export class VaultSecretStore implements SecretStore {
  /** Vault is not the platform's database: a write is done when Vault answers, whatever the caller's transaction does. */
  readonly joinsTransactions = false;
  private readonly vault: nodeVault.client;
  private readonly transitMount: string;

  constructor(private readonly options: VaultSecretStoreOptions) {
    this.vault = nodeVault({ apiVersion: 'v1', endpoint: options.endpoint, token: options.token });
    this.transitMount = options.transitMount ?? 'transit';
  }

  async put(tenantId: string, name: string, value: string): Promise<SecretSummary> {
    const encrypted = (await this.vault.write(this.transit('encrypt', tenantId), { plaintext: Buffer.from(value, 'utf8').toString('base64') })) as { data: { ciphertext: string } };
    const answer = (await this.vault.write(this.kv('data', tenantId, name), { data: { ciphertext: encrypted.data.ciphertext } satisfies Entry })) as { data: { version: number; created_time: string } };
    return { name, version: answer.data.version, updatedAt: answer.data.created_time };
  }

  async get(tenantId: string, name: string): Promise<string | undefined> {
    const entry = await this.entry(tenantId, name);
    if (entry === undefined) return undefined;
    if (entry.shredded !== undefined) throw this.shredded(tenantId, name);
    if (entry.ciphertext === undefined) return entry.value;
    try {
      const decrypted = (await this.vault.write(this.transit('decrypt', tenantId), { ciphertext: entry.ciphertext })) as { data: { plaintext: string } };
      return Buffer.from(decrypted.data.plaintext, 'base64').toString('utf8');
    } catch (error) {
      // Only this adapter writes these entries, each with the tenant's key: Vault refusing to
      // decrypt one (400: no such key, or a key made anew after shredding) means its key is gone.
      if (statusOf(error) === 400) throw this.shredded(tenantId, name);
      throw error;
    }
  }

  async list(tenantId: string): Promise<SecretSummary[]> {
    let keys: string[];
    try {
      keys = ((await this.vault.list(this.kv('metadata', tenantId))) as { data: { keys: string[] } }).data.keys;
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw error;
    }
    const summaries = await Promise.all(
      keys.map(async (name) => {
        const meta = (await this.vault.read(this.kv('metadata', tenantId, name))) as { data: { current_version: number; updated_time: string } };
        return { name, version: meta.data.current_version, updatedAt: meta.data.updated_time };
      }),
    );
    return summaries.sort((a, b) => a.name.localeCompare(b.name));
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    if ((await this.entry(tenantId, name)) === undefined) return false;
    // Deleting the metadata removes every version, as deleting a row does in the default store.
    await this.vault.delete(this.kv('metadata', tenantId, name));
    return true;
  }

  /**
   * Deletes the tenant's Transit key (Vault refuses until `deletion_allowed` is set on it), then
   * destroys every version of the tenant's entries that held a value in the clear, leaving a
   * `shredded` marker so they read as shredded rather than absent.
   */
  async shredTenant(tenantId: string): Promise<void> {
    const key = `${this.transitMount}/keys/${encodeURIComponent(this.transitKey(tenantId))}`;
    try {
      await this.vault.write(`${key}/config`, { deletion_allowed: true });
      await this.vault.delete(key);
    } catch (error) {
      if (statusOf(error) !== 404) throw error; // no key: the tenant never stored a value through Transit
    }
    for (const { name, version } of await this.list(tenantId)) {
      const versions = Array.from({ length: version }, (_, index) => index + 1);
      await this.vault.write(this.kv('destroy', tenantId, name), { versions });
      await this.vault.write(this.kv('data', tenantId, name), { data: { shredded: new Date().toISOString() } satisfies Entry });
    }
  }

  async close(): Promise<void> {
    // node-vault holds no connection.
  }

  private async entry(tenantId: string, name: string): Promise<Entry | undefined> {
    try {
      const answer = (await this.vault.read(this.kv('data', tenantId, name))) as { data: { data: Entry | null } };
      return answer.data.data ?? undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private shredded(tenantId: string, name: string): SecretStoreError {
    return new SecretStoreError('Shredded', `secret ${name} of tenant ${tenantId} was crypto-shredded (the tenant's Transit key was deleted): its value cannot be recovered; set it again`);
  }

  private transitKey(tenantId: string): string {
    return `${this.options.prefix}-${tenantId}`;
  }

  private transit(operation: 'encrypt' | 'decrypt', tenantId: string): string {
    return `${this.transitMount}/${operation}/${encodeURIComponent(this.transitKey(tenantId))}`;
  }

  private kv(kind: 'data' | 'metadata' | 'destroy', tenantId: string, name?: string): string {
    const parts = [this.options.mount, kind, this.options.prefix, tenantId, ...(name === undefined ? [] : [name])];
    return parts.map((part) => encodeURIComponent(part)).join('/');
  }
}

function statusOf(error: unknown): number | undefined {
  const response = (error as { response?: { statusCode?: number; status?: number } }).response;
  return response?.statusCode ?? response?.status;
}
