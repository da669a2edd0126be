import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';

/* The fast path must give canonicalize's bytes, or canonicalize's error, on every value. */

const outcome = (serialize: (value: unknown) => string | undefined, value: unknown): { text: string | undefined } | { error: string } => {
  try {
    return { text: serialize(value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
};
const expectSame = (value: unknown): void => expect(outcome(canonicalJson, value)).toEqual(outcome(canonicalize, value));

/** The same value with every object's keys inserted in sorted order: the input the fast path takes. */
const sorted = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sorted((value as Record<string, unknown>)[key]);
  return out;
};

describe('canonicalJson', () => {
  it('agrees with canonicalize on chosen values', () => {
    const values: unknown[] = [
      null, true, false, 0, -0, 1.5, -1.5, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_VALUE, 2 ** 53, 0.1 + 0.2, -1e-21,
      '', 'é', '😀', '\u2028\u2029', '\u0000\u001f"\\/', '\\ud800', '\ud800', 'a\udc00b', NaN, Infinity, -Infinity, undefined,
      [], {}, [1, [2, [3, [4, []]]], { '': [] }], [undefined, () => 1, Symbol('s')], { a: undefined, b: () => 1, c: 1 },
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      { b: 1, a: 2, A: 3, '10': 4, '9': 5, é: 6, '😀': 7, '\uffff': 8, '': 9 }, { '': 9, A: 3, a: 2, b: 1, é: 6, '\uffff': 8, '😀': 7 },
      { '\ud800': 1 }, { a: '\udfff' }, { __proto__: null, a: [1e21], z: 1 }, JSON.parse('{"__proto__":{"x":1},"a":1}'), JSON.parse('{"a":1,"__proto__":{"x":-0}}'),
      { d: new Date(0) }, { n: new Number(2), s: new String('x'), b: new Boolean(false) }, { toJSON: () => ({ b: 1, a: 2 }) }, { toJSON: 'not a function' },
      Object.assign([1, 2], { extra: 3 }), { big: 1n }, new Map([[1, 2]]), { a: { b: { c: [{ d: 'é😀', e: -0, f: 1.5 }] } } },
    ];
    for (const value of values) {
      expectSame(value);
      expectSame(sorted(value));
    }
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    expectSame(deep);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expectSame(cycle);
  });

  it('agrees with canonicalize on generated JSON, keys sorted or not', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => { expectSame(value); expectSame(sorted(value)); }), { numRuns: 2000 });
    fc.assert(fc.property(fc.json(), (text) => { expectSame(JSON.parse(text)); expectSame(sorted(JSON.parse(text))); }), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => { expectSame({ [a]: [a, { x: b }], [b]: a }); expectSame(sorted({ [a]: [b], [b]: a })); }), { numRuns: 2000 });
    fc.assert(fc.property(fc.double(), (n) => expectSame(sorted({ n, a: [n] }))), { numRuns: 2000 });
  });

  it('agrees with canonicalize on anything', () => {
    const anything = fc.anything({ withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withDate: true, withMap: true, withSet: true, withBigInt: true, withTypedArray: true, withObjectString: true, withUnicodeString: true });
    fc.assert(fc.property(anything, (value) => { expectSame(value); expectSame(sorted(value)); }), { numRuns: 2000 });
  });
});
