import type { AgentDefinition } from './catalog/agent-events.js';
import type { ToolDefinition } from './catalog/tool-events.js';
import type { EventEnvelope } from './envelope.js';

/** Agents every tenant has without defining them. A tenant's definition of one of these names replaces it. */
export const builtInAgentNames = ['Planner', 'Executor', 'Researcher', 'Reviewer'] as const;

/** Tools that exist without being registered. */
export const builtInToolNames = ['echo'] as const;

export interface Versioned<Definition> {
  readonly name: string;
  readonly version: number;
  readonly definition: Definition;
  readonly definedAt: string;
}
export type AgentVersion = Versioned<AgentDefinition>;

/**
 * A tenant's named, versioned definitions (agents, tools) folded from one stream whose events of
 * `eventType` carry `{ name, version, definition }`: every version of every name, oldest first.
 * Versions are immutable, so a session that pinned one reads the same definition for as long as
 * the log lasts.
 */
export class VersionedRegistry<Definition> {
  private constructor(
    private readonly eventType: string,
    private readonly versions: ReadonlyMap<string, readonly Versioned<Definition>[]>,
  ) {}

  static of<Definition>(eventType: string): VersionedRegistry<Definition> {
    return new VersionedRegistry<Definition>(eventType, new Map());
  }

  foldIn(events: Iterable<EventEnvelope>): VersionedRegistry<Definition> {
    return [...events].reduce<VersionedRegistry<Definition>>((registry, event) => registry.with(event), this);
  }

  /** The registry with one more event; events of other types leave it as it is. */
  with(event: EventEnvelope): VersionedRegistry<Definition> {
    if (event.type !== this.eventType) return this;
    const { name, version, definition } = event.data as { name: string; version: number; definition: Definition };
    const versions = new Map(this.versions);
    versions.set(name, [...(versions.get(name) ?? []), { name, version, definition, definedAt: event.occurredAt }]);
    return new VersionedRegistry(this.eventType, versions);
  }

  has(name: string): boolean {
    return this.versions.has(name);
  }

  latest(name: string): Versioned<Definition> | undefined {
    return this.versions.get(name)?.at(-1);
  }

  version(name: string, version: number): Versioned<Definition> | undefined {
    return this.versions.get(name)?.find((candidate) => candidate.version === version);
  }

  /** The latest version of every name. */
  all(): Versioned<Definition>[] {
    return [...this.versions.values()].map((versions) => versions.at(-1)!).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** What a session starting now pins: each name's latest version. */
  pins(): Record<string, number> {
    return Object.fromEntries(this.all().map(({ name, version }) => [name, version]));
  }
}

export type AgentRegistry = VersionedRegistry<AgentDefinition>;
export const AgentRegistry = {
  empty: VersionedRegistry.of<AgentDefinition>('AgentDefined'),
  fold: (events: Iterable<EventEnvelope>): AgentRegistry => AgentRegistry.empty.foldIn(events),
};

/** The handoffs of a definition that name neither a built-in agent nor one of the tenant's, nor the agent itself. */
export function unknownHandoffs(registry: AgentRegistry, name: string, definition: AgentDefinition): string[] {
  const known = (candidate: string) => (builtInAgentNames as readonly string[]).includes(candidate) || registry.has(candidate);
  return definition.handoffs.filter((target) => target === name || !known(target));
}

/** The name a model calls one operation of a registered tool by: `<tool>__<operation>`, at most 64 characters. */
export const operationToolName = (tool: string, operation: string): string => `${tool}__${operation}`;

/** The tool and operation a model-facing name stands for; undefined for a built-in tool's name. */
export function parseOperationToolName(name: string): { tool: string; operation: string } | undefined {
  const separator = name.indexOf('__');
  return separator <= 0 ? undefined : { tool: name.slice(0, separator), operation: name.slice(separator + 2) };
}

export type ToolRegistry = VersionedRegistry<ToolDefinition>;
export const ToolRegistry = {
  empty: VersionedRegistry.of<ToolDefinition>('ToolRegistered'),
  fold: (events: Iterable<EventEnvelope>): ToolRegistry => ToolRegistry.empty.foldIn(events),
};
