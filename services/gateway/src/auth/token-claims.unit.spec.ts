import { isGatewayError } from '../errors.js';
import type { IssuerConfig } from './oidc-config.js';
import { identityProviderRoles, platformRoles, tenantOf } from './token-claims.js';
import { looksLikeJwt } from './tokens.js';

const issuer: IssuerConfig = { issuer: 'https://idp.example', audiences: ['api'], tenantClaim: 'tenant', rolesClaim: 'roles', tenants: '*' };
const keycloak: IssuerConfig = { ...issuer, tenantClaim: 'organization' };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isGatewayError(error, 'InvalidToken')) return error.message;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

describe('the tenant a token speaks for', () => {
  it.each<[string, IssuerConfig, Record<string, unknown>, string]>([
    ['a string claim', issuer, { tenant: 'acme' }, 'acme'],
    ["Keycloak's organization claim as a list of aliases", keycloak, { organization: ['acme'] }, 'acme'],
    ["Keycloak's organization claim as an object keyed by alias", keycloak, { organization: { acme: { id: 'f3c1' } } }, 'acme'],
    ['a claim at a dotted path', { ...issuer, tenantClaim: 'org.tenant' }, { org: { tenant: 'acme' } }, 'acme'],
    ['a claim named by a URL with dots', { ...issuer, tenantClaim: 'https://acme.example/tenant' }, { 'https://acme.example/tenant': 'acme' }, 'acme'],
  ])('is read from %s', (_, config, claims, tenant) => {
    expect(tenantOf(claims, config)).toBe(tenant);
  });

  it.each<[string, IssuerConfig, Record<string, unknown>, RegExp]>([
    ['no claim', issuer, { roles: ['admin'] }, /^No tenant claim: the token has no "tenant" claim/],
    ['two organisations', keycloak, { organization: ['acme', 'globex'] }, /exactly one tenant; it names 2, which is ambiguous/],
    ['no organisation', keycloak, { organization: {} }, /exactly one tenant; it names none/],
    ['something that is not a tenant id', issuer, { tenant: 'Acme Corp' }, /is not a tenant id/],
    ['a number', issuer, { tenant: 7 }, /exactly one tenant; it names none/],
    ['a tenant the issuer may not speak for', { ...issuer, tenants: ['globex'] }, { tenant: 'acme' }, /^Tenant not allowed for this issuer: https:\/\/idp.example may not speak for tenant acme/],
  ])('is refused with %s', (_, config, claims, reason) => {
    expect(refusal(() => tenantOf(claims, config))).toMatch(reason);
  });
});

describe('the roles a token carries', () => {
  it('reads the roles claim, else Keycloak realm_access.roles, keeping strings only', () => {
    expect(identityProviderRoles({ roles: ['viewer', 7, 'sre'] }, issuer)).toEqual(['viewer', 'sre']);
    expect(identityProviderRoles({ roles: 'viewer' }, issuer)).toEqual(['viewer']);
    expect(identityProviderRoles({ realm_access: { roles: ['approver'] } }, issuer)).toEqual(['approver']);
    expect(identityProviderRoles({ groups: ['admin'] }, issuer)).toEqual([]);
    expect(identityProviderRoles({ groups: ['admin'] }, { ...issuer, rolesClaim: 'groups' })).toEqual(['admin']);
  });

  it('grants platform role names as they are and other names through the mapping, nothing else', () => {
    expect(platformRoles(['viewer', 'sre', 'root', 'toString'], { sre: ['operator', 'approver'] })).toEqual(['viewer', 'operator', 'approver']);
    expect(platformRoles(['crm-admins'], {})).toEqual([]);
  });

  it('never grants platform-admin, from a claim or a mapping', () => {
    expect(platformRoles(['platform-admin', 'ops'], { ops: ['platform-admin' as never, 'viewer'] })).toEqual(['viewer']);
  });
});

describe('which credentials are tokens', () => {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('takes three base64url parts whose first is a JOSE header as a JWT, an unsigned one included', () => {
    expect(looksLikeJwt(`${part({ alg: 'RS256' })}.${part({ sub: 'a' })}.c2ln`)).toBe(true);
    expect(looksLikeJwt(`${part({ alg: 'none' })}.${part({ sub: 'a' })}.`)).toBe(true);
  });

  it.each([
    ['an issued API key', `ao_${'0'.repeat(32)}_${'A'.repeat(43)}`],
    ['a bootstrap key with dots', 'first.second.third-part-of-a-long-secret'],
    ['two parts', `${part({ alg: 'RS256' })}.${part({ sub: 'a' })}`],
    ['a header without alg', `${part({ typ: 'JWT' })}.${part({ sub: 'a' })}.c2ln`],
  ])('takes %s as an API key', (_, credential) => {
    expect(looksLikeJwt(credential)).toBe(false);
  });
});
