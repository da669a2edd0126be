import { randomBytes } from 'node:crypto';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import type { GatewayConfig } from './config.js';
import { startGateway, type GatewayUnderTest } from './gateway-under-test.js';

const adminKey = randomBytes(32).toString('base64url');
const console = 'https://console.example.com';

function configFor(db: TestSchema, corsOrigins?: readonly string[]): GatewayConfig {
  return {
    databaseUrl: db.connectionString,
    port: 0,
    schema: db.schema,
    bootstrapAdminApiKey: adminKey,
    bootstrapTenant: 'acme',
    maxBodyBytes: 1024 * 1024,
    rateLimits: { principalPerMinute: 1000, authFailuresPerMinute: 1000 },
    ...(corsOrigins ? { corsOrigins } : {}),
  };
}

/** The CSP as directive -> sources. */
function policyOf(header: string | null): Map<string, string[]> {
  return new Map((header ?? '').split(';').map((directive) => directive.trim().split(/\s+/)).filter((parts) => parts[0]).map(([name, ...sources]) => [name!, sources]));
}

describe('security headers and CORS', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  let withoutCors: GatewayUnderTest;

  beforeAll(async () => {
    db = await createTestSchema('gateway_security_headers');
    gateway = await startGateway(configFor(db, [console, 'http://localhost:5173']), { logger: pino({ level: 'silent' }), database: await db.tenantDatabase() });
    withoutCors = await startGateway(configFor(db), { logger: pino({ level: 'silent' }), database: await db.tenantDatabase() });
  });
  afterAll(async () => {
    await gateway?.close();
    await withoutCors?.close();
    await db?.dispose();
  });

  it('sends the security headers on every answer: API, problem and docs alike', async () => {
    for (const answer of [await gateway.call('GET', '/v1/api-keys', { key: adminKey }), await gateway.call('GET', '/v1/api-keys'), await gateway.call('GET', '/docs')]) {
      expect(Object.fromEntries(['x-content-type-options', 'x-frame-options', 'referrer-policy', 'strict-transport-security', 'cross-origin-opener-policy'].map((name) => [name, answer.headers.get(name)]))).toEqual({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
        'cross-origin-opener-policy': 'same-origin',
      });
      const policy = policyOf(answer.headers.get('content-security-policy'));
      expect(Object.fromEntries(['default-src', 'script-src', 'object-src', 'frame-ancestors'].map((name) => [name, policy.get(name)]))).toEqual({
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'object-src': ["'none'"],
        'frame-ancestors': ["'self'"],
      });
      expect(policy.has('upgrade-insecure-requests')).toBe(false);
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('keeps /docs working under its CSP: every script and stylesheet is served from this origin, no script is inline', async () => {
    const page = await gateway.call('GET', '/docs');
    expect(page.status).toBe(200);
    // The page styles itself inline (a <style> block, style attributes), which style-src allows.
    expect(page.text).toContain('<style>');
    expect(policyOf(page.headers.get('content-security-policy')).get('style-src')).toContain("'unsafe-inline'");
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim()).toBe('');
      expect(attributes).toMatch(/src=["'](?!https?:|\/\/)/);
    }
    const assets = [...page.text.matchAll(/<(?:script|link)[^>]*(?:src|href)=["']([^"']+)["']/g)].map(([, path]) => path!);
    expect(assets).toEqual(expect.arrayContaining([expect.stringContaining('swagger-ui-init.js'), expect.stringContaining('swagger-ui.css')]));
    for (const asset of assets) {
      const served = await fetch(new URL(asset, `${gateway.url}/docs`)); // as the browser resolves it from the page
      expect({ asset, status: served.status }).toEqual({ asset, status: 200 });
    }
    // The init script fetches the document from this origin, which connect-src (default-src 'self') allows.
    expect((await gateway.call('GET', '/docs/json')).status).toBe(200);
  });

  it("answers the console's preflight, exposing the rate-limit, Retry-After, Location and replay headers, without credentials", async () => {
    const preflight = await fetch(`${gateway.url}/v1/sessions`, {
      method: 'OPTIONS',
      headers: { origin: console, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(console);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.split(/,\s*/)).toEqual(expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']));
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const answer = await gateway.call('GET', '/v1/api-keys', { key: adminKey, headers: { origin: console } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(console);
    expect(answer.headers.get('access-control-expose-headers')?.split(/,\s*/)).toEqual(expect.arrayContaining(['ratelimit-policy', 'ratelimit', 'retry-after', 'location', 'idempotent-replayed']));
    expect(answer.headers.get('vary')).toMatch(/origin/i);
  });

  it('refuses any other origin, and every origin when CORS_ORIGINS is unset', async () => {
    const preflight = (on: GatewayUnderTest, origin: string) =>
      fetch(`${on.url}/v1/sessions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    for (const [on, origin] of [
      [gateway, 'https://evil.example.com'],
      [gateway, 'https://console.example.com.evil.example'],
      [withoutCors, console],
    ] as const) {
      const answer = await preflight(on, origin);
      expect({ origin, allowOrigin: answer.headers.get('access-control-allow-origin') }).toEqual({ origin, allowOrigin: null });
    }
    const read = await gateway.call('GET', '/v1/api-keys', { key: adminKey, headers: { origin: 'https://evil.example.com' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("lets the console's page fetch from its single sign-on issuer, and only when one is configured", async () => {
    expect(policyOf((await gateway.call('GET', '/healthz')).headers.get('content-security-policy')).has('connect-src')).toBe(false);
    const consoleSignIn = { issuer: 'https://idp.example.com/realms/acme', clientId: 'console', scopes: 'openid' };
    const withSignIn = await startGateway({ ...configFor(db), consoleSignIn }, { logger: pino({ level: 'silent' }), database: await db.tenantDatabase() });
    try {
      const policy = policyOf((await withSignIn.call('GET', '/healthz')).headers.get('content-security-policy'));
      expect(policy.get('connect-src')).toEqual(["'self'", 'https://idp.example.com']);
      expect(policy.get('default-src')).toEqual(["'self'"]);
    } finally {
      await withSignIn.close();
    }
  });
});
