import { alertWebhookSecretName, alertWebhookSettingSchema, type AlertWebhookSetting } from '@agent-orchestrator/contracts';
import type { SecretStore } from '@agent-orchestrator/secrets';

/**
 * The tenant's webhook as the gateway stored it, or undefined when it set none (or the stored
 * value no longer parses, which only a hand edit of the store could cause: delivering nothing
 * then is right, and the delivery's row says why).
 */
export async function readWebhookSetting(secrets: SecretStore | undefined, tenantId: string): Promise<AlertWebhookSetting | undefined> {
  if (secrets === undefined) return undefined;
  const stored = await secrets.get(tenantId, alertWebhookSecretName);
  if (stored === undefined) return undefined;
  try {
    const parsed = alertWebhookSettingSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
