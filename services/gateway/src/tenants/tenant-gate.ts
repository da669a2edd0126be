import { GatewayError } from '../errors.js';
import type { Tenant } from './tenant-store.js';

/** How long a tenant's status is trusted: a suspension reaches every gateway process within this. */
export const tenantStatusTtlMs = 1000;
/** More tenants than this in the cache and it starts again: it holds only the callers' own tenants. */
const maxCached = 10_000;

interface Cached {
  readonly expires: number;
  readonly tenant: Promise<Pick<Tenant, 'status' | 'retainUntil'> | undefined>;
}

/**
 * Refuses the requests of a suspended or deleted tenant, after authentication, on every route and
 * the WebSocket. The table is the truth across gateway processes; each caches a tenant's status
 * briefly (one look-up per tenant per second, shared by the requests that arrive meanwhile) and
 * forgets it at once when it changes the status itself. A tenant with no row (one that exists
 * only by its keys, made before tenants had rows) is not refused.
 */
export class TenantGate {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly lookUp: (tenantId: string) => Promise<Pick<Tenant, 'status' | 'retainUntil'> | undefined>,
    private readonly ttlMs = tenantStatusTtlMs,
    private readonly now: () => number = Date.now,
  ) {}

  async assertActive(tenantId: string): Promise<void> {
    const tenant = await this.statusOf(tenantId);
    if (tenant === undefined) return;
    switch (tenant.status) {
      case 'active':
        return;
      case 'suspended':
        throw new GatewayError('Forbidden', `tenant ${tenantId} is suspended; a platform admin can resume it.`);
      case 'deleted':
        throw new GatewayError('Forbidden', `tenant ${tenantId} has been deleted; its data is kept until ${tenant.retainUntil ?? 'its retention ends'}, then removed.`);
      default: {
        const unreachable: never = tenant.status;
        throw new Error(`unknown tenant status ${String(unreachable)}`);
      }
    }
  }

  /** Drops what this process knows of the tenant, after it changed the tenant's status. */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private statusOf(tenantId: string): Cached['tenant'] {
    const now = this.now();
    const cached = this.cache.get(tenantId);
    if (cached && cached.expires > now) return cached.tenant;
    if (this.cache.size >= maxCached) this.cache.clear();
    const tenant = this.lookUp(tenantId);
    this.cache.set(tenantId, { expires: now + this.ttlMs, tenant });
    // A failed look-up is not remembered: the next request asks again.
    tenant.catch(() => this.cache.get(tenantId)?.tenant === tenant && this.cache.delete(tenantId));
    return tenant;
  }
}
