import { migrateUnderLock } from '@agent-orchestrator/postgres';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

const table = 'tool_rate_limits';

export interface RateLimitsOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Calls a minute one tenant may make across all its tools; unlimited when absent. */
  readonly tenantPerMinute?: number;
  /** How long a call may wait for a free slot before it is refused. */
  readonly maxWaitMs: number;
}

/**
 * Calls a minute per tool (the tool's `rateLimitPerMinute`) and per tenant
 * (TOOL_TENANT_RATE_LIMIT_PER_MINUTE), counted in PostgreSQL by rate-limiter-flexible so the limits
 * hold across every tool-adapters process. A call over a limit waits for the window to free when
 * that is within `maxWaitMs`, and is refused otherwise.
 */
export class ToolRateLimits {
  private readonly limiters = new Map<string, RateLimiterPostgres>();

  private constructor(private readonly options: RateLimitsOptions) {}

  static async open(options: RateLimitsOptions): Promise<ToolRateLimits> {
    // The library would create its table from every limiter at once; made here, once, under a lock.
    await migrateUnderLock(options.pool, `tool-rate-limits:${options.schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS "${options.schema}"."${table}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
    });
    return new ToolRateLimits(options);
  }

  /** Takes one call from each limit that applies, waiting when allowed; the refusal says which limit and when it frees. */
  async acquire(tenantId: string, tool: string, toolPerMinute: number | undefined): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }> {
    const limits = [
      ...(this.options.tenantPerMinute === undefined ? [] : [{ key: `tenant:${tenantId}`, points: this.options.tenantPerMinute, what: `tenant ${tenantId}` }]),
      ...(toolPerMinute === undefined ? [] : [{ key: `tool:${tenantId}/${tool}`, points: toolPerMinute, what: `tool ${tool}` }]),
    ];
    const deadline = Date.now() + this.options.maxWaitMs;
    for (const limit of limits) {
      for (;;) {
        try {
          await this.limiter(limit.points).consume(limit.key);
          break;
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          const wait = rejection.msBeforeNext + 5;
          if (Date.now() + wait > deadline) {
            return { ok: false, reason: `the rate limit of ${limit.points} calls a minute for ${limit.what} is used up; it frees in ${Math.ceil(rejection.msBeforeNext / 1000)} s` };
          }
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    }
    return { ok: true };
  }

  private limiter(points: number): RateLimiterPostgres {
    let limiter = this.limiters.get(String(points));
    if (!limiter) {
      limiter = new RateLimiterPostgres({ storeClient: this.options.pool, storeType: 'pool', schemaName: this.options.schema, tableName: table, tableCreated: true, points, duration: 60, keyPrefix: `p${points}` });
      this.limiters.set(String(points), limiter);
    }
    return limiter;
  }
}
