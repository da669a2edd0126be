import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** What a browser script on an allowed origin may send, besides the CORS-safelisted headers. */
const allowedHeaders = ['authorization', 'x-api-key', 'content-type', 'idempotency-key'];
/** What it may read of an answer: where it stands with the rate limits, where a thing was made, a replay, why a 401. */
const exposedHeaders = ['ratelimit-policy', 'ratelimit', 'retry-after', 'location', 'idempotent-replayed', 'www-authenticate'];

/**
 * HTTP security headers on every answer (@fastify/helmet), and CORS for the origins in
 * CORS_ORIGINS (the console's) when set; without it no cross-origin browser script may read an
 * answer. Register before the routes.
 *
 * Helmet's defaults stand (CSP `default-src 'self'`, `script-src 'self'`, `object-src 'none'`,
 * `frame-ancestors 'self'`, nosniff, HSTS, no referrer...), and /docs works under them: Swagger UI
 * loads its scripts, styles and the document from this origin, and styles itself inline, which
 * the default `style-src 'self' https: 'unsafe-inline'` allows. Only `upgrade-insecure-requests`
 * goes: the gateway is often reached over plain HTTP (dev mode, inside a cluster), where it would
 * send the browser to an https:// port nobody listens on.
 *
 * With the console's single sign-on configured (`signInIssuer`), its page may also fetch from the
 * issuer's origin (`connect-src`): discovery, the token endpoint and its keys. Reaching the
 * provider's login page is a top-level navigation, which the CSP does not govern.
 *
 * CORS sends no credentials (keys travel in Authorization headers a script sets, never cookies),
 * so Access-Control-Allow-Credentials is never set.
 */
export async function protectAnswers(fastify: FastifyInstance, corsOrigins: readonly string[] | undefined, signInIssuer?: string): Promise<void> {
  const directives: Record<string, string[] | null> = { upgradeInsecureRequests: null };
  if (signInIssuer !== undefined) directives['connectSrc'] = ["'self'", new URL(signInIssuer).origin];
  await fastify.register(helmet, { contentSecurityPolicy: { directives } });
  if (!corsOrigins || corsOrigins.length === 0) return;
  await fastify.register(cors, {
    origin: [...corsOrigins],
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders,
    exposedHeaders,
    maxAge: 600,
  });
}
