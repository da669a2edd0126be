import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { newSigningKey, signedToken, startIdentityProvider, type IdentityProviderUnderTest, type SigningKey } from './auth/identity-provider-under-test.js';
import { startSignInFixture, type SignInFixture } from './auth/sign-in-under-test.js';
import { upgradeStatus } from './e2e/hostile-input.behaviour.js';
import type { Answer } from './gateway-under-test.js';

const audience = 'agent-orchestrator';

/** The first `{event}` the live WebSocket sends; a WebSocket takes its headers here as browsers never can. */
function firstLiveEvent(url: string, headers: Record<string, string> = {}): Promise<{ tenantId: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers } as unknown as string[]);
    socket.addEventListener('message', (message) => {
      resolve((JSON.parse(String(message.data)) as { event: { tenantId: string } }).event);
      socket.close();
    });
    socket.addEventListener('error', () => reject(new Error(`the WebSocket ${url} failed`)));
  });
}

function expectRefusal(answer: Answer, reason: RegExp): void {
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.json).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-token', detail: expect.stringMatching(reason) });
  const challenge = answer.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="agent-orchestrator", error="invalid_token", error_description="[^"]+"$/);
  expect(challenge).toMatch(reason);
}

describe('sign-in with an identity provider (a real OpenID provider, oidc-provider, on loopback)', () => {
  let db: TestSchema;
  let fixture: SignInFixture;
  /** Speaks for tenant acme only; claims `tenant` and `roles`. */
  let acmeIdp: IdentityProviderUnderTest;
  /** Keycloak-like: `organization` names the tenant, `realm_access.roles` the roles; speaks for globex only. */
  let orgIdp: IdentityProviderUnderTest;
  let acmeKey: SigningKey;
  const get = (path: string, key: string) => fixture.gateway.call('GET', path, { key });
  /** A route that reads the log: 200 for a session of the caller's tenant, 404 for any other. */
  const eventsOf = async (tenantId: string, key: string) => get(`/v1/sessions/${await fixture.sessionOf(tenantId)}/events`, key);
  const validClaims = (): JWTPayload => ({ iss: acmeIdp.issuer, aud: audience, sub: 'alice', tenant: 'acme', roles: ['viewer'], exp: Math.floor(Date.now() / 1000) + 300 });

  beforeAll(async () => {
    acmeKey = await newSigningKey('acme-1');
    acmeIdp = await startIdentityProvider({
      audience,
      keys: [acmeKey],
      claims: {
        ci: { tenant: 'acme', roles: ['operator'] },
        alice: { tenant: 'acme', roles: ['viewer'] },
        bob: { tenant: 'acme', roles: ['crm-admins', 'not-a-platform-role'] },
        intruder: { tenant: 'globex', roles: ['admin'] },
        orphan: { roles: ['admin'] },
      },
    });
    orgIdp = await startIdentityProvider({
      audience,
      keys: [await newSigningKey('org-1')],
      claims: {
        carol: { organization: { globex: { id: 'org-7' } }, realm_access: { roles: ['approver'] } },
        dave: { organization: ['globex', 'acme'], realm_access: { roles: ['viewer'] } },
        erin: { organization: ['initech'], realm_access: { roles: ['viewer'] } },
      },
    });
    db = await createTestSchema('gateway_sign_in');
    fixture = await startSignInFixture(db, {
      jwksCooldownMs: 1000,
      issuers: [
        { issuer: acmeIdp.issuer, audiences: [audience], tenantClaim: 'tenant', rolesClaim: 'roles', tenants: ['acme'] },
        { issuer: orgIdp.issuer, audiences: ['other-api', audience], tenantClaim: 'organization', rolesClaim: 'roles', tenants: '*' },
      ],
    });
    // acme exists by its bootstrap key; globex is made by the platform admin, initech never.
    expect((await fixture.gateway.call('POST', '/v1/tenants', { key: fixture.platformAdminKey, body: { tenantId: 'globex', name: 'Globex' } })).status).toBe(201);
  });
  afterAll(async () => {
    await fixture?.close();
    await db?.dispose();
    await acmeIdp?.close();
    await orgIdp?.close();
  });

  it('takes a service token from the client credentials grant on REST, with the roles it carries', async () => {
    const token = await acmeIdp.serviceToken('ci');
    expect((await eventsOf('acme', token)).status).toBe(200);
    expect((await eventsOf('globex', token)).status).toBe(404);
    const keys = await get('/v1/api-keys', token);
    expect(keys.status).toBe(403);
    expect(keys.json).toMatchObject({ detail: expect.stringContaining('(operator)') });
  });

  it('takes a user token from the authorization code flow on REST', async () => {
    const token = await acmeIdp.userToken('alice');
    expect((await eventsOf('acme', token)).status).toBe(200);
    expect((await get('/v1/api-keys', token)).status).toBe(403);
  });

  it("reads Keycloak Organizations' organization claim and realm_access.roles", async () => {
    const token = await orgIdp.userToken('carol');
    expect((await eventsOf('globex', token)).status).toBe(200);
    expect((await eventsOf('acme', token)).status).toBe(404);
    const globexSession = await fixture.sessionOf('globex');
    expect(await firstLiveEvent(fixture.liveUrl(globexSession), { authorization: `Bearer ${token}` })).toMatchObject({ tenantId: 'globex' });
    // The tenant is the token's: a session of another tenant reads as one that does not exist.
    expect((await upgradeStatus(fixture.liveUrl(await fixture.sessionOf('acme')), { authorization: `Bearer ${token}` })).status).toBe(404);
  });

  it("maps the provider's role names through the tenant's role mapping, each version recorded on its admin stream", async () => {
    const bob = await acmeIdp.userToken('bob');
    expect((await get('/v1/api-keys', bob)).json).toMatchObject({ status: 403, detail: expect.stringContaining('(none)') });
    expect((await get('/v1/role-mapping', fixture.adminKey)).json).toEqual({ version: 0, mapping: {}, setAt: null, setBy: null });
    expect((await get('/v1/role-mapping', bob)).status).toBe(403);

    const refused = await fixture.gateway.call('PUT', '/v1/role-mapping', { key: fixture.adminKey, body: { mapping: { 'crm-admins': ['root'] } } });
    expect(refused.status).toBe(422);
    const set = await fixture.gateway.call('PUT', '/v1/role-mapping', { key: fixture.adminKey, body: { mapping: { 'crm-admins': ['admin'], sre: ['operator', 'approver'] } } });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ version: 1, mapping: { 'crm-admins': ['admin'], sre: ['operator', 'approver'] }, setBy: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    expect((await get('/v1/api-keys', bob)).status).toBe(200);
    const created = await fixture.gateway.call('POST', '/v1/api-keys', { key: bob, body: { name: 'made by bob', roles: ['viewer'] } });
    expect(created.json).toMatchObject({ createdBy: `token:${acmeIdp.issuer}#bob` });
    const adminEvents = await fixture.store.readStream('admin-acme');
    expect(adminEvents.filter((event) => event.type === 'RoleMappingSet')).toEqual([
      expect.objectContaining({ tenantId: 'acme', actor: { kind: 'user', id: `key:${(set.json as { setBy: string }).setBy}` }, data: { version: 1, mapping: { 'crm-admins': ['admin'], sre: ['operator', 'approver'] } } }),
    ]);
    // Another tenant's mapping is its own: carol (globex) gains nothing from acme's.
    expect((await get('/v1/role-mapping', await orgIdp.userToken('carol'))).status).toBe(403);
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['an expired token', () => signedToken(acmeKey, { ...validClaims(), exp: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    ['a token for another audience', () => signedToken(acmeKey, { ...validClaims(), aud: 'billing-api' }), /wrong audience/],
    ['a token from an issuer this gateway does not trust', () => signedToken(acmeKey, { ...validClaims(), iss: 'https://idp.elsewhere.example' }), /Unknown issuer/],
    ['an unsigned token (alg none)', async () => new UnsecuredJWT(validClaims()).encode(), /algorithm is not allowed/],
    ['an HS256 token keyed with the provider\'s public key', () => new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid: acmeKey.kid }).sign(new TextEncoder().encode(acmeKey.publicPem)), /algorithm is not allowed/],
    ['a token signed by another key under the provider\'s kid', async () => signedToken(await newSigningKey(acmeKey.kid), validClaims()), /Bad signature/],
    ['a token without a tenant claim', () => acmeIdp.serviceToken('orphan'), /No tenant claim/],
    ['a token for a tenant its issuer may not speak for', () => acmeIdp.serviceToken('intruder'), /Tenant not allowed for this issuer/],
    ['an organization claim naming two tenants', () => orgIdp.userToken('dave'), /exactly one tenant.*ambiguous/],
    ['a tenant the platform does not have', () => orgIdp.userToken('erin'), /Tenant unknown: this platform has no tenant initech/],
  ])('refuses %s with 401 saying why, on REST and on the WebSocket', async (_, token, reason) => {
    const presented = await token();
    expectRefusal(await eventsOf('acme', presented), reason);
    const live = await upgradeStatus(fixture.liveUrl(await fixture.sessionOf('acme'), { access_token: presented }));
    expect(live.status).toBe(401);
    expect(JSON.parse(live.body)).toMatchObject({ type: 'urn:agent-orchestrator:problem:invalid-token', detail: expect.stringMatching(reason) });
  });

  it('opens the live WebSocket with a token in the Authorization header or as ?access_token=', async () => {
    const sessionId = await fixture.sessionOf('acme');
    expect(await firstLiveEvent(fixture.liveUrl(sessionId), { authorization: `Bearer ${await acmeIdp.serviceToken('ci')}` })).toMatchObject({ tenantId: 'acme' });
    expect(await firstLiveEvent(fixture.liveUrl(sessionId, { access_token: await acmeIdp.userToken('alice') }))).toMatchObject({ tenantId: 'acme' });
  });

  it('opens the live WebSocket once per ticket; a used or expired ticket is refused saying so', async () => {
    const alice = await acmeIdp.userToken('alice');
    const sessionId = await fixture.sessionOf('acme');
    const issued = await fixture.gateway.call('POST', '/v1/ws-tickets', { key: alice });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const { ticket, expiresAt } = issued.json as { ticket: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
    expect(await firstLiveEvent(fixture.liveUrl(sessionId, { ticket }))).toMatchObject({ tenantId: 'acme' });
    const reused = await upgradeStatus(fixture.liveUrl(sessionId, { ticket }));
    expect(reused.status).toBe(401);
    expect(JSON.parse(reused.body)).toMatchObject({ detail: expect.stringMatching(/already been used/) });

    const late = (await fixture.gateway.call('POST', '/v1/ws-tickets', { key: alice })).json as { ticket: string };
    await db.pool.query(`UPDATE "${db.schema}".ws_tickets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    expect(JSON.parse((await upgradeStatus(fixture.liveUrl(sessionId, { ticket: late.ticket }))).body)).toMatchObject({ status: 401, detail: expect.stringMatching(/expired/) });

    // A ticket carries its tenant: acme's ticket finds no globex session.
    const acmeTicket = (await fixture.gateway.call('POST', '/v1/ws-tickets', { key: alice })).json as { ticket: string };
    expect((await upgradeStatus(fixture.liveUrl(await fixture.sessionOf('globex'), { ticket: acmeTicket.ticket }))).status).toBe(404);
  });

  it("refuses a suspended tenant's tokens with 403, as its keys, on REST and the WebSocket", async () => {
    const carol = await orgIdp.userToken('carol');
    const session = await fixture.sessionOf('globex');
    expect((await fixture.gateway.call('POST', '/v1/tenants/globex/suspend', { key: fixture.platformAdminKey, body: {} })).status).toBe(200);
    try {
      expect((await get(`/v1/sessions/${session}/events`, carol)).json).toMatchObject({ status: 403, detail: expect.stringMatching(/tenant globex is suspended/) });
      expect((await upgradeStatus(fixture.liveUrl(session), { authorization: `Bearer ${carol}` })).status).toBe(403);
    } finally {
      expect((await fixture.gateway.call('POST', '/v1/tenants/globex/resume', { key: fixture.platformAdminKey })).status).toBe(200);
    }
  });

  it('picks up a key rotation at the provider without a restart, and refuses the rotated-out key', async () => {
    const rotatedIn = await newSigningKey('acme-2');
    acmeIdp.rotate([rotatedIn]);
    const token = await acmeIdp.serviceToken('ci');
    const fetchesBefore = acmeIdp.jwksRequests;
    // Unknown to the gateway's cached keys: refused until the cooldown since its last fetch has passed, then fetched once.
    await waitFor('the gateway to accept a token signed with the new key', async () => (await get('/v1/agents', token)).status === 200, { timeoutMs: 15_000, intervalMs: 100 });
    expect(acmeIdp.jwksRequests - fetchesBefore).toBe(1);
    expectRefusal(await get('/v1/agents', await signedToken(acmeKey, validClaims())), /Unknown key.*acme-1/);
  });
});
