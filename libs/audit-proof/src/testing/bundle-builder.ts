import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { bundleLineText, checkpointOf, type BundleLine, type Checkpoint, type KeyLine, type StoredEvent } from '../bundle-lines.js';
import { canonicalEntry, chainHash } from '../entry.js';
import { keyIdOf, rawPublicKeyOf, signMessage } from '../keys.js';
import { leafHash, rootOf } from '../merkle.js';
import { BundleDigest } from '../bundle-writer.js';
import { checkpointMessage, keyEndorsementMessage } from '../messages.js';
import { consistencyProofIntervals, inclusionProofIntervals, rangeProofIntervals } from '../proofs.js';

/*
 * Test-only: a small tenant log, keys, checkpoints and bundles made the way the contract says, so
 * the verifier's specs can tamper with real-looking bundles. Not exported from the library.
 */

export interface TestKey {
  line: KeyLine;
  privateKey: KeyObject;
}

export interface LoggedEvent {
  position: number;
  prevHash: string | null;
  hash: string;
  event: StoredEvent;
}

/** Keys with the given start instants, each endorsed by the one before. */
export function makeKeys(tenantId: string, validFroms: readonly string[]): TestKey[] {
  const keys: TestKey[] = [];
  validFroms.forEach((validFrom, i) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKeyOf(publicKey);
    const keyId = keyIdOf(raw);
    const previous = keys[i - 1];
    const statement = { tenantId, keyId, publicKey: raw.toString('base64'), validFrom };
    const line: KeyLine = {
      kind: 'key',
      keyId,
      algorithm: 'Ed25519',
      publicKey: statement.publicKey,
      validFrom,
      validUntil: validFroms[i + 1] ?? null,
      previousKeyId: previous?.line.keyId ?? null,
      endorsement: previous ? signMessage(previous.privateKey, keyEndorsementMessage(statement)) : null,
    };
    keys.push({ line, privateKey });
  });
  return keys;
}

/** `count` events round-robin over `streams` session streams, one minute apart from 2026-01-01. */
export function makeLog(tenantId: string, count: number, streams = 3): LoggedEvent[] {
  const heads = new Map<string, { version: number; hash: string }>();
  return Array.from({ length: count }, (_, position) => {
    const session = `s${position % streams}`;
    const streamId = `session-${session}`;
    const head = heads.get(streamId);
    const streamVersion = head ? head.version + 1 : 0;
    const event: StoredEvent = {
      eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
      type: 'SessionNoted',
      schemaVersion: 1,
      streamId,
      tenantId,
      correlationId: session,
      causationId: null,
      actor: { kind: 'user', id: 'u-1' },
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, position)).toISOString(),
      traceparent: null,
      data: { note: `event ${position}` },
      streamVersion,
      globalPosition: String(position).padStart(20, '0'),
    };
    const prevHash = head?.hash ?? null;
    const hash = chainHash(prevHash, streamVersion, canonicalEntry(event));
    heads.set(streamId, { version: streamVersion, hash });
    return { position, prevHash, hash, event };
  });
}

export const leavesOf = (log: readonly LoggedEvent[]): Buffer[] => log.map((e) => leafHash(canonicalEntry(e.event)));

export function signCheckpoint(tenantId: string, log: readonly LoggedEvent[], treeSize: number, key: TestKey, signedAt: string): Checkpoint {
  const statement = { tenantId, treeSize, rootHash: rootOf(leavesOf(log.slice(0, treeSize))).toString('hex'), signedAt, keyId: key.line.keyId };
  return { ...statement, signature: signMessage(key.privateKey, checkpointMessage(statement)) };
}

export interface BundleSpec {
  exportId: string;
  tenantId: string;
  log: readonly LoggedEvent[];
  keys: readonly TestKey[];
  checkpoint: Checkpoint;
  /** Checkpoint lines besides the manifest's and the previous one's. */
  otherCheckpoints?: readonly Checkpoint[];
  /** Range mode [first, end) when positions is absent; else inclusion mode over these positions. */
  first?: number;
  end?: number;
  positions?: readonly number[];
  previous?: { exportId: string; checkpoint: Checkpoint };
  createdAt?: string;
}

const hexOf = (leaves: Buffer[], [lo, hi]: [number, number]): string => rootOf(leaves.slice(lo, hi)).toString('hex');

/** Every line but the signature. */
export function bundleLines(spec: BundleSpec): BundleLine[] {
  const { tenantId, log, checkpoint } = spec;
  const treeSize = checkpoint.treeSize;
  const leaves = leavesOf(log.slice(0, treeSize));
  const inclusion = spec.positions !== undefined;
  const positions = spec.positions ?? range(spec.first ?? 0, spec.end ?? treeSize);
  const first = inclusion ? Math.min(...positions) : (spec.first ?? 0);
  const end = inclusion ? Math.max(...positions) + 1 : (spec.end ?? treeSize);
  const events = positions.map((p) => log[p]!);
  const streamIds = [...new Set(events.map((e) => e.event.streamId))];
  const lines: BundleLine[] = [
    {
      kind: 'manifest',
      format: 'ao-audit-bundle/1',
      exportId: spec.exportId,
      tenantId,
      createdAt: spec.createdAt ?? checkpoint.signedAt,
      request: spec.previous ? { previousExportId: spec.previous.exportId } : {},
      proofMode: inclusion ? 'inclusion' : 'range',
      range: { first, end },
      counts: { events: events.length, streams: streamIds.length },
      checkpoint,
      previous: spec.previous ?? null,
    },
    ...events.map((e): BundleLine => ({ kind: 'event', position: e.position, prevHash: e.prevHash, hash: e.hash, event: e.event })),
  ];
  for (const streamId of streamIds) {
    const last = log.slice(0, treeSize).filter((e) => e.event.streamId === streamId).at(-1)!;
    lines.push({ kind: 'stream-head', streamId, version: last.event.streamVersion, hash: last.hash });
  }
  if (inclusion) {
    for (const p of positions) lines.push({ kind: 'inclusion-proof', position: p, treeSize, path: inclusionProofIntervals(p, treeSize).map((i) => hexOf(leaves, i)) });
  } else {
    lines.push({ kind: 'range-proof', first, end, treeSize, hashes: rangeProofIntervals(first, end, treeSize).map((i) => hexOf(leaves, i)) });
  }
  if (spec.previous) {
    const fromSize = spec.previous.checkpoint.treeSize;
    lines.push({ kind: 'consistency-proof', fromSize, toSize: treeSize, hashes: consistencyProofIntervals(fromSize, treeSize).map((i) => hexOf(leaves, i)) });
  }
  const checkpoints = [...(spec.previous ? [spec.previous.checkpoint] : []), ...(spec.otherCheckpoints ?? []), checkpoint].sort((a, b) => a.treeSize - b.treeSize);
  for (const c of checkpoints) lines.push({ kind: 'checkpoint', ...checkpointOf(c) });
  for (const key of spec.keys) lines.push(key.line);
  return lines;
}

/** The file's text: the lines, then the signature line over their bytes. */
export function signedBundle(lines: readonly (BundleLine | string)[], key: TestKey, ids: { tenantId: string; exportId: string }): string {
  const digest = new BundleDigest();
  const body = lines.map((l) => (typeof l === 'string' ? digest.raw(`${l}\n`) : digest.text(l))).join('');
  return body + bundleLineText(digest.signatureLine({ ...ids, keyId: key.line.keyId }, (message) => signMessage(key.privateKey, message)));
}

export function writeBundle(path: string, text: string, options: { gzip?: boolean } = {}): string {
  writeFileSync(path, options.gzip ? gzipSync(text) : text);
  return path;
}

function range(from: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i);
}
