import { setTenantSql, type TenantIsolation } from '@agent-orchestrator/postgres';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in one transaction whose tenant is `tenantId` (withTenant's, on a TypeORM
 * connection): on the application role's DataSource, the read models show that tenant's rows and
 * no other, whatever the query says.
 */
export function inTenantScope<T>(db: DataSource | EntityManager, tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return db.transaction(async (manager) => {
    await manager.query(setTenantSql, [tenantId]);
    return work(manager);
  });
}

/** Read models are written by their projection (the owner) and only read by the application role. */
export function readOnlyFor(appRole: string | undefined): TenantIsolation {
  return appRole === undefined ? {} : { appRole, privileges: ['SELECT'] };
}
