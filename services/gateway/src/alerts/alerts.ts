import { platformAlertTenantId } from '@agent-orchestrator/contracts';
import { withTenant } from '@agent-orchestrator/postgres';
import { AlertQueries, type AlertRecord, type AlertStatus } from '@agent-orchestrator/read-models';
import type pg from 'pg';

/**
 * The tenant's alerts from the alerts read model (the observability service writes it), read as
 * the application role in the caller's tenant scope. Before that service first ran, the table is
 * not there and there is nothing to list.
 */
export class Alerts {
  private readonly queries: AlertQueries;

  constructor(
    private readonly tenantPool: pg.Pool,
    schema: string,
  ) {
    this.queries = new AlertQueries(schema);
  }

  async list(tenantId: string, query: { readonly status?: AlertStatus; readonly limit: number }): Promise<{ items: AlertRecord[] }> {
    try {
      return { items: await withTenant(this.tenantPool, tenantId, (client) => this.queries.list(client, tenantId, query)) };
    } catch (error) {
      if ((error as { code?: string }).code === '42P01') return { items: [] };
      throw error;
    }
  }

  /** The platform's own alerts (a stalled projection, dead letters of no tenant): read in the platform's scope, so no tenant's row can show. */
  async listPlatform(query: { readonly status?: AlertStatus; readonly limit: number }): Promise<{ items: AlertRecord[] }> {
    return this.list(platformAlertTenantId, query);
  }
}
