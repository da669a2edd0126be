import type { ConsistencyProofLine, InclusionProofLine, ManifestLine, RangeProofLine } from './bundle-lines.js';
import { describePositions, type EventLedger } from './event-ledger.js';
import type { Finding } from './findings.js';
import { rootFromRange, verifyConsistency, verifyInclusion } from './proofs.js';

/* Ties the bundle's events to the signed tree, and the signed tree to the previous export's. */

const hashes = (hex: readonly string[]): Buffer[] => hex.map((h) => Buffer.from(h, 'hex'));
const short = (hex: string): string => hex.slice(0, 12);

/** Range mode: every event of [first, end), in order, with the proof's subtrees, must make the checkpoint's root. */
export function checkRangeProof(manifest: ManifestLine, ledger: EventLedger, proof: RangeProofLine | null, findings: Finding[]): void {
  const { first, end } = manifest.range;
  const { treeSize, rootHash } = manifest.checkpoint;
  if (proof === null) {
    findings.push({ kind: 'malformed', message: `the bundle has no range proof: nothing ties positions ${first}..${end - 1} to the checkpoint` });
    return;
  }
  if (proof.first !== first || proof.end !== end || proof.treeSize !== treeSize) {
    findings.push({ kind: 'malformed', message: `the range proof is for positions ${proof.first}..${proof.end - 1} of ${proof.treeSize}, the manifest says ${first}..${end - 1} of ${treeSize}` });
    return;
  }
  if (end > treeSize || first > end) {
    findings.push({ kind: 'malformed', message: `the range ${first}..${end - 1} is not inside the checkpoint's tree of ${treeSize}` });
    return;
  }
  const held = ledger.leaves.length;
  const untied = `the ${held} events at positions ${first}..${end - 1} do not hash to the checkpoint root ${short(rootHash)} (tree size ${treeSize})`;
  if (held !== end - first) {
    findings.push({ kind: held < end - first ? 'removed' : 'inserted', message: `${untied}: the range holds ${end - first} positions, the bundle ${held} events`, position: first });
    return;
  }
  let root: Buffer;
  try {
    root = rootFromRange(first, end, treeSize, ledger.leaves, hashes(proof.hashes));
  } catch (error) {
    findings.push({ kind: 'malformed', message: `the range proof does not fit the tree: ${(error as Error).message}` });
    return;
  }
  if (root.toString('hex') !== rootHash) findings.push({ kind: 'altered', message: `${untied}: an event, its position or the order was changed`, position: first });
}

/** Inclusion mode: checked as each proof line arrives; the event at its position must already have been read. */
export function checkInclusionProof(manifest: ManifestLine, ledger: EventLedger, proof: InclusionProofLine, line: number, findings: Finding[]): void {
  const place = ledger.places.get(proof.position);
  if (manifest.proofMode !== 'inclusion') {
    findings.push({ kind: 'malformed', message: `line ${line}: an inclusion proof in a range-mode bundle`, line });
    return;
  }
  if (place === undefined) {
    findings.push({ kind: 'removed', message: `line ${line}: the bundle proves position ${proof.position} but holds no event there`, position: proof.position, line });
    return;
  }
  ledger.proven.add(proof.position);
  const { treeSize, rootHash } = manifest.checkpoint;
  const leaf = ledger.leafAt(proof.position);
  if (proof.treeSize !== treeSize || leaf === undefined || !verifyInclusion(proof.position, treeSize, leaf, hashes(proof.path), Buffer.from(rootHash, 'hex'))) {
    findings.push({
      kind: 'altered',
      message: `the event at position ${proof.position} is not in the checkpoint's tree (size ${treeSize}, root ${short(rootHash)})`,
      streamId: place.streamId,
      streamVersion: place.streamVersion,
      position: place.position,
      line: place.line,
    });
  }
}

/** Inclusion mode, after the last line: an event no proof ties to the tree is an event anyone could have added. */
export function checkEveryEventProven(ledger: EventLedger, findings: Finding[]): void {
  for (const [position, { streamId, streamVersion, line }] of ledger.places) {
    if (!ledger.proven.has(position)) findings.push({ kind: 'inserted', message: `the event at position ${position} has no inclusion proof`, streamId, streamVersion, position, line });
  }
}

export function checkConsistency(manifest: ManifestLine, proof: ConsistencyProofLine | null, findings: Finding[]): void {
  const before = manifest.previous!.checkpoint;
  const now = manifest.checkpoint;
  if (proof === null) {
    findings.push({ kind: 'gap', message: `no consistency proof ties this export's tree (size ${now.treeSize}) to the previous export's (size ${before.treeSize})` });
    return;
  }
  if (proof.fromSize !== before.treeSize || proof.toSize !== now.treeSize) {
    findings.push({ kind: 'malformed', message: `the consistency proof runs from ${proof.fromSize} to ${proof.toSize}, the checkpoints are of ${before.treeSize} and ${now.treeSize}` });
    return;
  }
  if (!verifyConsistency(before.treeSize, now.treeSize, Buffer.from(before.rootHash, 'hex'), Buffer.from(now.rootHash, 'hex'), hashes(proof.hashes))) {
    findings.push({ kind: 'altered', message: `the tree of ${now.treeSize} events does not extend the previous export's tree of ${before.treeSize}: history before position ${before.treeSize} was rewritten` });
  }
}

/** With the previous bundle at hand: this export must continue exactly that one. */
export function checkPrevious(manifest: ManifestLine, earlier: ManifestLine, findings: Finding[]): void {
  const claimed = manifest.previous;
  if (claimed === null) {
    findings.push({ kind: 'gap', message: `this export does not name a previous export, yet ${earlier.exportId} was given as its previous bundle` });
    return;
  }
  if (claimed.exportId !== earlier.exportId) {
    findings.push({ kind: 'gap', message: `this export continues export ${claimed.exportId}, not the given previous bundle ${earlier.exportId}` });
  }
  const a = claimed.checkpoint;
  const b = earlier.checkpoint;
  if (a.treeSize !== b.treeSize || a.rootHash !== b.rootHash || a.signedAt !== b.signedAt || a.keyId !== b.keyId || a.signature !== b.signature) {
    findings.push({ kind: 'gap', message: `the previous bundle's checkpoint (size ${b.treeSize}, root ${short(b.rootHash)}) is not the one this export continues (size ${a.treeSize}, root ${short(a.rootHash)})` });
  }
  if (manifest.tenantId !== earlier.tenantId) findings.push({ kind: 'gap', message: `the previous bundle is tenant ${earlier.tenantId}'s, this one tenant ${manifest.tenantId}'s` });
  if (manifest.proofMode === 'range' && earlier.proofMode === 'range' && manifest.range.first > earlier.range.end) {
    findings.push({ kind: 'gap', message: `${describePositions(earlier.range.end, manifest.range.first)} in neither bundle`, position: earlier.range.end });
  }
}
