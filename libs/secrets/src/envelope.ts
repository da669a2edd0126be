import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** AES-256-GCM output as stored: a fresh 12-byte IV per seal, the ciphertext and the 16-byte tag. */
export interface Sealed {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** `aad` is authenticated but not encrypted: what the sealed bytes belong to, so they open nowhere else. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws ("Unsupported state or unable to authenticate data") when the key, the AAD or any byte differs. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** A key's public name: a digest of the key, never the key, so rows can say what sealed them. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * The master keys a store knows: SECRETS_KEY (current: everything new is wrapped under it) and
 * SECRETS_PREVIOUS_KEYS (still opened, so data keys wrapped under them are read and rewrapped).
 */
export class MasterKeys {
  readonly currentId: string;
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(
    readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...previous]) if (key.length !== 32) throw new Error('a secrets master key must be 32 bytes (AES-256)');
    this.currentId = keyIdOf(current);
    this.byId = new Map([...previous, current].map((key) => [keyIdOf(key), key]));
  }

  /** The key with this id, or undefined when it is not configured. */
  key(id: string): Buffer | undefined {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Why a row sealed under `id` cannot be opened, naming the variables that would open it. */
  unknown(id: string): string {
    return `sealed under master key ${id}, which is neither SECRETS_KEY (${this.currentId}) nor one of SECRETS_PREVIOUS_KEYS; configure the key it was sealed with`;
  }
}
