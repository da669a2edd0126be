import { redactPii } from './redact.js';

describe('redacting personal data and secrets', () => {
  it('replaces each kind and counts it, keeping the rest of the text', () => {
    const text = [
      'Contact ada@example.com or +44 20 7946 0958.',
      'Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.',
      'SSN 078-05-1120, NINO AB 12 34 56 C, key sk-live0123456789abcdefghij and AKIAIOSFODNN7EXAMPLE.',
    ].join(' ');
    const { text: redacted, found } = redactPii(text);
    expect(redacted).toBe(
      [
        'Contact [REDACTED:email] or [REDACTED:phone].',
        'Card [REDACTED:card], IBAN [REDACTED:iban].',
        'SSN [REDACTED:national_id], NINO [REDACTED:national_id], key [REDACTED:secret] and [REDACTED:secret].',
      ].join(' '),
    );
    expect(found).toEqual({ email: 1, phone: 1, card: 1, iban: 1, national_id: 2, secret: 2 });
  });

  it('leaves numbers that fail their check alone', () => {
    // Not a valid card (Luhn) nor a valid IBAN (checksum).
    const text = 'Order 4111 1111 1111 1112 paid to DE00 3704 0044 0532 0130 00.';
    expect(redactPii(text)).toEqual({ text, found: {} });
  });

  it('redacts only the kinds asked for', () => {
    expect(redactPii('ada@example.com 4111111111111111', ['card'])).toEqual({ text: 'ada@example.com [REDACTED:card]', found: { card: 1 } });
  });
});

describe('redacting long and hostile text', () => {
  it('finds each phone number once in long text, also one that straddles where the search windows meet', () => {
    const phone = '+44 20 7946 0958';
    // Numbers at every offset around the 2048-character window edges.
    const text = Array.from({ length: 40 }, (_, i) => `${'word '.repeat(20 + i * 7)}${phone}`).join(' and ');
    expect(text.length).toBeGreaterThan(3 * 2048);
    const { text: redacted, found } = redactPii(text, ['phone']);
    expect(found).toEqual({ phone: 40 });
    expect(redacted).not.toContain('7946');
  });

  it('takes time in proportion to the text on hostile input (256 KiB, the largest tool answer)', () => {
    for (const filler of ['a.', '1-', '1 ', '+1 ', 'AB 12 ', 'DE89 ']) {
      const text = filler.repeat(Math.ceil((256 * 1024) / filler.length));
      const started = performance.now();
      redactPii(text);
      // Before bounding, "a." took about 50 s per 100 KB and "1 " about 10 s per MB.
      expect({ filler, slow: performance.now() - started > 3000 }).toEqual({ filler, slow: false });
    }
  });
});
