import { createInSchema, isolateByTenant, withTenant, withTenantOn, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { actorOf, type AdminLog } from '../admin/admin-log.js';
import type { Principal } from '../auth/access.guard.js';
import { platformRoles, type RoleMapping } from '../auth/token-claims.js';

/** One version of a tenant's role mapping; version 0, before any PUT, maps nothing. */
export interface RoleMappingVersion {
  readonly version: number;
  readonly mapping: RoleMapping;
  readonly setAt: string | null;
  /** Who set it: an API key's id or `token:<issuer>#<sub>`. */
  readonly setBy: string | null;
}

const initial: RoleMappingVersion = { version: 0, mapping: {}, setAt: null, setBy: null };

interface RoleMappingRow {
  version: number;
  mapping: Record<string, string[]>;
  set_at: Date;
  set_by: string;
}

function versionOf(row: RoleMappingRow | undefined): RoleMappingVersion {
  if (!row) return initial;
  // A role dropped from the code since the mapping was set grants nothing, as on API keys.
  const mapping = Object.fromEntries(Object.entries(row.mapping).map(([name, roles]) => [name, platformRoles(roles, {})]));
  return { version: row.version, mapping, setAt: row.set_at.toISOString(), setBy: row.set_by };
}

/**
 * Each tenant's mapping from its identity provider's role or group names to platform roles, in
 * `<schema>.role_mappings`, every version kept, each recorded as RoleMappingSet on the tenant's
 * admin stream in the same transaction. Tokens are read against the latest version at each
 * request, so a change applies to the next request in every gateway process. The table is under
 * row-level security: read and written as the application role in the tenant's scope.
 */
export class RoleMappings {
  private readonly table: string;

  constructor(
    private readonly database: TenantDatabase,
    private readonly schema: string,
    private readonly adminLog: AdminLog,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.role_mappings`;
  }

  async migrate(): Promise<void> {
    await createInSchema(
      this.database.pool,
      `gateway-role-mappings:${this.schema}`,
      this.schema,
      [
        `CREATE TABLE IF NOT EXISTS ${this.table} (
          tenant_id text NOT NULL,
          version   integer NOT NULL CHECK (version > 0),
          mapping   jsonb NOT NULL,
          set_at    timestamptz NOT NULL DEFAULT now(),
          set_by    text NOT NULL,
          PRIMARY KEY (tenant_id, version))`,
      ],
      (client) => isolateByTenant(client, this.table, { appRole: this.database.appRole.name, privileges: ['SELECT', 'INSERT'] }),
    );
  }

  async current(tenantId: string): Promise<RoleMappingVersion> {
    const found = await withTenant(this.database.tenantPool, tenantId, (client) =>
      client.query<RoleMappingRow>(`SELECT version, mapping, set_at, set_by FROM ${this.table} WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1`, [tenantId]),
    );
    return versionOf(found.rows[0]);
  }

  /** Writes the next version. Two PUTs at once take turns on a lock per tenant, so each gets its own version. */
  async set(caller: Principal, mapping: RoleMapping): Promise<RoleMappingVersion> {
    return this.adminLog.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`role-mapping:${this.schema}:${caller.tenantId}`]);
      const inserted = await withTenantOn(client, this.database.appRole.name, caller.tenantId, (asTenant) =>
        asTenant.query<RoleMappingRow>(
          `INSERT INTO ${this.table} (tenant_id, version, mapping, set_by)
           SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM ${this.table} WHERE tenant_id = $1
           RETURNING version, mapping, set_at, set_by`,
          [caller.tenantId, JSON.stringify(mapping), caller.subject],
        ),
      );
      const version = versionOf(inserted.rows[0]);
      await this.adminLog.record(client, caller.tenantId, actorOf(caller), [{ type: 'RoleMappingSet', data: { version: version.version, mapping: Object.fromEntries(Object.entries(mapping).map(([name, roles]) => [name, [...roles]])) } }]);
      return version;
    });
  }
}
