import { createHash } from 'node:crypto';

/*
 * The tenant's Merkle tree, RFC 6962 §2.1: leaf = SHA-256(0x00 || entry), node =
 * SHA-256(0x01 || left || right), a list of n > 1 leaves splits at the largest power of two
 * below n. Intervals are [lo, hi) of leaf positions; every proof here is a list of interval
 * hashes, so a producer hashes each interval from stored leaf hashes and a verifier recomputes.
 */

export type Interval = [lo: number, hi: number];

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** MTH of the empty tree: SHA-256 of nothing. */
export const emptyRoot: Buffer = createHash('sha256').digest();

export function leafHash(entry: Uint8Array | string): Buffer {
  const hash = createHash('sha256').update(LEAF_PREFIX);
  return (typeof entry === 'string' ? hash.update(entry, 'utf8') : hash.update(entry)).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a list of n. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH by the definition, recursively, of leaves[lo, hi) (all of them by default). */
export function rootOf(leaves: readonly Buffer[], lo = 0, hi = leaves.length): Buffer {
  if (hi - lo === 0) return emptyRoot;
  if (hi - lo === 1) return leaves[lo]!;
  const k = splitPoint(hi - lo);
  return nodeHash(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

/**
 * MTH of leaf hashes pushed in order, in O(log n) memory: the perfect subtrees seen so far form a
 * binary counter (sizes strictly decreasing left to right), and the MTH of the whole list is their
 * right-to-left fold, because RFC 6962 splits every list at a power of two from its left end.
 */
export interface SubtreeHasher {
  push(leaf: Uint8Array): void;
  readonly size: number;
  root(): Buffer;
}

export function subtreeHasher(): SubtreeHasher {
  const stack: { size: number; hash: Buffer }[] = [];
  let size = 0;
  return {
    push(leaf) {
      let top: { size: number; hash: Buffer } = { size: 1, hash: Buffer.from(leaf) };
      while (stack.length > 0 && stack[stack.length - 1]!.size === top.size) {
        const left = stack.pop()!;
        top = { size: left.size * 2, hash: nodeHash(left.hash, top.hash) };
      }
      stack.push(top);
      size++;
    },
    get size() {
      return size;
    },
    root() {
      if (stack.length === 0) return emptyRoot;
      let hash = stack[stack.length - 1]!.hash;
      for (let i = stack.length - 2; i >= 0; i--) hash = nodeHash(stack[i]!.hash, hash);
      return hash;
    },
  };
}

export function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}
