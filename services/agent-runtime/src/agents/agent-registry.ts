import {
  AgentRegistry,
  agentRegistryStream,
  unknownHandoffs,
  type AgentCommandMessage,
  type DefineAgent,
  type EventEnvelope,
  type NewEvent,
  type VersionedRegistry,
} from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import type { Logger } from 'pino';
import { setBudget } from '../budgets/budget-commands.js';

/**
 * Why a definition was refused.
 * - VersionConflict: the agent is not at the version the sender saw (another edit landed first,
 *   or this command already took effect);
 * - UnknownHandoff: a handoff names no agent the tenant has.
 */
export type AgentRegistryErrorCode = 'VersionConflict' | 'UnknownHandoff';

export class AgentRegistryError extends Error {
  override readonly name = 'AgentRegistryError';

  constructor(
    readonly code: AgentRegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A tenant's agent registry: one `agent-<tenant>` stream, each DefineAgent one more version. */
export const agentRegistryDecider: Decider<DefineAgent, AgentRegistry> = {
  initialState: () => AgentRegistry.empty,
  evolve: (registry, event) => registry.with(event),
  decide(command, registry): NewEvent[] {
    const { name, definition, expectedVersion, metadata } = command;
    const current = registry.latest(name)?.version ?? 0;
    if (current !== expectedVersion) {
      throw new AgentRegistryError('VersionConflict', `agent ${name} is at version ${current}, not the ${expectedVersion} the edit was made from`);
    }
    const unknown = unknownHandoffs(registry, name, definition);
    if (unknown.length > 0) throw new AgentRegistryError('UnknownHandoff', `agent ${name} hands off to agents the tenant does not have: ${unknown.join(', ')}`);
    const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = metadata;
    const eventId = eventIds[0];
    if (eventId === undefined) throw new Error('DefineAgent carries no event id');
    return [
      {
        eventId,
        type: 'AgentDefined',
        schemaVersion: 1,
        tenantId,
        correlationId,
        causationId,
        actor,
        occurredAt: now,
        traceparent,
        data: { name, version: current + 1, definition },
      },
    ];
  },
};

/**
 * Handles one command from `commands.agent-runtime` (a budget's goes to `setBudget`). A conflict is acknowledged and dropped: the
 * sender reads the registry and tells its caller whose edit landed. Other refusals are
 * dead-lettered with the reason; store faults are retried.
 */
export function agentCommandHandler(store: EventStore, logger: Logger): (message: ConsumedMessage<AgentCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    if (command.type === 'SetBudget') return setBudget(store, commandId, command);
    // Analyses are the SessionAnalyst's; the process hands them there first.
    if (command.type !== 'DefineAgent') throw new MessagingError('Rejected', `${command.type} is not an agent registry command`);
    const withIds: DefineAgent = { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } };
    try {
      await handleCommand(store, agentRegistryStream(command.metadata.tenantId), withIds, agentRegistryDecider);
    } catch (error) {
      if (error instanceof AgentRegistryError) {
        if (error.code === 'VersionConflict') {
          logger.info({ commandId, tenantId: command.metadata.tenantId, agent: command.name, reason: error.message }, 'agent definition not applied');
          return;
        }
        throw new MessagingError('Rejected', `DefineAgent ${command.name}: ${error.message}`, { cause: error });
      }
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `DefineAgent ${command.name}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

/**
 * The pinned definitions (agents, tools) of sessions, read from the tenants' registries. Versions
 * never change once written, so a registry read once serves every later run that pins versions it
 * holds; a pin it does not hold yet makes it read the registry again.
 */
export class PinnedRegistries<Definition> {
  private readonly registries = new Map<string, VersionedRegistry<Definition>>();

  constructor(
    private readonly store: EventStore,
    private readonly streamOf: (tenantId: string) => string,
    private readonly empty: VersionedRegistry<Definition>,
    /** Loads what the events name rather than carry (tool definitions stored as attachments). */
    private readonly complete: (events: EventEnvelope[]) => Promise<EventEnvelope[]> = async (events) => events,
  ) {}

  async registryFor(tenantId: string, pins: Readonly<Record<string, number>>): Promise<VersionedRegistry<Definition>> {
    const cached = this.registries.get(tenantId);
    if (cached && Object.entries(pins).every(([name, version]) => cached.version(name, version))) return cached;
    const events: EventEnvelope[] = [];
    for await (const event of this.store.streamEvents(this.streamOf(tenantId))) events.push(event);
    const registry = this.empty.foldIn(await this.complete(events));
    this.registries.set(tenantId, registry);
    return registry;
  }
}
