import nodeVault from 'node-vault';
import type { SecretStore, SecretSummary } from './port.js';

export interface VaultSecretStoreOptions {
  readonly endpoint: string;
  readonly token: string;
  /** The KV version 2 engine's mount. */
  readonly mount: string;
  /** Where under the mount this platform keeps its tenants' secrets. */
  readonly prefix: string;
}

/**
 * Secrets in HashiCorp Vault's KV version 2 engine, one entry per tenant and name under
 * `<mount>/data/<prefix>/<tenant>/<name>`, the value in field `value`; Vault keeps the versions.
 *
 * Written against Vault's documented KV v2 HTTP API through node-vault. No Vault server exists on
 * the machines this was built on, so this adapter has NOT been run here: its behaviour suite
 * (secret-store.int.spec.ts) runs wherever VAULT_ADDR (and VAULT_TOKEN) are set.
 */
export class VaultSecretStore implements SecretStore {
  private readonly vault: nodeVault.client;

  constructor(private readonly options: VaultSecretStoreOptions) {
    this.vault = nodeVault({ apiVersion: 'v1', endpoint: options.endpoint, token: options.token });
  }

  async put(tenantId: string, name: string, value: string): Promise<SecretSummary> {
    const answer = (await this.vault.write(this.path('data', tenantId, name), { data: { value } })) as { data: { version: number; created_time: string } };
    return { name, version: answer.data.version, updatedAt: answer.data.created_time };
  }

  async get(tenantId: string, name: string): Promise<string | undefined> {
    try {
      const answer = (await this.vault.read(this.path('data', tenantId, name))) as { data: { data: { value?: string } } };
      return answer.data.data.value;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(tenantId: string): Promise<SecretSummary[]> {
    let keys: string[];
    try {
      keys = ((await this.vault.list(this.path('metadata', tenantId))) as { data: { keys: string[] } }).data.keys;
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const summaries = await Promise.all(
      keys.map(async (name) => {
        const meta = (await this.vault.read(this.path('metadata', tenantId, name))) as { data: { current_version: number; updated_time: string } };
        return { name, version: meta.data.current_version, updatedAt: meta.data.updated_time };
      }),
    );
    return summaries.sort((a, b) => a.name.localeCompare(b.name));
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    if ((await this.get(tenantId, name)) === undefined) return false;
    // Deleting the metadata removes every version, as deleting a row does in the default store.
    await this.vault.delete(this.path('metadata', tenantId, name));
    return true;
  }

  async close(): Promise<void> {
    // node-vault holds no connection.
  }

  private path(kind: 'data' | 'metadata', tenantId: string, name?: string): string {
    const parts = [this.options.mount, kind, this.options.prefix, tenantId, ...(name === undefined ? [] : [name])];
    return parts.map((part) => encodeURIComponent(part)).join('/');
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { response?: { statusCode?: number; status?: number } }).response?.statusCode === 404 || (error as { response?: { status?: number } }).response?.status === 404;
}
