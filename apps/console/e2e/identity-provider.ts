import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export interface ConsoleIdentityProvider {
  readonly issuer: string;
  /** Registers the console at `consoleUrl` as a public client and starts answering; until then every request is 503. */
  serve(consoleUrl: string): Promise<void>;
  /** How many token requests came from a browser (an Origin header): the console's own exchange. */
  readonly browserTokenRequests: number;
  close(): Promise<void>;
}

/** The resource indicator of the orchestrator's API (RFC 8707): access tokens for it are JWTs with `audience`. */
const resource = 'urn:agent-orchestrator:api';

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 for the console's single sign-on: a public
 * client `console` (no secret, PKCE required) redirecting to `<console>/sign-in/callback`, its dev
 * login and consent pages (any login, any password), and JWT access tokens for `audience`
 * carrying `claims[login]`. The address is known before the console, which needs it to start.
 */
export async function startConsoleIdentityProvider(options: { audience: string; claims: Record<string, JWTPayload> }): Promise<ConsoleIdentityProvider> {
  const server = createServer((_request, response) => void response.writeHead(503).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browserTokenRequests = 0;
  return {
    issuer,
    get browserTokenRequests() {
      return browserTokenRequests;
    },
    async serve(consoleUrl) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      // The provider warns that its in-memory store and dev pages are for development: they are what a test wants.
      const warn = console.warn;
      console.warn = () => undefined;
      let provider: Provider;
      try {
        provider = new Provider(issuer, {
          clients: [
            {
              client_id: 'console',
              token_endpoint_auth_method: 'none',
              grant_types: ['authorization_code'],
              response_types: ['code'],
              redirect_uris: [`${consoleUrl}/sign-in/callback`],
              post_logout_redirect_uris: [`${consoleUrl}/`],
              scope: 'openid api',
            },
          ],
          jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'console-e2e', alg: 'RS256', use: 'sig' }] },
          cookies: { keys: [randomBytes(16).toString('hex')] },
          scopes: ['openid', 'api'],
          pkce: { required: () => true },
          clientBasedCORS: (_context: unknown, origin: string) => origin === new URL(consoleUrl).origin,
          ttl: { AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600, IdToken: 300 },
          features: {
            devInteractions: { enabled: true },
            resourceIndicators: {
              enabled: true,
              defaultResource: () => resource,
              useGrantedResource: () => true,
              getResourceServerInfo: () => ({ scope: 'api', audience: options.audience, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'RS256' } } }),
            },
          },
          findAccount: (_context: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
          extraTokenClaims: (_context: unknown, token: { accountId?: string }) => options.claims[token.accountId ?? ''],
        });
      } finally {
        console.warn = warn;
      }
      const handle = provider.callback();
      server.removeAllListeners('request');
      server.on('request', (request: IncomingMessage, response: ServerResponse) => {
        if (request.method === 'POST' && request.url?.startsWith('/token') && request.headers.origin) browserTokenRequests++;
        handle(request, response);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
