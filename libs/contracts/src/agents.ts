import type { AgentDefinition } from './catalog/agent-events.js';
import type { EventEnvelope } from './envelope.js';

/** Agents every tenant has without defining them. A tenant's definition of one of these names replaces it. */
export const builtInAgentNames = ['Planner', 'Executor', 'Researcher', 'Reviewer'] as const;

/** Tools that exist without being registered. */
export const builtInToolNames = ['echo'] as const;

export interface AgentVersion {
  readonly name: string;
  readonly version: number;
  readonly definition: AgentDefinition;
  readonly definedAt: string;
}

/**
 * A tenant's agents folded from its `agent-<tenant>` stream: every version of every agent,
 * oldest first. Versions are immutable, so a session that pinned one reads the same definition
 * for as long as the log lasts.
 */
export class AgentRegistry {
  private constructor(private readonly versions: ReadonlyMap<string, readonly AgentVersion[]>) {}

  static readonly empty = new AgentRegistry(new Map());

  static fold(events: Iterable<EventEnvelope>): AgentRegistry {
    let registry = AgentRegistry.empty;
    for (const event of events) registry = registry.with(event);
    return registry;
  }

  /** The registry with one more event; anything but AgentDefined leaves it as it is. */
  with(event: EventEnvelope): AgentRegistry {
    if (event.type !== 'AgentDefined') return this;
    const { name, version, definition } = event.data as { name: string; version: number; definition: AgentDefinition };
    const versions = new Map(this.versions);
    versions.set(name, [...(versions.get(name) ?? []), { name, version, definition, definedAt: event.occurredAt }]);
    return new AgentRegistry(versions);
  }

  latest(name: string): AgentVersion | undefined {
    return this.versions.get(name)?.at(-1);
  }

  version(name: string, version: number): AgentVersion | undefined {
    return this.versions.get(name)?.find((candidate) => candidate.version === version);
  }

  /** The latest version of every agent, by name. */
  all(): AgentVersion[] {
    return [...this.versions.values()].map((versions) => versions.at(-1)!).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** What a session starting now pins: each defined agent's latest version. */
  pins(): Record<string, number> {
    return Object.fromEntries(this.all().map(({ name, version }) => [name, version]));
  }

  /** The handoffs of a definition that name neither a built-in agent nor one of the tenant's, nor the agent itself. */
  unknownHandoffs(name: string, definition: AgentDefinition): string[] {
    const known = (candidate: string) => (builtInAgentNames as readonly string[]).includes(candidate) || this.versions.has(candidate);
    return definition.handoffs.filter((target) => target === name || !known(target));
  }
}
