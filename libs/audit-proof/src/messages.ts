import canonicalize from 'canonicalize';

/* The exact bytes each signature covers: UTF-8 of RFC 8785 JSON with a kind that names what is signed. */

export interface CheckpointStatement {
  readonly tenantId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly signedAt: string;
  readonly keyId: string;
}

export interface KeyStatement {
  readonly tenantId: string;
  readonly keyId: string;
  readonly publicKey: string;
  readonly validFrom: string;
}

export interface BundleStatement {
  readonly tenantId: string;
  readonly exportId: string;
  /** Hex SHA-256 of every byte of the bundle before its signature line. */
  readonly sha256: string;
}

export function checkpointMessage(c: CheckpointStatement): Buffer {
  return jcs({ kind: 'ao-audit-checkpoint/1', tenantId: c.tenantId, treeSize: c.treeSize, rootHash: c.rootHash, signedAt: c.signedAt, keyId: c.keyId });
}

/** Signed by the previous key: trust in it carries over to this one. */
export function keyEndorsementMessage(k: KeyStatement): Buffer {
  return jcs({ kind: 'ao-audit-key/1', tenantId: k.tenantId, keyId: k.keyId, publicKey: k.publicKey, validFrom: k.validFrom });
}

export function bundleSignatureMessage(s: BundleStatement): Buffer {
  return jcs({ kind: 'ao-audit-bundle/1', tenantId: s.tenantId, exportId: s.exportId, sha256: s.sha256 });
}

function jcs(value: object): Buffer {
  return Buffer.from(canonicalize(value)!, 'utf8');
}
