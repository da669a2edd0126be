import type { CommandMetadata, NewEvent } from '@agent-orchestrator/contracts';
import { BudgetError } from './errors.js';

/** The i-th event a budget command decides, with the command's time, ids and provenance. */
export function stamp(metadata: CommandMetadata, index: number, type: string, data: unknown): NewEvent {
  const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = metadata;
  const eventId = eventIds[index];
  if (eventId === undefined) throw new BudgetError('NoEventId', `the command carries ${eventIds.length} event ids; its decision needs at least ${index + 1}`);
  return { eventId, type, schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data };
}
