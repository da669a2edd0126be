import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { sessionIdSchema } from './session-events.js';

/*
 * A tenant's audit trail, on its `audit-<tenant>` stream (owned by the audit service). The
 * Merkle tree these events speak of is the tenant's: every event of the tenant in log order,
 * leaf `SHA-256(0x00 || canonical content)`, node `SHA-256(0x01 || left || right)` (RFC 6962),
 * positions counted from 0. These events are leaves of that tree too.
 * Keys are Ed25519; a key id is the first 16 hex digits of SHA-256 of the raw 32-byte public key.
 */

const instant = z.iso.datetime({ offset: false });
const hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200);
export const auditKeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/);
export const auditExportIdSchema = z.uuid();

/**
 * A signing key took over from `previousKeyId` (none for the tenant's first key). Its period runs
 * from `validFrom` until the next key's `validFrom`. `endorsement` is the previous key's signature
 * over the new key's record, so trust in any one key carries over to the keys after it.
 */
export const AuditKeyActivated = defineEvent('AuditKeyActivated', [
  {
    schema: z.strictObject({
      keyId: auditKeyIdSchema,
      algorithm: z.literal('Ed25519'),
      /** Base64 of the raw 32-byte public key. */
      publicKey: base64,
      validFrom: instant,
      previousKeyId: auditKeyIdSchema.nullable(),
      endorsement: base64.nullable(),
    }),
  },
]);

/** A signed statement of the tenant's tree: its first `treeSize` leaves hash to `rootHash`. */
export const AuditCheckpointSigned = defineEvent('AuditCheckpointSigned', [
  {
    schema: z.strictObject({
      treeSize: z.number().int().min(0),
      rootHash: hex32,
      signedAt: instant,
      keyId: auditKeyIdSchema,
      signature: base64,
      /** Why it was signed: the interval came round, someone asked, or an export needed one. */
      reason: z.enum(['interval', 'requested', 'export']),
      /** Base64 DER RFC 3161 TimeStampToken over SHA-256 of the signed checkpoint text, when a TSA is configured. */
      timestamp: z.string().max(20_000).optional(),
    }),
  },
]);

export const auditExportRangeSchema = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  sessionIds: z.array(sessionIdSchema).min(1).max(100).optional(),
  previousExportId: auditExportIdSchema.optional(),
});
export type AuditExportRange = z.infer<typeof auditExportRangeSchema>;

export const AuditExportRequested = defineEvent('AuditExportRequested', [{ schema: z.strictObject({ exportId: auditExportIdSchema, range: auditExportRangeSchema }) }]);

export const AuditExportCompleted = defineEvent('AuditExportCompleted', [
  {
    schema: z.strictObject({
      exportId: auditExportIdSchema,
      treeSize: z.number().int().min(0),
      rootHash: hex32,
      events: z.number().int().min(0),
      bytes: z.number().int().min(0),
      /** SHA-256 of the whole bundle file, as downloaded uncompressed. */
      sha256: hex32,
      expiresAt: instant,
    }),
  },
]);

export const AuditExportFailed = defineEvent('AuditExportFailed', [{ schema: z.strictObject({ exportId: auditExportIdSchema, reason: z.string().min(1).max(2000) }) }]);

/** How long the tenant's exports are kept, in days: at least 180 (EU AI Act art. 19 asks for six months). */
export const minAuditRetentionDays = 180;
export const AuditRetentionSet = defineEvent('AuditRetentionSet', [{ schema: z.strictObject({ days: z.number().int().min(minAuditRetentionDays).max(36_500) }) }]);

export const auditEvents = [AuditKeyActivated, AuditCheckpointSigned, AuditExportRequested, AuditExportCompleted, AuditExportFailed, AuditRetentionSet] as const;
export type AuditEvent = EventOf<(typeof auditEvents)[number]>;
