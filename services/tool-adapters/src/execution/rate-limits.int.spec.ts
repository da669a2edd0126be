import { withTenant } from '@agent-orchestrator/postgres';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { ToolRateLimits } from './rate-limits.js';

describe('tool rate limits in PostgreSQL', () => {
  let db: TestSchema;
  beforeAll(async () => {
    db = await createTestSchema('rate_limits');
  });
  afterAll(() => db.dispose());

  it("counts a tool's calls a minute across processes, per tenant, and refuses past the limit when the window frees too late", async () => {
    // Two instances on one table stand for two tool-adapters processes.
    const database = await db.tenantDatabase();
    const [one, two] = await Promise.all([0, 1].map(() => ToolRateLimits.open({ database, schema: db.schema, maxWaitMs: 0 })));
    expect(await one!.acquire('acme', 'crm', 2)).toEqual({ ok: true });
    expect(await two!.acquire('acme', 'crm', 2)).toEqual({ ok: true });
    const refused = await one!.acquire('acme', 'crm', 2);
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(/^the rate limit of 2 calls a minute for tool crm is used up; it frees in \d+ s$/) });
    expect(await two!.acquire('umbrella', 'crm', 2)).toEqual({ ok: true });
    expect(await two!.acquire('acme', 'ledger', 2)).toEqual({ ok: true });
    expect(await two!.acquire('acme', 'unlimited', undefined)).toEqual({ ok: true });
  });

  it("keeps each tenant's windows under row-level security: another tenant's scope sees none of them", async () => {
    const database = await db.tenantDatabase();
    const limits = await ToolRateLimits.open({ database, schema: db.schema, maxWaitMs: 0 });
    expect(await limits.acquire('hooli', 'crm', 5)).toEqual({ ok: true });
    const table = `"${db.schema}".tool_rate_limits`;
    expect((await db.pool.query(`SELECT tenant_id FROM ${table} WHERE key = 'p5:tool:hooli/crm'`)).rows).toEqual([{ tenant_id: 'hooli' }]);
    const seenByOther = await withTenant(database.tenantPool, 'umbrella', (client) => client.query(`SELECT key FROM ${table} WHERE key LIKE '%hooli%'`));
    expect(seenByOther.rows).toEqual([]);
    limits.close();
  });

  it("applies the tenant's limit over all its tools", async () => {
    const limits = await ToolRateLimits.open({ database: await db.tenantDatabase(), schema: db.schema, tenantPerMinute: 2, maxWaitMs: 0 });
    expect(await limits.acquire('initech', 'a', undefined)).toEqual({ ok: true });
    expect(await limits.acquire('initech', 'b', undefined)).toEqual({ ok: true });
    expect(await limits.acquire('initech', 'c', undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('for tenant initech') });
  });
});
