import {
  consistencyProofIntervals,
  emptyRoot,
  inclusionProofIntervals,
  leafHash,
  nodeHash,
  rootOf,
  subtreeHasher,
  verifyConsistency,
  verifyInclusion,
} from './index.js';

/*
 * RFC 6962 test vectors, copied as data from transparency-dev/merkle:
 * testonly/constants.go (leaf inputs, node hashes, roots by tree size) and proof/verify_test.go
 * (inclusion and consistency proofs). There, inclusion vectors count leaves from 1; here from 0.
 */
const leafInputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const leafHashes = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];
const rootsBySize = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const inclusionVectors: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const consistencyVectors: { oldSize: number; newSize: number; proof: string[] }[] = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const hex = (b: Buffer): string => b.toString('hex');
const leaves = leafInputs.map((input) => leafHash(Buffer.from(input, 'hex')));
const rootHex = (size: number): Buffer => Buffer.from(rootsBySize[size]!, 'hex');
const hashOf = ([lo, hi]: [number, number]): string => hex(rootOf(leaves.slice(lo, hi)));

describe('the tenant tree follows RFC 6962 (transparency-dev/merkle vectors)', () => {
  it('hashes leaves and nodes with the 0x00 and 0x01 prefixes', () => {
    expect(leaves.map(hex)).toEqual(leafHashes);
    expect(hex(nodeHash(leaves[0]!, leaves[1]!))).toBe(rootsBySize[2]);
  });

  it.each(rootsBySize.map((root, size) => [size, root] as const))('the root of the first %i leaves is %s', (size, root) => {
    expect(hex(rootOf(leaves.slice(0, size)))).toBe(root);
    const streamed = subtreeHasher();
    for (const leaf of leaves.slice(0, size)) streamed.push(leaf);
    expect(hex(streamed.root())).toBe(root);
  });

  it('the empty tree hashes to SHA-256 of nothing', () => {
    expect(hex(emptyRoot)).toBe(rootsBySize[0]);
  });

  it.each(inclusionVectors)('leaf $index of $size: the path is the published one and verifies', ({ index, size, path }) => {
    expect(inclusionProofIntervals(index, size).map(hashOf)).toEqual(path);
    const proof = path.map((h) => Buffer.from(h, 'hex'));
    expect(verifyInclusion(index, size, leaves[index]!, proof, rootHex(size))).toBe(true);
    expect(verifyInclusion(index, size, leaves[index]!, proof, rootHex(size - 1))).toBe(false);
    if (size > 1) {
      expect(verifyInclusion((index + 1) % size, size, leaves[index]!, proof, rootHex(size))).toBe(false);
      expect(verifyInclusion(index, size, leaves[index]!, proof.slice(1), rootHex(size))).toBe(false);
      expect(verifyInclusion(index, size, leaves[index]!, [...proof, rootHex(size)], rootHex(size))).toBe(false);
    }
  });

  it.each(consistencyVectors)('$oldSize -> $newSize: the proof is the published one and verifies', ({ oldSize, newSize, proof }) => {
    expect(consistencyProofIntervals(oldSize, newSize).map(hashOf)).toEqual(proof);
    const hashes = proof.map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(oldSize, newSize, rootHex(oldSize), rootHex(newSize), hashes)).toBe(true);
    if (oldSize !== newSize) {
      expect(verifyConsistency(oldSize, newSize, rootHex(newSize), rootHex(oldSize), hashes)).toBe(false);
      expect(verifyConsistency(oldSize, newSize, rootHex(oldSize), rootHex(newSize), hashes.slice(0, -1))).toBe(false);
      expect(verifyConsistency(oldSize + 1, newSize, rootHex(oldSize), rootHex(newSize), hashes)).toBe(false);
    }
  });

  it('a tree of no leaves is consistent with any later tree by an empty proof; a tree cannot shrink', () => {
    expect(verifyConsistency(0, 8, emptyRoot, rootHex(8), [])).toBe(true);
    expect(verifyConsistency(0, 8, rootHex(1), rootHex(8), [])).toBe(false);
    expect(verifyConsistency(8, 6, rootHex(8), rootHex(6), [])).toBe(false);
  });
});
