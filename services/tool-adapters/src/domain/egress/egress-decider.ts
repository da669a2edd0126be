import { evolveEgress, initialEgress, type CurrentEgress, type NewEvent, type SetEgressAllowList } from '@agent-orchestrator/contracts';

/**
 * A tenant's egress allow-list: one `egress-<tenant>` stream; each SetEgressAllowList is the
 * whole list as its next version. Entries were validated by the command's schema.
 */
export const egressDecider = {
  initialState: (): CurrentEgress => initialEgress,
  evolve: evolveEgress,
  decide(command: SetEgressAllowList, current: CurrentEgress): NewEvent[] {
    const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = command.metadata;
    const eventId = eventIds[0];
    if (eventId === undefined) throw new Error('SetEgressAllowList carries no event id');
    return [{ eventId, type: 'EgressAllowListSet', schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data: { version: current.version + 1, allow: [...command.allow] } }];
  },
};
