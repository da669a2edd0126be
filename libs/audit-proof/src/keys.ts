import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/*
 * Ed25519 keys travel as base64 of the raw 32-byte public key. A key id is the first 16 hex
 * digits of its SHA-256; the fingerprint all 64, for people comparing keys out of band.
 */

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function fingerprintOf(rawPublicKey: Buffer): string {
  return createHash('sha256').update(rawPublicKey).digest('hex');
}

export function keyIdOf(rawPublicKey: Buffer): string {
  return fingerprintOf(rawPublicKey).slice(0, 16);
}

export function publicKeyFromRaw(rawPublicKey: Buffer): KeyObject {
  if (rawPublicKey.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, got ${rawPublicKey.length}`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, rawPublicKey]), format: 'der', type: 'spki' });
}

export function rawPublicKeyOf(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.length !== 44 || !der.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) throw new Error('the key is not an Ed25519 public key');
  return der.subarray(12);
}

/** Signs with an Ed25519 private key; base64. */
export function signMessage(privateKey: KeyObject, message: Buffer): string {
  return sign(null, message, privateKey).toString('base64');
}

/** False on any malformed key or signature, never throws: a verifier reports, it does not crash. */
export function verifySignature(rawPublicKeyBase64: string, message: Buffer, signatureBase64: string): boolean {
  try {
    return verify(null, message, publicKeyFromRaw(Buffer.from(rawPublicKeyBase64, 'base64')), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
