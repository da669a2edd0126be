import { randomBytes } from 'node:crypto';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import type { Answer, Call } from '../gateway-under-test.js';
import { startGatewayOnLog } from '../gateway-under-test.js';

const acmeKey = randomBytes(32).toString('base64url');

interface VersionList {
  items: { version: number; updatedAt: string; setBy: { kind: string; id: string }; rules: number }[];
}

/**
 * The policy's history through the API: every version of `policy-<tenant>` with who set it, and
 * each one as it stood. `gateway.call` checks every answer against the served document.
 */
describe('policy versions: the history of the tool policy', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  const acme = (method: string, path: string, call: Call = {}) => gateway.call(method, path, { key: acmeKey, ...call });

  /**
   * The policy service owns the stream: here the gateway's commands are collected instead of sent,
   * so this appends the PolicyUpdated the policy service would, with the command's actor.
   */
  async function landed(put: Promise<Answer>): Promise<Answer> {
    const before = gateway.sent.length;
    const [message] = await waitFor('the command the PUT sends', () => gateway.sent.length > before && (gateway.sent[before] as { value: string }[]));
    const { commandId, command } = JSON.parse(message!.value) as { commandId: string; command: { policy: unknown; metadata: { tenantId: string; actor: unknown } } };
    const stream = `policy-${command.metadata.tenantId}`;
    const version = (await gateway.store.readStream(stream)).length + 1;
    await gateway.store.append(stream, [
      {
        eventId: commandId,
        type: 'PolicyUpdated',
        schemaVersion: 1,
        tenantId: command.metadata.tenantId,
        correlationId: commandId,
        causationId: commandId,
        actor: command.metadata.actor as { kind: 'user'; id: string },
        occurredAt: new Date().toISOString(),
        traceparent: null,
        data: { version, policy: command.policy },
      },
    ]);
    return put;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_policy_versions');
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme' });
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('lists no versions before any policy is set, and has no version 1', async () => {
    const listed = await acme('GET', '/v1/policies/versions');
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({ items: [] });
    const one = await acme('GET', '/v1/policies/versions/1');
    expect(one.status).toBe(404);
    expect((one.json as { detail: string }).detail).toContain('no version 1');
  });

  it('lists each version newest first with who set it, and reads each as it stood', async () => {
    const first = { rules: [{ id: 'deny-deletes', effect: 'deny', match: { methods: ['delete'] } }] };
    const second = {
      rules: [...first.rules, { id: 'hold-crm', description: 'CRM writes need a person', effect: 'require_approval', match: { tools: ['crm'] }, approval: { role: 'approver' } }],
      defaultEffect: 'deny',
    };
    expect((await landed(acme('PUT', '/v1/policies', { body: first }))).status).toBe(200);
    expect((await landed(acme('PUT', '/v1/policies', { body: second }))).status).toBe(200);

    const listed = await acme('GET', '/v1/policies/versions');
    expect(listed.status).toBe(200);
    const { items } = listed.json as VersionList;
    expect(items.map(({ version, rules, setBy }) => ({ version, rules, setBy: setBy.kind }))).toEqual([
      { version: 2, rules: 2, setBy: 'user' },
      { version: 1, rules: 1, setBy: 'user' },
    ]);
    expect(Date.parse(items[0]!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(items[1]!.updatedAt));

    const one = await acme('GET', '/v1/policies/versions/1');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ version: 1, defaultEffect: 'allow', rules: [{ id: 'deny-deletes' }], setBy: { kind: 'user' } });
    const two = await acme('GET', '/v1/policies/versions/2');
    expect(two.json).toMatchObject({ version: 2, defaultEffect: 'deny', rules: [{ id: 'deny-deletes' }, { id: 'hold-crm', approval: { role: 'approver', approvers: 1 } }] });
    // The latest version is what GET /v1/policies answers.
    const { setBy: _setBy, ...latest } = two.json as Record<string, unknown>;
    expect((await acme('GET', '/v1/policies')).json).toEqual(latest);
  });

  it('answers 404 for a version never set and for anything that is not a version number', async () => {
    for (const version of ['3', '0', 'latest', '-1', '1.5']) {
      const answer = await acme('GET', `/v1/policies/versions/${version}`);
      expect({ version, status: answer.status }).toEqual({ version, status: 404 });
    }
  });

  it('is closed to callers without a key', async () => {
    expect((await gateway.call('GET', '/v1/policies/versions')).status).toBe(401);
  });
});
