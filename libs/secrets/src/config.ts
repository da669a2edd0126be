import type { TenantDatabase } from '@agent-orchestrator/postgres';
import { z } from 'zod';
import type { SecretStore } from './port.js';
import { PostgresSecretStore } from './postgres-secret-store.js';
import { VaultSecretStore } from './vault-secret-store.js';

/*
 * Where the key comes from. SECRETS_KEY is 32 random bytes (64 hex digits or base64); a value of
 * any other size fails start-up naming the variable. Without it (and without SECRETS_BACKEND=vault)
 * the services start with no secret store: the secrets API answers 503 naming the variables and a
 * tool that needs a credential is answered as not sent, saying so. There is deliberately no
 * built-in development key, which would be a known key in every deployment that forgot to set
 * one. `npm run cluster` (scripts/cluster.ts) instead makes a random key once per checkout, keeps
 * it in .data/secrets.key (mode 600) and passes it to every service, so secrets survive restarts;
 * specs pass their own random key.
 */
function keyBytes(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

const keyExpects = 'expects 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)';

const key = z.string().transform((text, context) => {
  const bytes = keyBytes(text);
  if (bytes.length !== 32) context.addIssue({ code: 'custom', message: keyExpects });
  return bytes;
});

/** Keys never appear in a message: only which entry of the list is wrong. */
const previousKeys = z.string().transform((text, context) => {
  const keys = text.split(',').map((entry) => keyBytes(entry.trim()));
  keys.forEach((bytes, index) => {
    if (bytes.length !== 32) context.addIssue({ code: 'custom', message: `entry ${index + 1} is not a key: each comma-separated entry ${keyExpects}` });
  });
  return keys;
});

const secretsEnv = z.object({
  SECRETS_BACKEND: z.enum(['postgres', 'vault'], { error: 'expects postgres (the default) or vault' }).default('postgres'),
  SECRETS_KEY: key.optional(),
  SECRETS_PREVIOUS_KEYS: previousKeys.optional(),
  SECRETS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'expects a PostgreSQL schema name: lower-case letters, digits and "_"' }).default('secrets'),
  VAULT_ADDR: z.url({ error: 'expects the Vault server URL, e.g. https://vault.internal:8200' }).optional(),
  VAULT_TOKEN: z.string().min(1).optional(),
  VAULT_MOUNT: z.string().min(1).default('secret'),
  VAULT_PREFIX: z.string().min(1).default('agent-orchestrator'),
  VAULT_TRANSIT_MOUNT: z.string().min(1).default('transit'),
});

export type SecretsConfig =
  | { readonly backend: 'postgres'; readonly key: Buffer; readonly previousKeys: readonly Buffer[]; readonly schema: string }
  | { readonly backend: 'vault'; readonly endpoint: string; readonly token: string; readonly mount: string; readonly prefix: string; readonly transitMount: string }
  /** No SECRETS_KEY and no Vault: tools that name credentials fail saying so; the secrets API answers 503. */
  | { readonly backend: 'none' };

/** SECRETS_BACKEND, SECRETS_KEY, SECRETS_PREVIOUS_KEYS, SECRETS_SCHEMA, VAULT_ADDR, VAULT_TOKEN, VAULT_MOUNT, VAULT_PREFIX, VAULT_TRANSIT_MOUNT; a wrong value names the variable. */
export function secretsConfigFrom(env: Readonly<Record<string, string | undefined>>): SecretsConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = secretsEnv.safeParse(present);
  if (!parsed.success) throw new Error(`secrets configuration:\n${parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`).join('\n')}`);
  const vars = parsed.data;
  if (vars.SECRETS_BACKEND === 'vault') {
    if (!vars.VAULT_ADDR || !vars.VAULT_TOKEN) throw new Error('secrets configuration:\n  SECRETS_BACKEND=vault needs VAULT_ADDR and VAULT_TOKEN');
    return { backend: 'vault', endpoint: vars.VAULT_ADDR, token: vars.VAULT_TOKEN, mount: vars.VAULT_MOUNT, prefix: vars.VAULT_PREFIX, transitMount: vars.VAULT_TRANSIT_MOUNT };
  }
  if (!vars.SECRETS_KEY && vars.SECRETS_PREVIOUS_KEYS) throw new Error('secrets configuration:\n  SECRETS_PREVIOUS_KEYS: is set without SECRETS_KEY; set SECRETS_KEY to the current key');
  return vars.SECRETS_KEY ? { backend: 'postgres', key: vars.SECRETS_KEY, previousKeys: vars.SECRETS_PREVIOUS_KEYS ?? [], schema: vars.SECRETS_SCHEMA } : { backend: 'none' };
}

/** Where the start-up rewrap reports its progress (a pino logger fits). */
export interface SecretStoreLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/**
 * The configured store, or undefined when secrets are not configured. The PostgreSQL store first
 * brings every data key under SECRETS_KEY and every first-format value under its tenant's data
 * key (rewrapAll), logging its progress; reads keep working meanwhile in other processes. It
 * migrates as `database.pool` and serves tenants on `database.tenantPool`.
 */
export async function openSecretStore(config: SecretsConfig, database: TenantDatabase, log?: SecretStoreLog): Promise<SecretStore | undefined> {
  switch (config.backend) {
    case 'postgres': {
      const store = await PostgresSecretStore.open({ database, schema: config.schema, key: config.key, previousKeys: config.previousKeys });
      const summary = await store.rewrapAll((message, details) => log?.info(details, message));
      if (summary.dataKeysRewrapped + summary.valuesMigrated > 0) log?.info(summary, 'secrets are all under the current SECRETS_KEY and their tenant data keys');
      if (summary.unreadable > 0) log?.warn(summary, 'some secrets are sealed under a master key that is neither SECRETS_KEY nor in SECRETS_PREVIOUS_KEYS: they cannot be read until it is configured');
      return store;
    }
    case 'vault':
      return new VaultSecretStore(config);
    case 'none':
      return undefined;
  }
}
