import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

/** A signing key the provider publishes, with its private half so a spec can also sign tokens of its own. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const published = { kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, privateJwk: { ...(await exportJWK(privateKey)), ...published }, publicJwk: { ...(await exportJWK(publicKey)), ...published }, publicPem: await exportSPKI(publicKey) };
}

/** A token signed by the spec itself with `key` (the provider's, or another), for the cases a real provider would never issue. */
export async function signedToken(key: SigningKey, claims: JWTPayload, header: { kid?: string } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: header.kid ?? key.kid }).sign(key.privateKey);
}

export interface IdentityProviderUnderTest {
  readonly issuer: string;
  /** The claims each user (by login) and each client-credentials client (by client id) gets in its access tokens. */
  readonly claims: Readonly<Record<string, JWTPayload>>;
  /** How many times the JWKS was fetched since the provider started. */
  readonly jwksRequests: number;
  /** An access token for `clientId` by the client credentials grant. */
  serviceToken(clientId: string): Promise<string>;
  /** An access token for the user `login` by the authorization code flow, driven through the provider's dev login and consent pages. */
  userToken(login: string): Promise<string>;
  /** Restarts the provider on the same address with `keys` (the first signs): a key rotation as clients see it. */
  rotate(keys: readonly SigningKey[]): void;
  close(): Promise<void>;
}

const resource = 'urn:agent-orchestrator:api';
const redirectUri = 'http://127.0.0.1/callback';
const consoleClient = { id: 'console', secret: 'console-secret' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function providerFor(issuer: string, audience: string, keys: readonly SigningKey[], claims: Readonly<Record<string, JWTPayload>>): Provider {
  // The provider warns at construction that its in-memory store and dev login pages are for development: they are what a test wants.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return new Provider(issuer, {
      clients: [
        { client_id: consoleClient.id, client_secret: consoleClient.secret, grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [redirectUri], scope: 'openid api' },
        ...Object.keys(claims).map((id) => ({ client_id: id, client_secret: `${id}-secret`, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api' })),
      ],
      jwks: { keys: keys.map((key) => key.privateJwk) },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      scopes: ['openid', 'api'],
      ttl: { AccessToken: 300, ClientCredentials: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600, IdToken: 300 },
      features: {
        clientCredentials: { enabled: true },
        devInteractions: { enabled: true },
        // JWT access tokens for the API as a resource server (RFC 8707 and RFC 9068).
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resource,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'api', audience, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
      findAccount: (_context: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
      extraTokenClaims: (_context: unknown, token: { accountId?: string; clientId?: string }) => claims[token.accountId ?? token.clientId ?? ''],
    });
  } finally {
    console.warn = warn;
  }
}

/** The headless browser of the authorization code flow: follows redirects by hand, keeps cookies, submits the login and consent forms. */
async function authorizationCode(issuer: string, login: string): Promise<{ code: string; verifier: string }> {
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, issuer), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = { client_id: consoleClient.id, response_type: 'code', scope: 'openid api', redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', resource, state: 's' };
  let response = await go(`/auth?${new URLSearchParams(query)}`);
  for (let step = 0; step < 12; step++) {
    const location = response.headers.get('location');
    if (location?.startsWith(redirectUri)) {
      const code = new URL(location).searchParams.get('code');
      if (code) return { code, verifier };
      throw new Error(`the provider refused the authorization: ${location}`);
    }
    if (location) {
      response = await go(location);
      continue;
    }
    const page = await response.text();
    const action = /action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
    if (!action || !prompt) throw new Error(`unexpected page from the provider (${response.status}): ${page.slice(0, 200)}`);
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
    response = await go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  }
  throw new Error('the authorization code flow did not end in 12 steps');
}

async function tokenFrom(issuer: string, client: { id: string; secret: string }, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, resource }),
  });
  const answer = (await response.json()) as { access_token?: string; error_description?: string };
  if (!answer.access_token) throw new Error(`the provider gave no token (${response.status}): ${answer.error_description}`);
  return answer.access_token;
}

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1, issuing JWT access tokens for `audience`
 * with the given claims: by client credentials to one client per `claims` key, and by the
 * authorization code flow to users of any login.
 */
export async function startIdentityProvider(options: { audience: string; keys: readonly SigningKey[]; claims: Record<string, JWTPayload> }): Promise<IdentityProviderUnderTest> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let jwksRequests = 0;
  const serve = (keys: readonly SigningKey[]) => {
    const handle = providerFor(issuer, options.audience, keys, options.claims).callback();
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (request.url?.startsWith('/jwks')) jwksRequests++;
      handle(request, response);
    });
  };
  serve(options.keys);
  return {
    issuer,
    claims: options.claims,
    get jwksRequests() {
      return jwksRequests;
    },
    serviceToken: (clientId) => tokenFrom(issuer, { id: clientId, secret: `${clientId}-secret` }, { grant_type: 'client_credentials', scope: 'api' }),
    async userToken(login) {
      const { code, verifier } = await authorizationCode(issuer, login);
      return tokenFrom(issuer, consoleClient, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    },
    rotate: serve,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
