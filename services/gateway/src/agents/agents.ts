import { randomUUID } from 'node:crypto';
import {
  AgentRegistry,
  agentDefinitionSchema,
  agentRegistryStream,
  unknownHandoffs,
  builtInToolNames,
  type AgentCommandMessage,
  type AgentDefinition,
  type AgentVersion,
  type TopicNames,
} from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, pollFor, sendCommand } from '../commands.js';
import { GatewayError, type FieldProblem } from '../errors.js';
import { fieldProblems } from '../http/valid-body.js';
import type { Tools } from '../tools/tools.js';

export interface AgentsBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** How long a definition waits to see its version in the registry. */
  readonly confirmMs?: number;
}

/** An agent version as the API shows it. */
export type AgentView = { readonly name: string; readonly version: number; readonly definedAt: string } & AgentDefinition;

/** A merge patch of a definition: absent keeps, null removes an optional field. */
export type AgentPatch = { readonly [Key in keyof AgentDefinition]?: AgentDefinition[Key] | null };

const view = ({ name, version, definedAt, definition }: AgentVersion): AgentView => ({ name, version, definedAt, ...definition });

/**
 * Agent definitions. The registry is the tenant's `agent-<tenant>` stream, owned by the
 * agent-runtime: the gateway reads it and sends DefineAgent, then answers once the new version is
 * in the log, so a session started after the answer pins it.
 */
export class Agents {
  constructor(
    private readonly backend: AgentsBackend,
    private readonly tools: Tools,
  ) {}

  async registry(tenantId: string): Promise<AgentRegistry> {
    return AgentRegistry.fold(await this.backend.store.readStream(agentRegistryStream(tenantId)));
  }

  async list(tenantId: string): Promise<{ items: AgentView[] }> {
    return { items: (await this.registry(tenantId)).all().map(view) };
  }

  async get(tenantId: string, name: string, version?: number): Promise<AgentView> {
    const registry = await this.registry(tenantId);
    const found = version === undefined ? registry.latest(name) : registry.version(name, version);
    if (found) return view(found);
    if (version !== undefined && registry.latest(name)) throw new GatewayError('NotFound', `Agent ${name} has no version ${version}; the latest is ${registry.latest(name)!.version}.`);
    throw new GatewayError('NotFound', `Your tenant has no agent named ${name}.`);
  }

  async create(caller: Principal, name: string, definition: AgentDefinition): Promise<AgentView> {
    const registry = await this.registry(caller.tenantId);
    const existing = registry.latest(name);
    if (existing) throw new GatewayError('Conflict', `Agent ${name} already exists (version ${existing.version}). Change it with PATCH /v1/agents/${name}.`);
    await this.check(caller.tenantId, registry, name, definition);
    return this.define(caller, name, definition, 0);
  }

  async update(caller: Principal, name: string, patch: AgentPatch): Promise<AgentView> {
    const registry = await this.registry(caller.tenantId);
    const current = registry.latest(name);
    if (!current) throw new GatewayError('NotFound', `Your tenant has no agent named ${name}. Create it with POST /v1/agents.`);
    const merged: Record<string, unknown> = { ...current.definition };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else if (value !== undefined) merged[key] = value;
    }
    const parsed = agentDefinitionSchema.safeParse(merged);
    if (!parsed.success) throw new GatewayError('InvalidBody', 'The agent would not be valid after this change. See "errors" for each field.', fieldProblems(parsed.error));
    await this.check(caller.tenantId, registry, name, parsed.data);
    return this.define(caller, name, parsed.data, current.version);
  }

  /** Handoffs and tools must name what the tenant has; each miss is a field problem. */
  private async check(tenantId: string, registry: AgentRegistry, name: string, definition: AgentDefinition): Promise<void> {
    const tools = await this.tools.registry(tenantId);
    const toolNames = [...builtInToolNames, ...tools.all().map((tool) => tool.name)];
    const problems: FieldProblem[] = [];
    const unknown = new Set(unknownHandoffs(registry, name, definition));
    definition.handoffs.forEach((target, index) => {
      if (unknown.has(target)) {
        problems.push({ pointer: `#/handoffs/${index}`, detail: target === name ? 'an agent cannot hand off to itself' : `your tenant has no agent named ${target}` });
      }
    });
    definition.tools.forEach((tool, index) => {
      if (!toolNames.includes(tool)) {
        problems.push({ pointer: `#/tools/${index}`, detail: `no tool named ${tool}; the tools are: ${toolNames.join(', ')}` });
      }
    });
    if (problems.length > 0) throw new GatewayError('InvalidBody', `Agent ${name} names what your tenant does not have. See "errors" for each field.`, problems);
  }

  private async define(caller: Principal, name: string, definition: AgentDefinition, expectedVersion: number): Promise<AgentView> {
    const { store, producer, topics } = this.backend;
    const stream = agentRegistryStream(caller.tenantId);
    const commandId = randomUUID();
    const message: AgentCommandMessage = {
      commandId,
      command: { type: 'DefineAgent', name, definition, expectedVersion, metadata: commandMetadata(caller, commandId, commandId) },
    };
    await sendCommand(producer, topics.commands('agent-runtime'), stream, message);
    const landed = await pollFor(async () => {
      const events = await store.readStream(stream);
      return events.find((event) => event.type === 'AgentDefined' && (event.data as { name: string; version: number }).name === name && (event.data as { version: number }).version === expectedVersion + 1);
    }, this.backend.confirmMs ?? 5000);
    if (!landed) throw new GatewayError('Unavailable', `Agent ${name} version ${expectedVersion + 1} was sent but is not in the registry yet. GET /v1/agents/${name} shortly to see whether it landed.`);
    if (landed.causationId !== commandId) throw new GatewayError('Conflict', `Another change made agent ${name} version ${expectedVersion + 1} first. GET it, then apply your change to that version.`);
    return view(AgentRegistry.fold([landed]).latest(name)!);
  }
}
