import { comparePositions } from '@agent-orchestrator/contracts';
import { decodePosition, encodePosition } from './position.js';

const maxU64 = 2n ** 64n - 1n;

describe('KurrentDB positions', () => {
  it('round-trips commit and prepare, including 0 and the largest unsigned 64-bit value', () => {
    for (const position of [
      { commit: 0n, prepare: 0n },
      { commit: 1_234n, prepare: 1_100n },
      { commit: maxU64, prepare: maxU64 - 1n },
    ]) {
      expect(decodePosition(encodePosition(position))).toEqual(position);
    }
    expect(encodePosition({ commit: 42n, prepare: 7n })).toBe('00000000000000000042-00000000000000000007');
  });

  it('orders encoded positions as the log orders them: by commit, then by prepare', () => {
    const inLogOrder = [
      { commit: 0n, prepare: 0n },
      { commit: 9n, prepare: 9n },
      { commit: 10n, prepare: 3n },
      { commit: 10n, prepare: 10n },
      { commit: 10n, prepare: 100n },
      { commit: 99_999n, prepare: 99_999n },
      { commit: 100_000n, prepare: 1n },
      { commit: maxU64, prepare: maxU64 },
    ];
    const encoded = inLogOrder.map(encodePosition);
    expect([...encoded].reverse().sort(comparePositions)).toEqual(encoded);
    expect([...encoded].reverse().sort()).toEqual(encoded);
  });

  it('refuses malformed text and out-of-range numbers with a clear message', () => {
    for (const text of ['', '42-7', '00000000000000000042', '0000000000000000004x-00000000000000000007', '00000000000000000042-00000000000000000007 ', '99999999999999999999-00000000000000000000']) {
      expect(() => decodePosition(text)).toThrow(/not a KurrentDB event store position/);
    }
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(/unsigned 64-bit/);
    expect(() => encodePosition({ commit: 0n, prepare: maxU64 + 1n })).toThrow(/unsigned 64-bit/);
  });
});
