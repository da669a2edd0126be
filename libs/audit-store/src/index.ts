export { AuditReadModel } from './audit-read-model.js';
export {
  defaultAuditRetentionDays,
  type AuditCheckpointRecord,
  type AuditExportRecord,
  type AuditExportStatus,
  type AuditFinding,
  type AuditKeyRecord,
} from './records.js';
export { auditTables, migrateAuditStore, type AuditTables } from './tables.js';
