import { withTenant } from '@agent-orchestrator/postgres';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import type pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { ToolRateLimits } from './rate-limits.js';

describe('a call over a rate limit', () => {
  let db: TestSchema;
  beforeAll(async () => {
    db = await createTestSchema('rate_limit_wait');
  });
  afterAll(() => db.dispose());

  /**
   * Windows last a minute. Rather than wait one out, the spec ends the current window early by
   * writing the counter through the library, as ToolRateLimits keys it (`p<points>:tool:<tenant>/<tool>`),
   * in the tenant's scope (the row takes its tenant from it).
   */
  async function windowUsedUpFor(seconds: number, tenantId: string, tool: string, points: number): Promise<void> {
    const storeClient = { query: (statement: pg.QueryConfig) => withTenant(db.pool, tenantId, (client) => client.query(statement)) };
    const limiter = new RateLimiterPostgres({ storeClient, storeType: 'client', clearExpiredByTimeout: false, schemaName: db.schema, tableName: 'tool_rate_limits', tableCreated: true, points, duration: 60, keyPrefix: `p${points}` });
    await limiter.set(`tool:${tenantId}/${tool}`, points, seconds);
  }

  it('waits for the window to free when that is within its budget, then goes; past the budget it is refused', async () => {
    const limits = await ToolRateLimits.open({ database: await db.tenantDatabase(), schema: db.schema, maxWaitMs: 5_000 });
    await windowUsedUpFor(1, 'acme', 'crm', 1);

    const started = Date.now();
    expect(await limits.acquire('acme', 'crm', 1)).toEqual({ ok: true });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(500);
    expect(waited).toBeLessThan(5_000);

    // That call opened a fresh minute; the next one would wait longer than the budget allows.
    const impatient = await ToolRateLimits.open({ database: await db.tenantDatabase(), schema: db.schema, maxWaitMs: 2_000 });
    const refusedAt = Date.now();
    expect(await impatient.acquire('acme', 'crm', 1)).toEqual({ ok: false, reason: expect.stringMatching(/^the rate limit of 1 calls a minute for tool crm is used up; it frees in (5\d|60) s$/) });
    expect(Date.now() - refusedAt).toBeLessThan(1_000);
  });
});
