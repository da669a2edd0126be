import { auditExportIdSchema, minAuditRetentionDays, sessionIdSchema } from '@agent-orchestrator/contracts';
import { z } from 'zod';

/**
 * The audit routes' bodies, queries and answers: one schema each, so what a route checks, what
 * it answers and what the OpenAPI document (and the generated client) say cannot drift.
 */

/** Any ISO 8601 instant with a zone; sent on as UTC, the form the contracts take. */
const instantIn = z.iso.datetime({ offset: true });

export const exportRequestBody = z
  .strictObject({
    from: instantIn.optional().describe('The first event exported is the first whose occurredAt is at or after this instant.'),
    to: instantIn.optional().describe('The last event exported is the last whose occurredAt is before this instant.'),
    sessionIds: z.array(sessionIdSchema).min(1).max(100).optional().describe('Export every event of these sessions, each with an inclusion proof (instead of a time range).'),
    previousExportId: auditExportIdSchema.optional().describe('A completed (or since expired) export of your tenant: the bundle then proves that the log it saw was only extended since (a consistency proof).'),
  })
  .refine((body) => body.from === undefined || body.to === undefined || Date.parse(body.from) < Date.parse(body.to), { path: ['to'], message: '"to" must be after "from"' })
  .refine((body) => body.sessionIds === undefined || (body.from === undefined && body.to === undefined), {
    path: ['sessionIds'],
    message: 'give either a time range (from/to) or sessionIds, not both',
  });
export type ExportRequestBody = z.infer<typeof exportRequestBody>;

export const exportAccepted = z.object({ exportId: z.uuid().describe('Follow it with GET /v1/audit/exports/{id}.') });

export const listExportsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime().optional().describe('The nextCursor of the previous page.'),
});

const hex = z.string().regex(/^[0-9a-f]{64}$/);

export const auditCheckpoint = z.object({
  treeSize: z.number().int().describe('How many of the tenant\'s events, in log order, the tree holds.'),
  rootHash: hex,
  signedAt: z.iso.datetime(),
  keyId: z.string().describe('The signing key: see GET /v1/audit/keys.'),
});

const finding = z.object({
  kind: z.string().describe('altered, removed, inserted, out-of-order, truncated, gap, bad-signature, key-outside-period, unknown-key or malformed'),
  message: z.string(),
  streamId: z.string().optional(),
  streamVersion: z.number().int().optional(),
  position: z.number().int().optional(),
  line: z.number().int().optional(),
});

export const auditExport = z.object({
  exportId: z.uuid(),
  tenantId: z.string(),
  status: z.enum(['requested', 'running', 'completed', 'failed', 'expired']),
  request: z.object({ from: z.string().optional(), to: z.string().optional(), sessionIds: z.array(z.string()).optional(), previousExportId: z.string().optional() }),
  requestedAt: z.iso.datetime(),
  requestedBy: z.string().describe('Who asked: an API key id or token:<issuer>#<sub>.'),
  progress: z.object({ written: z.number().int(), total: z.number().int().nullable().describe('null until the export knows how many events it holds.') }),
  checkpoint: auditCheckpoint.nullable().describe('The signed checkpoint the bundle proves against.'),
  events: z.number().int().nullable(),
  bytes: z.number().int().nullable().describe('The bundle\'s size uncompressed.'),
  sha256: hex.nullable().describe('SHA-256 of the bundle as downloaded, uncompressed.'),
  completedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable().describe('After this the bundle is deleted (the retention period) and the download answers 410.'),
  error: z.string().nullable().describe('Why a failed export failed.'),
  verification: z
    .object({ ok: z.boolean(), summary: z.string(), findings: z.array(finding) })
    .nullable()
    .describe("The platform's own run of the offline verifier over the stored bundle. An auditor should run it again on their copy: `npx ao audit verify <file> --trusted-key <fingerprint>`."),
});

export const auditExportPage = z.object({
  items: z.array(auditExport),
  nextCursor: z.string().nullable().describe('Pass as `before` for the next page; null on the last page.'),
});

export const auditKey = z.object({
  keyId: z.string(),
  fingerprint: hex.describe('SHA-256 of the raw public key: what `ao audit verify --trusted-key` pins.'),
  publicKey: z.string().describe('Base64 of the raw 32-byte Ed25519 public key.'),
  validFrom: z.iso.datetime(),
  validUntil: z.iso.datetime().nullable().describe('When the next key took over; null for the current key.'),
  previousKeyId: z.string().nullable(),
});
export const auditKeyList = z.object({
  items: z.array(auditKey).describe('Every key the tenant ever had, oldest first.'),
  currentKeyId: z.string().nullable().describe('The key signing now; null before the first checkpoint.'),
});

export const commandAccepted = z.object({ commandId: z.uuid().describe("The command's id: the event it causes carries it as causationId.") });

export const checkpointsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const auditCheckpointList = z.object({
  items: z.array(auditCheckpoint.extend({ reason: z.string().describe('interval, requested or export') })).describe('Newest first.'),
});

export const retentionAnswer = z.object({
  days: z.number().int().describe('How long a completed export\'s bundle is kept.'),
  minimumDays: z.number().int().describe('The least it may be set to.'),
  setAt: z.iso.datetime().nullable().describe('null: never set, the default applies.'),
});

export const retentionBody = z.strictObject({
  days: z.number().int().min(minAuditRetentionDays).max(36_500).describe(`At least ${minAuditRetentionDays} (six months, EU AI Act art. 19).`),
});

export const retentionAccepted = commandAccepted.extend({ days: z.number().int() });
