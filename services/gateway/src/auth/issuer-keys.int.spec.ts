import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressGuard } from '@agent-orchestrator/egress';
import { waitFor } from '@agent-orchestrator/testing';
import { pino, type Logger } from 'pino';
import { isGatewayError } from '../errors.js';
import { newSigningKey, signedToken, type SigningKey } from './identity-provider-under-test.js';
import type { IssuerConfig } from './oidc-config.js';
import { TokenVerifier } from './tokens.js';

/** A discovery document and a JWKS served by plain HTTP servers whose every request the spec counts. */
interface KeyServers {
  readonly issuer: string;
  readonly requests: string[];
  /** What the JWKS endpoint answers: the keys, or a status. */
  jwks: SigningKey[] | number;
  close(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

/** The issuer on 127.0.0.1; its keys on `jwksHost` (another loopback address makes them another host). */
async function startKeyServers(jwksHost: string): Promise<KeyServers> {
  const requests: string[] = [];
  const state = { jwks: [] as SigningKey[] | number };
  const keys = createServer((request, response) => {
    requests.push(`jwks ${request.url}`);
    if (typeof state.jwks === 'number') return void response.writeHead(state.jwks).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.jwks.map((key) => key.publicJwk) }));
  });
  const jwksUri = `http://${jwksHost}:${await listen(keys, jwksHost)}/jwks`;
  const discovery = createServer((request, response) => {
    requests.push(`discovery ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: jwksUri }));
  });
  const issuer = `http://127.0.0.1:${await listen(discovery, '127.0.0.1')}`;
  const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    issuer,
    requests,
    get jwks() {
      return state.jwks;
    },
    set jwks(value) {
      state.jwks = value;
    },
    close: async () => {
      await closeServer(keys);
      await closeServer(discovery);
    },
  };
}

const audience = 'agent-orchestrator';

describe("an issuer's signing keys, fetched through the egress guard", () => {
  const logger: Logger = pino({ level: process.env.SPEC_LOG_LEVEL ?? 'silent' });
  let key: SigningKey;
  const servers: KeyServers[] = [];
  const guards: EgressGuard[] = [];

  beforeAll(async () => {
    key = await newSigningKey('current');
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    for (const guard of guards) await guard.close();
  });

  async function verifierFor(jwksHost: string, options: { operatorAllow?: string[]; cooldownMs?: number } = {}) {
    const server = await startKeyServers(jwksHost);
    server.jwks = [key];
    servers.push(server);
    const guard = new EgressGuard({ operatorAllow: options.operatorAllow ?? [] });
    guards.push(guard);
    const issuer: IssuerConfig = { issuer: server.issuer, audiences: [audience], tenantClaim: 'tenant', rolesClaim: 'roles', tenants: '*' };
    const verifier = new TokenVerifier({ issuers: [issuer], jwksCooldownMs: options.cooldownMs ?? 60_000 }, guard, logger);
    const token = (signer: SigningKey, kid?: string) => signedToken(signer, { iss: server.issuer, aud: audience, sub: 'svc', tenant: 'acme', exp: Math.floor(Date.now() / 1000) + 60 }, kid ? { kid } : {});
    return { server, verifier, token };
  }

  const refusalOf = async (verification: Promise<unknown>) => {
    const error = await verification.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!isGatewayError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
    return { code: error.code, message: error.message };
  };

  it('reaches an issuer on a loopback address: the issuer is trusted by configuration', async () => {
    const { verifier, token, server } = await verifierFor('127.0.0.1');
    await expect(verifier.verify(await token(key))).resolves.toMatchObject({ claims: { sub: 'svc', tenant: 'acme' } });
    expect(server.requests).toEqual(['discovery /.well-known/openid-configuration', 'jwks /jwks']);
  });

  it('refuses keys on another internal host unless EGRESS_ALLOW names it', async () => {
    const refused = await verifierFor('127.0.0.2');
    expect(await refusalOf(refused.verifier.verify(await refused.token(key)))).toMatchObject({ code: 'Unavailable', message: expect.stringContaining('could not be fetched') });
    expect(refused.server.requests).toEqual(['discovery /.well-known/openid-configuration']);

    const allowed = await verifierFor('127.0.0.2', { operatorAllow: ['127.0.0.2'] });
    await expect(allowed.verifier.verify(await allowed.token(key))).resolves.toMatchObject({ claims: { sub: 'svc' } });
  });

  it('fetches the keys again for an unknown kid, at most once per cooldown however many tokens name one', async () => {
    const cooldownMs = 2000;
    const { verifier, token, server } = await verifierFor('127.0.0.1', { cooldownMs });
    const jwksFetches = () => server.requests.filter((request) => request.startsWith('jwks')).length;
    const stranger = await newSigningKey('stranger');
    const unknownKid = async (attempt: number) => (await refusalOf(verifier.verify(await token(stranger, `unknown-${attempt}`)))).message;
    const burst = async () => {
      const started = Date.now();
      for (let attempt = 0; attempt < 20; attempt++) expect(await unknownKid(attempt)).toMatch(/^Unknown key/);
      return Date.now() - started;
    };
    await verifier.verify(await token(key));
    // Within the cooldown after the first fetch: no token makes the gateway ask again.
    expect(await burst()).toBeLessThan(cooldownMs);
    expect(jwksFetches()).toBe(1);
    // Past it, an unknown kid is fetched for, once; then the cooldown holds again.
    await waitFor('an unknown kid to fetch the keys again', async () => (await unknownKid(-1), jwksFetches() === 2), { timeoutMs: 10_000, intervalMs: 50 });
    expect(await burst()).toBeLessThan(cooldownMs);
    expect(jwksFetches()).toBe(2);
  });

  it('does not ask again within the cooldown after a failed fetch', async () => {
    const { verifier, token, server } = await verifierFor('127.0.0.1');
    server.jwks = 503;
    for (let attempt = 0; attempt < 5; attempt++) expect(await refusalOf(verifier.verify(await token(key)))).toMatchObject({ code: 'Unavailable' });
    expect(server.requests.filter((request) => request.startsWith('jwks'))).toHaveLength(1);
  });
});
