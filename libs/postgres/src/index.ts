export { createInSchema, inTransaction, migrateUnderLock } from './transactions.js';
export { inTenantScope, isolateByTenant, setTenantSql, tenantSetting, withTenant, withTenantOn, type Queryable, type TablePrivilege, type TenantIsolation } from './tenant-scope.js';
export { AppRoleError, checkAppRole, defaultAppRole, resolveAppRole, type AppRole, type AppRoleSettings, type DatabaseConnection, type TenantDatabase } from './app-role.js';
export { sqlState } from './sql-state.js';
