import { checkedFetch } from './answer-check.js';
import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor } from '@agent-orchestrator/testing';
import type { Role } from '../auth/roles.js';
import { parseJson } from '../gateway-under-test.js';

export interface Answer {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

export type Call = (method: string, path: string, key: string | undefined, body?: unknown) => Promise<Answer>;

/** Dev mode (`scripts/dev.ts`, every service in one process) on a database of its own, with the demo tenant ("A") set up. */
export interface DevModeUnderTest {
  readonly url: string;
  readonly databaseUrl: string;
  /** The demo tenant's admin key (DEV_API_KEY). */
  readonly adminKeyOfA: string;
  readonly tenantOfA: string;
  readonly call: Call;
  output(): string;
  /** The platform admin's key (PLATFORM_ADMIN_API_KEY). */
  readonly platformAdminKey: string;
  /** A key of another tenant, which is created (by the platform admin) on first use. */
  keyOfTenant(tenantId: string, roles: readonly Role[]): Promise<string>;
  stop(): Promise<void>;
}

export function caller(url: string): Call {
  return async (method, path, key, body) => {
    const response = await checkedFetch(`${url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: parseJson(text) };
  };
}

/** Dev mode on a fresh database of the machine's PostgreSQL (`name` prefixes the database and the data directory). */
export async function startDevMode(name: string): Promise<DevModeUnderTest> {
  const adminKeyOfA = randomBytes(32).toString('base64url');
  const platformAdminKey = randomBytes(32).toString('base64url');
  // One address sends every request, many on purpose without a valid key: the default failed-authentication
  // limit (30 a minute) would soon answer them all 429, which is its job but not what these suites explore.
  const dev = await startDevModeProcess(name, { DEV_API_KEY: adminKeyOfA, AUTH_FAILURE_LIMIT_PER_MINUTE: '1000000', PLATFORM_ADMIN_API_KEY: platformAdminKey });
  const adminsOfTenants = new Map<string, string>();
  const { url } = dev;
  return {
    url,
    databaseUrl: dev.databaseUrl,
    adminKeyOfA,
    tenantOfA: 'demo',
    call: caller(url),
    output: () => dev.output(),
    platformAdminKey,
    // Another tenant is made as a platform admin would: POST /v1/tenants, whose first admin key makes the rest.
    async keyOfTenant(tenantId, roles) {
      const call = caller(url);
      let admin = adminsOfTenants.get(tenantId);
      if (admin === undefined) {
        const created = await call('POST', '/v1/tenants', platformAdminKey, { tenantId, name: `tenant ${tenantId}` });
        if (created.status !== 201) throw new Error(`POST /v1/tenants for ${tenantId}: ${created.status} ${created.text}`);
        admin = (created.json as { adminApiKey: string }).adminApiKey;
        adminsOfTenants.set(tenantId, admin);
      }
      if (roles.length === 1 && roles[0] === 'admin') return admin;
      const key = await call('POST', '/v1/api-keys', admin, { name: `${tenantId} ${roles.join(' ')}`, roles: [...roles] });
      if (key.status !== 201) throw new Error(`POST /v1/api-keys in ${tenantId}: ${key.status} ${key.text}`);
      return (key.json as { apiKey: string }).apiKey;
    },
    stop: () => dev.stop(),
  };
}

/** What tenant A owns, by the kind of id a route's path names (the segment before the parameter). */
export interface ResourcesOfA {
  /** Text only A's resources carry (a goal, an agent's instructions, a secret, an egress entry): it must reach no one else. */
  readonly marker: string;
  readonly keys: { readonly operator: string; readonly viewer: string };
  readonly ids: {
    readonly sessions: readonly string[];
    readonly approvals: readonly string[];
    readonly agents: readonly string[];
    readonly tools: readonly string[];
    readonly secrets: readonly string[];
    readonly budgets: readonly string[];
    readonly 'api-keys': readonly string[];
    readonly tenants: readonly string[];
  };
  /** The session whose demo write waits for an approval. */
  readonly heldSessionId: string;
}

const quietTool = (marker: string) => ({
  openapi: '3.0.3',
  info: { title: `ledger of ${marker}`, version: '1' },
  servers: [{ url: 'https://ledger.example' }],
  paths: { '/entries': { get: { operationId: 'listEntries', responses: { '200': { description: 'the entries' } } } } },
});

/**
 * Gives tenant A (the demo tenant, with its CRM tool, AccountManager agent and policy) one of
 * everything through the API, each carrying the marker where it holds text: keys, a finished
 * session, a session whose write waits for approval, an agent, a tool, a secret, an egress entry
 * and a privacy setting.
 */
export async function seedTenantA(dev: DevModeUnderTest): Promise<ResourcesOfA> {
  const marker = `tenant-a-only-${randomBytes(6).toString('hex')}`;
  const key = dev.adminKeyOfA;
  const ok = async (method: string, path: string, body: unknown, status: number) => {
    const answer = await dev.call(method, path, key, body);
    if (answer.status !== status) throw new Error(`seeding tenant A: ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    return answer.json as Record<string, unknown>;
  };
  const operator = await ok('POST', '/v1/api-keys', { name: 'A operator', roles: ['operator'] }, 201);
  const viewer = await ok('POST', '/v1/api-keys', { name: 'A viewer', roles: ['viewer'] }, 201);
  const session = await ok('POST', '/v1/sessions', { goal: `seed ${marker}`, context: { note: marker } }, 202);
  const held = await ok('POST', '/v1/sessions', { goal: `Upgrade customer 42 to gold ${marker}`, context: { modelFixture: 'demo-upgrade-customer' } }, 202);
  await ok('POST', '/v1/agents', { name: 'AgentOfA', instructions: `Only tenant A knows ${marker}.` }, 201);
  await ok('POST', '/v1/tools', { name: 'ledger-a', document: quietTool(marker), description: `A's ledger ${marker}` }, 201);
  await ok('PUT', '/v1/secrets/secret-of-a', { value: marker }, 200);
  const egress = (await ok('GET', '/v1/egress', undefined, 200)) as { allow: string[] };
  await ok('PUT', '/v1/egress', { allow: [...egress.allow, `${marker}.example`] }, 200);
  await ok('PUT', '/v1/privacy', { redact: ['email', 'card'] }, 200);
  await ok('PUT', '/v1/budgets/budget-of-a', { scope: { kind: 'tenant' }, period: 'month', unit: 'usd', limit: 4321 }, 200);
  const approvalId = await waitFor(
    "A's demo write to wait for approval",
    async () => ((await dev.call('GET', `/v1/approvals?sessionId=${String(held.sessionId)}`, key)).json as { items: { approvalId: string }[] }).items[0]?.approvalId,
    { timeoutMs: 30_000 },
  );
  return {
    marker,
    keys: { operator: String(operator.apiKey), viewer: String(viewer.apiKey) },
    ids: {
      sessions: [String(session.sessionId), String(held.sessionId)],
      approvals: [approvalId],
      agents: ['AccountManager', 'AgentOfA'],
      tools: ['crm', 'ledger-a'],
      secrets: ['secret-of-a'],
      budgets: ['budget-of-a'],
      'api-keys': [String(operator.keyId), String(viewer.keyId)],
      tenants: [dev.tenantOfA],
    },
    heldSessionId: String(held.sessionId),
  };
}
