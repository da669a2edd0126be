import { createPublicKey } from 'node:crypto';
import type { Checkpoint, KeyLine } from './bundle-lines.js';
import type { Finding } from './findings.js';
import { fingerprintOf, keyIdOf, rawPublicKeyOf, verifySignature } from './keys.js';
import { checkpointMessage, keyEndorsementMessage } from './messages.js';

/*
 * The tenant's signing keys, oldest first. Each key after the first is endorsed by the one before
 * it, so trust in one key carries forward to every later key. A key's period runs from its
 * validFrom to the next key's validFrom; a checkpoint signed outside it is suspect even when the
 * signature holds, because a retired key may since have leaked.
 */

export interface KeyRing {
  readonly keys: readonly KeyLine[];
  readonly findings: Finding[];
  /** Key ids trusted: every key when no anchor is given, else those reached from an anchor. */
  readonly trusted: ReadonlySet<string>;
  readonly anchored: boolean;
}

/** A trusted key as an auditor may give it: base64 raw key, PEM SPKI, full fingerprint or key id. */
export type TrustedKey = string;

export function matchesTrustedKey(key: KeyLine, trusted: TrustedKey): boolean {
  const value = trusted.trim();
  const raw = Buffer.from(key.publicKey, 'base64');
  if (/^[0-9a-f]{16}$/i.test(value)) return value.toLowerCase() === keyIdOf(raw);
  if (/^[0-9a-f]{64}$/i.test(value)) return value.toLowerCase() === fingerprintOf(raw);
  if (value.startsWith('-----BEGIN')) {
    try {
      return rawPublicKeyOf(createPublicKey(value)).equals(raw);
    } catch {
      return false;
    }
  }
  return Buffer.from(value, 'base64').equals(raw);
}

/** Whether a trusted key is in a form this verifier reads; the caller says so before verifying. */
export function trustedKeyProblem(trusted: TrustedKey): string | null {
  const value = trusted.trim();
  if (/^[0-9a-f]{16}$/i.test(value) || /^[0-9a-f]{64}$/i.test(value)) return null;
  if (value.startsWith('-----BEGIN')) {
    try {
      rawPublicKeyOf(createPublicKey(value));
      return null;
    } catch (error) {
      return `the trusted key is PEM but not an Ed25519 public key (${(error as Error).message})`;
    }
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32) return null;
  return 'a trusted key is a base64 raw Ed25519 key, a PEM public key, a 64-hex fingerprint or a 16-hex key id';
}

export function buildKeyRing(tenantId: string, keys: readonly KeyLine[], anchors: readonly TrustedKey[], anchorKeys: readonly KeyLine[]): KeyRing {
  const findings: Finding[] = [];
  const endorsed: boolean[] = [];
  keys.forEach((key, i) => {
    const raw = Buffer.from(key.publicKey, 'base64');
    if (raw.length !== 32 || keyIdOf(raw) !== key.keyId) {
      findings.push({ kind: 'unknown-key', message: `key ${key.keyId}'s public key does not hash to its id` });
      endorsed.push(false);
      return;
    }
    const before = keys[i - 1];
    if (before === undefined) {
      endorsed.push(true);
      if (key.previousKeyId !== null) findings.push({ kind: 'gap', message: `the first key ${key.keyId} names a previous key ${key.previousKeyId} the bundle does not hold` });
      return;
    }
    const statement = { tenantId, keyId: key.keyId, publicKey: key.publicKey, validFrom: key.validFrom };
    const ok = key.previousKeyId === before.keyId && key.endorsement !== null && verifySignature(before.publicKey, keyEndorsementMessage(statement), key.endorsement);
    if (!ok) findings.push({ kind: 'bad-signature', message: `key ${key.keyId} is not endorsed by the key before it, ${before.keyId}` });
    if (!(before.validFrom < key.validFrom)) findings.push({ kind: 'key-outside-period', message: `key ${key.keyId} starts at ${key.validFrom}, not after key ${before.keyId} (${before.validFrom})` });
    endorsed.push(ok);
  });
  const anchored = anchors.length > 0 || anchorKeys.length > 0;
  const trusted = new Set<string>();
  // Without an anchor the bundle's own first key stands in for one: the chain is still checked.
  let carried = !anchored;
  keys.forEach((key, i) => {
    const isAnchor = anchors.some((a) => matchesTrustedKey(key, a)) || anchorKeys.some((a) => a.keyId === key.keyId && a.publicKey === key.publicKey);
    carried = isAnchor || (carried && endorsed[i] === true);
    if (carried) trusted.add(key.keyId);
  });
  return { keys, findings, trusted, anchored };
}

/** The period [validFrom, next key's validFrom) of a key, or undefined for a key not in the ring. */
export function keyPeriod(ring: KeyRing, keyId: string): { from: string; until: string | null } | undefined {
  const i = ring.keys.findIndex((k) => k.keyId === keyId);
  if (i === -1) return undefined;
  return { from: ring.keys[i]!.validFrom, until: ring.keys[i + 1]?.validFrom ?? null };
}

/** Checks one signed statement's key: known, trusted, and in its period at `at`. Returns the key or undefined. */
export function checkSigningKey(ring: KeyRing, keyId: string, at: string, what: string, findings: Finding[], line?: number): KeyLine | undefined {
  const key = ring.keys.find((k) => k.keyId === keyId);
  const where = line === undefined ? {} : { line };
  if (key === undefined) {
    findings.push({ kind: 'unknown-key', message: `${what} is signed by key ${keyId}, which the bundle does not hold`, ...where });
    return undefined;
  }
  if (!ring.trusted.has(keyId)) {
    findings.push({ kind: 'unknown-key', message: `${what} is signed by key ${keyId}, which is not the trusted key nor endorsed from it`, ...where });
  }
  const period = keyPeriod(ring, keyId)!;
  if (at < period.from || (period.until !== null && at >= period.until)) {
    findings.push({ kind: 'key-outside-period', message: `${what} was signed at ${at}, outside key ${keyId}'s period ${period.from}..${period.until ?? 'now'}`, ...where });
  }
  return key;
}

export function checkCheckpoint(ring: KeyRing, tenantId: string, checkpoint: Checkpoint, what: string, findings: Finding[], line?: number): void {
  const where = line === undefined ? {} : { line };
  if (checkpoint.tenantId !== tenantId) findings.push({ kind: 'inserted', message: `${what} is for tenant ${checkpoint.tenantId}, the bundle for ${tenantId}`, ...where });
  const key = checkSigningKey(ring, checkpoint.keyId, checkpoint.signedAt, what, findings, line);
  if (key !== undefined && !verifySignature(key.publicKey, checkpointMessage(checkpoint), checkpoint.signature)) {
    findings.push({ kind: 'bad-signature', message: `${what} (tree size ${checkpoint.treeSize}) does not match its signature by key ${key.keyId}`, ...where });
  }
}
