import { createHash } from 'node:crypto';
import type { SecurityScheme } from '@agent-orchestrator/contracts';
import { egressErrorIn, type EgressGuard } from '@agent-orchestrator/egress';
import { scrubSecrets } from '@agent-orchestrator/pii';
import type { SecretStore, SecretSummary } from '@agent-orchestrator/secrets';
import * as oauth from 'oauth4webapi';
import type { PresentedCredential } from './credential-presentation.js';
import type { OAuthClientSecret } from './oauth-client-secret.js';

type OAuthScheme = Extract<SecurityScheme, { type: 'oauth2' | 'openIdConnect' }>;

export interface OAuthTokensOptions {
  /** Every request to a token endpoint or a discovery document goes through it, with the tenant's allow-list. */
  readonly egress: EgressGuard;
  /** Where a refresh token the server rotated is written back, so the next grant uses it. */
  readonly secrets: SecretStore;
  /** Told of each such write (the name and version, never the value), to record it. */
  readonly onSecretRotated?: (tenantId: string, set: SecretSummary) => Promise<void>;
  /** A token is fetched again this long before it expires, so it does not expire on the way. */
  readonly expiryMarginMs?: number;
  /** How long a token whose answer gave no `expires_in` is kept. */
  readonly defaultLifetimeMs?: number;
  readonly timeoutMs?: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

/** Which token a call needs: whose, for which scheme of which tool, and the client from the secret. */
export interface TokenRequest {
  readonly tenantId: string;
  readonly tool: string;
  readonly schemeName: string;
  readonly scheme: OAuthScheme;
  readonly secretName: string;
  readonly client: OAuthClientSecret;
  /** The tenant's egress allow-list, as it stands now. */
  readonly egressAllow: readonly string[];
}

/** No token could be had; the message is fit to show (it names no secret value) and says what to do. */
export class TokenUnavailable extends Error {
  override readonly name = 'TokenUnavailable';
}

export function isTokenUnavailable(error: unknown): error is TokenUnavailable {
  return error instanceof Error && error.name === 'TokenUnavailable';
}

const discoveryLifetimeMs = 60 * 60_000;

/**
 * Access tokens for OAuth 2 and OpenID Connect schemes, by the client-credentials grant or the
 * refresh-token grant (oauth4webapi makes and checks the requests). A token is kept per tenant,
 * tool and scheme (and client, and refresh token: a secret an admin set anew takes effect at once)
 * until shortly before it expires; concurrent calls share one fetch. When the server rotates the refresh token the new
 * one is written back to the secret before the access token is used: a rotated-out refresh token
 * is dead, and losing its successor would lock the tool out until an admin signs in again.
 * Tokens live in this process's memory only; they are never logged or stored.
 */
export class OAuthTokens {
  /** `refreshToken`: the one the secret holds after the grant; a secret that holds another was set anew, and its token is not this one. */
  private readonly tokens = new Map<string, { accessToken: string; expiresAt: number; refreshToken: string | undefined }>();
  private readonly fetching = new Map<string, Promise<string>>();
  private readonly discovered = new Map<string, { server: oauth.AuthorizationServer; until: number }>();
  private readonly options: Required<Omit<OAuthTokensOptions, 'egress' | 'secrets' | 'onSecretRotated'>>;

  constructor(private readonly dependencies: OAuthTokensOptions) {
    this.options = { expiryMarginMs: 30_000, defaultLifetimeMs: 5 * 60_000, timeoutMs: 10_000, now: Date.now, ...dependencies };
  }

  /** A bearer credential with a valid token, which the executor can renew once when the API answers 401. */
  async credential(request: TokenRequest): Promise<PresentedCredential> {
    const key = cacheKey(request);
    const value = await this.token(key, request);
    return { scheme: request.scheme, value, renew: () => this.renew(key, request, value) };
  }

  private async token(key: string, request: TokenRequest): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && cached.refreshToken === request.client.refreshToken && this.options.now() < cached.expiresAt - this.options.expiryMarginMs) return cached.accessToken;
    return this.fetchOnce(key, request);
  }

  /** Drops `refused`, unless a call that met the same 401 has already replaced it, and fetches another. */
  private async renew(key: string, request: TokenRequest, refused: string): Promise<string> {
    if (this.tokens.get(key)?.accessToken === refused) this.tokens.delete(key);
    return this.token(key, request);
  }

  private fetchOnce(key: string, request: TokenRequest): Promise<string> {
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.grant(key, request).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  private async grant(key: string, request: TokenRequest): Promise<string> {
    const { client, secretName, schemeName, tool } = request;
    const refreshing = client.refreshToken !== undefined;
    const grantName = refreshing ? 'refresh-token grant' : 'client-credentials grant';
    const secretsInClient = [client.clientSecret, client.refreshToken].filter((value): value is string => value !== undefined);
    try {
      const { server, scopes } = await this.endpoint(request);
      const oauthClient: oauth.Client = { client_id: client.clientId };
      const authentication = client.clientSecret === undefined ? oauth.None() : client.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(client.clientSecret) : oauth.ClientSecretBasic(client.clientSecret);
      const options = this.requestOptions(server.token_endpoint!, request.egressAllow);
      let answer: oauth.TokenEndpointResponse;
      let refreshToken = client.refreshToken;
      if (client.refreshToken !== undefined) {
        const response = await oauth.refreshTokenGrantRequest(server, oauthClient, authentication, client.refreshToken, { ...options, ...(scopes.length > 0 ? { additionalParameters: { scope: scopes.join(' ') } } : {}) });
        answer = await oauth.processRefreshTokenResponse(server, oauthClient, response);
        if (answer.refresh_token !== undefined && answer.refresh_token !== client.refreshToken) {
          const set = await this.dependencies.secrets.put(request.tenantId, secretName, JSON.stringify({ ...client, refreshToken: answer.refresh_token }));
          await this.dependencies.onSecretRotated?.(request.tenantId, set);
          refreshToken = answer.refresh_token;
        }
      } else {
        if (client.clientSecret === undefined) throw new TokenUnavailable(`secret ${secretName} has no clientSecret, which the client-credentials grant needs (or a refreshToken, for the refresh-token grant)`);
        const response = await oauth.clientCredentialsGrantRequest(server, oauthClient, authentication, scopes.length > 0 ? { scope: scopes.join(' ') } : {}, options);
        answer = await oauth.processClientCredentialsResponse(server, oauthClient, response);
      }
      const lifetimeMs = answer.expires_in !== undefined ? answer.expires_in * 1000 : this.options.defaultLifetimeMs;
      this.tokens.set(key, { accessToken: answer.access_token, expiresAt: this.options.now() + lifetimeMs, refreshToken });
      return answer.access_token;
    } catch (error) {
      const reason = error instanceof TokenUnavailable ? error.message : `the ${grantName} failed: ${await why(error, secretName)}`;
      throw new TokenUnavailable(scrubSecrets(`no access token for the ${schemeName} scheme of ${tool}: ${reason}`, secretsInClient).text);
    }
  }

  /** The authorization server (its token endpoint) and the scopes to ask for, by the scheme and the grant the secret holds. */
  private async endpoint(request: TokenRequest): Promise<{ server: oauth.AuthorizationServer; scopes: readonly string[] }> {
    const { scheme, client, secretName, schemeName } = request;
    if (scheme.type === 'openIdConnect') return { server: await this.discover(scheme.openIdConnectUrl, request), scopes: scheme.scopes };
    const flow = client.refreshToken !== undefined ? scheme.refreshToken : scheme.clientCredentials;
    if (flow === undefined) {
      throw new TokenUnavailable(
        client.refreshToken !== undefined
          ? `secret ${secretName} holds a refreshToken, and the ${schemeName} scheme has no authorizationCode flow whose token URL takes one; remove refreshToken to use its clientCredentials flow`
          : `the ${schemeName} scheme has no clientCredentials flow, only authorizationCode: add the "refreshToken" an admin obtained to secret ${secretName}`,
      );
    }
    // The document names no issuer for a plain OAuth 2 scheme; the token URL stands for it (no ID token is asked for).
    return { server: { issuer: flow.tokenUrl, token_endpoint: flow.tokenUrl }, scopes: flow.scopes };
  }

  private async discover(url: string, request: TokenRequest): Promise<oauth.AuthorizationServer> {
    const key = `${request.tenantId}\0${url}`;
    const known = this.discovered.get(key);
    if (known && this.options.now() < known.until) return known.server;
    const issuer = new URL(url.slice(0, url.lastIndexOf('/.well-known/openid-configuration')));
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.requestOptions(url, request.egressAllow) });
    const server = await oauth.processDiscoveryResponse(issuer, response);
    if (server.token_endpoint === undefined) throw new TokenUnavailable(`the OpenID Connect discovery document at ${url} names no token_endpoint`);
    this.discovered.set(key, { server, until: this.options.now() + discoveryLifetimeMs });
    return server;
  }

  /**
   * Requests through the egress guard, never following redirects. Plain http is allowed where the
   * document gives it, as it is for the API itself: the tenant's allow-list decides where calls go.
   */
  private requestOptions(url: string, allow: readonly string[]): oauth.HttpRequestOptions<'GET' | 'POST', URLSearchParams | undefined> {
    return {
      [oauth.customFetch]: async (target, init) => (await this.dependencies.egress.fetch(target, { ...init, redirect: 'manual' }, { allow, maxRedirects: 0 })).response as unknown as Response,
      [oauth.allowInsecureRequests]: new URL(url).protocol === 'http:',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    };
  }
}

/** Per tenant, tool and scheme, and per client: a secret set to another client must not reuse the last one's token. */
function cacheKey({ tenantId, tool, schemeName, scheme, client }: TokenRequest): string {
  const clientDigest = createHash('sha256').update(JSON.stringify([client.clientId, client.clientSecret ?? null, client.clientAuth ?? null, scheme])).digest('hex');
  return `${tenantId}\0${tool}\0${schemeName}\0${clientDigest}`;
}

/** The server's own words when it gave them (RFC 6749 section 5.2, or the body of another status), the guard's refusal, or the failure. */
async function why(error: unknown, secretName: string): Promise<string> {
  const hint = (code: string | undefined) =>
    code === 'invalid_client' ? `; check clientId and clientSecret in secret ${secretName}` : code === 'invalid_grant' ? `; the refresh token in secret ${secretName} is no longer valid: obtain a new one and set it there` : '';
  if (error instanceof oauth.ResponseBodyError) return `the token endpoint answered ${error.status} ${error.error}${error.error_description ? ` (${error.error_description})` : ''}${hint(error.error)}`;
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const code = error.cause.map((challenge) => challenge.parameters.error).find((value) => value !== undefined);
    return `the token endpoint answered ${error.status} ${code ?? 'with an authentication challenge'}${hint(code ?? 'invalid_client')}`;
  }
  const answer = error instanceof oauth.OperationProcessingError ? (error.cause as { status?: unknown; text?: unknown } | undefined) : undefined;
  if (typeof answer?.status === 'number' && typeof answer.text === 'function') {
    // Not the error JSON of a 400 or 401: a 5xx, or an answer of another kind (a proxy's page).
    const body = await (answer as unknown as Response).text().catch(() => '');
    let words = body.slice(0, 300);
    try {
      const { error: code, error_description: description } = JSON.parse(body) as { error?: unknown; error_description?: unknown };
      if (typeof code === 'string') words = `${code}${typeof description === 'string' ? ` (${description})` : ''}`;
    } catch {
      // Not JSON: its text, cut, is what there is to say.
    }
    return `the token endpoint answered ${answer.status}${words ? ` ${words}` : ''}`;
  }
  const refused = egressErrorIn(error);
  if (refused) return refused.message;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
