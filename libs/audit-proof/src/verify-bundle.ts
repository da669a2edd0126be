import type { Checkpoint, CheckpointLine, ConsistencyProofLine, KeyLine, ManifestLine, RangeProofLine, SignatureLine } from './bundle-lines.js';
import { readBundleLines, type BundleFileEnd, type BundleSource } from './bundle-reader.js';
import { EventLedger } from './event-ledger.js';
import type { Finding } from './findings.js';
import { buildKeyRing, checkCheckpoint, type KeyRing, type TrustedKey } from './key-trust.js';
import { lineRank, parseBundleLine } from './parse-line.js';
import { checkConsistency, checkEveryEventProven, checkInclusionProof, checkPrevious, checkRangeProof } from './proof-checks.js';
import { checkBundleSignature } from './bundle-signature.js';

export interface VerifyBundleOptions {
  /** Path of the bundle, NDJSON or gzipped NDJSON; or its bytes, read once, a chunk at a time. */
  bundle: BundleSource;
  /** The export this one continues (path or bytes): its checkpoint must be this one's previous, its keys are trusted. */
  previous?: BundleSource;
  /** Keys the auditor trusts (base64 raw, PEM, fingerprint or key id): every signing key must be one or endorsed from one. */
  trustedKeys?: readonly TrustedKey[];
}

export interface BundleSummary {
  tenantId: string | null;
  exportId: string | null;
  createdAt: string | null;
  proofMode: 'range' | 'inclusion' | null;
  events: number;
  streams: number;
  treeSize: number | null;
  rootHash: string | null;
  /** The first position the bundle covers and one past its last. */
  firstPosition: number | null;
  end: number | null;
  checkpoints: number;
  keys: number;
  /** The key id of the bundle's signature. */
  signedBy: string | null;
  /** True when a trusted key or a previous bundle anchored the keys; false when the bundle vouched for itself. */
  anchored: boolean;
  previousExportId: string | null;
  /** SHA-256 of the whole file, uncompressed. */
  sha256: string | null;
  bytes: number;
  lines: number;
}

export interface BundleReport {
  ok: boolean;
  summary: BundleSummary;
  findings: Finding[];
}

/** What the read of one bundle gathered, besides its event checks. */
interface BundleRead {
  manifest: ManifestLine | null;
  ledger: EventLedger | null;
  rangeProof: RangeProofLine | null;
  consistency: ConsistencyProofLine | null;
  checkpoints: { line: CheckpointLine; number: number }[];
  keys: KeyLine[];
  signature: { line: SignatureLine; number: number } | null;
  end: BundleFileEnd;
}

/**
 * Checks a bundle on its own, offline: every event against its stream's hash chain and the signed
 * tree, every signature against the tenant's keys. Reads the file once, a line at a time.
 */
export async function verifyBundle(options: VerifyBundleOptions): Promise<BundleReport> {
  return (await verifyWithKeys(options)).report;
}

async function verifyWithKeys(options: VerifyBundleOptions): Promise<{ report: BundleReport; read: BundleRead }> {
  const findings: Finding[] = [];
  const read = await readBundle(options.bundle, findings);
  const { manifest, ledger } = read;
  if (manifest === null || ledger === null) return { report: report(read, findings, null), read };

  ledger.finish();
  findings.unshift(...ledger.findings);
  if (manifest.proofMode === 'range') checkRangeProof(manifest, ledger, read.rangeProof, findings);
  else checkEveryEventProven(ledger, findings);

  let anchorKeys: KeyLine[] = [];
  if (manifest.previous !== null) checkConsistency(manifest, read.consistency, findings);
  if (options.previous !== undefined) {
    const earlier = await verifyWithKeys({ bundle: options.previous, ...(options.trustedKeys ? { trustedKeys: options.trustedKeys } : {}) });
    for (const f of earlier.report.findings) findings.push({ ...f, message: `previous bundle: ${f.message}` });
    if (earlier.read.manifest !== null) checkPrevious(manifest, earlier.read.manifest, findings);
    anchorKeys = earlier.read.keys;
  }

  const ring = buildKeyRing(manifest.tenantId, read.keys, options.trustedKeys ?? [], anchorKeys);
  findings.push(...ring.findings);
  checkCheckpoints(ring, manifest, read, findings);
  checkBundleSignature(ring, manifest, read.signature, read.end, findings);
  return { report: report(read, findings, ring), read };
}

async function readBundle(source: BundleSource, findings: Finding[]): Promise<BundleRead> {
  const read: Omit<BundleRead, 'end'> = { manifest: null, ledger: null, rangeProof: null, consistency: null, checkpoints: [], keys: [], signature: null };
  const lines = readBundleLines(source);
  let rank = 0;
  let lastKind = 'manifest';
  for (let next = await lines.next(); ; next = await lines.next()) {
    if (next.done) return { ...read, end: next.value };
    for (const { number, text } of next.value) {
      const parsed = parseBundleLine(text);
      if (!parsed.ok) {
        findings.push({ kind: 'malformed', message: `line ${number}: ${parsed.problem}`, line: number });
        continue;
      }
      const line = parsed.line;
      if (read.manifest === null && line.kind !== 'manifest') {
        findings.push({ kind: 'malformed', message: `line ${number}: the bundle does not start with a manifest line`, line: number });
        return { ...read, end: await drain(lines) };
      }
      if (read.signature !== null) findings.push({ kind: 'malformed', message: `line ${number}: ${article(line.kind)} ${line.kind} line after the signature line`, line: number });
      else if (lineRank[line.kind] < rank || (line.kind === 'manifest' && read.manifest !== null)) {
        findings.push({ kind: 'malformed', message: `line ${number}: ${article(line.kind)} ${line.kind} line after ${lastKind} lines`, line: number });
      }
      rank = Math.max(rank, lineRank[line.kind]);
      lastKind = line.kind;
      const ledger = read.ledger;
      switch (line.kind) {
        case 'manifest':
          if (read.manifest === null) {
            read.manifest = line;
            read.ledger = new EventLedger(line);
          }
          break;
        case 'event':
          ledger!.add(line, number);
          break;
        case 'stream-head':
          ledger!.addHead(line, number);
          break;
        case 'range-proof':
          if (read.manifest!.proofMode !== 'range') findings.push({ kind: 'malformed', message: `line ${number}: a range proof in an inclusion-mode bundle`, line: number });
          else if (read.rangeProof !== null) findings.push({ kind: 'malformed', message: `line ${number}: a second range proof`, line: number });
          else read.rangeProof = line;
          break;
        case 'inclusion-proof':
          checkInclusionProof(read.manifest!, ledger!, line, number, findings);
          break;
        case 'consistency-proof':
          read.consistency = line;
          break;
        case 'checkpoint':
          read.checkpoints.push({ line, number });
          break;
        case 'key':
          read.keys.push(line);
          break;
        case 'signature':
          read.signature = { line, number };
          break;
        default: {
          const unexpected: never = line;
          throw new Error(`unhandled line kind ${(unexpected as { kind: string }).kind}`);
        }
      }
    }
  }
}

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

async function drain(lines: AsyncGenerator<unknown, BundleFileEnd>): Promise<BundleFileEnd> {
  for (;;) {
    const next = await lines.next();
    if (next.done) return next.value;
  }
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint): boolean =>
  a.tenantId === b.tenantId && a.treeSize === b.treeSize && a.rootHash === b.rootHash && a.signedAt === b.signedAt && a.keyId === b.keyId && a.signature === b.signature;

function checkCheckpoints(ring: KeyRing, manifest: ManifestLine, read: BundleRead, findings: Finding[]): void {
  for (const { line, number } of read.checkpoints) checkCheckpoint(ring, manifest.tenantId, line, `the checkpoint of tree size ${line.treeSize} on line ${number}`, findings, number);
  const named: [Checkpoint, string][] = [[manifest.checkpoint, "the manifest's checkpoint"]];
  if (manifest.previous !== null) named.push([manifest.previous.checkpoint, "the previous export's checkpoint"]);
  for (const [checkpoint, what] of named) {
    if (!read.checkpoints.some(({ line }) => sameCheckpoint(line, checkpoint))) {
      findings.push({ kind: 'malformed', message: `${what} (tree size ${checkpoint.treeSize}) is not among the bundle's checkpoint lines` });
      checkCheckpoint(ring, manifest.tenantId, checkpoint, what, findings);
    }
  }
  let previous: CheckpointLine | null = null;
  for (const { line, number } of read.checkpoints) {
    if (previous !== null && (line.treeSize < previous.treeSize || line.signedAt < previous.signedAt)) {
      findings.push({ kind: 'out-of-order', message: `the checkpoint on line ${number} (tree size ${line.treeSize}, ${line.signedAt}) comes before the one above it`, line: number });
    }
    previous = line;
  }
}

function report(read: BundleRead, findings: Finding[], ring: KeyRing | null): BundleReport {
  const m = read.manifest;
  const summary: BundleSummary = {
    tenantId: m?.tenantId ?? null,
    exportId: m?.exportId ?? null,
    createdAt: m?.createdAt ?? null,
    proofMode: m?.proofMode ?? null,
    events: read.ledger?.events ?? 0,
    streams: read.ledger?.streamCount ?? 0,
    treeSize: m?.checkpoint.treeSize ?? null,
    rootHash: m?.checkpoint.rootHash ?? null,
    firstPosition: m?.range.first ?? null,
    end: m?.range.end ?? null,
    checkpoints: read.checkpoints.length,
    keys: read.keys.length,
    signedBy: read.signature?.line.keyId ?? null,
    anchored: ring?.anchored ?? false,
    previousExportId: m?.previous?.exportId ?? null,
    sha256: read.end.bytes > 0 ? read.end.sha256 : null,
    bytes: read.end.bytes,
    lines: read.end.lines,
  };
  if (read.end.lines === 0) findings.push({ kind: 'truncated', message: 'the bundle is empty' });
  return { ok: findings.length === 0, summary, findings };
}
