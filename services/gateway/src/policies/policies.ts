import { randomUUID } from 'node:crypto';
import {
  evolvePolicy,
  evolvePrivacy,
  initialPolicy,
  initialPrivacy,
  policyStream,
  privacyStream,
  type Actor,
  type CurrentPolicy,
  type CurrentPrivacy,
  type PolicyCommandMessage,
  type PolicyDocument,
  type PrivacySettings,
  type TopicNames,
} from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, sendAndConfirm } from '../commands.js';

export interface PoliciesBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly confirmMs?: number;
}

/** What the API answers for a policy: its version and when it was set, beside the document's fields. */
export type PolicyVersion = Pick<CurrentPolicy, 'version' | 'updatedAt'> & PolicyDocument;
export type PrivacyVersion = Pick<CurrentPrivacy, 'version' | 'updatedAt'> & PrivacySettings;

/** One version in the history: when and by whom it was set, and how many rules it has. */
export interface PolicyVersionSummary {
  readonly version: number;
  readonly updatedAt: string;
  readonly setBy: Actor;
  readonly rules: number;
}

/** One version of the history in full: the policy as it stood, and who set it. */
export type PolicyHistoryVersion = Omit<PolicyVersion, 'updatedAt'> & { readonly updatedAt: string; readonly setBy: Actor };

const view = ({ version, policy, updatedAt }: CurrentPolicy): PolicyVersion => ({ version, updatedAt, ...policy });
const privacyView = ({ version, settings, updatedAt }: CurrentPrivacy): PrivacyVersion => ({ version, updatedAt, ...settings });

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

  /** Every version the tenant has set, newest first. Version 0 (no policy) is not one: nobody set it. */
  async versions(tenantId: string): Promise<{ items: PolicyVersionSummary[] }> {
    const items: PolicyVersionSummary[] = [];
    for (const { version, setBy, policy, updatedAt } of await this.history(tenantId)) items.push({ version, updatedAt, setBy, rules: policy.rules.length });
    return { items: items.reverse() };
  }

  /** One version as it stood when it was set, or undefined when the tenant never set it. */
  async version(tenantId: string, version: number): Promise<PolicyHistoryVersion | undefined> {
    const found = (await this.history(tenantId)).find((entry) => entry.version === version);
    return found && { version: found.version, updatedAt: found.updatedAt, setBy: found.setBy, ...found.policy };
  }

  /** The stream folded one event at a time, keeping each version rather than only the last. */
  private async history(tenantId: string) {
    const versions: { version: number; updatedAt: string; setBy: Actor; policy: PolicyDocument }[] = [];
    let current = initialPolicy;
    for await (const event of this.backend.store.streamEvents(policyStream(tenantId))) {
      const next = evolvePolicy(current, event);
      if (next !== current) versions.push({ version: next.version, updatedAt: event.occurredAt, setBy: event.actor, policy: next.policy });
      current = next;
    }
    return versions;
  }

  async update(caller: Principal, policy: PolicyDocument) {
    const commandId = randomUUID();
    const landed = await this.send(policyStream(caller.tenantId), { commandId, command: { type: 'UpdatePolicy', policy, metadata: commandMetadata(caller, commandId, commandId) } }, 'policies');
    return view(evolvePolicy(initialPolicy, landed));
  }

  /** The tenant's privacy setting (`privacy-<tenant>`, also kept by the policy service): which personal data is redacted before it is stored. */
  async privacy(tenantId: string) {
    let current = initialPrivacy;
    for await (const event of this.backend.store.streamEvents(privacyStream(tenantId))) current = evolvePrivacy(current, event);
    return privacyView(current);
  }

  async updatePrivacy(caller: Principal, settings: PrivacySettings) {
    const commandId = randomUUID();
    const landed = await this.send(privacyStream(caller.tenantId), { commandId, command: { type: 'UpdatePrivacy', settings, metadata: commandMetadata(caller, commandId, commandId) } }, 'privacy');
    return privacyView(evolvePrivacy(initialPrivacy, landed));
  }

  /** Sends a command to the policy service and answers once its event is in the log. */
  private send(stream: string, message: PolicyCommandMessage, route: string) {
    return sendAndConfirm(this.backend, { topic: this.backend.topics.commands('policy'), stream, message, notYet: `The change was sent but is not in effect yet. GET /v1/${route} shortly to see whether it landed.` });
  }
}
