/**
 * Why the audit service would not sign. Compare `code`.
 * - NoSecretStore: the platform keeps no secrets, so no private key can be kept.
 * - SigningKeyUnusable: the active key's private half is missing, unreadable or not the one on record.
 */
export type SigningRefusedCode = 'NoSecretStore' | 'SigningKeyUnusable';

export class SigningRefused extends Error {
  override readonly name = 'SigningRefused';

  constructor(
    readonly code: SigningRefusedCode,
    message: string,
  ) {
    super(message);
  }
}

export function isSigningRefused(error: unknown): error is SigningRefused {
  return error instanceof Error && error.name === 'SigningRefused';
}
