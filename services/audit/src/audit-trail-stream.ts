import { auditStream, type EventEnvelope } from '@agent-orchestrator/contracts';
import type { Decider, EventStore } from '@agent-orchestrator/event-store';
import { decideAuditTrail, evolveAuditTrail, initialAuditTrail, type AuditTrailCommand, type AuditTrailState } from './domain/audit-trail.js';

export const auditTrailDecider: Decider<AuditTrailCommand, AuditTrailState> = {
  initialState: initialAuditTrail,
  evolve: (state: AuditTrailState, event: EventEnvelope) => evolveAuditTrail(state, event),
  decide: decideAuditTrail,
};

/** The tenant's audit stream folded: its keys, exports and retention as of now. */
export async function readAuditTrail(store: EventStore, tenantId: string): Promise<AuditTrailState> {
  let state = initialAuditTrail();
  for await (const event of store.streamEvents(auditStream(tenantId))) state = evolveAuditTrail(state, event);
  return state;
}
