import { newEventSchema } from '@agent-orchestrator/contracts';
import type { JWTPayload } from 'jose';
import { GatewayError } from '../errors.js';
import type { IssuerConfig } from './oidc-config.js';
import { isRole, type Role } from './roles.js';

/** An identity provider's role or group names, each mapped to the platform roles it grants in one tenant. */
export type RoleMapping = Readonly<Record<string, readonly Role[]>>;

const refused = (reason: string) => new GatewayError('InvalidToken', reason);

/**
 * A claim by its name, or, when no claim has that name and it has dots, by its path
 * (`realm_access.roles`). Names are tried whole first: claims named by URL (`https://acme.example/roles`)
 * hold dots too.
 */
function claimAt(claims: JWTPayload, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const step of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * The tenant a verified token speaks for. The claim is a tenant id, or as Keycloak Organizations
 * writes its `organization` claim, a list of organisation aliases or an object keyed by them:
 * exactly one is taken, several are ambiguous and refused. The issuer must be allowed to speak
 * for it.
 */
export function tenantOf(claims: JWTPayload, issuer: IssuerConfig): string {
  const value = claimAt(claims, issuer.tenantClaim);
  if (value === undefined || value === null) throw refused(`No tenant claim: the token has no "${issuer.tenantClaim}" claim naming the tenant it speaks for.`);
  const candidates = typeof value === 'string' ? [value] : Array.isArray(value) ? value : typeof value === 'object' ? Object.keys(value) : [];
  if (candidates.length !== 1) {
    throw refused(`The "${issuer.tenantClaim}" claim must name exactly one tenant; it names ${candidates.length === 0 ? 'none' : `${candidates.length}, which is ambiguous`}.`);
  }
  const tenant = candidates[0];
  if (typeof tenant !== 'string' || !newEventSchema.shape.tenantId.safeParse(tenant).success) {
    throw refused(`The "${issuer.tenantClaim}" claim is not a tenant id (lower-case letters, digits, "_" and "-", at most 63).`);
  }
  if (issuer.tenants !== '*' && !issuer.tenants.includes(tenant)) throw refused(`Tenant not allowed for this issuer: ${issuer.issuer} may not speak for tenant ${tenant}.`);
  return tenant;
}

/** The role or group names the token carries: the roles claim, else Keycloak's `realm_access.roles`; strings only. */
export function identityProviderRoles(claims: JWTPayload, issuer: IssuerConfig): readonly string[] {
  const value = claimAt(claims, issuer.rolesClaim) ?? claimAt(claims, 'realm_access.roles');
  const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return names.filter((name): name is string => typeof name === 'string');
}

/**
 * A role a token may hold in a tenant. `platform-admin`, when the platform has it, manages tenants
 * from outside any tenant: no identity provider's token or mapping grants it.
 */
const platformOnly: ReadonlySet<string> = new Set(['platform-admin']);

export function isTenantRole(name: string): name is Role {
  return isRole(name) && !platformOnly.has(name);
}

/** The platform roles of an identity provider's role names: each name that is a platform role, and what the tenant's mapping gives each name. */
export function platformRoles(names: readonly string[], mapping: RoleMapping): Role[] {
  const granted = new Set<Role>();
  for (const name of names) {
    if (isTenantRole(name)) granted.add(name);
    for (const role of Object.hasOwn(mapping, name) ? (mapping[name] ?? []) : []) if (isTenantRole(role)) granted.add(role);
  }
  return [...granted];
}
