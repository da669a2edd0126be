import { leafHash, nodeHash } from '@agent-orchestrator/audit-proof';
import { createHash } from 'node:crypto';

/**
 * A tree of `size` leaves kept as its compact range: the roots of the perfect subtrees that
 * `size`'s binary digits cut [0, size) into, largest (leftmost) first. Appending a leaf merges
 * equal-height roots; the RFC 6962 root folds them right to left. O(log n) hashes whatever the size.
 */
export interface CompactRange {
  readonly size: number;
  readonly frontier: readonly Buffer[];
}

export const emptyRange: CompactRange = { size: 0, frontier: [] };

export function appendLeaf(range: CompactRange, leaf: Buffer): CompactRange {
  const frontier = [...range.frontier, leaf];
  // The new leaf closes one perfect subtree for each trailing 1 bit of the old size.
  for (let size = range.size; size % 2 === 1; size = Math.floor(size / 2)) {
    const right = frontier.pop()!;
    const left = frontier.pop()!;
    frontier.push(nodeHash(left, right));
  }
  return { size: range.size + 1, frontier };
}

/** MTH of the whole range (RFC 6962 §2.1); SHA-256 of nothing for the empty tree. */
export function rootOfRange(range: CompactRange): Buffer {
  if (range.frontier.length === 0) return createHash('sha256').digest();
  let root = range.frontier[range.frontier.length - 1]!;
  for (let index = range.frontier.length - 2; index >= 0; index--) root = nodeHash(range.frontier[index]!, root);
  return root;
}

export { leafHash };
