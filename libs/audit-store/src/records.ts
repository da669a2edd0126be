export type AuditExportStatus = 'requested' | 'running' | 'completed' | 'failed' | 'expired';

export interface AuditFinding {
  kind: string;
  message: string;
  streamId?: string;
  streamVersion?: number;
  position?: number;
  line?: number;
}

export interface AuditExportRecord {
  exportId: string;
  tenantId: string;
  status: AuditExportStatus;
  request: { from?: string; to?: string; sessionIds?: string[]; previousExportId?: string };
  requestedAt: string;
  /** The actor id of the request. */
  requestedBy: string;
  /** Events written so far / to write (null until the job knows). */
  progress: { written: number; total: number | null };
  checkpoint: { treeSize: number; rootHash: string; signedAt: string; keyId: string } | null;
  events: number | null;
  bytes: number | null;
  sha256: string | null;
  completedAt: string | null;
  expiresAt: string | null;
  error: string | null;
  /** The platform's own check of the stored bundle, by the offline verifier. */
  verification: { ok: boolean; summary: string; findings: AuditFinding[] } | null;
}

export interface AuditKeyRecord {
  keyId: string;
  fingerprint: string;
  publicKey: string;
  validFrom: string;
  validUntil: string | null;
  previousKeyId: string | null;
}

export interface AuditCheckpointRecord {
  treeSize: number;
  rootHash: string;
  signedAt: string;
  keyId: string;
  reason: string;
}

/** Retention when a tenant never set one: the EU AI Act's six months (art. 19). */
export const defaultAuditRetentionDays = 180;

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const count = (value: string | number | null): number | null => (value === null ? null : Number(value));

export interface ExportRow {
  export_id: string;
  tenant_id: string;
  status: AuditExportStatus;
  request: AuditExportRecord['request'];
  requested_at: Date;
  requested_by: string;
  written: string;
  total: string | null;
  checkpoint: AuditExportRecord['checkpoint'];
  events: string | null;
  bytes: string | null;
  sha256: string | null;
  completed_at: Date | null;
  expires_at: Date | null;
  error: string | null;
  verification: AuditExportRecord['verification'];
}

export function exportRecordOf(row: ExportRow): AuditExportRecord {
  return {
    exportId: row.export_id,
    tenantId: row.tenant_id,
    status: row.status,
    request: row.request,
    requestedAt: iso(row.requested_at)!,
    requestedBy: row.requested_by,
    progress: { written: Number(row.written), total: count(row.total) },
    checkpoint: row.checkpoint === null ? null : { treeSize: row.checkpoint.treeSize, rootHash: row.checkpoint.rootHash, signedAt: row.checkpoint.signedAt, keyId: row.checkpoint.keyId },
    events: count(row.events),
    bytes: count(row.bytes),
    sha256: row.sha256,
    completedAt: iso(row.completed_at),
    expiresAt: iso(row.expires_at),
    error: row.error,
    verification: row.verification,
  };
}

export interface KeyRow {
  key_id: string;
  fingerprint: string;
  public_key: string;
  valid_from: Date;
  valid_until: Date | null;
  previous_key_id: string | null;
}

export function keyRecordOf(row: KeyRow): AuditKeyRecord {
  return { keyId: row.key_id, fingerprint: row.fingerprint, publicKey: row.public_key, validFrom: iso(row.valid_from)!, validUntil: iso(row.valid_until), previousKeyId: row.previous_key_id };
}
