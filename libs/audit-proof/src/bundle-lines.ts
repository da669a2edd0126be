import type { EventContent } from './entry.js';

/*
 * An audit bundle is NDJSON: one JSON object per line, '\n' after each, in this order:
 * manifest, event*, stream-head*, (range-proof | inclusion-proof*), consistency-proof?,
 * checkpoint*, key*, signature. Hashes are lowercase hex; keys and signatures base64.
 */

export const bundleFormat = 'ao-audit-bundle/1';

/** A signed statement of the tenant's tree, as it appears inside the manifest. */
export interface Checkpoint {
  tenantId: string;
  treeSize: number;
  rootHash: string;
  signedAt: string;
  keyId: string;
  signature: string;
  /** Base64 DER RFC 3161 TimeStampToken, when a TSA is configured. */
  timestamp?: string;
}

export interface ExportRequest {
  from?: string;
  to?: string;
  sessionIds?: string[];
  previousExportId?: string;
}

export type ProofMode = 'range' | 'inclusion';

export interface ManifestLine {
  kind: 'manifest';
  format: typeof bundleFormat;
  exportId: string;
  tenantId: string;
  createdAt: string;
  request: ExportRequest;
  /** range: a contiguous run of positions (from/to exports); inclusion: sessionIds exports. */
  proofMode: ProofMode;
  /** [first, end) of positions; in inclusion mode the min and max+1 of the included positions. */
  range: { first: number; end: number };
  counts: { events: number; streams: number };
  checkpoint: Checkpoint;
  previous: { exportId: string; checkpoint: Checkpoint } | null;
}

/** The event as stored, with every envelope field. */
export interface StoredEvent extends EventContent {
  readonly streamVersion: number;
  readonly globalPosition: string;
}

export interface EventLine {
  kind: 'event';
  position: number;
  prevHash: string | null;
  hash: string;
  event: StoredEvent;
}

/** The stream's last event at or below the checkpoint's tree size. */
export interface StreamHeadLine {
  kind: 'stream-head';
  streamId: string;
  version: number;
  hash: string;
}

export interface RangeProofLine {
  kind: 'range-proof';
  first: number;
  end: number;
  treeSize: number;
  /** In rangeProofIntervals order. */
  hashes: string[];
}

export interface InclusionProofLine {
  kind: 'inclusion-proof';
  position: number;
  treeSize: number;
  path: string[];
}

export interface ConsistencyProofLine {
  kind: 'consistency-proof';
  fromSize: number;
  toSize: number;
  hashes: string[];
}

export interface CheckpointLine extends Checkpoint {
  kind: 'checkpoint';
}

export interface KeyLine {
  kind: 'key';
  keyId: string;
  algorithm: 'Ed25519';
  /** Base64 of the raw 32-byte public key. */
  publicKey: string;
  validFrom: string;
  validUntil: string | null;
  previousKeyId: string | null;
  /** The previous key's signature over keyEndorsementMessage; null for the tenant's first key. */
  endorsement: string | null;
}

export interface SignatureLine {
  kind: 'signature';
  tenantId: string;
  exportId: string;
  sha256: string;
  keyId: string;
  signature: string;
}

export type BundleLine =
  | ManifestLine
  | EventLine
  | StreamHeadLine
  | RangeProofLine
  | InclusionProofLine
  | ConsistencyProofLine
  | CheckpointLine
  | KeyLine
  | SignatureLine;

export type BundleLineKind = BundleLine['kind'];

/** One line of the file, newline included. */
export function bundleLineText(line: BundleLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** The checkpoint object without its line kind, as the manifest carries it. */
export function checkpointOf(line: CheckpointLine | Checkpoint): Checkpoint {
  const { tenantId, treeSize, rootHash, signedAt, keyId, signature, timestamp } = line;
  return timestamp === undefined ? { tenantId, treeSize, rootHash, signedAt, keyId, signature } : { tenantId, treeSize, rootHash, signedAt, keyId, signature, timestamp };
}
