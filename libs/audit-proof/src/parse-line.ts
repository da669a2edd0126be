import type { BundleLine, BundleLineKind } from './bundle-lines.js';

/*
 * Shape checks for each line kind: enough that the verifier can read every field it uses without
 * guarding again. Anything else in a line is ignored, so later formats can add fields.
 */

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const hex32 = /^[0-9a-f]{64}$/;
const isHex32: Check = (v) => typeof v === 'string' && v.length === 64 && hex32.test(v);
const isHexList: Check = (v) => Array.isArray(v) && v.every(isHex32);
const orNull = (check: Check): Check => (v) => v === null || check(v);
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shape = (fields: Record<string, Check>): Check => {
  const entries = Object.entries(fields);
  return (v) => {
    if (!isObject(v)) return false;
    for (const [name, check] of entries) if (!check(v[name])) return false;
    return true;
  };
};

const checkpointFields = { tenantId: isString, treeSize: isCount, rootHash: isHex32, signedAt: isString, keyId: isString, signature: isString, timestamp: optional(isString) };
const isCheckpoint = shape(checkpointFields);
const isEvent = shape({
  eventId: isString,
  type: isString,
  schemaVersion: isCount,
  streamId: isString,
  tenantId: isString,
  correlationId: isString,
  causationId: orNull(isString),
  actor: shape({ kind: isString, id: isString }),
  occurredAt: isString,
  traceparent: orNull(isString),
  streamVersion: isCount,
  globalPosition: isString,
});

const lineShapes: Record<BundleLineKind, Check> = {
  manifest: shape({
    format: (v) => v === 'ao-audit-bundle/1',
    exportId: isString,
    tenantId: isString,
    createdAt: isString,
    request: isObject,
    proofMode: (v) => v === 'range' || v === 'inclusion',
    range: shape({ first: isCount, end: isCount }),
    counts: shape({ events: isCount, streams: isCount }),
    checkpoint: isCheckpoint,
    previous: orNull(shape({ exportId: isString, checkpoint: isCheckpoint })),
  }),
  event: shape({ position: isCount, prevHash: orNull(isHex32), hash: isHex32, event: (v) => isEvent(v) && 'data' in (v as object) }),
  'stream-head': shape({ streamId: isString, version: isCount, hash: isHex32 }),
  'range-proof': shape({ first: isCount, end: isCount, treeSize: isCount, hashes: isHexList }),
  'inclusion-proof': shape({ position: isCount, treeSize: isCount, path: isHexList }),
  'consistency-proof': shape({ fromSize: isCount, toSize: isCount, hashes: isHexList }),
  checkpoint: shape(checkpointFields),
  key: shape({
    keyId: isString,
    algorithm: (v) => v === 'Ed25519',
    publicKey: isString,
    validFrom: isString,
    validUntil: orNull(isString),
    previousKeyId: orNull(isString),
    endorsement: orNull(isString),
  }),
  signature: shape({ tenantId: isString, exportId: isString, sha256: isHex32, keyId: isString, signature: isString }),
};

/** Where each kind may appear: a line of a lower rank after one of a higher rank is out of place. */
export const lineRank: Record<BundleLineKind, number> = {
  manifest: 0,
  event: 1,
  'stream-head': 2,
  'range-proof': 3,
  'inclusion-proof': 3,
  'consistency-proof': 4,
  checkpoint: 5,
  key: 6,
  signature: 7,
};

export type ParsedLine = { ok: true; line: BundleLine } | { ok: false; problem: string };

export function parseBundleLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  if (!isObject(value) || typeof value.kind !== 'string') return { ok: false, problem: 'not an object with a "kind"' };
  const check = lineShapes[value.kind as BundleLineKind];
  if (check === undefined) return { ok: false, problem: `unknown line kind "${value.kind}"` };
  if (!check(value)) return { ok: false, problem: `a ${value.kind} line with missing or mistyped fields` };
  return { ok: true, line: value as unknown as BundleLine };
}
