import { edgeRefusal, maxNestingDepth, unsafeInput } from './edge-input.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? { a: value } : [value];
  return value;
}

describe('input no part of the platform may keep', () => {
  it('finds a NUL or a lone surrogate in any string, keys included, by its path', () => {
    expect(unsafeInput({ goal: 'fine', context: { customer: { note: 'a\u0000b' } } })).toEqual([{ path: ['context', 'customer', 'note'], detail: expect.stringContaining('NUL') }]);
    expect(unsafeInput({ list: ['ok', '\ud800'] })).toEqual([{ path: ['list', '1'], detail: expect.stringContaining('lone surrogate') }]);
    expect(unsafeInput({ context: { 'k\u0000': 1 } })).toEqual([{ path: ['context'], detail: expect.stringContaining('key') }]);
  });

  it('lets well-formed text through, astral characters and right-to-left marks included', () => {
    expect(unsafeInput({ goal: '💥 \u202eevil\u202c', n: 1, b: true, z: null })).toEqual([]);
  });

  it(`allows nesting to ${maxNestingDepth} levels and refuses the next, without recursion even 100,000 deep`, () => {
    expect(unsafeInput(nested(maxNestingDepth))).toEqual([]);
    expect(unsafeInput(nested(maxNestingDepth + 1))).toEqual([{ path: expect.any(Array), detail: expect.stringContaining(String(maxNestingDepth)) }]);
    expect(unsafeInput(nested(100_000))).toHaveLength(1);
  });

  it('names a bad parameter by where it was sent, before looking at the body', () => {
    const refusal = edgeRefusal({ params: { id: '\u0000' }, query: {}, headers: {}, body: { goal: '\u0000' } });
    expect(refusal).toMatchObject({ code: 'InvalidParameter', fields: [{ pointer: '#/id', in: 'path' }] });
    expect(edgeRefusal({ params: {}, query: {}, headers: {}, body: { goal: '\u0000' } })).toMatchObject({ code: 'InvalidBody', fields: [{ pointer: '#/goal' }] });
    expect(edgeRefusal({ params: { id: 'x' }, query: { cursor: 'y' }, headers: { host: 'h' }, body: { goal: 'g' } })).toBeUndefined();
  });
});
