import { DeadLetterIndex, type DeadLetterEntry } from '@agent-orchestrator/read-models';
import { waitFor } from '@agent-orchestrator/testing';
import pg from 'pg';
import { roles, type Role } from '../auth/roles.js';
import { operationsOf, type Operation } from '../fuzz/requests.js';
import { fillPath, idKindOf, routeOf, send, uniqueSuffix, validBody } from './route-requests.behaviour.js';
import { startDevMode, type DevModeUnderTest } from './two-tenants.behaviour.js';

/**
 * What each role gets from each operation of /docs/json, with valid ids and bodies: written out
 * here, not derived from the abilities, so that a change to either one shows. A new route needs a
 * row (one line; and, when it takes a body, a line in validBodies); a row whose route is gone
 * fails until it is removed.
 */
const expectedTable = `
  route                                          admin  operator  approver  auditor  viewer  platform-admin
  GET    /healthz                                2xx    2xx       2xx       2xx      2xx    2xx
  GET    /readyz                                 2xx    2xx       2xx       2xx      2xx    2xx
  GET    /v1/sign-in                             2xx    2xx       2xx       2xx      2xx    2xx
  GET    /v1/me                                  2xx    2xx       2xx       2xx      2xx    2xx
  POST   /v1/api-keys                            2xx    403       403       403      403    403
  GET    /v1/api-keys                            2xx    403       403       403      403    403
  DELETE /v1/api-keys/{keyId}                    2xx    403       403       403      403    403
  POST   /v1/sessions                            2xx    2xx       403       403      403    403
  GET    /v1/sessions                            2xx    2xx       2xx       2xx      2xx    403
  GET    /v1/sessions/summary                    2xx    2xx       2xx       2xx      2xx    403
  GET    /v1/sessions/{sessionId}                2xx    2xx       2xx       403      2xx    403
  GET    /v1/sessions/{sessionId}/events         2xx    2xx       2xx       2xx      2xx    403
  GET    /v1/sessions/{sessionId}/live           2xx    2xx       2xx       2xx      2xx    403
  GET    /v1/sessions/{sessionId}/model-calls    2xx    2xx       2xx       403      2xx    403
  GET    /v1/sessions/{sessionId}/streams        2xx    2xx       2xx       2xx      2xx    403
  POST   /v1/sessions/{sessionId}/cancel         2xx    2xx       403       403      403    403
  POST   /v1/sessions/{sessionId}/fork           2xx    2xx       403       403      403    403
  GET    /v1/sessions/{sessionId}/diff/{otherSessionId}  2xx  2xx   2xx       403      2xx    403
  POST   /v1/sessions/{sessionId}/analysis       2xx    2xx       403       403      403    403
  GET    /v1/sessions/{sessionId}/analysis       2xx    2xx       2xx       403      2xx    403
  POST   /v1/agents                              2xx    403       403       403      403    403
  GET    /v1/agents                              2xx    2xx       2xx       403      2xx    403
  GET    /v1/agents/{name}                       2xx    2xx       2xx       403      2xx    403
  PATCH  /v1/agents/{name}                       2xx    403       403       403      403    403
  POST   /v1/tools                               2xx    403       403       403      403    403
  GET    /v1/tools                               2xx    2xx       2xx       403      2xx    403
  GET    /v1/tools/{name}                        2xx    2xx       2xx       403      2xx    403
  GET    /v1/policies                            2xx    2xx       2xx       403      2xx    403
  PUT    /v1/policies                            2xx    403       403       403      403    403
  GET    /v1/policies/versions                   2xx    2xx       2xx       403      2xx    403
  GET    /v1/policies/versions/{version}         2xx    2xx       2xx       403      2xx    403
  GET    /v1/privacy                             2xx    2xx       2xx       403      2xx    403
  PUT    /v1/privacy                             2xx    403       403       403      403    403
  GET    /v1/egress                              2xx    403       403       403      403    403
  PUT    /v1/egress                              2xx    403       403       403      403    403
  GET    /v1/budgets                             2xx    2xx       403       2xx      403    403
  PUT    /v1/budgets/{budgetId}                  2xx    403       403       403      403    403
  GET    /v1/approvals                           2xx    2xx       2xx       403      2xx    403
  GET    /v1/approvals/{id}                      2xx    2xx       2xx       403      2xx    403
  POST   /v1/approvals/{id}/decision             2xx    403       2xx       403      403    403
  PUT    /v1/secrets/{name}                      2xx    403       403       403      403    403
  GET    /v1/secrets                             2xx    403       403       403      403    403
  DELETE /v1/secrets/{name}                      2xx    403       403       403      403    403
  POST   /v1/api-keys/{keyId}/rotate             2xx    403       403       403      403     403
  GET    /v1/admin-events                        2xx    403       403       2xx      403     403
  POST   /v1/ws-tickets                          2xx    2xx       2xx       2xx      2xx     403
  GET    /v1/role-mapping                        2xx    403       403       403      403     403
  PUT    /v1/role-mapping                        2xx    403       403       403      403     403
  POST   /v1/audit/exports                       2xx    403       403       2xx      403     403
  GET    /v1/audit/exports                       2xx    403       403       2xx      403     403
  GET    /v1/audit/exports/{id}                  2xx    403       403       2xx      403     403
  GET    /v1/audit/exports/{id}/bundle           2xx    403       403       2xx      403     403
  GET    /v1/audit/keys                          2xx    403       403       2xx      403     403
  POST   /v1/audit/keys/rotate                   2xx    403       403       403      403     403
  POST   /v1/audit/checkpoints                   2xx    403       403       2xx      403     403
  GET    /v1/audit/checkpoints                   2xx    403       403       2xx      403     403
  GET    /v1/audit/retention                     2xx    403       403       2xx      403     403
  PUT    /v1/audit/retention                     2xx    403       403       403      403     403
  POST   /v1/tenants                             403    403       403       403      403     2xx
  GET    /v1/tenants                             403    403       403       403      403     2xx
  GET    /v1/tenants/{tenantId}                  403    403       403       403      403     2xx
  POST   /v1/tenants/{tenantId}/suspend          403    403       403       403      403     2xx
  POST   /v1/tenants/{tenantId}/resume           403    403       403       403      403     2xx
  DELETE /v1/tenants/{tenantId}                  403    403       403       403      403     2xx
  GET    /v1/dead-letters                        2xx    2xx       403       403      403     2xx
  GET    /v1/dead-letters/{id}                   2xx    2xx       403       403      403     2xx
  POST   /v1/operations                          2xx    2xx       403       403      403     2xx
  GET    /v1/operations                          2xx    2xx       403       403      403     2xx
  GET    /v1/operations/{id}                     2xx    2xx       403       403      403     2xx
  GET    /v1/operations/{id}/items               2xx    2xx       403       403      403     2xx
  POST   /v1/operations/{id}/confirm             2xx    2xx       403       403      403     2xx
  POST   /v1/operations/{id}/pause               2xx    2xx       403       403      403     2xx
  POST   /v1/operations/{id}/resume              2xx    2xx       403       403      403     2xx
  POST   /v1/operations/{id}/abort               2xx    2xx       403       403      403     2xx
  GET    /v1/projections                         2xx    2xx       403       403      403     2xx
  GET    /v1/usage                               2xx    2xx       403       2xx      403     2xx
  GET    /v1/dashboard                           2xx    2xx       403       2xx      403     2xx
  GET    /v1/prices                              2xx    2xx       403       2xx      403     2xx
  PUT    /v1/prices                              403    403       403       403      403     2xx
  GET    /v1/alerts                              2xx    2xx       403       403      403     403
  GET    /v1/alert-webhooks                      2xx    403       403       403      403     403
  PUT    /v1/alert-webhooks                      2xx    403       403       403      403     403
  DELETE /v1/alert-webhooks                      2xx    403       403       403      403     403
  GET    /v1/alerts/live                         2xx    2xx       403       403      403     2xx
  GET    /v1/platform/alerts                     403    403       403       403      403     2xx
  GET    /v1/platform/alert-webhooks             403    403       403       403      403     2xx
  PUT    /v1/platform/alert-webhooks             403    403       403       403      403     2xx
`;
// POST /v1/approvals/{id}/decision: the demo policy holds CRM writes for the approver role, so an
// operator, whose roles may decide approvals, is still refused this one (admins may decide any).

type Outcome = '2xx' | '403';

function parseTable(table: string): { columns: string[]; rows: Map<string, Record<string, Outcome>> } {
  const [header, ...lines] = table.trim().split('\n').map((line) => line.trim().split(/\s+/));
  const columns = header!.slice(1);
  const rows = new Map<string, Record<string, Outcome>>();
  for (const [method, path, ...outcomes] of lines) {
    if (outcomes.length !== columns.length || outcomes.some((outcome) => outcome !== '2xx' && outcome !== '403')) throw new Error(`the row for ${method} ${path} must give 2xx or 403 for each of ${columns.join(', ')}`);
    rows.set(`${method} ${path}`, Object.fromEntries(columns.map((role, index) => [role, outcomes[index] as Outcome])));
  }
  return { columns, rows };
}

describe('every role against every route: the expected 2xx or 403', () => {
  let dev: DevModeUnderTest;
  const keys = {} as Record<Role | 'platform-admin', string>;
  const pendingApprovals: string[] = [];
  let idsByKind: Record<string, string>;
  let egressAllow: string[];
  let readModels: pg.Pool;
  let deadLetters: DeadLetterIndex;
  let deadLetterOfA: Omit<DeadLetterEntry, 'id'>;

  /** A demo session whose CRM write waits for an approver: its approval's id. */
  const heldApproval = async (): Promise<string> => {
    const started = await dev.call('POST', '/v1/sessions', dev.adminKeyOfA, { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    const { sessionId } = started.json as { sessionId: string };
    return waitFor(
      `session ${sessionId}'s write to wait for approval`,
      async () => ((await dev.call('GET', `/v1/approvals?sessionId=${sessionId}`, dev.adminKeyOfA)).json as { items: { approvalId: string }[] }).items[0]?.approvalId,
      { timeoutMs: 30_000 },
    );
  };

  /**
   * Tenant A's discard of twenty dead letters of its own (no other operation matches them, so none
   * is skipped and finished early), at one a second: planned, and as `until` says confirmed and
   * paused. Its id.
   */
  const operationOfA = async (until: 'planned' | 'running' | 'paused'): Promise<string> => {
    const tool = `rt-${uniqueSuffix()}`;
    for (let n = 0; n < 20; n++) await deadLetters.upsert({ ...deadLetterOfA, id: `dl-${tool}-${n}`, tool, sourceOffset: String(n + 1) });
    const planned = await dev.call('POST', '/v1/operations', dev.adminKeyOfA, { kind: 'discard', filter: { tool }, reason: 'the role table discards its own', rate: 1 });
    // 201 with the dry run, or 202 while the replay service is still matching (a loaded machine).
    expect([201, 202]).toContain(planned.status);
    const { operationId } = planned.json as { operationId: string };
    await waitFor(`operation ${operationId} to be planned`, async () => ((await dev.call('GET', `/v1/operations/${operationId}`, dev.adminKeyOfA)).json as { status?: string }).status === 'planned' || undefined, { timeoutMs: 30_000 });
    const steps = until === 'planned' ? [] : until === 'running' ? (['confirm'] as const) : (['confirm', 'pause'] as const);
    for (const action of steps) expect((await dev.call('POST', `/v1/operations/${operationId}/${action}`, dev.adminKeyOfA, {})).status).toBe(200);
    return operationId;
  };

  /** The id each path parameter gets: a fixture of its kind, or a fresh one where a call uses it up. */
  const pathValue = async (operation: Operation): Promise<string> => {
    switch (routeOf(operation)) {
      // Each action needs an operation in a state it applies to: a fresh one each call.
      case 'POST /v1/operations/{id}/confirm':
      case 'POST /v1/operations/{id}/abort':
        return operationOfA('planned');
      case 'POST /v1/operations/{id}/pause':
        return operationOfA('running');
      case 'POST /v1/operations/{id}/resume':
        return operationOfA('paused');
      case 'POST /v1/approvals/{id}/decision': {
        // A decided approval answers 409: each call gets one still pending.
        const approvalId = pendingApprovals.pop();
        if (!approvalId) throw new Error('the spec made too few pending approvals: one per role');
        return approvalId;
      }
      case 'POST /v1/tenants/{tenantId}/suspend':
      case 'POST /v1/tenants/{tenantId}/resume':
      case 'DELETE /v1/tenants/{tenantId}': {
        // Never the demo tenant, which the rest of the table needs: a tenant of its own each time.
        const tenantId = `rt-${uniqueSuffix()}`;
        await dev.keyOfTenant(tenantId, ['admin']);
        return tenantId;
      }
      case 'POST /v1/api-keys/{keyId}/rotate': {
        // A revoked key cannot be rotated: each call gets a live one.
        const created = await dev.call('POST', '/v1/api-keys', dev.adminKeyOfA, { name: `rotated ${uniqueSuffix()}`, roles: ['viewer'] });
        return (created.json as { keyId: string }).keyId;
      }
      case 'DELETE /v1/secrets/{name}': {
        // A deleted secret answers 404 the next time: each call gets one that is set.
        const name = `doomed-${uniqueSuffix()}`;
        expect((await dev.call('PUT', `/v1/secrets/${name}`, dev.adminKeyOfA, { value: 'to be deleted' })).status).toBe(200);
        return name;
      }
    }
    const kind = idKindOf(operation.path);
    const id = kind === undefined ? undefined : idsByKind[kind];
    if (id === undefined) throw new Error(`${routeOf(operation)}: the spec has no ${kind} to name; add one to idsByKind`);
    return id;
  };

  beforeAll(async () => {
    dev = await startDevMode('role_routes');
    keys.admin = dev.adminKeyOfA;
    keys['platform-admin'] = dev.platformAdminKey;
    for (const role of roles.filter((candidate) => candidate !== 'admin')) {
      const created = await dev.call('POST', '/v1/api-keys', dev.adminKeyOfA, { name: `role table ${role}`, roles: [role] });
      expect(created.status).toBe(201);
      keys[role] = (created.json as { apiKey: string }).apiKey;
    }
    const throwaway = await dev.call('POST', '/v1/api-keys', dev.adminKeyOfA, { name: 'revoked by the role table', roles: ['viewer'] });
    const session = await dev.call('POST', '/v1/sessions', dev.adminKeyOfA, { goal: 'a session every role reads' });
    expect((await dev.call('PUT', '/v1/secrets/role-table-secret', dev.adminKeyOfA, { value: 'kept' })).status).toBe(200);
    // An alert webhook, so reading it answers 2xx (its routes come GET, PUT, DELETE in /docs/json: the admin's DELETE removes it last).
    expect((await dev.call('PUT', '/v1/alert-webhooks', dev.adminKeyOfA, { url: 'https://hooks.example.com/ao' })).status).toBe(200);
    // And the platform's, so the platform admin's read answers 2xx too.
    expect((await dev.call('PUT', '/v1/platform/alert-webhooks', dev.platformAdminKey, { url: 'https://hooks.example.com/platform' })).status).toBe(200);
    const [readApproval, ...forDecisions] = await Promise.all([heldApproval(), ...[...roles, 'platform-admin'].map(() => heldApproval())]);
    pendingApprovals.push(...forDecisions);
    egressAllow = (((await dev.call('GET', '/v1/egress', dev.adminKeyOfA)).json as { allow: string[] }).allow);
    // A completed export, so its record and bundle answer 2xx to the roles that may read them.
    const requested = await dev.call('POST', '/v1/audit/exports', dev.adminKeyOfA, {});
    expect(requested.status).toBe(202);
    const { exportId } = requested.json as { exportId: string };
    await waitFor(`audit export ${exportId} to complete`, async () => ((await dev.call('GET', `/v1/audit/exports/${exportId}`, dev.adminKeyOfA)).json as { status?: string }).status === 'completed' || undefined, { timeoutMs: 60_000 });
    // A dead letter of tenant A as the replay service indexes one, so its record answers 2xx to the roles that may read it.
    readModels = new pg.Pool({ connectionString: dev.databaseUrl, max: 1 });
    deadLetters = new DeadLetterIndex(readModels, 'read_models');
    deadLetterOfA = {
      source: 'dead-letter', tenantId: dev.tenantOfA, consumer: 'orchestrator', errorCode: 'Rejected', reason: 'the role table needs one',
      attempts: 1, sourceTopic: 'events.session', sourcePartition: 0, sourceOffset: '0', sessionId: null, messageType: null, tool: null,
      seenAt: new Date(), redriveCount: 0, key: 'k', headers: {}, value: Buffer.from('{}'), position: 0,
    };
    const deadLetterId = `dl-${uniqueSuffix()}`;
    await deadLetters.upsert({ ...deadLetterOfA, id: deadLetterId });
    idsByKind = {
      'dead-letters': deadLetterId,
      sessions: (session.json as { sessionId: string }).sessionId,
      approvals: readApproval!,
      agents: 'AccountManager',
      tools: 'crm',
      // The demo's policy is version 1 of tenant A's.
      versions: '1',
      secrets: 'role-table-secret',
      budgets: 'role-table-budget',
      'api-keys': (throwaway.json as { keyId: string }).keyId,
      tenants: dev.tenantOfA,
      exports: exportId,
      operations: await operationOfA('planned'),
    };
  });
  afterAll(async () => {
    await readModels?.end();
    await dev?.stop();
  });

  it('answers each role as the table says, and the table lists every route of /docs/json', async () => {
    const { columns, rows } = parseTable(expectedTable);
    expect({ columns: [...columns].sort(), fix: 'the table needs one column per role' }).toEqual({ columns: [...roles, 'platform-admin'].sort(), fix: 'the table needs one column per role' });
    const operations = operationsOf((await dev.call('GET', '/docs/json', undefined)).json as Parameters<typeof operationsOf>[0]);
    const documented = new Set(operations.map(routeOf));
    const missing = [...documented].filter((route) => !rows.has(route)).map((route) => `${route}: add its row to the table in this spec`);
    const gone = [...rows.keys()].filter((route) => !documented.has(route)).map((route) => `${route}: no longer in /docs/json, remove its row`);
    expect([...missing, ...gone]).toEqual([]);

    const wrong: string[] = [];
    for (const operation of operations) {
      for (const role of columns as (Role | 'platform-admin')[]) {
        const path = operation.pathParameters.length === 0 ? operation.path : fillPath(operation.path, await pathValue(operation));
        const answer = await send(dev.url, operation, path, keys[role], validBody(operation, { unique: uniqueSuffix(), egressAllow }));
        // A WebSocket's 101 is its success.
        const outcome = (answer.status >= 200 && answer.status < 300) || answer.status === 101 ? '2xx' : String(answer.status);
        const expected = rows.get(routeOf(operation))![role];
        if (outcome !== expected) wrong.push(`${routeOf(operation)} as ${role}: expected ${expected}, got ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    console.log(`role table: ${operations.length} routes x ${columns.length} roles answered as the table says`);
  });
});
