import { randomUUID } from 'node:crypto';
import { initialPolicy, evolvePolicy, policyStream, type CurrentPolicy, type PolicyCommandMessage, type PolicyDocument, type TopicNames } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, pollFor, sendCommand } from '../commands.js';
import { GatewayError } from '../errors.js';

export interface PoliciesBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly confirmMs?: number;
}

const view = ({ version, policy, updatedAt }: CurrentPolicy) => ({ version, updatedAt, ...policy });

/**
 * The tenant's tool policy: its `policy-<tenant>` stream, owned by the policy service. A PUT
 * sends UpdatePolicy and answers once the new version is in the log; calls decided from then on
 * name it. Version 0 is the policy before any was set: every call allowed.
 */
export class Policies {
  constructor(private readonly backend: PoliciesBackend) {}

  async current(tenantId: string) {
    let current = initialPolicy;
    for await (const event of this.backend.store.streamEvents(policyStream(tenantId))) current = evolvePolicy(current, event);
    return view(current);
  }

  async update(caller: Principal, policy: PolicyDocument) {
    const { store, producer, topics } = this.backend;
    const stream = policyStream(caller.tenantId);
    const commandId = randomUUID();
    const message: PolicyCommandMessage = { commandId, command: { type: 'UpdatePolicy', policy, metadata: commandMetadata(caller, commandId, commandId) } };
    await sendCommand(producer, topics.commands('policy'), stream, message);
    const landed = await pollFor(async () => (await store.readStream(stream, { direction: 'backwards', maxCount: 20 })).find((event) => event.causationId === commandId), this.backend.confirmMs ?? 5000);
    if (!landed) throw new GatewayError('Unavailable', 'The policy was sent but is not in effect yet. GET /v1/policies shortly to see whether it landed.');
    return view(evolvePolicy(initialPolicy, landed));
  }
}
