import { createHash, type Hash } from 'node:crypto';
import { bundleLineText, type BundleLine, type SignatureLine } from './bundle-lines.js';
import { bundleSignatureMessage } from './messages.js';

/**
 * For producers: turns lines into text while hashing exactly the bytes written, so the signature
 * line that ends the file covers what was streamed out, whatever the writer did with it.
 */
export class BundleDigest {
  private readonly hash: Hash = createHash('sha256');
  private written = 0;

  /** The line's text ('\n' included), counted into the digest. */
  text(line: BundleLine): string {
    return this.raw(bundleLineText(line));
  }

  /** Text written as is: for specs that need a line no BundleLine can express. */
  raw(text: string): string {
    this.hash.update(text, 'utf8');
    this.written += Buffer.byteLength(text, 'utf8');
    return text;
  }

  get bytes(): number {
    return this.written;
  }

  /** Hex SHA-256 of the lines so far. */
  get sha256(): string {
    return this.hash.copy().digest('hex');
  }

  /** The last line: `sign` gets the exact message bytes and returns a base64 Ed25519 signature. */
  signatureLine(ids: { tenantId: string; exportId: string; keyId: string }, sign: (message: Buffer) => string): SignatureLine {
    const statement = { tenantId: ids.tenantId, exportId: ids.exportId, sha256: this.sha256 };
    return { kind: 'signature', ...statement, keyId: ids.keyId, signature: sign(bundleSignatureMessage(statement)) };
  }
}
