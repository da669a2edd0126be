import { z } from 'zod';
import { auditExportIdSchema, auditExportRangeSchema, minAuditRetentionDays } from '../catalog/audit-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/** Export the tenant's audit trail in `range` as bundle `exportId` (the id the gateway answered with). */
export const requestAuditExportSchema = z.strictObject({ type: z.literal('RequestAuditExport'), exportId: auditExportIdSchema, range: auditExportRangeSchema, metadata: commandMetadataSchema });
export type RequestAuditExport = Readonly<z.infer<typeof requestAuditExportSchema>>;

/** Sign a checkpoint of the tenant's tree now. */
export const signAuditCheckpointSchema = z.strictObject({ type: z.literal('SignAuditCheckpoint'), metadata: commandMetadataSchema });
export type SignAuditCheckpoint = Readonly<z.infer<typeof signAuditCheckpointSchema>>;

/** Replace the tenant's signing key with a new one, endorsed by the old. */
export const rotateAuditKeySchema = z.strictObject({ type: z.literal('RotateAuditKey'), metadata: commandMetadataSchema });
export type RotateAuditKey = Readonly<z.infer<typeof rotateAuditKeySchema>>;

export const setAuditRetentionSchema = z.strictObject({ type: z.literal('SetAuditRetention'), days: z.number().int().min(minAuditRetentionDays).max(36_500), metadata: commandMetadataSchema });
export type SetAuditRetention = Readonly<z.infer<typeof setAuditRetentionSchema>>;

/** A command of the audit service on `commands.audit`, keyed by the tenant's `audit-<tenant>` stream. */
export const auditCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: z.discriminatedUnion('type', [requestAuditExportSchema, signAuditCheckpointSchema, rotateAuditKeySchema, setAuditRetentionSchema]),
});
export type AuditCommandMessage = z.infer<typeof auditCommandMessageSchema>;
export type AuditCommand = AuditCommandMessage['command'];
