export { emptyRoot, leafHash, nodeHash, rootOf, splitPoint, subtreeHasher, type Interval, type SubtreeHasher } from './merkle.js';
export { consistencyProofIntervals, inclusionProofIntervals, rangeProofIntervals, rootFromRange, verifyConsistency, verifyInclusion } from './proofs.js';
export { canonicalEntry, chainHash, type EventContent } from './entry.js';
export { fingerprintOf, keyIdOf, publicKeyFromRaw, rawPublicKeyOf, signMessage, verifySignature } from './keys.js';
export { bundleSignatureMessage, checkpointMessage, keyEndorsementMessage, type BundleStatement, type CheckpointStatement, type KeyStatement } from './messages.js';
export {
  bundleFormat,
  bundleLineText,
  checkpointOf,
  type BundleLine,
  type BundleLineKind,
  type Checkpoint,
  type CheckpointLine,
  type ConsistencyProofLine,
  type EventLine,
  type ExportRequest,
  type InclusionProofLine,
  type KeyLine,
  type ManifestLine,
  type ProofMode,
  type RangeProofLine,
  type SignatureLine,
  type StoredEvent,
  type StreamHeadLine,
} from './bundle-lines.js';
export { verifyBundle, type BundleReport, type BundleSummary, type VerifyBundleOptions } from './verify-bundle.js';
export type { Finding, FindingKind } from './findings.js';
export { matchesTrustedKey, trustedKeyProblem, type TrustedKey } from './key-trust.js';
export { readBundleLines, type BundleFileEnd, type BundleSource, type RawLine } from './bundle-reader.js';
export { BundleDigest } from './bundle-writer.js';
