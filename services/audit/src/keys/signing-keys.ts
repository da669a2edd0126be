import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { keyEndorsementMessage, keyIdOf } from '@agent-orchestrator/audit-proof';
import { auditStream, type CommandMetadata } from '@agent-orchestrator/contracts';
import { handleCommand, type EventStore } from '@agent-orchestrator/event-store';
import type { SecretStore } from '@agent-orchestrator/secrets';
import type { Logger } from 'pino';
import { auditTrailDecider, readAuditTrail } from '../audit-trail-stream.js';
import { SigningRefused } from './signing-refused.js';
import type { AuditKey } from '../domain/audit-trail.js';

/** The secret a key's private half is kept under; names starting `audit.` are the platform's, hidden from the secrets API. */
export const signingKeySecret = (keyId: string): string => `audit.signing-key.${keyId}`;

/** A key ready to sign: its private half checked against the public record. */
export interface Signer {
  readonly keyId: string;
  /** Base64 of the raw 32-byte public key. */
  readonly publicKey: string;
  sign(message: Uint8Array | string): string;
}

export interface SigningKeysOptions {
  readonly store: EventStore;
  /** Undefined when the platform has no secret store configured: nothing can be signed then. */
  readonly secrets: SecretStore | undefined;
  readonly logger: Logger;
  readonly now: () => string;
}

const rawPublicKey = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');

/**
 * Each tenant's Ed25519 signing keys: the private half in the secret store under the tenant,
 * the public record (AuditKeyActivated) in its audit stream. A tenant's first key is made when
 * it first needs one; a rotation's new key is endorsed by the old.
 */
export class SigningKeys {
  private readonly makingFirstKey = new Map<string, Promise<Signer>>();

  constructor(private readonly options: SigningKeysOptions) {}

  /**
   * The tenant's active key, checked: its private half must be in the secret store and must be
   * the half of the public key on record. A missing or replaced secret refuses (SigningRefused,
   * logged as an error): signing with another key would publish checkpoints nobody can trust.
   */
  async activeSigner(tenantId: string): Promise<Signer> {
    const state = await readAuditTrail(this.options.store, tenantId);
    if (state.activeKey !== undefined) return this.signerFor(tenantId, state.activeKey);
    // One first key per tenant: callers in this process share the making of it, and one that
    // loses to another process takes the key that won.
    let making = this.makingFirstKey.get(tenantId);
    if (making === undefined) {
      making = this.activate(tenantId, null).finally(() => this.makingFirstKey.delete(tenantId));
      this.makingFirstKey.set(tenantId, making);
    }
    try {
      return await making;
    } catch (error) {
      if (!(error instanceof Error && (error as { code?: string }).code === 'KeyOutOfTurn')) throw error;
      const now = await readAuditTrail(this.options.store, tenantId);
      if (now.activeKey === undefined) throw error;
      return this.signerFor(tenantId, now.activeKey);
    }
  }

  /**
   * A new key, endorsed by the active one (made first if there is none), and activated.
   * `eventId` (derived from the command id) makes a redelivered rotation rotate once.
   */
  async rotate(tenantId: string, eventId?: string): Promise<void> {
    const state = await readAuditTrail(this.options.store, tenantId);
    await this.activate(tenantId, state.activeKey === undefined ? null : await this.signerFor(tenantId, state.activeKey), eventId);
  }

  private async activate(tenantId: string, previous: Signer | null, eventId: string = randomUUID()): Promise<Signer> {
    const secrets = this.requireSecrets(tenantId);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    const keyId = keyIdOf(raw);
    const record = { tenantId, keyId, publicKey: raw.toString('base64'), validFrom: this.options.now() };
    await secrets.put(tenantId, signingKeySecret(keyId), privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
    const endorsement = previous === null ? null : previous.sign(keyEndorsementMessage(record));
    const metadata: CommandMetadata = {
      tenantId,
      correlationId: auditStream(tenantId),
      causationId: previous === null ? 'audit-first-key' : 'audit-key-rotation',
      actor: { kind: 'service', id: 'audit' },
      traceparent: null,
      now: record.validFrom,
      eventIds: [eventId],
    };
    try {
      const handled = await handleCommand(this.options.store, auditStream(tenantId), { type: 'ActivateAuditKey', keyId, publicKey: record.publicKey, previousKeyId: previous?.keyId ?? null, endorsement, metadata }, auditTrailDecider);
      if (handled.appended?.alreadyAppended) {
        // A redelivered rotation: its key was activated the first time; this one is dropped.
        await secrets.delete(tenantId, signingKeySecret(keyId));
        return this.activeSigner(tenantId);
      }
    } catch (error) {
      // Another process activated a key first: this one was never published, so its secret goes.
      await secrets.delete(tenantId, signingKeySecret(keyId)).catch(() => undefined);
      throw error;
    }
    this.options.logger.info({ tenantId, keyId, previousKeyId: previous?.keyId ?? null }, 'audit signing key activated');
    return { keyId, publicKey: record.publicKey, sign: (message) => sign(null, Buffer.from(message), privateKey).toString('base64') };
  }

  private async signerFor(tenantId: string, key: AuditKey): Promise<Signer> {
    const secrets = this.requireSecrets(tenantId);
    const name = signingKeySecret(key.keyId);
    let stored: string | undefined;
    try {
      stored = await secrets.get(tenantId, name);
    } catch (error) {
      throw this.refuse(tenantId, key.keyId, `the secret ${name} cannot be read (${(error as Error).message})`);
    }
    if (stored === undefined) throw this.refuse(tenantId, key.keyId, `the secret ${name} that holds its private key is missing from the secret store`);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
    } catch {
      throw this.refuse(tenantId, key.keyId, `the secret ${name} does not hold an Ed25519 private key`);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519' || rawPublicKey(createPublicKey(privateKey)).toString('base64') !== key.publicKey) {
      throw this.refuse(tenantId, key.keyId, `the secret ${name} holds a private key that is not the half of the public key on record (it was replaced)`);
    }
    return { keyId: key.keyId, publicKey: key.publicKey, sign: (message) => sign(null, Buffer.from(message), privateKey).toString('base64') };
  }

  private requireSecrets(tenantId: string): SecretStore {
    if (this.options.secrets === undefined) {
      throw new SigningRefused('NoSecretStore', `cannot sign tenant ${tenantId}'s audit trail: no secret store is configured to keep its signing key; set SECRETS_KEY (or SECRETS_BACKEND=vault) for the audit service`);
    }
    return this.options.secrets;
  }

  private refuse(tenantId: string, keyId: string, why: string): SigningRefused {
    const refusal = new SigningRefused(
      'SigningKeyUnusable',
      `refusing to sign tenant ${tenantId}'s audit trail with key ${keyId}: ${why}; restore the secret from a backup, then sign again (a rotation needs it too, to endorse the next key)`,
    );
    this.options.logger.error({ tenantId, keyId, reason: refusal.message }, 'audit signing refused');
    return refusal;
  }
}
