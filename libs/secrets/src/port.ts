import type pg from 'pg';

/** What the API may show of a secret: never its value. */
export interface SecretSummary {
  readonly name: string;
  readonly version: number;
  readonly updatedAt: string;
}

/** A connection to the platform's PostgreSQL database inside a transaction the caller runs. */
export type SecretsTransaction = pg.ClientBase;

/**
 * Named secrets per tenant (tool credentials). Values go in and come out only here: never into
 * an event, a log line, a Kafka message or an API response.
 *
 * A store that keeps its rows in the platform's PostgreSQL database `joinsTransactions`: its put
 * and delete then run on the caller's `transaction` when given one, so what the caller writes
 * beside them (an admin event) commits with them or not at all. Other stores write at once and
 * ignore it.
 */
export interface SecretStore {
  readonly joinsTransactions: boolean;
  /** Sets the value; each put is the name's next version. */
  put(tenantId: string, name: string, value: string, transaction?: SecretsTransaction): Promise<SecretSummary>;
  /** Undefined when there is no such secret; a SecretStoreError when there is one that cannot be read (see its codes). */
  get(tenantId: string, name: string): Promise<string | undefined>;
  list(tenantId: string): Promise<SecretSummary[]>;
  /** False when there was no such secret. */
  delete(tenantId: string, name: string, transaction?: SecretsTransaction): Promise<boolean>;
  /**
   * Crypto-shredding: destroys the tenant's key, so every value it has stored (in backups too)
   * can never be read again; each then reads as a SecretStoreError with code `Shredded`. A later
   * put starts the tenant on a new key.
   */
  shredTenant(tenantId: string): Promise<void>;
  close(): Promise<void>;
}

export type SecretStoreErrorCode =
  /** The tenant's key was destroyed (shredTenant): the value is gone for good; set it again. */
  | 'Shredded'
  /** The value or its data key was sealed under a master key that is not configured (neither SECRETS_KEY nor in SECRETS_PREVIOUS_KEYS). */
  | 'UnknownKey';

/** A secret that exists but cannot be read. Compare `code`, not the class. */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';

  constructor(
    readonly code: SecretStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isSecretStoreError(error: unknown, code?: SecretStoreErrorCode): error is SecretStoreError {
  return error instanceof Error && error.name === 'SecretStoreError' && (code === undefined || (error as SecretStoreError).code === code);
}

export const secretNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;
