import { evolvePrivacy, initialPrivacy, type CurrentPrivacy, type NewEvent, type UpdatePrivacy } from '@agent-orchestrator/contracts';

/** A tenant's privacy setting: one `privacy-<tenant>` stream; each UpdatePrivacy makes the next version. */
export const privacyDecider = {
  initialState: (): CurrentPrivacy => initialPrivacy,
  evolve: evolvePrivacy,
  decide(command: UpdatePrivacy, current: CurrentPrivacy): NewEvent[] {
    const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = command.metadata;
    const eventId = eventIds[0];
    if (eventId === undefined) throw new Error('UpdatePrivacy carries no event id');
    return [{ eventId, type: 'PrivacyUpdated', schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data: { version: current.version + 1, settings: command.settings } }];
  },
};
