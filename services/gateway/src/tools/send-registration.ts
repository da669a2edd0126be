import { randomUUID } from 'node:crypto';
import { toolRegistryStream, type ToolCommandMessage, type ToolDefinition, type TopicNames, type Versioned } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import { definitionForCommand } from '@agent-orchestrator/tools';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, sendAndConfirm } from '../commands.js';

/**
 * Sends RegisterTool for a compiled definition (an OpenAPI document's or an MCP server's) and
 * answers with the version once it is in the log. A definition too large for an event (a big
 * document, many operations) travels as an attachment.
 */
export async function sendRegistration(
  backend: { readonly store: EventStore; readonly producer: MessageSender; readonly topics: TopicNames; readonly confirmMs?: number },
  caller: Principal,
  name: string,
  definition: ToolDefinition,
): Promise<Versioned<ToolDefinition>> {
  const commandId = randomUUID();
  const carried = await definitionForCommand(backend.store, caller.tenantId, definition);
  const message: ToolCommandMessage = { commandId, command: { type: 'RegisterTool', name, ...carried, metadata: commandMetadata(caller, commandId, commandId) } };
  const landed = await sendAndConfirm(backend, {
    topic: backend.topics.commands('tool-adapters'),
    stream: toolRegistryStream(caller.tenantId),
    message,
    notYet: `Tool ${name} was sent but is not in the registry yet. GET /v1/tools/${name} shortly to see whether it landed.`,
  });
  return { name, version: (landed.data as { version: number }).version, definedAt: landed.occurredAt, definition };
}
