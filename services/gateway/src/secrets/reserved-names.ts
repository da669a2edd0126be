import { alertWebhookSecretName } from '@agent-orchestrator/contracts';

/**
 * Secret names the platform keeps for itself: `audit.*` holds each tenant's audit signing keys,
 * `alerts.*` its alert webhook (URL and signing secret, set through `/v1/alert-webhooks`). A
 * tenant admin who could read, overwrite or delete the audit keys, or hand them to a tool as a
 * credential (which sends the value to the tool's server), could sign a forged audit trail; one
 * who could hand the webhook's secret to a tool could sign forged alerts. So no secrets route
 * takes such a name and listings never show one. Compared without case, so no name that looks
 * like one of them is taken either.
 */
export const reservedSecretPrefixes = ['audit.', `${alertWebhookSecretName.split('.')[0]}.`] as const;

export function isReservedSecretName(name: string): boolean {
  return reservedSecretPrefixes.some((prefix) => name.toLowerCase().startsWith(prefix));
}

export const reservedSecretReason = `names starting with ${reservedSecretPrefixes.map((prefix) => `"${prefix}"`).join(' or ')} are reserved: they hold the platform's audit signing keys and the alert webhook's secret, which no secrets route reads, sets, deletes or hands to a tool. Choose another name.`;
