import { egressStream, evolveEgress, initialEgress, type CurrentEgress } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';

/**
 * A tenant's egress allow-list as its `egress-<tenant>` stream holds it now. Each version carries
 * the whole list, so the stream's last event is all there is to read: one indexed read per
 * request, however often the list was changed.
 */
export async function currentEgress(store: EventStore, tenantId: string): Promise<CurrentEgress> {
  const [latest] = await store.readStream(egressStream(tenantId), { direction: 'backwards', maxCount: 1 });
  return latest === undefined ? initialEgress : evolveEgress(initialEgress, latest);
}
