import { GatewayConfigError, parseGatewayConfig } from '../config.js';

const base = { DATABASE_URL: 'postgres://gateway@db:5432/orchestrator' };
const oneIssuer = { ...base, OIDC_ISSUER_URL: 'https://kc.example/realms/acme', OIDC_AUDIENCE: 'orchestrator' };
const twoIssuers = {
  ...base,
  OIDC_ISSUERS: JSON.stringify([
    { issuer: 'https://kc.example/realms/acme', audience: 'orchestrator', tenants: ['acme'] },
    { issuer: 'https://login.globex.example', audience: 'orchestrator', tenants: ['globex'] },
  ]),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseGatewayConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayConfigError);
    return (error as GatewayConfigError).problems.map((problem) => `${problem.variable}: ${problem.expects}`);
  }
  throw new Error('expected the configuration to be refused');
}

describe("the console's single sign-on configuration", () => {
  it('is off without a client id, even with an issuer', () => {
    expect(parseGatewayConfig(oneIssuer).consoleSignIn).toBeUndefined();
  });

  it('signs in with the only trusted issuer and the openid scope by default', () => {
    expect(parseGatewayConfig({ ...oneIssuer, CONSOLE_OIDC_CLIENT_ID: 'console' }).consoleSignIn).toEqual({ issuer: 'https://kc.example/realms/acme', clientId: 'console', scopes: 'openid' });
  });

  it('takes the issuer named among several, its scopes and an audience', () => {
    expect(parseGatewayConfig({ ...twoIssuers, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_ISSUER: 'https://login.globex.example', CONSOLE_OIDC_SCOPES: ' openid profile api ', CONSOLE_OIDC_AUDIENCE: 'orchestrator' }).consoleSignIn).toEqual({
      issuer: 'https://login.globex.example',
      clientId: 'console',
      scopes: 'openid profile api',
      audience: 'orchestrator',
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a client id with no trusted issuer', { ...base, CONSOLE_OIDC_CLIENT_ID: 'console' }, /^CONSOLE_OIDC_CLIENT_ID: is set but no issuer is trusted: set OIDC_ISSUER_URL/],
    ['several issuers and none named', { ...twoIssuers, CONSOLE_OIDC_CLIENT_ID: 'console' }, /^CONSOLE_OIDC_ISSUER: not set; expects the issuer the console signs in with, since OIDC_ISSUERS lists 2: one of https:\/\/kc.example\/realms\/acme, https:\/\/login.globex.example$/],
    ['an issuer the gateway does not trust', { ...oneIssuer, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_ISSUER: 'https://kc.example/realms/acme/' }, /^CONSOLE_OIDC_ISSUER: expects one of the issuers the gateway trusts \(https:\/\/kc.example\/realms\/acme\), exactly as written there/],
    ['an issuer without a client id', { ...oneIssuer, CONSOLE_OIDC_ISSUER: 'https://kc.example/realms/acme' }, /^CONSOLE_OIDC_ISSUER: is set but CONSOLE_OIDC_CLIENT_ID is not/],
    ['scopes without openid', { ...oneIssuer, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_SCOPES: 'profile api' }, /^CONSOLE_OIDC_SCOPES: expects "openid" among the scopes/],
    ['scopes with a quote in them', { ...oneIssuer, CONSOLE_OIDC_CLIENT_ID: 'console', CONSOLE_OIDC_SCOPES: 'openid "api"' }, /^CONSOLE_OIDC_SCOPES: expects scope names separated by single spaces/],
  ])('refuses %s, saying what to set', (_, env, problem) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(problem)]);
  });
});
