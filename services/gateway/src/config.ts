import { fileURLToPath } from 'node:url';
import { newEventSchema } from '@agent-orchestrator/contracts';
import { egressAllowVariable, egressDenyVariable } from '@agent-orchestrator/egress';
import type { SecretsConfig } from '@agent-orchestrator/secrets';
import { parseSecretsConfig } from '@agent-orchestrator/service-host';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { RateLimitsConfig } from './http/rate-limits.js';
import { checkConsoleSignInVariables, consoleSignInOf, consoleSignInVariables, type ConsoleSignIn } from './auth/console-sign-in.js';
import { checkOidcVariables, oidcConfigOf, oidcVariables, type OidcConfig } from './auth/oidc-config.js';

/** Where the console's build goes (apps/console/dist), from this file's place in the repository. */
const defaultConsoleDir = fileURLToPath(new URL('../../../apps/console/dist', import.meta.url));

/** Postgres identifiers we create ourselves: unquoted-safe, at most 63 bytes. */
const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** A whole number read from a string, with one message for every way it can be wrong. */
function integerVariable(min: number, max: number, expects: string) {
  const error = { error: expects };
  return z.coerce.number(error).int(error).min(min, error).max(max, error);
}

const perMinute = (what: string) => integerVariable(1, 1_000_000_000, `expects a whole number of ${what} a minute, at least 1`);

/** Origins as a browser sends them: scheme, host and port, nothing else. */
const corsOrigins = z.string().transform((text, context) => {
  const origins = text.split(',').map((entry) => entry.trim());
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      context.addIssue({ code: 'custom', message: `"${origin.slice(0, 100)}" is not an origin: write scheme://host[:port] with no path or trailing slash, e.g. https://console.example.com` });
    }
  }
  return origins;
});

/** The reverse proxies whose X-Forwarded-For names the client: addresses or CIDR blocks. */
const trustProxy = z.string().transform((text, context) => {
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk) context.addIssue({ code: 'custom', message: `"${entry.slice(0, 100)}" is not an IP address or CIDR block (e.g. 10.0.0.0/8)` });
  }
  return entries;
});

export const defaultTenantRetentionDays = 180;

const envSchema = z.object({
  DATABASE_URL: z.url({
    protocol: /^postgres(ql)?$/,
    error: 'expects a PostgreSQL connection string, postgres://user:password@host:port/database',
  }),
  GATEWAY_PORT: integerVariable(0, 65535, 'expects an integer TCP port from 0 to 65535 (0 picks a free port)').default(3000),
  GATEWAY_SCHEMA: z
    .string()
    .regex(identifierPattern, { error: 'expects a PostgreSQL schema name: lower-case letters, digits and "_", not starting with a digit, at most 63' })
    .default('gateway'),
  // The secret is never echoed back in an error: only what it must look like.
  BOOTSTRAP_ADMIN_API_KEY: z
    .string()
    .min(32, { error: 'expects at least 32 characters of random secret (e.g. `openssl rand -base64 32`), or leave it unset' })
    .max(512, { error: 'expects at most 512 characters' })
    .optional(),
  // Manages tenants and nothing else: a separate secret from every tenant's keys.
  PLATFORM_ADMIN_API_KEY: z
    .string()
    .min(32, { error: 'expects at least 32 characters of random secret (e.g. `openssl rand -base64 32`), or leave it unset' })
    .max(512, { error: 'expects at most 512 characters' })
    .optional(),
  TENANT_RETENTION_DAYS: integerVariable(1, 3650, 'expects a whole number of days from 1 to 3650').default(defaultTenantRetentionDays),
  // The same alphabet as the tenant id every event carries.
  BOOTSTRAP_TENANT: newEventSchema.shape.tenantId.default('demo'),
  MAX_BODY_BYTES: integerVariable(1, 100 * 1024 * 1024, 'expects a whole number of bytes from 1 to 104857600 (100 MiB)').default(1024 * 1024),
  TOOL_DOCUMENT_MAX_BYTES: integerVariable(1, 256 * 1024 * 1024, 'expects a whole number of bytes from 1 to 268435456 (256 MiB)').default(32 * 1024 * 1024),
  EGRESS_ALLOW: egressAllowVariable,
  EGRESS_DENY: egressDenyVariable,
  API_RATE_LIMIT_PER_MINUTE: perMinute('requests').optional(),
  TENANT_RATE_LIMIT_PER_MINUTE: perMinute('requests').optional(),
  AUTH_FAILURE_LIMIT_PER_MINUTE: perMinute('failed authentications').default(30),
  CORS_ORIGINS: corsOrigins.optional(),
  // The built web console (apps/console/dist), served at `/`; `none` serves no console.
  CONSOLE_DIR: z.string().min(1).default(defaultConsoleDir),
  TRUST_PROXY: trustProxy.optional(),
  ...oidcVariables,
  ...consoleSignInVariables,
}).superRefine((vars, context) => {
  checkOidcVariables(vars, context);
  checkConsoleSignInVariables(vars, context);
});

export interface GatewayConfig {
  readonly databaseUrl: string;
  readonly port: number;
  /** The Postgres schema holding this service's tables (`<schema>.api_keys`). */
  readonly schema: string;
  /** When set, this key is registered once as an admin key of `bootstrapTenant`. */
  readonly bootstrapAdminApiKey: string | undefined;
  readonly bootstrapTenant: string;
  /** The platform admin's key (PLATFORM_ADMIN_API_KEY): manages tenants, reads no tenant's data. None when unset. */
  readonly platformAdminApiKey?: string;
  /** How long a deleted tenant's data and id are kept (TENANT_RETENTION_DAYS, default 180). */
  readonly tenantRetentionDays?: number;
  /** Larger request bodies are refused with 413 before they are parsed. */
  readonly maxBodyBytes: number;
  /** The largest OpenAPI document a tool is registered from by URL (a body is held to maxBodyBytes); default 32 MiB. */
  readonly maxToolDocumentBytes?: number;
  /** Destinations the operator trusts for every tenant (EGRESS_ALLOW): the egress guard lets them through. */
  readonly egressAllow?: readonly string[];
  /** Destinations no tenant may reach whatever its allow-list says (EGRESS_DENY; the cloud metadata ranges by default). */
  readonly egressDeny?: readonly string[];
  /** The store of tool credentials (SECRETS_*, VAULT_*); none when unset. */
  readonly secrets?: SecretsConfig;
  /** Request and failed-authentication rates (API_RATE_LIMIT_PER_MINUTE, TENANT_RATE_LIMIT_PER_MINUTE, AUTH_FAILURE_LIMIT_PER_MINUTE); nothing is counted without it. */
  readonly rateLimits?: RateLimitsConfig;
  /** Origins whose browser scripts may call the API (CORS_ORIGINS); none when unset. */
  readonly corsOrigins?: readonly string[];
  /** Reverse proxies trusted to name the client in X-Forwarded-For (TRUST_PROXY); the connection's address counts when unset. */
  readonly trustProxy?: readonly string[];
  /** Identity providers whose access tokens are accepted (OIDC_*); none when unset. */
  readonly oidc?: OidcConfig;
  /** Single sign-on in the web console (CONSOLE_OIDC_*): told to it by GET /v1/sign-in, and let through its CSP. None when unset. */
  readonly consoleSignIn?: ConsoleSignIn;
  /** The built web console served at `/` (CONSOLE_DIR); none when `none`. */
  readonly consoleDir?: string;
}

export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';

  constructor(readonly problems: readonly { readonly variable: string; readonly expects: string }[]) {
    super(`Invalid gateway configuration:\n${problems.map((p) => `  ${p.variable}: ${p.expects}`).join('\n')}`);
  }
}

/**
 * Parses the gateway's environment. Throws a GatewayConfigError naming every variable that is
 * wrong and what it expects. A variable set to the empty string counts as unset, as compose files
 * and CI often write `NAME=` for "not configured".
 */
export function parseGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new GatewayConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        return { variable, expects: variable in present ? issue.message : `not set; ${issue.message}` };
      }),
    );
  }
  const vars = parsed.data;
  if (vars.PLATFORM_ADMIN_API_KEY !== undefined && vars.PLATFORM_ADMIN_API_KEY === vars.BOOTSTRAP_ADMIN_API_KEY) {
    throw new GatewayConfigError([{ variable: 'PLATFORM_ADMIN_API_KEY', expects: 'expects a secret of its own: it equals BOOTSTRAP_ADMIN_API_KEY, and one key cannot be both the platform admin and a tenant admin' }]);
  }
  const oidc = oidcConfigOf(vars);
  const consoleSignIn = consoleSignInOf(vars);
  return {
    secrets: parseSecretsConfig('gateway', env),
    databaseUrl: vars.DATABASE_URL,
    port: vars.GATEWAY_PORT,
    schema: vars.GATEWAY_SCHEMA,
    bootstrapAdminApiKey: vars.BOOTSTRAP_ADMIN_API_KEY,
    bootstrapTenant: vars.BOOTSTRAP_TENANT,
    platformAdminApiKey: vars.PLATFORM_ADMIN_API_KEY,
    tenantRetentionDays: vars.TENANT_RETENTION_DAYS,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    maxToolDocumentBytes: vars.TOOL_DOCUMENT_MAX_BYTES,
    egressAllow: vars.EGRESS_ALLOW,
    egressDeny: vars.EGRESS_DENY,
    rateLimits: { principalPerMinute: vars.API_RATE_LIMIT_PER_MINUTE, tenantPerMinute: vars.TENANT_RATE_LIMIT_PER_MINUTE, authFailuresPerMinute: vars.AUTH_FAILURE_LIMIT_PER_MINUTE },
    ...(vars.CORS_ORIGINS ? { corsOrigins: vars.CORS_ORIGINS } : {}),
    ...(vars.TRUST_PROXY ? { trustProxy: vars.TRUST_PROXY } : {}),
    ...(oidc.issuers.length > 0 ? { oidc } : {}),
    ...(consoleSignIn ? { consoleSignIn } : {}),
    ...(vars.CONSOLE_DIR === 'none' ? {} : { consoleDir: vars.CONSOLE_DIR }),
  };
}
