import { z } from 'zod';
import { ValidBody, fieldProblems } from './valid-body.js';

describe('strict request bodies', () => {
  it('accepts only strict object schemas, so a route cannot silently drop unknown fields', () => {
    expect(() => ValidBody(z.strictObject({ name: z.string() }))).not.toThrow();
    expect(() => ValidBody(z.object({ name: z.string() }))).toThrow(/z\.strictObject/);
    expect(() => ValidBody(z.looseObject({ name: z.string() }))).toThrow(/z\.strictObject/);
  });

  it('points at each bad field, one entry per unknown field, nested ones included', () => {
    const schema = z.strictObject({ name: z.string(), limits: z.strictObject({ tokens: z.number() }), 'a/b~c': z.string() });
    const parsed = schema.safeParse({ limits: { tokens: 'many', extra: 1 }, 'a/b~c': 'ok', x: 1, y: 2 });
    expect(parsed.success).toBe(false);
    expect(fieldProblems(parsed.error!)).toEqual(
      expect.arrayContaining([
        { pointer: '#/name', detail: expect.any(String) },
        { pointer: '#/limits/tokens', detail: expect.any(String) },
        { pointer: '#/limits/extra', detail: 'unknown field' },
        { pointer: '#/x', detail: 'unknown field' },
        { pointer: '#/y', detail: 'unknown field' },
      ]),
    );
    const escaped = z.strictObject({ 'a/b~c': z.string() }).safeParse({ 'a/b~c': 1 });
    expect(fieldProblems(escaped.error!)).toEqual([{ pointer: '#/a~1b~0c', detail: expect.any(String) }]);
  });
});
