/** The ways of presenting a credential the executor supports; the same shape as the contract's `securitySchemeSchema`. */
export type SecurityScheme =
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string }
  | { readonly type: 'bearer' }
  | { readonly type: 'basic' }
  | { readonly type: 'oauth2'; readonly clientCredentials?: OAuthEndpoint; readonly refreshToken?: OAuthEndpoint }
  | { readonly type: 'openIdConnect'; readonly openIdConnectUrl: string; readonly scopes: string[] };

/** A token endpoint and the scopes to ask for there. */
export interface OAuthEndpoint {
  readonly tokenUrl: string;
  readonly scopes: string[];
}

/** Said where an operation needs a scheme outside these. */
export const supportedSchemesInWords =
  'apiKey in a header, query or cookie, HTTP bearer and basic, OAuth 2 client credentials or authorization code (by refresh token), and OpenID Connect';

export interface RawScheme {
  type?: string;
  in?: string;
  name?: string;
  scheme?: string;
  flows?: Record<string, { tokenUrl?: string } | undefined>;
  openIdConnectUrl?: string;
}

/** Where OpenID Connect discovery documents live (OpenID Connect Discovery 1.0, section 4). */
const discoverySuffix = '/.well-known/openid-configuration';

/**
 * The document's security schemes the executor can present. An OAuth 2 scheme is kept when it has
 * a client-credentials flow (the platform is the client) or an authorization-code flow (whose token
 * URL takes the refresh token an admin obtained once); implicit and password flows are not, as
 * they need a person at a browser or their password. An OpenID Connect scheme is kept when its URL
 * is a discovery document's, from which the issuer follows. Each OAuth scheme asks for the scopes
 * the document's security requirements name for it, so one token serves every operation.
 */
export function supportedSchemes(raw: Record<string, RawScheme>, document: Record<string, unknown>): Record<string, SecurityScheme> {
  const scopes = requiredScopes(document);
  const supported: Record<string, SecurityScheme> = {};
  for (const [name, scheme] of Object.entries(raw)) {
    // At most what a registration stores; no real API asks one token for more.
    const wanted = [...(scopes.get(name) ?? [])].sort().slice(0, 500);
    if (scheme.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query' || scheme.in === 'cookie') && scheme.name) supported[name] = { type: 'apiKey', in: scheme.in, name: scheme.name };
    else if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') supported[name] = { type: 'bearer' };
    else if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'basic') supported[name] = { type: 'basic' };
    else if (scheme.type === 'oauth2') {
      const clientCredentials = webUrl(scheme.flows?.clientCredentials?.tokenUrl);
      const refreshToken = webUrl(scheme.flows?.authorizationCode?.tokenUrl);
      if (clientCredentials === undefined && refreshToken === undefined) continue;
      supported[name] = {
        type: 'oauth2',
        ...(clientCredentials === undefined ? {} : { clientCredentials: { tokenUrl: clientCredentials, scopes: wanted } }),
        ...(refreshToken === undefined ? {} : { refreshToken: { tokenUrl: refreshToken, scopes: wanted } }),
      };
    } else if (scheme.type === 'openIdConnect') {
      const url = webUrl(scheme.openIdConnectUrl);
      if (url !== undefined && new URL(url).pathname.endsWith(discoverySuffix)) supported[name] = { type: 'openIdConnect', openIdConnectUrl: url, scopes: wanted };
    }
  }
  return supported;
}

/** An absolute http(s) URL, or undefined (a relative token URL has no server to resolve it against here). */
function webUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** Every scope any security requirement of the document (its own or an operation's) names, by scheme. */
function requiredScopes(document: Record<string, unknown>): Map<string, Set<string>> {
  const scopes = new Map<string, Set<string>>();
  const collect = (requirements: unknown) => {
    if (!Array.isArray(requirements)) return;
    for (const requirement of requirements as unknown[]) {
      if (typeof requirement !== 'object' || requirement === null) continue;
      for (const [name, named] of Object.entries(requirement)) {
        if (!Array.isArray(named)) continue;
        const set = scopes.get(name) ?? new Set<string>();
        for (const scope of named) if (typeof scope === 'string' && scope.length > 0 && scope.length <= 200) set.add(scope);
        scopes.set(name, set);
      }
    }
  };
  collect(document.security);
  for (const item of Object.values((document.paths ?? {}) as Record<string, unknown>)) {
    if (typeof item !== 'object' || item === null) continue;
    for (const operation of Object.values(item)) if (typeof operation === 'object' && operation !== null) collect((operation as { security?: unknown }).security);
  }
  return scopes;
}
