import { randomUUID } from 'node:crypto';
import { egressStream, evolveEgress, initialEgress, type CurrentEgress, type TopicNames, type ToolCommandMessage } from '@agent-orchestrator/contracts';
import { currentEgress } from '@agent-orchestrator/egress';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, sendAndConfirm } from '../commands.js';

export interface EgressBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly confirmMs?: number;
}

/** What the API answers for an allow-list: the list, its version and when it was set. */
export type EgressVersion = CurrentEgress;

const view = ({ version, allow, updatedAt }: CurrentEgress): EgressVersion => ({ version, updatedAt, allow });

/**
 * The tenant's egress allow-list: destinations the platform may reach for it although the egress
 * guard refuses them by default (loopback, private, link-local...). Its `egress-<tenant>` stream is
 * owned by tool-adapters, which executes the calls it governs; a PUT sends SetEgressAllowList and
 * answers once the new version is in the log. Version 0: nothing allowed beyond the defaults.
 */
export class Egress {
  constructor(private readonly backend: EgressBackend) {}

  async current(tenantId: string) {
    return view(await currentEgress(this.backend.store, tenantId));
  }

  async update(caller: Principal, allow: readonly string[]) {
    const commandId = randomUUID();
    const message: ToolCommandMessage = { commandId, command: { type: 'SetEgressAllowList', allow: [...allow], metadata: commandMetadata(caller, commandId, commandId) } };
    const landed = await sendAndConfirm(this.backend, {
      topic: this.backend.topics.commands('tool-adapters'),
      stream: egressStream(caller.tenantId),
      message,
      notYet: 'The allow-list was sent but is not in effect yet. GET /v1/egress shortly to see whether it landed.',
    });
    return view(evolveEgress(initialEgress, landed));
  }
}
