import type { ManifestLine, SignatureLine } from './bundle-lines.js';
import type { BundleFileEnd } from './bundle-reader.js';
import type { Finding } from './findings.js';
import { checkSigningKey, type KeyRing } from './key-trust.js';
import { verifySignature } from './keys.js';
import { bundleSignatureMessage } from './messages.js';

/** The last line signs the SHA-256 of every byte before it: nothing in the file changes unseen, nothing is cut off. */
export function checkBundleSignature(ring: KeyRing, manifest: ManifestLine, signature: { line: SignatureLine; number: number } | null, end: BundleFileEnd, findings: Finding[]): void {
  if (!end.endsWithNewline && end.lines > 0) findings.push({ kind: 'truncated', message: `the file ends inside line ${end.lines}`, line: end.lines });
  if (signature === null) {
    findings.push({ kind: 'truncated', message: `the file ends at line ${end.lines} without its signature line: the rest of the bundle may be missing`, line: end.lines });
    return;
  }
  if (signature.number !== end.lines) {
    findings.push({ kind: 'bad-signature', message: `lines ${signature.number + 1}..${end.lines} follow the signature line: no signature covers them`, line: signature.number + 1 });
  }
  const { line, number } = signature;
  if (line.tenantId !== manifest.tenantId || line.exportId !== manifest.exportId) {
    findings.push({ kind: 'bad-signature', message: `the signature line is for export ${line.exportId} of ${line.tenantId}, the manifest for ${manifest.exportId} of ${manifest.tenantId}`, line: number });
  }
  if (signature.number === end.lines && line.sha256 !== end.sha256BeforeLastLine) {
    findings.push({ kind: 'bad-signature', message: `the bytes before the signature line hash to ${end.sha256BeforeLastLine}, the signature line says ${line.sha256}: the file was changed`, line: number });
  }
  const key = checkSigningKey(ring, line.keyId, manifest.createdAt, 'the bundle', findings, number);
  if (key !== undefined && !verifySignature(key.publicKey, bundleSignatureMessage(line), line.signature)) {
    findings.push({ kind: 'bad-signature', message: `the bundle's signature does not verify with key ${key.keyId}`, line: number });
  }
}
