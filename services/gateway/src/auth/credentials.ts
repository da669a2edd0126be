import type { ApiKeys } from '../api-keys/api-keys.js';
import { GatewayError } from '../errors.js';
import type { RoleMappings } from '../role-mapping/role-mappings.js';
import { abilityFor } from './abilities.js';
import type { PresentedCredential, Principal } from './access.guard.js';
import { identityProviderRoles, platformRoles, tenantOf } from './token-claims.js';
import { looksLikeJwt, type TokenVerifier } from './tokens.js';
import type { TicketHolder } from './ws-tickets.js';

/** Whether the platform has this tenant (in whatever status: a suspended one is refused after authentication, as for keys). */
export type TenantCheck = (tenantId: string) => Promise<boolean>;

export function principalOf(holder: TicketHolder, presented: PresentedCredential = { via: 'ticket' }): Principal {
  return { tenantId: holder.tenantId, subject: holder.subject, roles: holder.roles, ability: abilityFor(holder.tenantId, holder.roles), presented };
}

/** The prefix of a token caller's subject: `token:<issuer>#<sub>`. An API key's subject is its id. */
export const tokenSubject = 'token:';

/**
 * Turns what a caller presents into a Principal: an access token from a configured identity
 * provider when it looks like a JWT, an API key otherwise. The tenant comes only from the verified
 * token or the key's row, never from anything else in the request.
 */
export class Credentials {
  constructor(private readonly deps: { readonly apiKeys: ApiKeys; readonly tokens: TokenVerifier; readonly roleMappings: RoleMappings; readonly tenantIsKnown: TenantCheck }) {}

  async authenticate(credential: string): Promise<Principal> {
    if (looksLikeJwt(credential)) return this.fromToken(credential);
    const key = await this.deps.apiKeys.authenticate(credential);
    if (!key) throw new GatewayError('InvalidCredentials', 'The API key is unknown or has been revoked.');
    return principalOf({ tenantId: key.tenantId, subject: key.keyId, roles: key.roles }, { via: 'apiKey', keyId: key.keyId, expiresAt: key.expiresAt });
  }

  private async fromToken(token: string): Promise<Principal> {
    const { issuer, claims } = await this.deps.tokens.verify(token);
    const tenantId = tenantOf(claims, issuer);
    if (!(await this.deps.tenantIsKnown(tenantId))) throw new GatewayError('InvalidToken', `Tenant unknown: this platform has no tenant ${tenantId}; a platform admin creates tenants.`);
    const subject = `${tokenSubject}${issuer.issuer}#${claims.sub}`;
    // The subject names the actor of every event this caller causes, which the log keeps to 200 characters.
    if (subject.length > 200) throw new GatewayError('InvalidToken', `The token's subject (sub) is too long: with this issuer it may have at most ${200 - `${tokenSubject}${issuer.issuer}#`.length} characters.`);
    const { mapping } = await this.deps.roleMappings.current(tenantId);
    const roles = platformRoles(identityProviderRoles(claims, issuer), mapping);
    // verify() requires exp, so every token principal has an end.
    return principalOf({ tenantId, subject, roles }, { via: 'token', issuer: issuer.issuer, expiresAt: new Date(claims.exp! * 1000).toISOString() });
  }
}
