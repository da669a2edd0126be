import type pg from 'pg';
import { adminActor, type AdminAction, type AdminLog } from '../admin/admin-log.js';
import type { ApiKeyStore } from '../api-keys/api-key-store.js';
import type { PlatformAdminPrincipal } from '../auth/platform-admin.js';
import { GatewayError } from '../errors.js';
import type { TenantGate } from './tenant-gate.js';
import type { StatusChange, Tenant, TenantStore } from './tenant-store.js';

export interface CreatedTenant extends Tenant {
  readonly adminKeyId: string;
  /** The tenant's first admin key, returned once and never stored. */
  readonly adminApiKey: string;
}

const dayMs = 24 * 60 * 60 * 1000;

/** What a status change does to a tenant, or undefined when it is already there (nothing to record). */
type Transition = (tenant: Tenant, at: Date, client: pg.PoolClient) => Promise<{ change: StatusChange; actions: AdminAction[] } | undefined>;

/**
 * The platform admin's operations on tenants. Each commits the tenant's row, any key it touches
 * and the events on the tenant's admin stream in one transaction.
 */
export class Tenants {
  constructor(
    private readonly store: TenantStore,
    private readonly apiKeys: ApiKeyStore,
    private readonly adminLog: AdminLog,
    private readonly gate: TenantGate,
    private readonly retentionDays: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(caller: PlatformAdminPrincipal, tenantId: string, name: string): Promise<CreatedTenant> {
    const actor = adminActor.platformAdmin(caller.keyId);
    const created = await this.adminLog.transaction(async (client) => {
      const tenant = await this.store.insert(client, tenantId, name, this.now());
      if (!tenant) throw await this.taken(client, tenantId);
      const key = await this.apiKeys.create({ tenantId, name: 'first admin', roles: ['admin'], createdBy: actor.id }, client);
      await this.adminLog.record(client, tenantId, actor, [
        { type: 'TenantCreated', data: { name } },
        { type: 'ApiKeyCreated', data: { keyId: key.keyId, name: key.name, roles: [...key.roles], expiresAt: null } },
      ]);
      return { ...tenant, adminKeyId: key.keyId, adminApiKey: key.apiKey };
    });
    // A deleted tenant's id used again after its retention: this process may remember it deleted.
    this.gate.forget(tenantId);
    return created;
  }

  list(): Promise<Tenant[]> {
    return this.store.list();
  }

  async get(tenantId: string): Promise<Tenant> {
    return (await this.store.get(tenantId)) ?? notFound(tenantId);
  }

  suspend(caller: PlatformAdminPrincipal, tenantId: string, reason: string | undefined): Promise<Tenant> {
    return this.transition(caller, tenantId, 'suspend', async (tenant, at) =>
      tenant.status === 'suspended' ? undefined : { change: { status: 'suspended', at, reason: reason ?? null }, actions: [{ type: 'TenantSuspended', data: reason === undefined ? {} : { reason } }] },
    );
  }

  resume(caller: PlatformAdminPrincipal, tenantId: string): Promise<Tenant> {
    return this.transition(caller, tenantId, 'resume', async (tenant) => (tenant.status === 'active' ? undefined : { change: { status: 'active' }, actions: [{ type: 'TenantResumed', data: {} }] }));
  }

  /** Soft deletion: the row and data stay until the retention ends; every key of the tenant is revoked now. */
  delete(caller: PlatformAdminPrincipal, tenantId: string): Promise<Tenant> {
    return this.transition(caller, tenantId, 'delete', async (_tenant, at, client) => {
      const retainUntil = new Date(at.getTime() + this.retentionDays * dayMs);
      const revoked = await this.apiKeys.revokeAll(tenantId, client);
      return {
        change: { status: 'deleted', at, retainUntil },
        actions: [...revoked.map((keyId): AdminAction => ({ type: 'ApiKeyRevoked', data: { keyId } })), { type: 'TenantDeleted', data: { retainUntil: retainUntil.toISOString() } }],
      };
    });
  }

  private async transition(caller: PlatformAdminPrincipal, tenantId: string, verb: string, plan: Transition): Promise<Tenant> {
    const changed = await this.adminLog.transaction(async (client) => {
      const tenant = (await this.store.lock(client, tenantId)) ?? notFound(tenantId);
      // Deleting twice is fine; nothing else happens to a deleted tenant.
      if (tenant.status === 'deleted') {
        if (verb === 'delete') return tenant;
        throw new GatewayError('Conflict', `tenant ${tenantId} has been deleted, so it cannot ${verb === 'suspend' ? 'be suspended' : 'be resumed'}; its id is kept until ${tenant.retainUntil}.`);
      }
      const at = this.now();
      const planned = await plan(tenant, at, client);
      if (!planned) return tenant;
      const updated = await this.store.setStatus(client, tenantId, planned.change);
      await this.adminLog.record(client, tenantId, adminActor.platformAdmin(caller.keyId), planned.actions);
      return updated;
    });
    this.gate.forget(tenantId);
    return changed;
  }

  private async taken(client: pg.PoolClient, tenantId: string): Promise<GatewayError> {
    const existing = await this.store.get(tenantId, client);
    return existing?.status === 'deleted'
      ? new GatewayError('Conflict', `tenant ${tenantId} was deleted and its id is kept until ${existing.retainUntil}; choose another id.`)
      : new GatewayError('Conflict', `tenant ${tenantId} already exists; choose another id.`);
  }
}

function notFound(tenantId: string): never {
  throw new GatewayError('NotFound', `There is no tenant ${tenantId}.`);
}
