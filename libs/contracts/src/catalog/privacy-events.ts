import { z } from 'zod';
import { agentRunIdSchema, toolCallIdSchema } from './agent-run-events.js';
import { defineEvent, type EventOf } from './catalog.js';
import { sessionIdSchema } from './session-events.js';

/** The kinds of personal data and secrets the platform recognises and can redact. */
export const piiKinds = ['secret', 'email', 'iban', 'card', 'national_id', 'phone'] as const;
export type PiiKind = (typeof piiKinds)[number];
const piiKind = z.enum(piiKinds);
const foundSchema = z.partialRecord(piiKind, z.number().int().min(1));

/** At most this many fields are listed; `found` still counts every one. */
export const maxRedactedFields = 500;

/**
 * Personal data or secrets replaced in an event's data before it was stored: which fields (JSON
 * Pointers into the event's data, e.g. `/context/customer/email`), how many of each kind. The
 * values themselves are never kept. It follows the redacted event on the same stream, in the same
 * append. v1 covered tool answers only: one field (`output` or `reason`) of a tool call's answer.
 */
export const PiiRedacted = defineEvent('PiiRedacted', [
  {
    schema: z.strictObject({
      sessionId: sessionIdSchema,
      runId: agentRunIdSchema,
      callId: toolCallIdSchema,
      field: z.enum(['output', 'reason']),
      found: foundSchema,
    }),
  },
  {
    schema: z.strictObject({
      /** The session it happened in; approval votes and tenant-wide streams may have none. */
      sessionId: sessionIdSchema.optional(),
      /** The redacted event; v1 records did not name it. */
      eventId: z.uuid().optional(),
      eventType: z.string().min(1).max(200),
      runId: agentRunIdSchema.optional(),
      callId: toolCallIdSchema.optional(),
      fields: z.array(z.strictObject({ path: z.string().max(2000), kind: piiKind, count: z.number().int().min(1) })).min(1).max(maxRedactedFields),
      found: foundSchema,
    }),
    upcastFromPrevious: (v1: { sessionId: string; runId: string; callId: string; field: 'output' | 'reason'; found: Partial<Record<PiiKind, number>> }) => ({
      sessionId: v1.sessionId,
      eventType: v1.field === 'output' ? 'ToolCallCompleted' : 'ToolCallFailed',
      runId: v1.runId,
      callId: v1.callId,
      fields: (Object.entries(v1.found) as [PiiKind, number][]).map(([kind, count]) => ({ path: `/${v1.field}`, kind, count })),
      found: v1.found,
    }),
  },
]);

/**
 * A tenant's privacy setting: which kinds of personal data are redacted from what it sends and
 * what its sessions produce before anything is stored. `default` follows the operator's
 * PII_REDACT; `off` redacts nothing (credentials a tool was given are still scrubbed from its answers).
 */
export const privacySettingsSchema = z.strictObject({
  redact: z.union([z.literal('default'), z.literal('off'), z.array(piiKind).min(1).max(piiKinds.length).refine((kinds) => new Set(kinds).size === kinds.length, 'each kind once')]),
});
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

/** One version of a tenant's privacy setting, on its `privacy-<tenant>` stream. Version 0 is the setting before any: `default`. */
export const PrivacyUpdated = defineEvent('PrivacyUpdated', [{ schema: z.strictObject({ version: z.number().int().min(1), settings: privacySettingsSchema }) }]);

export interface CurrentPrivacy {
  /** 0 before the tenant set any. */
  readonly version: number;
  readonly settings: PrivacySettings;
  readonly updatedAt: string | null;
}

export const initialPrivacy: CurrentPrivacy = { version: 0, settings: { redact: 'default' }, updatedAt: null };

/** The setting with one more event of its `privacy-<tenant>` stream folded in. */
export function evolvePrivacy(current: CurrentPrivacy, event: { readonly type: string; readonly data: unknown; readonly occurredAt: string }): CurrentPrivacy {
  if (event.type !== 'PrivacyUpdated') return current;
  const { version, settings } = event.data as { version: number; settings: PrivacySettings };
  return { version, settings, updatedAt: event.occurredAt };
}

/** The kinds a setting redacts, given the operator's default (PII_REDACT). */
export function redactedKinds(settings: PrivacySettings, operatorDefault: readonly PiiKind[]): readonly PiiKind[] {
  if (settings.redact === 'default') return operatorDefault;
  if (settings.redact === 'off') return [];
  return settings.redact;
}

export const privacyEvents = [PiiRedacted, PrivacyUpdated] as const;
export type PrivacyEvent = EventOf<(typeof privacyEvents)[number]>;
