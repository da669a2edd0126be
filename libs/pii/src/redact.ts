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
const emailPattern = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
const ibanPattern = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const cardPattern = /\b\d(?:[ -]?\d){12,18}\b/g;
/** US social security numbers and UK national insurance numbers. */
const nationalIdPatterns = [/\b\d{3}-\d{2}-\d{4}\b/g, /\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g];

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
    const phones = findPhoneNumbersInText(out, defaultCountry === undefined ? undefined : { defaultCountry: defaultCountry as never });
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
