import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { ValueProvider } from '@nestjs/common';
import type pg from 'pg';
import type { Logger } from 'pino';
import { AdminLog, type AdminLogStore } from '../admin/admin-log.js';
import type { ApiKeyStore } from '../api-keys/api-key-store.js';
import { PlatformAdmin } from '../auth/platform-admin.js';
import { defaultTenantRetentionDays, type GatewayConfig } from '../config.js';
import { TenantGate } from './tenant-gate.js';
import { TenantStore } from './tenant-store.js';
import { Tenants } from './tenants.js';

/** Tenants, their status check, the platform admin and the admin log, as the gateway's app binds them. */
export interface Tenancy {
  readonly tenants: Tenants;
  readonly tenantGate: TenantGate;
  readonly platformAdmin: PlatformAdmin;
  readonly adminLog: AdminLog;
  close(): Promise<void>;
}

/**
 * Migrates the tenants table, makes every tenant that has keys (the bootstrap one included) an
 * active tenant, and opens the admin log on `adminLogStore` (the session log). Without one (a
 * gateway started with keys only, in tests) the admin log is a store in the gateway's own schema.
 * Run after the API keys are migrated and the bootstrap key registered.
 */
export async function openTenancy(pool: pg.Pool, config: GatewayConfig, apiKeys: ApiKeyStore, logger: Logger, adminLogStore?: AdminLogStore): Promise<Tenancy> {
  const store = new TenantStore(pool, config.schema);
  await store.migrate();
  const adopted = await store.adoptTenantsWithKeys();
  if (adopted.length > 0) logger.info({ tenants: adopted }, 'tenants that had API keys but no row are now active tenants');
  const ownStore = adminLogStore ? undefined : await PostgresEventStore.open({ pool, schema: config.schema });
  const adminLog = new AdminLog(pool, adminLogStore ?? ownStore!);
  const tenantGate = new TenantGate((tenantId) => store.get(tenantId));
  return {
    tenants: new Tenants(store, apiKeys, adminLog, tenantGate, config.tenantRetentionDays ?? defaultTenantRetentionDays),
    tenantGate,
    platformAdmin: new PlatformAdmin(config.platformAdminApiKey),
    adminLog,
    close: async () => ownStore?.close(),
  };
}

/** The Nest providers of a Tenancy: the guard and the tenants and admin-events controllers inject them by class. */
export function tenancyProviders(tenancy: Tenancy): ValueProvider[] {
  return [
    { provide: Tenants, useValue: tenancy.tenants },
    { provide: TenantGate, useValue: tenancy.tenantGate },
    { provide: PlatformAdmin, useValue: tenancy.platformAdmin },
    { provide: AdminLog, useValue: tenancy.adminLog },
  ];
}
