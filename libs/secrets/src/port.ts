/** What the API may show of a secret: never its value. */
export interface SecretSummary {
  readonly name: string;
  readonly version: number;
  readonly updatedAt: string;
}

/**
 * Named secrets per tenant (tool credentials). Values go in and come out only here: never into
 * an event, a log line, a Kafka message or an API response.
 */
export interface SecretStore {
  /** Sets the value; each put is the name's next version. */
  put(tenantId: string, name: string, value: string): Promise<SecretSummary>;
  get(tenantId: string, name: string): Promise<string | undefined>;
  list(tenantId: string): Promise<SecretSummary[]>;
  /** False when there was no such secret. */
  delete(tenantId: string, name: string): Promise<boolean>;
  close(): Promise<void>;
}

export const secretNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;
