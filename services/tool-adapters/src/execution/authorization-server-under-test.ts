import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import Provider from 'oidc-provider';

/** The resource indicator (RFC 8707) of the API under test: its access tokens are JWTs for `audience`. */
const resource = 'urn:pets-api';
const audience = 'pets-api';

export const machineClient = { clientId: 'machine', clientSecret: `machine-${randomBytes(8).toString('hex')}` };
/** A client that must send its secret in the form body (client_secret_post), not by HTTP basic. */
export const formClient = { clientId: 'former', clientSecret: `former-${randomBytes(8).toString('hex')}`, clientAuth: 'client_secret_post' as const };
export const personClient = { clientId: 'person', clientSecret: `person-${randomBytes(8).toString('hex')}` };

/** The provider's models this helper uses to issue a refresh token (oidc-provider ships no types; see the gateway's declaration). */
interface ProviderModels {
  Client: { find(id: string): Promise<unknown> };
  Grant: new (init: { accountId: string; clientId: string }) => { addResourceScope(resource: string, scope: string): void; save(): Promise<string> };
  RefreshToken: new (init: Record<string, unknown>) => { save(): Promise<string> };
}

export interface AuthorizationServerUnderTest {
  readonly issuer: string;
  /** Token requests by grant type, and discovery document reads, since the server started. */
  readonly tokenRequests: Record<string, number>;
  readonly discoveryRequests: number;
  /** While true, the token endpoint answers 503 temporarily_unavailable, as a server under maintenance does. */
  unavailable: boolean;
  /** A refresh token for the `person` client (as an admin would obtain once by signing in), for scope `api`. */
  refreshToken(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real OAuth 2 / OpenID Connect provider (oidc-provider) on 127.0.0.1: clients `machine` (HTTP
 * basic) and `former` (secret in the form) may use the client-credentials grant, client `person` the refresh-token grant (refresh tokens rotate on
 * every use, and a used one is refused); access tokens are RS256 JWTs for the pets API, valid
 * 600 s. It counts what it is asked, so specs can say how many tokens were fetched.
 */
export async function startAuthorizationServer(): Promise<AuthorizationServerUnderTest> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  // The provider warns at construction that its in-memory store is for development: it is what a test wants.
  const warn = console.warn;
  console.warn = () => undefined;
  let provider: Provider;
  try {
    provider = new Provider(issuer, {
      clients: [
        { client_id: machineClient.clientId, client_secret: machineClient.clientSecret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api' },
        {
          client_id: formClient.clientId,
          client_secret: formClient.clientSecret,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'api',
        },
        { client_id: personClient.clientId, client_secret: personClient.clientSecret, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: ['http://127.0.0.1/callback'], scope: 'api' },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'pets', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      scopes: ['openid', 'offline_access', 'api'],
      rotateRefreshToken: true,
      ttl: { ClientCredentials: 600, AccessToken: 600, RefreshToken: 3600, Grant: 3600 },
      features: {
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resource,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'api', audience, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
      findAccount: (_context: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    });
  } finally {
    console.warn = warn;
  }
  const tokenRequests: Record<string, number> = {};
  let discoveryRequests = 0;
  const state = { unavailable: false };
  const handle = provider.callback();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/.well-known/openid-configuration') discoveryRequests++;
    if (request.method === 'POST' && request.url === '/token') {
      // Read the grant type without consuming the body the provider reads.
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const grant = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('grant_type') ?? 'none';
        tokenRequests[grant] = (tokenRequests[grant] ?? 0) + 1;
        if (state.unavailable) response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'down for maintenance' }));
      });
      if (state.unavailable) return;
    }
    handle(request, response);
  });
  return {
    issuer,
    tokenRequests,
    get discoveryRequests() {
      return discoveryRequests;
    },
    get unavailable() {
      return state.unavailable;
    },
    set unavailable(value: boolean) {
      state.unavailable = value;
    },
    async refreshToken() {
      const models = provider as unknown as ProviderModels;
      const client = await models.Client.find(personClient.clientId);
      const grant = new models.Grant({ accountId: 'ada', clientId: personClient.clientId });
      grant.addResourceScope(resource, 'api');
      const grantId = await grant.save();
      return new models.RefreshToken({ accountId: 'ada', client, grantId, scope: 'api', resource, gty: 'authorization_code' }).save();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface PetsApiUnderTest {
  readonly baseUrl: string;
  /** Every request: its path and the bearer token it carried. */
  readonly requests: { path: string; token: string | undefined }[];
  /** Tokens answered with 401 from now on, as a server does with a revoked token. */
  readonly revoked: Set<string>;
  close(): Promise<void>;
}

/**
 * The API the tool calls: it accepts only access tokens the authorization server signed for it
 * (checked against the keys the server publishes, issuer, audience, expiry and scope) and answers 401
 * otherwise. `/pets` echoes the token back, as a careless server might; `/locked` always says 401.
 */
export async function startPetsApi(authorization: { issuer: string }): Promise<PetsApiUnderTest> {
  const keys = createRemoteJWKSet(new URL(`${authorization.issuer}/jwks`));
  const requests: { path: string; token: string | undefined }[] = [];
  const revoked = new Set<string>();
  const server: Server = createServer((request, response) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const path = request.url ?? '';
    requests.push({ path, token });
    const refuse = (why: string) => void response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer error="invalid_token"' }).end(why);
    if (token === undefined) return refuse('no bearer token');
    if (revoked.has(token) || path === '/locked') return refuse(`token ${token} is not accepted`);
    jwtVerify(token, keys, { issuer: authorization.issuer, audience })
      .then(({ payload }) => {
        if (!String(payload.scope ?? '').split(' ').includes('api')) return refuse('the token lacks scope api');
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pets: ['Rex'], client: payload.client_id, sub: payload.sub, echo: request.headers.authorization }));
      })
      .catch((error: Error) => refuse(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    revoked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
