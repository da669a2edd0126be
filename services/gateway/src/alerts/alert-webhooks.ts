import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { alertWebhookSecretName, alertWebhookSettingSchema, platformAlertTenantId, type AlertWebhookSetting } from '@agent-orchestrator/contracts';
import { AllowList, currentEgress, type EgressGuard } from '@agent-orchestrator/egress';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { SecretStore } from '@agent-orchestrator/secrets';
import { actorOf, adminActor, type AdminLog } from '../admin/admin-log.js';
import type { Principal } from '../auth/access.guard.js';
import type { PlatformAdminPrincipal } from '../auth/platform-admin.js';
import { GatewayError } from '../errors.js';
import { recordedSecretWrite, recordedSecretWriteOf, type SecretWriter } from '../secrets/recorded-secret-write.js';

/** The stored JSON, or null when it is not JSON (only a hand edit of the store could make it so): then there is no webhook to show. */
function parsedOrNull(stored: string): unknown {
  try {
    return JSON.parse(stored);
  } catch {
    return null;
  }
}

export interface AlertWebhookView {
  readonly url: string;
  readonly updatedAt: string;
}

/**
 * A tenant's alert webhook: its URL and signing secret, kept together in the secret store under a
 * reserved name (the secrets routes refuse it), each change an admin event (SecretSet or
 * SecretDeleted, never the value). A URL the egress guard would refuse for the tenant now (an
 * internal address its allow-list does not name) is refused when set; the guard checks again at
 * every delivery, on the address actually connected to.
 */
export class AlertWebhooks {
  constructor(
    private readonly deps: { readonly secrets: SecretStore | null; readonly adminLog: AdminLog; readonly egress: EgressGuard; readonly store: EventStore },
  ) {}

  async get(tenantId: string, unset = 'Your tenant has no alert webhook: PUT /v1/alert-webhooks sets one.'): Promise<AlertWebhookView> {
    const store = this.secretStore();
    const [stored, summary] = await Promise.all([store.get(tenantId, alertWebhookSecretName), store.list(tenantId).then((all) => all.find((secret) => secret.name === alertWebhookSecretName))]);
    const setting = stored === undefined ? undefined : alertWebhookSettingSchema.safeParse(parsedOrNull(stored));
    if (!setting?.success || summary === undefined) throw new GatewayError('NotFound', unset);
    return { url: setting.data.url, updatedAt: summary.updatedAt };
  }

  /** Sets the webhook; the signing secret is the caller's, or one drawn here and shown only in this answer. */
  async set(caller: Principal, body: { readonly url: string; readonly secret?: string }): Promise<AlertWebhookView & { readonly secret?: string }> {
    return this.setFor({ tenantId: caller.tenantId, actor: actorOf(caller) }, body);
  }

  /**
   * The platform's webhook, where platform-scope alerts (a stalled projection, dead letters of no
   * tenant) go: kept as a tenant's is, under the platform's reserved id, set by the platform admin
   * and recorded in the platform's admin stream. Only the operator's EGRESS_ALLOW opens internal
   * addresses to it (no tenant's allow-list applies).
   */
  async setPlatform(caller: PlatformAdminPrincipal, body: { readonly url: string; readonly secret?: string }): Promise<AlertWebhookView & { readonly secret?: string }> {
    return this.setFor({ tenantId: platformAlertTenantId, actor: adminActor.platformAdmin(caller.keyId) }, body);
  }

  async getPlatform(): Promise<AlertWebhookView> {
    return this.get(platformAlertTenantId, 'The platform has no alert webhook: PUT /v1/platform/alert-webhooks sets one.');
  }

  private async setFor(writer: SecretWriter, body: { readonly url: string; readonly secret?: string }): Promise<AlertWebhookView & { readonly secret?: string }> {
    const store = this.secretStore();
    await this.assertReachable(writer.tenantId, new URL(body.url));
    const setting: AlertWebhookSetting = { url: body.url, secret: body.secret ?? `whsec_${randomBytes(24).toString('base64url')}` };
    const set = await recordedSecretWriteOf(this.deps.adminLog, writer, store, (transaction) => store.put(writer.tenantId, alertWebhookSecretName, JSON.stringify(setting), transaction), (summary) => [
      { type: 'SecretSet', data: { name: summary.name, version: summary.version } },
    ]);
    return { url: setting.url, updatedAt: set.updatedAt, ...(body.secret === undefined ? { secret: setting.secret } : {}) };
  }

  async remove(caller: Principal): Promise<void> {
    const store = this.secretStore();
    const deleted = await recordedSecretWrite(this.deps.adminLog, caller, store, (transaction) => store.delete(caller.tenantId, alertWebhookSecretName, transaction), (existed) =>
      existed ? [{ type: 'SecretDeleted' as const, data: { name: alertWebhookSecretName } }] : [],
    );
    if (!deleted) throw new GatewayError('NotFound', 'Your tenant has no alert webhook.');
  }

  /** The guard's verdict on every address the host names now; a name that does not resolve yet is left to the delivery's check. */
  private async assertReachable(tenantId: string, url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const addresses = isIP(host) !== 0 ? [host] : await lookup(host, { all: true, verbatim: true }).then((found) => found.map((entry) => entry.address), () => []);
    const allow = new AllowList((await currentEgress(this.deps.store, tenantId)).allow);
    for (const address of addresses) {
      const refused = this.deps.egress.refusal({ host, port, address }, allow);
      if (refused) throw new GatewayError('InvalidParameter', `The webhook cannot be reached: ${refused.message}.`, [{ pointer: '#/url', detail: refused.message }]);
    }
  }

  private secretStore(): SecretStore {
    if (!this.deps.secrets) throw new GatewayError('Unavailable', 'No secret store is configured, and alert webhooks keep their signing secret in it: set SECRETS_KEY (32 random bytes, base64 or hex), or SECRETS_BACKEND=vault with VAULT_ADDR and VAULT_TOKEN.');
    return this.deps.secrets;
  }
}
