import { redactJson } from './redact-json.js';

describe('redacting personal data in a JSON value', () => {
  const context = {
    customer: { email: 'ada@example.com', phones: ['+44 20 7946 0958', 'none'] },
    payment: 'card 4111 1111 1111 1111 or IBAN DE89 3704 0044 0532 0130 00',
    count: 4111111111111111,
    'ada@example.com': true,
    'a/b~c': 'write to bob@example.org',
  };

  it('replaces every kind in every string and names each field by its JSON Pointer, never by its value', () => {
    const { value, findings, found } = redactJson(context, undefined, { basePath: '/context' });
    expect(value).toEqual({
      customer: { email: '[REDACTED:email]', phones: ['[REDACTED:phone]', 'none'] },
      payment: 'card [REDACTED:card] or IBAN [REDACTED:iban]',
      count: 4111111111111111,
      '[REDACTED:email]': true,
      'a/b~c': 'write to [REDACTED:email]',
    });
    expect(findings).toEqual([
      { path: '/context/customer/email', kind: 'email', count: 1 },
      { path: '/context/customer/phones/0', kind: 'phone', count: 1 },
      { path: '/context/payment', kind: 'iban', count: 1 },
      { path: '/context/payment', kind: 'card', count: 1 },
      { path: '/context/[REDACTED:email]', kind: 'email', count: 1 },
      { path: '/context/a~1b~0c', kind: 'email', count: 1 },
    ]);
    expect(found).toEqual({ email: 3, phone: 1, iban: 1, card: 1 });
    expect(JSON.stringify(findings)).not.toContain('ada@');
    expect(context.customer.email).toBe('ada@example.com'); // the input is not changed
  });

  it('keeps what it is told to skip, and keeps everything when no kind is asked for', () => {
    const output = [{ type: 'function_call', arguments: '{"email":"ada@example.com"}' }, { type: 'message', text: 'mail ada@example.com' }];
    const skipCalls = (node: unknown) => typeof node === 'object' && node !== null && (node as { type?: unknown }).type === 'function_call';
    expect(redactJson(output, undefined, { skip: skipCalls }).value).toEqual([output[0], { type: 'message', text: 'mail [REDACTED:email]' }]);
    expect(redactJson(context, [])).toEqual({ value: context, findings: [], found: {} });
  });

  it('keeps a "__proto__" key as data, and two keys redacted alike apart', () => {
    const hostile = JSON.parse('{"__proto__": {"x": "ada@example.com"}, "a@example.com": 1, "b@example.com": 2}') as Record<string, unknown>;
    const { value } = redactJson(hostile);
    expect(Object.keys(value)).toEqual(['__proto__', '[REDACTED:email]', '[REDACTED:email]#2']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as Record<string, unknown>)['__proto__']).toEqual({ x: '[REDACTED:email]' });
  });
});
