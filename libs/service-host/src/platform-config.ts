import { piiKindsFromSetting, type PiiKind } from '@agent-orchestrator/pii';
import { defaultAppRole } from '@agent-orchestrator/postgres';
import { z } from 'zod';

const identifier = (what: 'schema' | 'role') =>
  z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: `expects a PostgreSQL ${what} name: lower-case letters, digits and "_", not starting with a digit, at most 63` });

/** PII_REDACT: the kinds of personal data to redact (comma-separated), `none`, or unset for every kind. */
const piiRedactVariable = z
  .string()
  .optional()
  .transform((value, context): PiiKind[] => {
    try {
      return piiKindsFromSetting(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const postgresUrl = (unset: string) => z.url({ protocol: /^postgres(ql)?$/, error: `expects a PostgreSQL connection string, postgres://user:password@host:port/database${unset}` });

/** What a process tunes the same way whether its services run apart (cluster) or together (dev mode). */
export const platformTuningVariables = z.object({
  // The role tenant-scoped queries run as (README, "Isolation between tenants"); checked against the server at start-up.
  APP_DATABASE_URL: postgresUrl(', or leave it unset to use DATABASE_APP_ROLE through DATABASE_URL').optional(),
  DATABASE_APP_ROLE: identifier('role').default(defaultAppRole),
  PII_REDACT: piiRedactVariable,
  READINESS_STALL_MS: millisecondsVariable(100, 3_600_000).default(10_000),
  PROJECTION_RETRY_WINDOW_MS: millisecondsVariable(100, 3_600_000).default(3_000),
  METRICS: z.enum(['on', 'off'], { error: 'expects on or off (off: nothing is recorded and /metrics answers 404)' }).default('on'),
});

const envSchema = platformTuningVariables.extend({
  DATABASE_URL: postgresUrl(''),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { error: 'expects host:port[,host:port...] of the Kafka brokers (`npm run kafka -- start` prints one)' }),
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,100}$/, { error: 'expects letters, digits, ".", "_" and "-" only' }).default(''),
  EVENT_STORE_SCHEMA: identifier('schema').default('event_store'),
  READ_MODEL_SCHEMA: identifier('schema').default('read_models'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HEALTH_PORT: z.coerce.number({ error: 'expects a TCP port from 0 to 65535 (0: a free one, logged at start-up)' }).int().min(0).max(65535).default(0),
  EVENT_POLL_MS: millisecondsVariable(5, 5000).default(25),
});

/** What every event-driven service needs: the session log, Kafka, and where the read models live. */
export interface PlatformConfig {
  readonly databaseUrl: string;
  /**
   * APP_DATABASE_URL: the application role's own login, for tenant-scoped queries under row-level
   * security. Unset: connections to `databaseUrl` switch to `appRole` (DATABASE_APP_ROLE, `ao_app`),
   * which the migration role makes when it is missing.
   */
  readonly appDatabaseUrl?: string;
  readonly appRole: string;
  readonly kafkaBrokers: readonly string[];
  readonly topicPrefix: string;
  readonly eventStoreSchema: string;
  readonly readModelSchema: string;
  readonly logLevel: string;
  /**
   * How long a caught-up subscription (relay, projections) waits before it looks for new events
   * unasked. Appends in every process wake it at once (LISTEN/NOTIFY); the poll finds any that
   * went unheard, e.g. while the listening connection is being replaced.
   */
  readonly eventPollMs: number;
  /**
   * PII_REDACT: the kinds of personal data redacted before anything from outside (goals, context,
   * model output, tool answers, approval reasons) is stored, for tenants that did not choose
   * otherwise (`PUT /v1/privacy`).
   */
  readonly piiRedact: readonly PiiKind[];
  /** Where the process answers /healthz and /readyz (the gateway on its own port instead); 0 picks a free port. */
  readonly healthPort: number;
  /** How long a consumer or projection may be behind without advancing before /readyz says 503. */
  readonly readinessStallMs: number;
  /**
   * How long a projection retries an event that fails on its data before quarantining it and
   * moving on: the longest one tenant's bad event holds back other tenants' rows.
   */
  readonly projectionRetryWindowMs: number;
  /**
   * METRICS: `off` records no metrics (the process's registry records nothing and Node's process
   * metrics never start) and `/metrics` answers 404 saying so; for a deployment that scrapes
   * nothing, and for measuring what metrics cost.
   */
  readonly metrics: 'on' | 'off';
}

export class PlatformConfigError extends Error {
  override readonly name = 'PlatformConfigError';

  constructor(service: string, problems: readonly string[]) {
    super(`Invalid configuration of ${service}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * Parses the variables `schema` names from `env` for `service`; throws a PlatformConfigError naming
 * each variable that is wrong and what it expects. An empty variable counts as unset. Each
 * service's config.ts parses its own variables with it, so every service fails alike.
 */
export function parseServiceEnv<Schema extends z.ZodObject>(service: string, schema: Schema, env: Readonly<Record<string, string | undefined>>): z.output<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new PlatformConfigError(
    service,
    parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      return `${variable}: ${variable in present ? issue.message : `not set; ${issue.message}`}`;
    }),
  );
}

/** A whole number of milliseconds from a variable, e.g. how often a sweep looks. */
export function millisecondsVariable(min: number, max: number) {
  return wholeNumberVariable(min, max, 'milliseconds');
}

/** A whole number of `unit` from `min` to `max`; anything else is refused saying so. */
export function wholeNumberVariable(min: number, max: number, unit: string) {
  const error = { error: `expects a whole number of ${unit} from ${min} to ${max}` };
  return z.coerce.number(error).int(error).min(min, error).max(max, error);
}

/**
 * Parses the environment every service shares; throws naming each variable that is wrong and what
 * it expects. An empty variable counts as unset.
 */
export function parsePlatformConfig(env: Readonly<Record<string, string | undefined>>, service: string): PlatformConfig {
  const vars = parseServiceEnv(service, envSchema, env);
  return {
    databaseUrl: vars.DATABASE_URL,
    ...(vars.APP_DATABASE_URL === undefined ? {} : { appDatabaseUrl: vars.APP_DATABASE_URL }),
    appRole: vars.DATABASE_APP_ROLE,
    kafkaBrokers: vars.KAFKA_BROKERS.split(','),
    topicPrefix: vars.TOPIC_PREFIX,
    eventStoreSchema: vars.EVENT_STORE_SCHEMA,
    readModelSchema: vars.READ_MODEL_SCHEMA,
    logLevel: vars.LOG_LEVEL,
    eventPollMs: vars.EVENT_POLL_MS,
    piiRedact: vars.PII_REDACT,
    healthPort: vars.HEALTH_PORT,
    readinessStallMs: vars.READINESS_STALL_MS,
    projectionRetryWindowMs: vars.PROJECTION_RETRY_WINDOW_MS,
    metrics: vars.METRICS,
  };
}
