import type pg from 'pg';
import type { Role } from '../auth/roles.js';

/** Where a write runs: the pool, or the connection of a transaction that records its admin event too. */
export type Queryable = pg.Pool | pg.ClientBase;

/** What revoking did: only a key revoked now is an administrative action to record. */
export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

/** Who is calling, once an API key has been recognised. */
export interface AuthenticatedKey {
  readonly keyId: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
}

/** What a tenant admin may see of a key: never its secret, never its hash. */
export interface ApiKeySummary {
  readonly keyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeySummary {
  /** The whole secret, returned once at creation and never stored. */
  readonly apiKey: string;
}

export interface NewApiKey {
  readonly tenantId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** The key id of the admin creating it (`platform-admin:<id>` for a tenant's first key). */
  readonly createdBy: string;
}

/**
 * The API-key port. Every method that names a key also names the tenant, so a caller can never
 * reach another tenant's key, even by guessing its id.
 */
export abstract class ApiKeys {
  /** The key's owner, or null when the secret is unknown or revoked. */
  abstract authenticate(secret: string): Promise<AuthenticatedKey | null>;
  abstract create(key: NewApiKey, db?: Queryable): Promise<CreatedApiKey>;
  /** 'not-found' when the tenant has no such key. Revoking a revoked key is not an error. */
  abstract revoke(tenantId: string, keyId: string, db?: Queryable): Promise<RevokeOutcome>;
  abstract list(tenantId: string): Promise<readonly ApiKeySummary[]>;
}
