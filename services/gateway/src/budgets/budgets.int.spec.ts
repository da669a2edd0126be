import { randomBytes, randomUUID } from 'node:crypto';
import { budgetLedgerStream, budgetStream, sessionStream, type NewEvent } from '@agent-orchestrator/contracts';
import { createTestSchema, planRequested, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { startGatewayOnLog, type Answer, type Call } from '../gateway-under-test.js';

const acmeKey = randomBytes(32).toString('base64url');

describe('budgets through the API: set by an admin, listed with their use this period', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  const acme = (method: string, path: string, call: Call = {}) => gateway.call(method, path, { key: acmeKey, ...call });

  const stamped = (tenantId: string, type: string, data: unknown, schemaVersion = 1): NewEvent =>
    planRequested({ type, schemaVersion, tenantId, correlationId: randomUUID(), actor: { kind: 'service', id: 'agent-runtime' }, data });

  /** agent-runtime owns `budget-<tenant>`: here the SetBudget the PUT sends is applied as it would be. */
  async function landed(put: Promise<Answer>): Promise<Answer> {
    const before = gateway.sent.length;
    const [message] = await waitFor('the SetBudget the PUT sends', () => gateway.sent.length > before && (gateway.sent[before] as { topic: string; key: string; value: string }[]));
    expect(message!.topic).toMatch(/commands\.agent-runtime$/);
    const { commandId, command } = JSON.parse(message!.value) as { commandId: string; command: { type: string; budgetId: string; terms: object; metadata: { tenantId: string } } };
    expect(command.type).toBe('SetBudget');
    await gateway.store.append(budgetStream(command.metadata.tenantId), [{ ...stamped(command.metadata.tenantId, 'BudgetSet', { budgetId: command.budgetId, ...command.terms }), causationId: commandId }]);
    return put;
  }

  async function sessionOf(tenantId: string): Promise<string> {
    const sessionId = randomUUID();
    await gateway.store.append(sessionStream(sessionId), [stamped(tenantId, 'SessionStarted', { goal: 'a goal', context: {}, constraints: {}, agentVersions: {}, toolVersions: {} }, 3)]);
    return sessionId;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_budgets');
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme' });
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('lists no budget at first, then the one set, with what its ledger used and holds today', async () => {
    expect((await acme('GET', '/v1/budgets')).json).toEqual({ items: [] });
    const set = await landed(acme('PUT', '/v1/budgets/daily-tokens', { body: { scope: { kind: 'tenant' }, period: 'day', unit: 'tokens', limit: 50_000 } }));
    expect(set.status).toBe(200);
    const today = `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
    expect(set.json).toMatchObject({ budgetId: 'daily-tokens', scope: { kind: 'tenant' }, period: 'day', unit: 'tokens', limit: 50_000, periodStart: today, used: 0, reserved: 0 });

    const ledger = budgetLedgerStream('acme', 'daily-tokens', today.slice(0, 10));
    const [settledOne, openOne] = [randomUUID(), randomUUID()];
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    await gateway.store.append(ledger, [
      stamped('acme', 'BudgetReserved', { budgetId: 'daily-tokens', reservationId: settledOne, runId: 'r.plan.1', amount: 5000, expiresAt: inAnHour }),
      stamped('acme', 'BudgetSettled', { budgetId: 'daily-tokens', reservationId: settledOne, used: 1200 }),
      stamped('acme', 'BudgetReserved', { budgetId: 'daily-tokens', reservationId: openOne, runId: 'r.step.a.1', amount: 4000, expiresAt: inAnHour }),
    ]);
    const listed = await acme('GET', '/v1/budgets');
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({ items: [expect.objectContaining({ budgetId: 'daily-tokens', used: 1200, reserved: 4000 })] });
  });

  it("sets a session budget on the tenant's own session, counted from its start, and new terms for one it has", async () => {
    const sessionId = await sessionOf('acme');
    const set = await landed(acme('PUT', '/v1/budgets/one-session', { body: { scope: { kind: 'session', sessionId }, period: 'session', unit: 'usd', limit: 2.5 } }));
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ budgetId: 'one-session', period: 'session', unit: 'usd', limit: 2.5, used: 0 });
    const raised = await landed(acme('PUT', '/v1/budgets/one-session', { body: { scope: { kind: 'session', sessionId }, period: 'session', unit: 'usd', limit: 5 } }));
    expect(raised.json).toMatchObject({ budgetId: 'one-session', limit: 5 });
    expect(((await acme('GET', '/v1/budgets')).json as { items: { budgetId: string }[] }).items.map((item) => item.budgetId)).toEqual(['daily-tokens', 'one-session']);
  });

  it("answers 404 for another tenant's session and refuses bad input, sending nothing", async () => {
    const elsewhere = await sessionOf('globex');
    const sentBefore = gateway.sent.length;
    const foreign = await acme('PUT', '/v1/budgets/theirs', { body: { scope: { kind: 'session', sessionId: elsewhere }, period: 'session', unit: 'tokens', limit: 10 } });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const mismatched = await acme('PUT', '/v1/budgets/bad', { body: { scope: { kind: 'tenant' }, period: 'session', unit: 'tokens', limit: 10 } });
    expect(mismatched.status).toBe(422);
    expect(mismatched.json).toMatchObject({ errors: [expect.objectContaining({ pointer: '#/period' })] });
    const fractional = await acme('PUT', '/v1/budgets/bad', { body: { scope: { kind: 'agent', agent: 'Researcher' }, period: 'day', unit: 'tokens', limit: 10.5 } });
    expect(fractional.json).toMatchObject({ errors: [expect.objectContaining({ pointer: '#/limit' })] });
    expect((await acme('PUT', '/v1/budgets/bad', { body: { scope: { kind: 'tenant' }, period: 'month', unit: 'usd', limit: -1 } })).status).toBe(422);
    expect((await acme('PUT', '/v1/budgets/bad', { body: { scope: { kind: 'tenant' }, period: 'month', unit: 'usd', limit: 1, extra: true } })).status).toBe(422);
    expect((await acme('PUT', '/v1/budgets/Not%20An%20Id', { body: { scope: { kind: 'tenant' }, period: 'month', unit: 'usd', limit: 1 } })).status).toBe(400);
    expect(gateway.sent.length).toBe(sentBefore);
  });
});
