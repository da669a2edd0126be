/**
 * Removes known secret values (credentials the platform presented on a request) from text a
 * server answered with, in every form a server is likely to echo them in: as given, in any letter
 * case, hex (any case), base64 and base64url (padded or not, and at each of the three byte
 * alignments, so a secret inside a longer encoded string is found too), URL-encoded, and with any
 * subset of its characters JSON-escaped (`\u0065`, `\/`, `\"`). Each occurrence becomes
 * `[REDACTED:secret]`.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): { text: string; count: number } {
  const forms = [...new Set(secrets.flatMap(encodedForms))]
    // Shorter than this, replacing would mangle ordinary text more than it protects.
    .filter((form) => form.length >= minFormLength)
    .sort((a, b) => b.length - a.length);
  if (forms.length === 0) return { text, count: 0 };
  let count = 0;
  // One alternation, longest form first, so a longer form is replaced whole before a part of it.
  const pattern = new RegExp(forms.map(jsonEscapable).join('|'), 'gi');
  const scrubbed = text.replace(pattern, () => {
    count += 1;
    return '[REDACTED:secret]';
  });
  return { text: scrubbed, count };
}

const minFormLength = 4;

/** The secret and its encodings; each is later matched case-insensitively and with JSON escapes. */
export function encodedForms(secret: string): string[] {
  if (secret.length === 0) return [];
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('hex'),
    ...base64Cores(bytes, 'base64'),
    ...base64Cores(bytes, 'base64url'),
    // Whole forms too, so a secret encoded on its own leaves no partial character behind.
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    bytes.toString('base64url').padEnd(Math.ceil(bytes.length / 3) * 4, '='),
    encodeURIComponent(secret),
    new URLSearchParams([['', secret]]).toString().slice(1),
  ];
}

/**
 * The characters of the secret's base64 that depend on its bytes alone, for each alignment of the
 * secret inside a longer encoded string (0, 1 or 2 bytes before it in its 3-byte group). The one
 * or two characters at each end that mix in neighbouring bytes are left out: they carry at most a
 * few bits of the secret.
 */
function base64Cores(bytes: Buffer, encoding: 'base64' | 'base64url'): string[] {
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding);
    const from = Math.ceil((offset * 8) / 6);
    const to = Math.floor(((offset + bytes.length) * 8) / 6);
    return encoded.slice(from, to);
  });
}

const jsonShortEscapes: Record<string, string> = { '"': '\\\\{1,4}"', '\\': '\\\\{1,4}\\\\', '/': '\\\\{1,4}/', '\b': '\\\\{1,4}b', '\f': '\\\\{1,4}f', '\n': '\\\\{1,4}n', '\r': '\\\\{1,4}r', '\t': '\\\\{1,4}t' };

/** A pattern for one form: each UTF-16 unit as itself, as `\uXXXX` (hex in any case) or as its short JSON escape. */
function jsonEscapable(form: string): string {
  let pattern = '';
  for (let i = 0; i < form.length; i++) {
    const unit = form.charCodeAt(i);
    const literal = form[i]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    const short = jsonShortEscapes[form[i]!];
    // Up to four backslashes: JSON in a JSON string (escaped twice, or thrice) is common in echoed
    // requests. Bounded, so a long run of backslashes in an answer costs linear time, not quadratic.
    pattern += `(?:${literal}|\\\\{1,4}u${unit.toString(16).padStart(4, '0')}${short === undefined ? '' : `|${short}`})`;
  }
  return pattern;
}
