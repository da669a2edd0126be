import type { SecurityScheme } from '@agent-orchestrator/contracts';

/** A credential to present on a call: how, and the secret's value (for OAuth 2 and OpenID Connect, the access token). */
export interface PresentedCredential {
  readonly scheme: SecurityScheme;
  readonly value: string;
  /**
   * For a token the platform fetched: drops it and fetches another, for when the API answers 401
   * (revoked, or expired early). Throws with a reason fit to show when no new token can be had.
   */
  readonly renew?: () => Promise<string>;
}

/**
 * Puts each credential where its scheme says: Authorization for bearer, basic and the access
 * tokens of OAuth 2 and OpenID Connect; an apiKey in its header, its query parameter, or as a
 * cookie added to those already in the Cookie header (a cookie parameter may have set some).
 * A cookie value is percent-encoded where RFC 6265 does not allow its characters as they are.
 */
export function presentCredentials(url: URL, headers: Record<string, string>, credentials: readonly PresentedCredential[]): void {
  for (const { scheme, value } of credentials) {
    switch (scheme.type) {
      case 'bearer':
      case 'oauth2':
      case 'openIdConnect':
        headers.authorization = `Bearer ${value}`;
        break;
      case 'basic':
        headers.authorization = `Basic ${Buffer.from(value, 'utf8').toString('base64')}`;
        break;
      case 'apiKey':
        if (scheme.in === 'header') headers[scheme.name.toLowerCase()] = value;
        else if (scheme.in === 'query') url.searchParams.set(scheme.name, value);
        else headers.cookie = [headers.cookie, `${scheme.name}=${cookieValue(value)}`].filter(Boolean).join('; ');
        break;
      default:
        scheme satisfies never;
    }
  }
}

/**
 * What to scrub from answers: each value, and for basic the password alone too (the user name is
 * no secret).
 */
export function presentedSecrets(credentials: readonly PresentedCredential[]): string[] {
  return credentials.flatMap(({ scheme, value }) => (scheme.type === 'basic' ? [value, value.slice(value.indexOf(':') + 1)] : [value]));
}

/**
 * An answer quoted in a reason is cut to a length, and a credential cut there escapes whole-value
 * scrubbing while still being most of the credential (of a JWT, all but the signature): a text
 * ending in a credential's first 8 or more characters has that end replaced.
 */
export function withoutCutCredential(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) {
    for (let length = secret.length - 1; length >= 8; length--) {
      if (text.endsWith(secret.slice(0, length))) return `${text.slice(0, text.length - length)}[REDACTED:secret]`;
    }
  }
  return text;
}

/** RFC 6265 cookie-octets pass as they are; anything else (space, quote, comma, semicolon, backslash, non-ASCII) is percent-encoded. */
function cookieValue(value: string): string {
  return value.replace(/[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/gu, (char) => encodeURIComponent(char));
}

/** Each credential that can be renewed, renewed; the others as they were. */
export async function renewedCredentials(credentials: readonly PresentedCredential[]): Promise<PresentedCredential[]> {
  return Promise.all(credentials.map(async (credential) => (credential.renew ? { ...credential, value: await credential.renew() } : credential)));
}
