import { evolvePrivacy, initialPrivacy, privacyStream, redactedKinds, type PiiKind } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';

export interface TenantPrivacyOptions {
  readonly store: EventStore;
  /** The operator's PII_REDACT: what a tenant that chose nothing (or `default`) gets. */
  readonly operatorDefault: readonly PiiKind[];
  /**
   * How long a tenant's setting is used before it is read again. Default 0: read on every use
   * (the last event of a small stream, by index), so whatever is written after a PUT /v1/privacy
   * has landed follows it, in every service alike.
   */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Which kinds of personal data each tenant has redacted, read from its `privacy-<tenant>` stream
 * (written by the policy service); every service that redacts reads it the same way.
 */
export class TenantPrivacy {
  private readonly cache = new Map<string, { kinds: readonly PiiKind[]; until: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: TenantPrivacyOptions) {
    this.ttlMs = options.ttlMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  async kindsFor(tenantId: string): Promise<readonly PiiKind[]> {
    const cached = this.cache.get(tenantId);
    if (cached !== undefined && cached.until > this.now()) return cached.kinds;
    const [latest] = await this.options.store.readStream(privacyStream(tenantId), { direction: 'backwards', maxCount: 1 });
    const current = latest === undefined ? initialPrivacy : evolvePrivacy(initialPrivacy, latest);
    const kinds = redactedKinds(current.settings, this.options.operatorDefault);
    this.cache.set(tenantId, { kinds, until: this.now() + this.ttlMs });
    return kinds;
  }
}
