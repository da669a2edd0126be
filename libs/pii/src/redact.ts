import luhn from 'fast-luhn';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { findPhoneNumbersInText } from 'libphonenumber-js';

import { piiKinds, type PiiKind } from '@agent-orchestrator/contracts';

// The kinds are a contract (PiiRedacted and the privacy setting name them).
export { piiKinds, type PiiKind };

export interface Redaction {
  readonly text: string;
  /** How many of each kind were replaced; the values themselves are never kept. */
  readonly found: Partial<Record<PiiKind, number>>;
}

/** Tokens that look like credentials: provider keys, cloud access keys, chat tokens, JWTs. */
const secretPatterns = [
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
];
// Bounded as RFC 5321 bounds addresses (local part 64, domain 253): an unbounded run would make
// the search quadratic on hostile text (100 KB of "a." took 50 s).
const emailPattern = /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}\b/g;
const ibanPattern = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const cardPattern = /\b\d(?:[ -]?\d){12,18}\b/g;
/** US social security numbers and UK national insurance numbers. */
const nationalIdPatterns = [/\b\d{3}-\d{2}-\d{4}\b/g, /\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g];

/** Text is searched for phone numbers in windows this long, each with this much context either side. */
const phoneWindow = 2048;
const phoneContext = 128;
/** Candidates that fail validation before a window's search gives up on the rest of it. */
const phoneTriesPerWindow = 50;

/**
 * libphonenumber's search costs about 10 s per MB of digits and spaces, each a candidate it
 * validates, so a client could stall a service with one long string. The text is searched in
 * windows (with context either side longer than any phone number; a number is taken from the
 * window its start falls in, seen whole), and a window's search stops after 50 candidates that
 * are not numbers (libphonenumber's maxTries): 0.4 s per MB. The price: a number that follows 50
 * false candidates within 2 KB is not found.
 */
function phoneNumbersIn(text: string, defaultCountry: string | undefined): { startsAt: number; endsAt: number }[] {
  const options = { maxTries: phoneTriesPerWindow, ...(defaultCountry === undefined ? {} : { defaultCountry }) } as never;
  if (text.length <= phoneWindow + 2 * phoneContext) return findPhoneNumbersInText(text, options);
  const phones: { startsAt: number; endsAt: number }[] = [];
  for (let start = 0; start < text.length; start += phoneWindow) {
    const from = Math.max(0, start - phoneContext);
    for (const phone of findPhoneNumbersInText(text.slice(from, start + phoneWindow + phoneContext), options)) {
      const startsAt = from + phone.startsAt;
      if (startsAt >= start && startsAt < start + phoneWindow) phones.push({ startsAt, endsAt: from + phone.endsAt });
    }
  }
  return phones;
}

/**
 * Replaces personal data and secrets in text with `[REDACTED:<kind>]`. Candidates are confirmed
 * where a check exists: card numbers by their Luhn digit, IBANs by their checksum, phone numbers
 * by libphonenumber (international format, or national for `defaultCountry`).
 */
export function redactPii(text: string, kinds: readonly PiiKind[] = piiKinds, defaultCountry?: string): Redaction {
  const found: Partial<Record<PiiKind, number>> = {};
  const enabled = new Set(kinds);
  let out = text;
  const replace = (kind: PiiKind, pattern: RegExp, confirm: (match: string) => boolean = () => true) => {
    if (!enabled.has(kind)) return;
    out = out.replace(pattern, (match) => {
      if (!confirm(match)) return match;
      found[kind] = (found[kind] ?? 0) + 1;
      return `[REDACTED:${kind}]`;
    });
  };
  for (const pattern of secretPatterns) replace('secret', pattern);
  replace('email', emailPattern);
  replace('iban', ibanPattern, (match) => isValidIBAN(electronicFormatIBAN(match) ?? ''));
  replace('card', cardPattern, (match) => luhn(match.replace(/[ -]/g, '')));
  for (const pattern of nationalIdPatterns) replace('national_id', pattern);
  if (enabled.has('phone')) {
    const phones = phoneNumbersIn(out, defaultCountry);
    for (const phone of [...phones].reverse()) {
      out = `${out.slice(0, phone.startsAt)}[REDACTED:phone]${out.slice(phone.endsAt)}`;
      found.phone = (found.phone ?? 0) + 1;
    }
  }
  return { text: out, found };
}

/**
 * The operator's PII_REDACT: a comma-separated list of kinds, `none`, or unset/empty for every
 * kind. Throws saying what it expects when it names an unknown kind.
 */
export function piiKindsFromSetting(value: string | undefined): PiiKind[] {
  const text = value?.trim();
  if (text === undefined || text === '') return [...piiKinds];
  if (text === 'none') return [];
  const kinds = text.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(piiKinds as readonly string[]).includes(kind));
  if (unknown.length > 0) throw new Error(`names unknown kinds (${unknown.join(', ')}); expects a comma-separated list of ${piiKinds.join(', ')}, or none`);
  return kinds as PiiKind[];
}
