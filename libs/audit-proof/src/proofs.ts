import { assertSize, emptyRoot, nodeHash, rootOf, splitPoint, type Interval } from './merkle.js';

/*
 * Proofs as lists of intervals of the RFC 6962 tree. The verifiers follow RFC 9162 §2.1.3.2 and
 * §2.1.4.2 literally (bit arithmetic on the sizes) rather than the recursions that produce the
 * proofs, so a mistake in one is unlikely to hide the same mistake in the other.
 */

/** RFC 6962 PATH(index, D[0:treeSize]): the sibling subtrees from the leaf up to the root. */
export function inclusionProofIntervals(index: number, treeSize: number): Interval[] {
  assertSize('treeSize', treeSize);
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) throw new RangeError(`leaf ${index} is outside a tree of ${treeSize} leaves`);
  const path: Interval[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const mid = lo + splitPoint(hi - lo);
    if (m < mid) {
      walk(m, lo, mid);
      path.push([mid, hi]);
    } else {
      walk(m, mid, hi);
      path.push([lo, mid]);
    }
  };
  walk(index, 0, treeSize);
  return path;
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(index: number, treeSize: number, leaf: Buffer, path: readonly Buffer[], root: Buffer): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 6962 PROOF(oldSize, D[0:newSize]) = SUBPROOF(oldSize, D[0:newSize], true). */
export function consistencyProofIntervals(oldSize: number, newSize: number): Interval[] {
  assertSize('oldSize', oldSize);
  assertSize('newSize', newSize);
  if (oldSize > newSize) throw new RangeError(`a tree of ${oldSize} leaves cannot grow into one of ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const proof: Interval[] = [];
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    if (m === hi - lo) {
      if (!whole) proof.push([lo, hi]);
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      proof.push([lo + k, hi]);
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push([lo, lo + k]);
    }
  };
  sub(oldSize, 0, newSize, true);
  return proof;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** RFC 9162 §2.1.4.2. A tree of 0 leaves is consistent with any tree, by an empty proof. */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Buffer, newRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === 0) return proof.length === 0 && oldRoot.equals(emptyRoot);
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

/**
 * The maximal subtrees of the RFC 6962 tree of treeSize leaves that hold no position of
 * [first, end), left to right. With the leaves of [first, end) they determine the root, so a
 * verifier holding every event of the range ties all of them, and their order, to one checkpoint.
 */
export function rangeProofIntervals(first: number, end: number, treeSize: number): Interval[] {
  assertRange(first, end, treeSize);
  const out: Interval[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= first || lo >= end) out.push([lo, hi]);
    else if (lo >= first && hi <= end) return;
    else {
      const mid = lo + splitPoint(hi - lo);
      walk(lo, mid);
      walk(mid, hi);
    }
  };
  if (treeSize > 0) walk(0, treeSize);
  return out;
}

/** The root the range's leaf hashes and the proof's hashes make; throws when their counts are wrong. */
export function rootFromRange(first: number, end: number, treeSize: number, leaves: readonly Buffer[], proof: readonly Buffer[]): Buffer {
  assertRange(first, end, treeSize);
  if (leaves.length !== end - first) throw new RangeError(`the range ${first}..${end} holds ${end - first} leaves, ${leaves.length} given`);
  if (treeSize === 0) {
    if (proof.length > 0) throw new RangeError('an empty tree has an empty range proof');
    return emptyRoot;
  }
  let next = 0;
  const walk = (lo: number, hi: number): Buffer => {
    if (hi <= first || lo >= end) {
      const hash = proof[next++];
      if (hash === undefined) throw new RangeError(`the range proof has ${proof.length} hashes, fewer than the tree needs`);
      return hash;
    }
    if (lo >= first && hi <= end) return rootOf(leaves, lo - first, hi - first);
    const mid = lo + splitPoint(hi - lo);
    const left = walk(lo, mid);
    return nodeHash(left, walk(mid, hi));
  };
  const root = walk(0, treeSize);
  if (next !== proof.length) throw new RangeError(`the range proof has ${proof.length} hashes, the tree needs ${next}`);
  return root;
}

function assertRange(first: number, end: number, treeSize: number): void {
  assertSize('first', first);
  assertSize('end', end);
  assertSize('treeSize', treeSize);
  if (first > end || end > treeSize) throw new RangeError(`range ${first}..${end} is not inside a tree of ${treeSize} leaves`);
}
