import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { tenantIdSchema } from '../envelope.js';

/*
 * Alerts, owned by the observability service. One `alert-<id>` stream per alert key (a rule and
 * what it is about, of one tenant or of the platform): it alternates AlertRaised and AlertResolved,
 * so whether an alert is open is its stream's last event, and a raise appended with the expected
 * version cannot happen twice.
 */

const instant = z.iso.datetime({ offset: false });

export const alertRules = ['dead-letters', 'projection-stalled', 'approval-overdue', 'budget'] as const;
export const alertRuleSchema = z.enum(alertRules);
export type AlertRule = z.infer<typeof alertRuleSchema>;
export const alertSeverities = ['warning', 'critical'] as const;

/** Whose the alert is: a tenant's (delivered to its webhook) or the platform's (a stalled projection, dead letters of no tenant). */
export const alertScopeSchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('tenant'), tenantId: tenantIdSchema }), z.strictObject({ kind: z.literal('platform') })]);
export type AlertScope = z.infer<typeof alertScopeSchema>;

/** The envelope tenant of a platform-scope alert's events; the scope in the data says whose the alert is. */
export const platformAlertTenantId = 'platform';

/** What the alert is about, as bounded labels (consumer, projection, approval id, budget id and threshold). */
const alertSubjectSchema = z.record(z.string().min(1).max(100), z.union([z.string().max(300), z.number()])).refine((subject) => Object.keys(subject).length <= 12, 'at most 12 subject fields');

/** An alert key: the rule and its subject, stable across raises, e.g. `dead-letters:orchestrator`. */
export const alertKeySchema = z.string().min(1).max(300);

export const AlertRaised = defineEvent('AlertRaised', [
  {
    schema: z.strictObject({
      alertId: z.uuid(),
      key: alertKeySchema,
      rule: alertRuleSchema,
      scope: alertScopeSchema,
      severity: z.enum(alertSeverities),
      summary: z.string().min(1).max(500),
      subject: alertSubjectSchema,
      raisedAt: instant,
    }),
  },
]);

export const AlertResolved = defineEvent('AlertResolved', [
  {
    schema: z.strictObject({
      alertId: z.uuid(),
      key: alertKeySchema,
      rule: alertRuleSchema,
      scope: alertScopeSchema,
      summary: z.string().min(1).max(500),
      resolvedAt: instant,
    }),
  },
]);

export const alertEvents = [AlertRaised, AlertResolved] as const;
export type AlertEvent = EventOf<(typeof alertEvents)[number]>;
export type AlertRaisedData = Extract<AlertEvent, { type: 'AlertRaised' }>['data'];
export type AlertResolvedData = Extract<AlertEvent, { type: 'AlertResolved' }>['data'];

/**
 * Where a tenant's alerts are POSTed, and the secret they are signed with: kept together in the
 * secret store under `alertWebhookSecretName` (a name the secrets API reserves), never in an event.
 */
export const alertWebhookSettingSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  secret: z.string().min(16).max(200),
});
export type AlertWebhookSetting = z.infer<typeof alertWebhookSettingSchema>;
export const alertWebhookSecretName = 'alerts.webhook';
/** The header with the delivery's timestamp and signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const alertSignatureHeader = 'x-ao-signature';
