import { migrateUnderLock } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { GatewayError } from '../errors.js';

export interface RateLimitsConfig {
  /** API_RATE_LIMIT_PER_MINUTE: requests a window per principal (an API key, or a token's subject); unlimited when absent. */
  readonly principalPerMinute?: number;
  /** TENANT_RATE_LIMIT_PER_MINUTE: requests a window per tenant, all its principals together; unlimited when absent. */
  readonly tenantPerMinute?: number;
  /** AUTH_FAILURE_LIMIT_PER_MINUTE: answers 401 a window per source address before the address is refused outright. */
  readonly authFailuresPerMinute: number;
  /**
   * The window in seconds: 60 wherever the gateway runs from its environment (no variable sets
   * it). Only specs, which build the configuration themselves, shorten it, so that waiting out a
   * window takes a second, not a minute.
   */
  readonly windowSeconds?: number;
}

/** Who a request is counted against once authenticated. */
export interface CountedCaller {
  /** An API key's id, or a token's `token:<issuer>#<sub>`. */
  readonly subject: string;
  readonly tenantId: string;
}

type PolicyName = 'principal' | 'tenant' | 'auth-failures';

interface Policy {
  readonly name: PolicyName;
  readonly quota: number;
  readonly limiter: RateLimiterPostgres;
}

/** A policy's state after one request: what draft-ietf-httpapi-ratelimit-headers calls a service limit. */
interface ServiceLimit {
  readonly policy: Policy;
  readonly remaining: number;
  readonly resetMs: number;
}

const table = 'request_rate_limits';

/** Seconds until a window frees, as Retry-After and the `t` parameter want them: whole, never 0 while refusing. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Request rates per principal and per tenant, and failed authentications per source address,
 * counted in fixed windows in PostgreSQL (rate-limiter-flexible) so the limits hold across every
 * gateway process on one database. A key over its limit is also blocked in this process's memory
 * until its window ends, so refused requests stop reaching the database; if the database fails,
 * each process goes on counting in memory (the insurance limiter) rather than failing requests.
 *
 * The answers carry the RateLimit-Policy and RateLimit fields of
 * draft-ietf-httpapi-ratelimit-headers-10 (structured-field lists of named policies:
 * `"tenant";q=1000;w=60` and `"tenant";r=998;t=42`).
 */
export class RequestRateLimits {
  private readonly windowSeconds: number;
  private readonly principal?: Policy;
  private readonly tenant?: Policy;
  private readonly authFailures: Policy;

  private constructor(pool: pg.Pool, schema: string, config: RateLimitsConfig) {
    this.windowSeconds = config.windowSeconds ?? 60;
    const policy = (name: PolicyName, quota: number): Policy => ({
      name,
      quota,
      limiter: new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        schemaName: schema,
        tableName: table,
        tableCreated: true,
        keyPrefix: name,
        points: quota,
        duration: this.windowSeconds,
        inMemoryBlockOnConsumed: quota,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points: quota, duration: this.windowSeconds }),
      }),
    });
    if (config.principalPerMinute !== undefined) this.principal = policy('principal', config.principalPerMinute);
    if (config.tenantPerMinute !== undefined) this.tenant = policy('tenant', config.tenantPerMinute);
    this.authFailures = policy('auth-failures', config.authFailuresPerMinute);
  }

  static async open(pool: pg.Pool, schema: string, config: RateLimitsConfig): Promise<RequestRateLimits> {
    // The library would create its table from every limiter at once; made here, once, under a lock.
    // UNLOGGED: a counter update then writes no WAL, so its commit waits for no disk flush (about
    // 3 ms a request here with a logged table). What that gives up is fine for minute-long
    // counters: a crash or a failover to a replica starts every window afresh.
    await migrateUnderLock(pool, `gateway-rate-limits:${schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
      await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${pg.escapeIdentifier(schema)}.${table} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
    });
    return new RequestRateLimits(pool, schema, config);
  }

  /**
   * Counts one request against the caller's principal and its tenant, both at once (one round
   * trip's latency, not two). Returns the headers that tell the caller where it stands; throws
   * RateLimited, with the same headers and Retry-After, when a limit is used up. A principal over
   * its own limit must not use up its tenant's, so a refused principal's tenant point is given
   * back, and a principal this process already knows to be over is refused before anything is
   * counted.
   */
  async admit(caller: CountedCaller): Promise<Record<string, string>> {
    const counted = [
      ...(this.principal ? [{ policy: this.principal, key: caller.subject, what: `principal ${caller.subject}` }] : []),
      ...(this.tenant ? [{ policy: this.tenant, key: caller.tenantId, what: `tenant ${caller.tenantId}` }] : []),
    ];
    for (const { policy, key, what } of counted) {
      const blockedMs = this.blockedMs(policy, key);
      if (blockedMs > 0) {
        const limit: ServiceLimit = { policy, remaining: -1, resetMs: blockedMs };
        throw this.refusal([limit], limit, `The rate limit of ${this.rate(policy)} for ${what} is used up`);
      }
    }
    const limits = await Promise.all(counted.map(({ policy, key }) => this.take(policy, key)));
    const over = limits.findIndex((limit) => limit.remaining < 0);
    if (over === -1) return this.headers(limits);
    if (counted[over]!.policy.name === 'principal' && this.tenant && limits[1]!.remaining >= 0) await this.tenant.limiter.reward(caller.tenantId);
    throw this.refusal(limits, limits[over]!, `The rate limit of ${this.rate(counted[over]!.policy)} for ${counted[over]!.what} is used up`);
  }

  /**
   * The refusal for an address that has failed authentication too often, or undefined. Read from
   * this process's memory only, so the common path costs no query: the address is blocked here
   * once this process has seen the count (in the shared table) reach the limit, so across N
   * processes an address gets at most N - 1 failures beyond it.
   */
  addressRefusal(address: string): GatewayError | undefined {
    const blockedMs = this.blockedMs(this.authFailures, address);
    if (blockedMs <= 0) return undefined;
    const limit: ServiceLimit = { policy: this.authFailures, remaining: 0, resetMs: blockedMs };
    return this.refusal([limit], limit, `Too many failed authentications from ${address}: the limit of ${this.rate(this.authFailures)} is used up, so requests from this address are refused before their credentials are read`);
  }

  /** Counts a 401 against its source address; the answer's headers say how many more it may fail. */
  async recordAuthFailure(address: string): Promise<Record<string, string>> {
    return this.headers([await this.take(this.authFailures, address)]);
  }

  /** How long this process still refuses `key` from memory (0: not blocked here). */
  private blockedMs({ limiter }: Policy, key: string): number {
    // getInMemoryBlockMsBeforeExpire is public in rate-limiter-flexible's code but missing from its types.
    return (limiter as unknown as { getInMemoryBlockMsBeforeExpire(key: string): number }).getInMemoryBlockMsBeforeExpire(limiter.getKey(key));
  }

  /** `remaining` is negative when this request went over the limit. */
  private async take(policy: Policy, key: string): Promise<ServiceLimit> {
    try {
      const taken = await policy.limiter.consume(key);
      return { policy, remaining: taken.remainingPoints, resetMs: taken.msBeforeNext };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { policy, remaining: -1, resetMs: rejection.msBeforeNext };
    }
  }

  private refusal(limits: readonly ServiceLimit[], over: ServiceLimit, what: string): GatewayError {
    const retryAfter = seconds(over.resetMs);
    return new GatewayError('RateLimited', `${what}; it frees in ${retryAfter} s: retry after that (Retry-After).`, [], { ...this.headers(limits), 'retry-after': String(retryAfter) });
  }

  private headers(limits: readonly ServiceLimit[]): Record<string, string> {
    if (limits.length === 0) return {};
    return {
      'ratelimit-policy': limits.map(({ policy }) => `"${policy.name}";q=${policy.quota};w=${this.windowSeconds}`).join(', '),
      ratelimit: limits.map(({ policy, remaining, resetMs }) => `"${policy.name}";r=${Math.max(0, remaining)};t=${remaining < 0 ? seconds(resetMs) : Math.ceil(resetMs / 1000)}`).join(', '),
    };
  }

  private rate(policy: Policy): string {
    const noun = policy.name === 'auth-failures' ? 'failed authentications' : 'requests';
    return `${policy.quota} ${noun} ${this.windowSeconds === 60 ? 'a minute' : `per ${this.windowSeconds} s`}`;
  }
}
