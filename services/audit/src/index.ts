export { AuditError, auditErrorCodes, decideAuditTrail, evolveAuditTrail, initialAuditTrail, type AuditErrorCode, type AuditTrailCommand, type AuditTrailState } from './domain/audit-trail.js';
export { parseAuditConfig, type AuditConfig } from './config.js';
export { startAudit } from './service.js';
export { signingKeySecret, SigningKeys } from './keys/signing-keys.js';
export { TreeBuilder } from './tree/tree-builder.js';
export { Checkpointer, type SignedCheckpoint } from './checkpoints/checkpointer.js';
export { ExportJobs } from './exports/export-jobs.js';
export { storedBundle } from './exports/chunk-sink.js';
