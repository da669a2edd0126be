import { GatewayConfigError, parseGatewayConfig } from '../config.js';

const base = { DATABASE_URL: 'postgres://gateway@db:5432/orchestrator' };

describe('identity provider configuration', () => {
  it('accepts no issuer: no oidc section, API keys only', () => {
    expect(parseGatewayConfig(base).oidc).toBeUndefined();
  });

  it('makes OIDC_ISSUER_URL one issuer that may speak for every tenant, with the default claims', () => {
    expect(parseGatewayConfig({ ...base, OIDC_ISSUER_URL: 'https://kc.example/realms/acme', OIDC_AUDIENCE: 'orchestrator' }).oidc).toEqual({
      issuers: [{ issuer: 'https://kc.example/realms/acme', audiences: ['orchestrator'], tenantClaim: 'tenant', rolesClaim: 'roles', tenants: '*' }],
      jwksCooldownMs: 30_000,
    });
  });

  it('reads OIDC_ISSUERS, each entry with its tenants, the claim variables as defaults', () => {
    const issuers = JSON.stringify([
      { issuer: 'https://kc.example/realms/acme', audience: 'orchestrator', tenants: ['acme'] },
      { issuer: 'http://127.0.0.1:8080', audience: ['a', 'b'], tenantClaim: 'org', rolesClaim: 'groups', tenants: '*' },
    ]);
    expect(parseGatewayConfig({ ...base, OIDC_ISSUERS: issuers, OIDC_TENANT_CLAIM: 'organization', OIDC_JWKS_COOLDOWN_MS: '5000' }).oidc).toEqual({
      issuers: [
        { issuer: 'https://kc.example/realms/acme', audiences: ['orchestrator'], tenantClaim: 'organization', rolesClaim: 'roles', tenants: ['acme'] },
        { issuer: 'http://127.0.0.1:8080', audiences: ['a', 'b'], tenantClaim: 'org', rolesClaim: 'groups', tenants: '*' },
      ],
      jwksCooldownMs: 5000,
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an issuer without its audience', { OIDC_ISSUER_URL: 'https://kc.example/realms/acme' }, /^OIDC_AUDIENCE: not set; expects the audience \(aud\)/],
    ['an audience without its issuer', { OIDC_AUDIENCE: 'orchestrator' }, /^OIDC_AUDIENCE: is set but OIDC_ISSUER_URL is not/],
    ['plain http to another machine', { OIDC_ISSUER_URL: 'http://kc.example/realms/acme', OIDC_AUDIENCE: 'a' }, /^OIDC_ISSUER_URL: expects an https issuer \(plain http only on loopback\)/],
    ['not a URL', { OIDC_ISSUER_URL: 'kc.example', OIDC_AUDIENCE: 'a' }, /^OIDC_ISSUER_URL: expects the issuer URL exactly as tokens carry it/],
    ['both ways at once', { OIDC_ISSUER_URL: 'https://kc.example', OIDC_AUDIENCE: 'a', OIDC_ISSUERS: '[{"issuer":"https://x.example","audience":"a","tenants":"*"}]' }, /^OIDC_ISSUERS: is set together with OIDC_ISSUER_URL/],
    ['a list that is not JSON', { OIDC_ISSUERS: '[{issuer:' }, /^OIDC_ISSUERS: expects a JSON list/],
    ['an entry without tenants', { OIDC_ISSUERS: '[{"issuer":"https://x.example","audience":"a"}]' }, /^OIDC_ISSUERS: .*entry 0\.tenants: expects "\*" or a non-empty list of tenant ids/],
    ['an entry with an unknown field', { OIDC_ISSUERS: '[{"issuer":"https://x.example","audience":"a","tenants":"*","tenant":"acme"}]' }, /^OIDC_ISSUERS: .*entry 0/],
    ['an issuer listed twice', { OIDC_ISSUERS: '[{"issuer":"https://x.example","audience":"a","tenants":"*"},{"issuer":"https://x.example","audience":"b","tenants":"*"}]' }, /^OIDC_ISSUERS: lists issuer https:\/\/x.example twice/],
    ['a cooldown under a second', { OIDC_JWKS_COOLDOWN_MS: '10' }, /^OIDC_JWKS_COOLDOWN_MS: expects a whole number of milliseconds from 1000/],
  ])('stops start-up on %s, naming the variable', (_, env, problem) => {
    const parse = () => parseGatewayConfig({ ...base, ...env });
    expect(parse).toThrow(GatewayConfigError);
    // The message's lines after the first are "  VARIABLE: what it expects", one per problem.
    expect(parse).toThrow(new RegExp(`^Invalid gateway configuration:\n  ${problem.source.replace(/^\^/, '')}[^\n]*$`));
  });
});
