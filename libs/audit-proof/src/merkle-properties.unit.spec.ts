import fc from 'fast-check';
import {
  consistencyProofIntervals,
  inclusionProofIntervals,
  leafHash,
  rangeProofIntervals,
  rootFromRange,
  rootOf,
  subtreeHasher,
  verifyConsistency,
  verifyInclusion,
  type Interval,
} from './index.js';

/* Every proof, produced from intervals and checked by the RFC 9162 verifiers, against the naive MTH. */

const leavesOf = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
// One more leaf than the largest tree, so the proof of a tree of n is also tried against the tree of n + 1.
const allLeaves = leavesOf(301);
const hashesOf = (intervals: Interval[]): Buffer[] => intervals.map(([lo, hi]) => rootOf(allLeaves.slice(lo, hi)));
const root = (n: number): Buffer => rootOf(allLeaves.slice(0, n));
const flip = (b: Buffer): Buffer => Buffer.from(b.map((byte, i) => (i === 0 ? byte ^ 1 : byte)));
const params = { seed: 17, numRuns: 300 };

const sizeAndIndex = fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 })));
const twoSizes = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
const range = fc
  .integer({ min: 0, max: 300 })
  .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n })))
  .map(([n, a, b]) => [Math.min(a, b), Math.max(a, b), n] as const);

describe('Merkle proofs against a naive recomputation', () => {
  it('inclusion proofs verify, and fail when a hash, the index or the size is wrong', () => {
    fc.assert(
      fc.property(sizeAndIndex, ([n, index]) => {
        const path = hashesOf(inclusionProofIntervals(index, n));
        expect(verifyInclusion(index, n, allLeaves[index]!, path, root(n))).toBe(true);
        path.forEach((_, i) => expect(verifyInclusion(index, n, allLeaves[index]!, path.map((h, j) => (i === j ? flip(h) : h)), root(n))).toBe(false));
        if (n > 1) expect(verifyInclusion((index + 1) % n, n, allLeaves[index]!, path, root(n))).toBe(false);
        expect(verifyInclusion(index, n + 1, allLeaves[index]!, path, root(n + 1))).toBe(false);
        expect(verifyInclusion(index, n, allLeaves[index + 1]!, path, root(n))).toBe(false);
      }),
      params,
    );
  });

  it('consistency proofs verify, and fail when a hash or a root is wrong', () => {
    fc.assert(
      fc.property(twoSizes, ([m, n]) => {
        const proof = hashesOf(consistencyProofIntervals(m, n));
        expect(verifyConsistency(m, n, root(m), root(n), proof)).toBe(true);
        proof.forEach((_, i) => expect(verifyConsistency(m, n, root(m), root(n), proof.map((h, j) => (i === j ? flip(h) : h)))).toBe(false));
        if (m > 0 && m < n) {
          expect(verifyConsistency(m, n, flip(root(m)), root(n), proof)).toBe(false);
          expect(verifyConsistency(m, n, root(m), flip(root(n)), proof)).toBe(false);
          expect(verifyConsistency(m, n, root(m), root(n), proof.slice(0, -1))).toBe(false);
        }
      }),
      params,
    );
  });

  it('range proofs rebuild the root, and any change to a leaf, their order or a hash changes it', () => {
    fc.assert(
      fc.property(range, ([first, end, n]) => {
        const intervals = rangeProofIntervals(first, end, n);
        for (const [lo, hi] of intervals) expect(hi <= first || lo >= end).toBe(true);
        const covered = intervals.reduce((sum, [lo, hi]) => sum + hi - lo, 0) + (end - first);
        expect(covered).toBe(n);
        const leaves = allLeaves.slice(first, end);
        const proof = hashesOf(intervals);
        expect(rootFromRange(first, end, n, leaves, proof).equals(root(n))).toBe(true);
        if (leaves.length > 0) {
          const altered = leaves.map((h, i) => (i === leaves.length - 1 ? flip(h) : h));
          expect(rootFromRange(first, end, n, altered, proof).equals(root(n))).toBe(false);
        }
        if (leaves.length > 1) {
          const swapped = [leaves[1]!, leaves[0]!, ...leaves.slice(2)];
          expect(rootFromRange(first, end, n, swapped, proof).equals(root(n))).toBe(false);
        }
        if (proof.length > 0) {
          expect(rootFromRange(first, end, n, leaves, [flip(proof[0]!), ...proof.slice(1)]).equals(root(n))).toBe(false);
          expect(() => rootFromRange(first, end, n, leaves, proof.slice(1))).toThrow(RangeError);
        }
        expect(() => rootFromRange(first, end, n, leaves, [...proof, root(n)])).toThrow(RangeError);
      }),
      params,
    );
  });

  it('the streaming hasher agrees with the naive root for every size', () => {
    for (let n = 0; n <= 300; n++) {
      const hasher = subtreeHasher();
      for (const leaf of allLeaves.slice(0, n)) hasher.push(leaf);
      expect(hasher.root().equals(root(n))).toBe(true);
    }
  });

  it('refuses intervals for positions outside the tree', () => {
    expect(() => inclusionProofIntervals(0, 0)).toThrow(RangeError);
    expect(() => consistencyProofIntervals(5, 4)).toThrow(RangeError);
    expect(() => rangeProofIntervals(2, 6, 5)).toThrow(RangeError);
    expect(verifyInclusion(0, 0, allLeaves[0]!, [], root(0))).toBe(false);
  });
});
