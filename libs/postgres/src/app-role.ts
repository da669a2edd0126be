import pg from 'pg';

/** How to open a connection: pg's connection string, and startup options (`-c name=value`) when there are any. */
export interface DatabaseConnection {
  readonly connectionString: string;
  readonly options?: string;
}

/** The role the services' tenant-scoped queries run as: subject to row-level security, owner of nothing. */
export interface AppRole {
  readonly name: string;
  readonly connection: DatabaseConnection;
  /** The variable that chose it, for messages: APP_DATABASE_URL (its own login) or DATABASE_APP_ROLE (a role the migration role switches to). */
  readonly variable: 'APP_DATABASE_URL' | 'DATABASE_APP_ROLE';
}

/** A service's two ways into its tables. */
export interface TenantDatabase {
  /** The migration role: owns the tables, creates them, and is not subject to their policies (projections, platform jobs). */
  readonly pool: pg.Pool;
  /** The application role: what a request or handler reads and writes, each transaction scoped by withTenant. */
  readonly tenantPool: pg.Pool;
  readonly appRole: AppRole;
}

export interface AppRoleSettings {
  /** DATABASE_URL: the migration role's connection. */
  readonly databaseUrl: string;
  /** APP_DATABASE_URL: the application role's own login; when absent the role below is used. */
  readonly appDatabaseUrl?: string;
  /** DATABASE_APP_ROLE: a NOLOGIN role made by the migration role if missing, and switched to when each connection starts. */
  readonly appRole: string;
}

export const defaultAppRole = 'ao_app';

export class AppRoleError extends Error {
  override readonly name = 'AppRoleError';
}

const duplicateObject = '42710';
const uniqueViolation = '23505';

/**
 * The application role, checked: not a superuser, no BYPASSRLS, and neither the migration role
 * nor a member of any role that owns a table (owners are not subject to their tables' policies).
 * A role that fails is refused with an AppRoleError naming the variable, the reason and the fix.
 *
 * Without APP_DATABASE_URL (dev mode, tests, `npm run cluster`) the migration role makes the role
 * (NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT) when it is missing, and connections to DATABASE_URL
 * switch to it in their startup packet (`-c role=...`), so it holds from the first query and
 * RESET ROLE or DISCARD ALL return to it. The session user stays the migration role, which an
 * explicit SET ROLE could return to: a deployment shared by tenants uses APP_DATABASE_URL, a login
 * of its own.
 */
export async function resolveAppRole(migrations: pg.Pool, settings: AppRoleSettings): Promise<AppRole> {
  const role = settings.appDatabaseUrl === undefined ? await switchedRole(migrations, settings) : await loginRole(settings.appDatabaseUrl);
  await checkAppRole(migrations, role);
  await letMigrationRoleActAs(migrations, role);
  return role;
}

/**
 * The migration role switches to the application role: on each connection without
 * APP_DATABASE_URL, and for the statements on a tenant's rows that commit with an admin event
 * (withTenantOn). A superuser may switch to any role; any other migration role must be a member
 * of the application role, which it is made when it may grant that.
 */
async function letMigrationRoleActAs(migrations: pg.Pool, role: Pick<AppRole, 'name' | 'variable'>): Promise<void> {
  try {
    await migrations.query(
      `DO $$ BEGIN
         IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND NOT pg_has_role(current_user, ${pg.escapeLiteral(role.name)}, 'MEMBER') THEN
           EXECUTE format('GRANT %I TO %I', ${pg.escapeLiteral(role.name)}, current_user);
         END IF;
       END $$`,
    );
  } catch (error) {
    throw new AppRoleError(
      `${role.variable}: the migration role (DATABASE_URL) may not act as the application role "${role.name}" and could not make itself a member: ${(error as Error).message}; run GRANT ${pg.escapeIdentifier(role.name)} TO <the migration role>`,
    );
  }
}

async function loginRole(appDatabaseUrl: string): Promise<AppRole> {
  const client = new pg.Client({ connectionString: appDatabaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT current_user AS name');
    return { name: rows[0]!.name, connection: { connectionString: appDatabaseUrl }, variable: 'APP_DATABASE_URL' };
  } catch (error) {
    throw new AppRoleError(`APP_DATABASE_URL: could not connect as the application role: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function switchedRole(migrations: pg.Pool, settings: AppRoleSettings): Promise<AppRole> {
  const role = pg.escapeIdentifier(settings.appRole);
  try {
    await migrations.query(`CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT`);
  } catch (error) {
    // Made already, perhaps by another process starting at the same time: it is checked below like any other.
    const code = (error as { code?: string }).code;
    if (code !== duplicateObject && code !== uniqueViolation) throw new AppRoleError(`DATABASE_APP_ROLE: the migration role (DATABASE_URL) could not create role ${settings.appRole}: ${(error as Error).message}; create it yourself (NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT) or set APP_DATABASE_URL`);
  }
  const inUrl = new URL(settings.databaseUrl).searchParams.get('options');
  return {
    name: settings.appRole,
    connection: { connectionString: settings.databaseUrl, options: [inUrl, `-c role=${settings.appRole}`].filter(Boolean).join(' ') },
    variable: 'DATABASE_APP_ROLE',
  };
}

/** Refuses a role row-level security would not hold, naming the variable, the reason and what to do. */
export async function checkAppRole(migrations: pg.Pool, role: Pick<AppRole, 'name' | 'variable'>): Promise<void> {
  const { rows } = await migrations.query<{ superuser: boolean; bypassrls: boolean; migration_role: string; is_migration_role: boolean; owned: string[] }>(
    `SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypassrls, current_user AS migration_role, pg_has_role(r.oid, current_user, 'MEMBER') AS is_migration_role,
            ARRAY(SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
                     AND pg_has_role(r.oid, c.relowner, 'MEMBER') ORDER BY 1 LIMIT 5) AS owned
       FROM pg_roles r WHERE r.rolname = $1`,
    [role.name],
  );
  const found = rows[0];
  const refuse = (reason: string, fix: string) => new AppRoleError(`${role.variable}: the application role "${role.name}" ${reason}, and row-level security does not hold for it; ${fix}`);
  if (!found) throw refuse('does not exist', 'create it, or leave APP_DATABASE_URL unset so the migration role makes one');
  if (found.superuser) throw refuse('is a superuser', `connect as a role made NOSUPERUSER NOBYPASSRLS`);
  if (found.bypassrls) throw refuse('has BYPASSRLS', `ALTER ROLE ${pg.escapeIdentifier(role.name)} NOBYPASSRLS, or connect as another role`);
  if (found.is_migration_role) throw refuse(`is, or is a member of, the migration role "${found.migration_role}" (DATABASE_URL), which owns the tables`, 'connect as a role of its own that owns nothing');
  if (found.owned.length > 0) throw refuse(`owns (or is a member of a role that owns) ${found.owned.join(', ')}`, 'let the migration role (DATABASE_URL) own the tables, and connect as a role that owns nothing');
}
