import { ToolRegistry, parseOperationToolName, sessionStream, toolRegistryStream, type EventEnvelope, type SessionEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import { hydrateToolEvents } from './tool-definitions.js';

export type PinnedOperation =
  /** A built-in tool (echo): no registered definition. */
  | { readonly kind: 'built-in'; readonly tool: string }
  | { readonly kind: 'operation'; readonly tool: string; readonly version: number; readonly definition: ToolDefinition; readonly operation: ToolDefinition['operations'][number] }
  /** `<tool>__<operation>` that the session did not pin, or whose pinned version lacks the operation. */
  | { readonly kind: 'unknown'; readonly tool: string; readonly reason: string };

/**
 * What a model's tool name refers to in one session: a built-in tool, or an operation of a
 * registered tool at the version the session pinned when it started (SessionStarted v3).
 */
export async function pinnedOperation(store: EventStore, tenantId: string, sessionId: string, modelToolName: string): Promise<PinnedOperation> {
  const target = parseOperationToolName(modelToolName);
  if (target === undefined) return { kind: 'built-in', tool: modelToolName };
  const [started] = (await store.readStream(sessionStream(sessionId), { maxCount: 1 })) as (EventEnvelope & SessionEvent)[];
  const version = started?.type === 'SessionStarted' ? started.data.toolVersions[target.tool] : undefined;
  if (version === undefined) return { kind: 'unknown', tool: target.tool, reason: `the session has no tool named ${target.tool}` };
  const events = await store.readStream(toolRegistryStream(tenantId));
  const registry = ToolRegistry.fold(await hydrateToolEvents(store, events, (name, pinned) => name === target.tool && pinned === version));
  const definition = registry.version(target.tool, version)?.definition;
  const operation = definition?.operations.find((candidate) => candidate.name === target.operation);
  if (!definition || !operation) return { kind: 'unknown', tool: target.tool, reason: `tool ${target.tool} version ${version} has no operation ${target.operation}` };
  return { kind: 'operation', tool: target.tool, version, definition, operation };
}
