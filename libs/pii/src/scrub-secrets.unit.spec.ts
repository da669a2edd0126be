import { scrubSecrets } from './scrub-secrets.js';

const secret = 'tok-Secret/42+é';
const echoedIn = (form: string) => `{"echo": "${form}", "ok": true}`;
const jsonEscapedEvery = [...secret].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('scrubbing presented secrets from an answer', () => {
  const cases: [string, string][] = [
    ['as given', secret],
    ['upper-cased', secret.toUpperCase()],
    ['lower-cased', secret.toLowerCase()],
    ['hex, lower case', Buffer.from(secret).toString('hex')],
    ['hex, upper case', Buffer.from(secret).toString('hex').toUpperCase()],
    ['base64, padded', Buffer.from(secret).toString('base64')],
    ['base64, unpadded', Buffer.from(secret).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['URL-encoded', encodeURIComponent(secret)],
    ['URL-encoded, lower-case escapes', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())],
    ['form-encoded', new URLSearchParams([['', secret]]).toString().slice(1)],
    ['JSON-escaped, every character', jsonEscapedEvery],
    ['JSON-escaped, upper-case hex', jsonEscapedEvery.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => `\\u${hex.toUpperCase()}`)],
    ['JSON-escaped, some characters and "\\/"', `tok-\\u0053ecret\\/42+\\u00e9`],
    ['JSON-escaped twice (JSON inside a JSON string)', `tok-\\\\u0053ecret\\\\/42+\\\\u00e9`],
  ];

  it.each(cases)('%s', (_, form) => {
    const { text, count } = scrubSecrets(echoedIn(form), [secret]);
    expect(text).toBe(echoedIn('[REDACTED:secret]'));
    expect(count).toBe(1);
  });

  it('finds the secret inside a longer base64 or base64url string at every byte alignment', () => {
    for (const before of ['', 'a', 'ab', 'abc', 'user:']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${before}${secret}!trailing`).toString(encoding);
        const { text, count } = scrubSecrets(`Basic ${encoded}`, [secret]);
        expect(count).toBe(1);
        // What is left around the marker carries at most a few bits of the secret, never a whole byte run.
        const left = text.replace('Basic ', '').split('[REDACTED:secret]').join('');
        expect(Buffer.from(left, encoding).toString('utf8')).not.toContain(secret.slice(0, 4));
      }
    }
  });

  it('leaves text without the secret alone, and ignores forms too short to be safe to replace', () => {
    expect(scrubSecrets('nothing to see: tok-Public', [secret])).toEqual({ text: 'nothing to see: tok-Public', count: 0 });
    expect(scrubSecrets('abc and abc', ['abc'])).toEqual({ text: 'abc and abc', count: 0 });
  });

  it('takes linear time on a hostile answer as large as a tool may send (256 KiB)', () => {
    for (const filler of ['\\', 'tok-Secre', '\\u0074']) {
      const answer = filler.repeat(Math.ceil((256 * 1024) / filler.length));
      const started = performance.now();
      expect(scrubSecrets(answer, [secret, 'another-secret-value']).count).toBe(0);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('scrubs several secrets, the longer first', () => {
    expect(scrubSecrets('key=alpha-beta-gamma; short=alpha-beta', ['alpha-beta', 'alpha-beta-gamma'])).toEqual({ text: 'key=[REDACTED:secret]; short=[REDACTED:secret]', count: 2 });
  });
});
