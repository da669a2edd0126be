import { newEventSchema } from '@agent-orchestrator/contracts';
import { z } from 'zod';

/** An identity provider whose access tokens the gateway accepts. */
export interface IssuerConfig {
  /** Exactly the `iss` its tokens carry; the discovery document is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** A token must name one of these in `aud`. */
  readonly audiences: readonly string[];
  /** The claim naming the tenant (`tenant`; Keycloak Organizations: `organization`). */
  readonly tenantClaim: string;
  /** The claim listing the caller's roles (`roles`; Keycloak's `realm_access.roles` is read when it is absent). */
  readonly rolesClaim: string;
  /** The tenants this issuer may speak for: `*` for any. */
  readonly tenants: '*' | readonly string[];
}

export interface OidcConfig {
  readonly issuers: readonly IssuerConfig[];
  /** The least time between two fetches of an issuer's keys that tokens cause (an unknown `kid`, a failed fetch). */
  readonly jwksCooldownMs: number;
}

const tenantId = newEventSchema.shape.tenantId;
const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * An issuer is trusted by configuration, so its keys must not be open to tampering on the way:
 * https, or http only on this machine (a provider started by tests, a local Keycloak).
 */
const issuerUrl = z.url({ protocol: /^https?$/, error: 'expects the issuer URL exactly as tokens carry it in "iss", e.g. https://idp.example.com/realms/acme' }).superRefine((value, context) => {
  // zod runs this check even when the URL check above failed.
  const url = URL.parse(value);
  if (url === null) return;
  if (url.protocol === 'http:' && !loopbackHost.test(url.hostname)) context.addIssue({ code: 'custom', message: `expects an https issuer (plain http only on loopback), not ${value}` });
  if (url.search !== '' || url.hash !== '') context.addIssue({ code: 'custom', message: `expects an issuer URL without query or fragment, not ${value}` });
});
const audience = z.string().min(1).max(300);
const claimName = z.string().min(1, { error: 'expects a claim name' }).max(200, { error: 'expects a claim name of at most 200 characters' });

const issuerEntry = z.strictObject({
  issuer: issuerUrl,
  audience: z.union([audience, z.array(audience).min(1)], { error: 'expects a string or a non-empty list of strings' }),
  tenantClaim: claimName.optional(),
  rolesClaim: claimName.optional(),
  tenants: z.union([z.literal('*'), z.array(tenantId).min(1)], { error: 'expects "*" or a non-empty list of tenant ids' }),
});
type IssuerEntry = z.infer<typeof issuerEntry>;

/** OIDC_ISSUERS: a JSON list, each entry's problems named by its position so the operator finds it. */
const issuerList = z.string().transform((text, context): IssuerEntry[] => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    context.addIssue({ code: 'custom', message: 'expects a JSON list of {issuer, audience, tenants, tenantClaim?, rolesClaim?}' });
    return z.NEVER;
  }
  const parsed = z.array(issuerEntry).min(1).safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'the list' : `entry ${issue.path.map(String).join('.')}`}: ${issue.message}`);
    context.addIssue({ code: 'custom', message: `expects a non-empty JSON list of {issuer, audience, tenants, tenantClaim?, rolesClaim?}; ${problems.join('; ')}` });
    return z.NEVER;
  }
  const seen = new Set<string>();
  for (const entry of parsed.data) {
    if (seen.has(entry.issuer)) context.addIssue({ code: 'custom', message: `lists issuer ${entry.issuer} twice; give it one entry` });
    seen.add(entry.issuer);
  }
  return parsed.data;
});

/** The gateway's identity-provider variables, spread into its environment schema. */
export const oidcVariables = {
  OIDC_ISSUER_URL: issuerUrl.optional(),
  OIDC_AUDIENCE: audience.optional(),
  OIDC_TENANT_CLAIM: claimName.default('tenant'),
  OIDC_ROLES_CLAIM: claimName.default('roles'),
  OIDC_ISSUERS: issuerList.optional(),
  OIDC_JWKS_COOLDOWN_MS: z.coerce
    .number({ error: 'expects a whole number of milliseconds from 1000 to 86400000' })
    .int({ error: 'expects a whole number of milliseconds from 1000 to 86400000' })
    .min(1000, { error: 'expects a whole number of milliseconds from 1000 to 86400000' })
    .max(86_400_000, { error: 'expects a whole number of milliseconds from 1000 to 86400000' })
    .default(30_000),
};

type OidcVariables = z.infer<z.ZodObject<typeof oidcVariables>>;

/** The checks between variables: run by the environment schema once each variable is valid on its own. */
export function checkOidcVariables(vars: OidcVariables, context: z.RefinementCtx): void {
  if (vars.OIDC_ISSUER_URL !== undefined && vars.OIDC_AUDIENCE === undefined) {
    context.addIssue({ code: 'custom', path: ['OIDC_AUDIENCE'], message: 'expects the audience (aud) tokens of OIDC_ISSUER_URL must carry, e.g. the client id of this API at the identity provider' });
  }
  if (vars.OIDC_AUDIENCE !== undefined && vars.OIDC_ISSUER_URL === undefined) {
    context.addIssue({ code: 'custom', path: ['OIDC_AUDIENCE'], message: 'is set but OIDC_ISSUER_URL is not: set both, or neither' });
  }
  if (vars.OIDC_ISSUER_URL !== undefined && vars.OIDC_ISSUERS !== undefined) {
    context.addIssue({ code: 'custom', path: ['OIDC_ISSUERS'], message: 'is set together with OIDC_ISSUER_URL: list every issuer in OIDC_ISSUERS, or use OIDC_ISSUER_URL alone' });
  }
}

/**
 * One issuer from OIDC_ISSUER_URL (it may speak for every tenant: a deployment with one identity
 * provider trusts it as it trusts its own API keys), or each entry of OIDC_ISSUERS with its own
 * tenants; OIDC_TENANT_CLAIM and OIDC_ROLES_CLAIM are the claims of entries that name none.
 */
export function oidcConfigOf(vars: OidcVariables): OidcConfig {
  const defaults = { tenantClaim: vars.OIDC_TENANT_CLAIM, rolesClaim: vars.OIDC_ROLES_CLAIM };
  const single: IssuerConfig[] = vars.OIDC_ISSUER_URL && vars.OIDC_AUDIENCE ? [{ issuer: vars.OIDC_ISSUER_URL, audiences: [vars.OIDC_AUDIENCE], tenants: '*', ...defaults }] : [];
  const listed = (vars.OIDC_ISSUERS ?? []).map(
    (entry): IssuerConfig => ({
      issuer: entry.issuer,
      audiences: typeof entry.audience === 'string' ? [entry.audience] : entry.audience,
      tenantClaim: entry.tenantClaim ?? defaults.tenantClaim,
      rolesClaim: entry.rolesClaim ?? defaults.rolesClaim,
      tenants: entry.tenants,
    }),
  );
  return { issuers: [...single, ...listed], jwksCooldownMs: vars.OIDC_JWKS_COOLDOWN_MS };
}
