import { AsyncLocalStorage } from 'node:async_hooks';
import { isolateByTenant, migrateUnderLock, tenantSetting, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

const table = 'tool_rate_limits';
/** How often, and past what age, expired windows are deleted (the library's own clean-up, which this replaces). */
const cleanUp = { everyMs: 5 * 60_000, afterMs: 60 * 60_000 };

export interface RateLimitsOptions {
  /** Migrations and the clean-up of every tenant's expired windows as the owner; counting on the application role. */
  readonly database: TenantDatabase;
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
 *
 * The counters are under row-level security like every tenant table. The library writes its own
 * SQL with positional columns (key, points, expire), so the table's last column, tenant_id, takes
 * the transaction's tenant by default, and the library's store client runs each statement in the
 * tenant scope of the call that asked (carried through the library's promises by AsyncLocalStorage).
 */
export class ToolRateLimits {
  private readonly limiters = new Map<string, RateLimiterPostgres>();
  private readonly callingTenant = new AsyncLocalStorage<string>();
  /** What the library takes for a pg client: each statement in its own transaction of the calling tenant. */
  private readonly storeClient: { query(statement: pg.QueryConfig): Promise<pg.QueryResult> };

  private constructor(
    private readonly options: RateLimitsOptions,
    private readonly cleaning: NodeJS.Timeout,
  ) {
    this.storeClient = {
      query: (statement) => {
        const tenantId = this.callingTenant.getStore();
        if (tenantId === undefined) return Promise.reject(new Error(`${table}: a rate limit was counted outside a tenant's call`));
        return withTenant(options.database.tenantPool, tenantId, (client) => client.query(statement));
      },
    };
  }

  static async open(options: RateLimitsOptions): Promise<ToolRateLimits> {
    const { pool, appRole } = options.database;
    const qualified = `${pg.escapeIdentifier(options.schema)}.${table}`;
    // The library would create its table from every limiter at once; made here, once, under a lock.
    await migrateUnderLock(pool, `tool-rate-limits:${options.schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(options.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${qualified} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
      const { rows } = await client.query(`SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'tenant_id' AND NOT attisdropped`, [qualified]);
      if (rows.length === 0) {
        // Tables made before row-level security: their windows (a minute's counts) cannot be told apart by tenant, so they start afresh.
        await client.query(`TRUNCATE ${qualified}`);
        await client.query(`ALTER TABLE ${qualified} ADD COLUMN tenant_id text NOT NULL DEFAULT NULLIF(current_setting('${tenantSetting}', true), '')`);
      }
      await isolateByTenant(client, qualified, { appRole: appRole.name, privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] });
    });
    const cleaning = setInterval(() => void pool.query(`DELETE FROM ${qualified} WHERE expire < $1`, [Date.now() - cleanUp.afterMs]).catch(() => undefined), cleanUp.everyMs);
    // Like the library's: not worth keeping a process alive for.
    cleaning.unref();
    return new ToolRateLimits(options, cleaning);
  }

  /** Stops the clean-up of expired windows; the pools are the caller's. */
  close(): void {
    clearInterval(this.cleaning);
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
          await this.callingTenant.run(tenantId, () => this.limiter(limit.points).consume(limit.key));
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
      limiter = new RateLimiterPostgres({
        storeClient: this.storeClient,
        storeType: 'client',
        schemaName: this.options.schema,
        tableName: table,
        tableCreated: true,
        // Its clean-up would run in whichever tenant's scope made the limiter: the owner cleans up instead (open).
        clearExpiredByTimeout: false,
        points,
        duration: 60,
        keyPrefix: `p${points}`,
      });
      this.limiters.set(String(points), limiter);
    }
    return limiter;
  }
}
