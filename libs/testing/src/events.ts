import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@agent-orchestrator/contracts';

/** A valid PlanRequested event, the cheapest event in the catalog; override what a test cares about. */
export function planRequested(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'PlanRequested',
    schemaVersion: 1,
    tenantId: 'acme',
    correlationId: 'corr-1',
    causationId: null,
    actor: { kind: 'service', id: 'orchestrator' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data: { planner: 'Planner', attempt: 1 },
    ...overrides,
  };
}

export function planRequestedBatch(count: number, overrides: Partial<NewEvent> = {}): NewEvent[] {
  return Array.from({ length: count }, (_, i) => planRequested({ data: { planner: 'Planner', attempt: i + 1 }, ...overrides }));
}

export const uniqueStream = (category = 'session'): string => `${category}-${randomUUID()}`;
