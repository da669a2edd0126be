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
  /** When the presented secret stops working: the key's expiry, or the end of a rotation's overlap for the replaced secret; null: never. */
  readonly expiresAt: string | null;
}

/** What a tenant admin may see of a key: never its secret, never its hash. */
export interface ApiKeySummary {
  readonly keyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
  /** After this instant the key authenticates nothing; null: it does not expire. */
  readonly expiresAt: string | null;
  /** When the key last authenticated a request, to within `lastUseResolutionSeconds`; null: never. */
  readonly lastUsedAt: string | null;
  /** When its secret was last replaced; null: never rotated. */
  readonly rotatedAt: string | null;
  /** Until when the secret replaced by the last rotation is still accepted (past: no longer); null: never rotated. */
  readonly previousSecretValidUntil: string | null;
}

export interface CreatedApiKey extends ApiKeySummary {
  /** The whole secret, returned once at creation (or rotation) and never stored. */
  readonly apiKey: string;
}

export interface NewApiKey {
  readonly tenantId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  /** The key id of the admin creating it (`platform-admin:<id>` for a tenant's first key). */
  readonly createdBy: string;
  /** ISO-8601 instant after which the key stops working; absent: it does not expire. */
  readonly expiresAt?: string;
}

/**
 * How far behind `lastUsedAt` may be: it is written at most once per key in this many seconds,
 * so authenticating a request costs no write in the common case.
 */
export const lastUseResolutionSeconds = 60;

/** How long the old secret keeps working after a rotation unless the admin says otherwise. */
export const defaultRotationOverlapSeconds = 24 * 60 * 60;
export const maxRotationOverlapSeconds = 30 * 24 * 60 * 60;

/**
 * The API-key port. Every method that names a key also names the tenant, so a caller can never
 * reach another tenant's key, even by guessing its id. "No such key" is an answer (null,
 * 'not-found'); a key that exists but refuses the request is a GatewayError saying why.
 */
export abstract class ApiKeys {
  /**
   * The key's owner, or null when the secret is unknown. A secret the platform knows but no
   * longer accepts (the key expired or was revoked, or rotation replaced the secret and its
   * overlap has ended) throws an InvalidCredentials GatewayError saying which.
   */
  abstract authenticate(secret: string): Promise<AuthenticatedKey | null>;
  abstract create(key: NewApiKey, db?: Queryable): Promise<CreatedApiKey>;
  /**
   * 'not-found' when the tenant has no such key. Revoking a revoked key is not an error. Revoking
   * the tenant's last active admin key is a Conflict GatewayError: nobody could manage the
   * tenant's keys afterwards. Given the pool, it runs in a transaction of its own.
   */
  abstract revoke(tenantId: string, keyId: string, db?: Queryable): Promise<RevokeOutcome>;
  /**
   * Gives the key a new secret; the one it replaces keeps working for `overlapSeconds` (0: it
   * stops at once). Null when the tenant has no such key; a revoked or expired key is a Conflict.
   */
  abstract rotate(tenantId: string, keyId: string, overlapSeconds: number, db?: Queryable): Promise<CreatedApiKey | null>;
  abstract list(tenantId: string): Promise<readonly ApiKeySummary[]>;
}
