import { randomUUID } from 'node:crypto';
import { ApprovalsProjection, ParkedCallsProjection, openReadModels, SessionsProjection, type ReadModels } from '@agent-orchestrator/read-models';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { newSigningKey, startIdentityProvider, type IdentityProviderUnderTest } from './auth/identity-provider-under-test.js';
import { startSignInFixture, type SignInFixture } from './auth/sign-in-under-test.js';

const audience = 'agent-orchestrator';

/** GET /v1/sign-in, GET /v1/me and GET /v1/sessions/summary: what the console asks before and right after signing in. */
describe('who is calling, how to sign in, and the sessions at a glance', () => {
  let db: TestSchema;
  let otherDb: TestSchema;
  let idp: IdentityProviderUnderTest;
  let fixture: SignInFixture;
  let withoutSignIn: SignInFixture;
  let readModels: ReadModels;
  const get = (path: string, key?: string) => fixture.gateway.call('GET', path, key === undefined ? {} : { key });
  const createKey = async (body: Record<string, unknown>) => (await fixture.gateway.call('POST', '/v1/api-keys', { key: fixture.adminKey, body: { name: `key ${randomUUID()}`, ...body } })).json as { apiKey: string; keyId: string };

  beforeAll(async () => {
    idp = await startIdentityProvider({ audience, keys: [await newSigningKey('acme-1')], claims: { ci: { tenant: 'acme', roles: ['operator', 'viewer'] } } });
    db = await createTestSchema('gateway_caller');
    const oidc = { jwksCooldownMs: 1000, issuers: [{ issuer: idp.issuer, audiences: [audience], tenantClaim: 'tenant', rolesClaim: 'roles', tenants: '*' as const }] };
    fixture = await startSignInFixture(db, oidc, { consoleSignIn: { issuer: idp.issuer, clientId: 'console', scopes: 'openid api' } });
    otherDb = await createTestSchema('gateway_caller_keys');
    withoutSignIn = await startSignInFixture(otherDb, oidc);
    // The read models as their projections make them, in the schema the gateway reads.
    readModels = await openReadModels({ url: db.connectionString, schema: `${db.schema}_read` });
    await readModels.dataSource.transaction(async (manager) => {
      await new SessionsProjection(readModels.sessions).setUp(manager);
      await new ApprovalsProjection(`${db.schema}_read`).setUp(manager);
      await new ParkedCallsProjection(`${db.schema}_read`).setUp(manager);
    });
  });
  afterAll(async () => {
    await readModels?.close();
    await fixture?.close();
    await withoutSignIn?.close();
    await db?.dispose();
    await otherDb?.dispose();
    await idp?.close();
  });

  it("tells anyone, without a key, the console's single sign-on, or that there is none", async () => {
    const options = await get('/v1/sign-in');
    expect(options.status).toBe(200);
    expect(options.json).toEqual({ oidc: { issuer: idp.issuer, clientId: 'console', scopes: 'openid api' } });
    expect((await withoutSignIn.gateway.call('GET', '/v1/sign-in')).json).toEqual({ oidc: null });
  });

  it('answers any role who it is: tenant, subject, roles, the key and when it stops working', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const auditor = await createKey({ roles: ['auditor'], expiresAt });
    const answer = await get('/v1/me', auditor.apiKey);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.json).toEqual({ tenantId: 'acme', subject: auditor.keyId, roles: ['auditor'], via: 'apiKey', keyId: auditor.keyId, expiresAt });
    const admin = (await get('/v1/me', fixture.adminKey)).json as { roles: string[]; expiresAt: string | null };
    expect(admin).toMatchObject({ tenantId: 'acme', roles: ['admin'], expiresAt: null });
  });

  it("tells a replaced secret's end of overlap as its expiry", async () => {
    const viewer = await createKey({ roles: ['viewer'] });
    const rotated = await fixture.gateway.call('POST', `/v1/api-keys/${viewer.keyId}/rotate`, { key: fixture.adminKey, body: { overlapSeconds: 600 } });
    const { previousSecretValidUntil, apiKey } = rotated.json as { previousSecretValidUntil: string; apiKey: string };
    expect((await get('/v1/me', viewer.apiKey)).json).toMatchObject({ keyId: viewer.keyId, expiresAt: previousSecretValidUntil });
    expect((await get('/v1/me', apiKey)).json).toMatchObject({ keyId: viewer.keyId, expiresAt: null });
  });

  it("answers a token's caller with the token's issuer and expiry", async () => {
    const token = await idp.serviceToken('ci');
    const me = (await get('/v1/me', token)).json as { expiresAt: string };
    expect(me).toEqual({ tenantId: 'acme', subject: `token:${idp.issuer}#ci`, roles: ['operator', 'viewer'], via: 'token', issuer: idp.issuer, expiresAt: expect.any(String) });
    expect(Date.parse(me.expiresAt) - Date.now()).toBeGreaterThan(200_000);
  });

  it('answers the platform admin as belonging to no tenant, and refuses callers it does not know', async () => {
    const me = (await get('/v1/me', fixture.platformAdminKey)).json as { keyId: string };
    expect(me).toEqual({ tenantId: null, subject: `platform-admin:${me.keyId}`, roles: ['platform-admin'], via: 'apiKey', keyId: expect.stringMatching(/^[0-9a-f]{16}$/), expiresAt: null });
    expect((await get('/v1/me')).status).toBe(401);
    expect((await get('/v1/me', 'not-a-key-of-this-platform')).status).toBe(401);
    const revoked = await createKey({ roles: ['viewer'] });
    await fixture.gateway.call('DELETE', `/v1/api-keys/${revoked.keyId}`, { key: fixture.adminKey });
    expect((await get('/v1/me', revoked.apiKey)).json).toMatchObject({ status: 401, detail: expect.stringMatching(/revoked/) });
  });

  it('counts the sessions in each status of the tenant, a running one with a pending approval as awaiting_approval, one a parked call holds as blocked', async () => {
    const auditor = await createKey({ roles: ['auditor'] });
    const empty = (await get('/v1/sessions/summary', auditor.apiKey)).json;
    expect(empty).toEqual({ byStatus: { queued: 0, running: 0, awaiting_approval: 0, paused: 0, blocked: 0, completed: 0, failed: 0, cancelled: 0 }, total: 0 });

    const sessions = `"${db.schema}_read".sessions`;
    const insert = (tenantId: string, status: string) => {
      const sessionId = randomUUID();
      return db.pool
        .query(`INSERT INTO ${sessions} (session_id, tenant_id, status, goal, constraints, started_at, updated_at, last_stream_version) VALUES ($1, $2, $3, 'a goal', '{}', now(), now(), 1)`, [sessionId, tenantId, status])
        .then(() => sessionId);
    };
    const held = await insert('acme', 'running');
    for (const status of ['running', 'completed', 'completed', 'failed']) await insert('acme', status);
    await insert('globex', 'failed');
    await db.pool.query(
      `INSERT INTO "${db.schema}_read".approvals (approval_id, tenant_id, session_id, run_id, call_id, agent, tool, arguments, requested_arguments, rule_id, policy_version, reason, role, approvers_required, status, on_expiry, context, requested_at, expires_at, last_stream_version)
       VALUES ($1, 'acme', $2, 'r', 'c', 'AccountManager', 'crm__updateCustomer', '{}', '{}', 'rule', 1, 'why', 'approver', 1, 'pending', 'reject', '{}', now(), now() + interval '1 hour', 0)`,
      [randomUUID(), held],
    );
    // Parked calls: one holds a running session (blocked, before its pending approval too); one was answered and holds nothing.
    const blocked = await insert('acme', 'running');
    const parked = (sessionId: string, callId: string, status: string) =>
      db.pool.query(
        `INSERT INTO "${db.schema}_read".parked_tool_calls (run_id, call_id, tenant_id, session_id, tool, operation, method, code, reason, attempts, parkings, status, parked_at, last_stream_version)
         VALUES ($1, $2, 'acme', $1, 'crm', 'createContact', 'post', 'http-503', 'gave up', 4, 1, $3, now(), 0)`,
        [sessionId, callId, status],
      );
    await parked(blocked, 'c1', 'parked');
    await parked(held, 'c2', 'resolved');
    const summary = await get('/v1/sessions/summary', auditor.apiKey);
    expect(summary.status).toBe(200);
    expect(summary.json).toEqual({ byStatus: { queued: 0, running: 1, awaiting_approval: 1, paused: 0, blocked: 1, completed: 2, failed: 1, cancelled: 0 }, total: 6 });
    const viewer = await createKey({ roles: ['viewer'] });
    expect((await get(`/v1/sessions/${blocked}`, viewer.apiKey)).json).toMatchObject({ status: 'blocked', parkedCalls: [{ callId: 'c1', tool: 'crm', operation: 'createContact', code: 'http-503', status: 'parked' }] });
    expect((await get(`/v1/sessions/${held}`, viewer.apiKey)).json).toMatchObject({ status: 'awaiting_approval', parkedCalls: [] });
    // The listing agrees with each count.
    for (const [status, count] of Object.entries((summary.json as { byStatus: Record<string, number> }).byStatus)) {
      expect([status, ((await get(`/v1/sessions?status=${status}&limit=100`, auditor.apiKey)).json as { items: unknown[] }).items.length]).toEqual([status, count]);
    }
    expect((await get('/v1/sessions/summary', fixture.platformAdminKey)).status).toBe(403);
  });
});
