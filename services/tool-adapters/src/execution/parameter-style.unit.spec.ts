import { ArgumentRefused, percentEncode, serializeParameter, styleOf, type ParameterStyle } from './parameter-style.js';

const blue = 'blue';
const list = ['blue', 'black', 'brown'];
const rgb = { R: 100, G: 200, B: 150 };

/**
 * The style table of the OpenAPI specification (3.1.1, section "Style Examples"), whose label
 * rows follow RFC 6570 (`.blue,black,brown` unexploded); pieces joined with `&` as a query would.
 */
const table: [ParameterStyle, boolean, unknown, string][] = [
  ['matrix', false, blue, ';color=blue'],
  ['matrix', false, list, ';color=blue,black,brown'],
  ['matrix', false, rgb, ';color=R,100,G,200,B,150'],
  ['matrix', true, blue, ';color=blue'],
  ['matrix', true, list, ';color=blue;color=black;color=brown'],
  ['matrix', true, rgb, ';R=100;G=200;B=150'],
  ['matrix', false, '', ';color'],
  ['label', false, blue, '.blue'],
  ['label', false, list, '.blue,black,brown'],
  ['label', false, rgb, '.R,100,G,200,B,150'],
  ['label', true, list, '.blue.black.brown'],
  ['label', true, rgb, '.R=100.G=200.B=150'],
  ['form', false, blue, 'color=blue'],
  ['form', false, list, 'color=blue,black,brown'],
  ['form', false, rgb, 'color=R,100,G,200,B,150'],
  ['form', true, blue, 'color=blue'],
  ['form', true, list, 'color=blue&color=black&color=brown'],
  ['form', true, rgb, 'R=100&G=200&B=150'],
  ['form', true, [], ''],
  ['simple', false, blue, 'blue'],
  ['simple', false, list, 'blue,black,brown'],
  ['simple', false, rgb, 'R,100,G,200,B,150'],
  ['simple', true, list, 'blue,black,brown'],
  ['simple', true, rgb, 'R=100,G=200,B=150'],
  ['spaceDelimited', false, list, 'color=blue%20black%20brown'],
  ['spaceDelimited', false, rgb, 'color=R%20100%20G%20200%20B%20150'],
  ['spaceDelimited', true, list, 'color=blue&color=black&color=brown'],
  ['pipeDelimited', false, list, 'color=blue|black|brown'],
  ['pipeDelimited', false, rgb, 'color=R|100|G|200|B|150'],
  ['deepObject', true, rgb, 'color[R]=100&color[G]=200&color[B]=150'],
  ['deepObject', true, { a: { b: 'x', c: [1, 2] } }, 'color[a][b]=x&color[a][c][0]=1&color[a][c][1]=2'],
];

describe('serialising parameters per style and explode', () => {
  it.each(table)('%s, explode %s: %j -> %s', (style, explode, value, expected) => {
    expect(serializeParameter('color', value, { style, explode }).join('&')).toBe(expected);
  });

  it('percent-encodes reserved characters in values and names, unless reserved characters are allowed', () => {
    expect(serializeParameter('a b', 'x/y?z=1&w#v ü', { style: 'form', explode: true })).toEqual(['a%20b=x%2Fy%3Fz%3D1%26w%23v%20%C3%BC']);
    expect(serializeParameter('q', "x/y?z=1&w#v ü!'()*", { style: 'form', explode: true, allowReserved: true })).toEqual(["q=x/y?z=1&w%23v%20%C3%BC!'()*"]);
    expect(serializeParameter('ids', ['a,b', 'c'], { style: 'simple', explode: false })).toEqual(['a%2Cb,c']);
    expect(percentEncode('%3A')).toBe('%253A');
    expect(percentEncode('%3A', true)).toBe('%253A');
  });

  it('sends header values as they are, with no percent-encoding', () => {
    expect(serializeParameter('x-tags', ['a b', 'c/d'], styleOf({ in: 'header' }))).toEqual(['a b,c/d']);
  });

  it("applies OpenAPI's defaults when style and explode are absent", () => {
    expect(styleOf({ in: 'path' })).toMatchObject({ style: 'simple', explode: false });
    expect(styleOf({ in: 'header' })).toMatchObject({ style: 'simple', explode: false, percentEncode: false });
    expect(styleOf({ in: 'query' })).toMatchObject({ style: 'form', explode: true, allowReserved: false });
    expect(styleOf({ in: 'cookie' })).toMatchObject({ style: 'form', explode: true });
    expect(styleOf({ in: 'query', style: 'pipeDelimited' })).toMatchObject({ style: 'pipeDelimited', explode: false });
    expect(styleOf({ in: 'path', allowReserved: true })).toMatchObject({ allowReserved: false });
  });

  it('refuses a value its style cannot carry, naming the argument', () => {
    const refusal = (name: string, value: unknown, style: ParameterStyle) => {
      try {
        serializeParameter(name, value, { style, explode: false });
      } catch (error) {
        expect(error).toBeInstanceOf(ArgumentRefused);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal('filter', ['a'], 'deepObject')).toBe('argument filter is an array; style deepObject carries objects only');
    expect(refusal('filter', 'a', 'deepObject')).toBe('argument filter is not an object; style deepObject carries objects only');
    expect(refusal('ids', [['a']], 'form')).toBe('argument ids[0] holds a nested array, which style form cannot carry; only deepObject nests');
    expect(refusal('point', { at: { x: 1 } }, 'simple')).toBe('argument point.at holds a nested object, which style simple cannot carry; only deepObject nests');
  });
});
