import { defaultAppRole, resolveAppRole, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';

/**
 * The platform's two pools when the caller gives them (the service gives its platform's), or two
 * of the app's own at `databaseUrl`: the migration role, and the default application role switched
 * to on each connection (made if missing). `release` closes only what the app opened.
 */
export async function gatewayDatabase(given: TenantDatabase | undefined, databaseUrl: string): Promise<{ database: TenantDatabase; release(): Promise<void> }> {
  if (given) return { database: given, release: async () => undefined };
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    const appRole = await resolveAppRole(pool, { databaseUrl, appRole: defaultAppRole });
    const tenantPool = new pg.Pool({ ...appRole.connection });
    return {
      database: { pool, tenantPool, appRole },
      async release() {
        await tenantPool.end();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
