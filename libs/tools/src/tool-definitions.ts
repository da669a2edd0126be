import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import type { EventEnvelope, StoredDefinition, ToolDefinition } from '@agent-orchestrator/contracts';
import { EventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { LRUCache } from 'lru-cache';

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/**
 * The largest definition (as JSON) kept in its event. Events hold at most 512 KiB and commands
 * travel through Kafka (1 MB a message by default), so a larger one — a big document, or many
 * operations — is stored as an attachment of the event store and named by its hash.
 */
export const inlineDefinitionBytes = 256 * 1024;

/** What a RegisterTool command and its ToolRegistered event carry: the definition, or where it is stored. */
export type DefinitionOrStored = { readonly definition: ToolDefinition; readonly stored?: undefined } | { readonly stored: StoredDefinition; readonly definition?: undefined };

/**
 * The definition as a command carries it: itself when it fits an event, else stored first (gzipped
 * JSON, by content, so storing it again is harmless) and named by its hash. Storing before the
 * command is sent is not a dual write: an attachment no event names is never read.
 */
export async function definitionForCommand(store: EventStore, tenantId: string, definition: ToolDefinition): Promise<DefinitionOrStored> {
  const json = JSON.stringify(definition);
  if (Buffer.byteLength(json) <= inlineDefinitionBytes) return { definition };
  return { stored: await store.putAttachment(tenantId, await gzip(json)) };
}

/**
 * Definitions loaded from attachments, by tenant and hash: versions never change, so an entry is
 * never stale. Bounded by about 64 MiB of parsed definitions, reckoned from their compressed size.
 */
const loaded = new LRUCache<string, { readonly definition: ToolDefinition; readonly weight: number }>({ maxSize: 64 * 1024 * 1024, sizeCalculation: (entry) => entry.weight });

/**
 * The tool-registry events with the stored definitions loaded in, so the registry folds them as
 * it always has; `wanted` limits the loading to some versions (the others keep no definition).
 */
export async function hydrateToolEvents(store: EventStore, events: readonly EventEnvelope[], wanted: (name: string, version: number) => boolean = () => true): Promise<EventEnvelope[]> {
  return Promise.all(
    events.map(async (event) => {
      const data = event.data as { name: string; version: number; stored?: StoredDefinition; definition?: ToolDefinition };
      if (event.type !== 'ToolRegistered' || data.stored === undefined || !wanted(data.name, data.version)) return event;
      return { ...event, data: { ...data, definition: await storedDefinition(store, event.tenantId, data.stored) } };
    }),
  );
}

async function storedDefinition(store: EventStore, tenantId: string, stored: StoredDefinition): Promise<ToolDefinition> {
  const key = `${tenantId}/${stored.sha256}`;
  const cached = loaded.get(key);
  if (cached !== undefined) return cached.definition;
  const content = await store.getAttachment(tenantId, stored);
  if (content === undefined) throw new EventStoreError('Unavailable', `the tool definition stored as attachment ${stored.sha256} of tenant ${tenantId} is missing from the event store`);
  const definition = JSON.parse((await gunzip(content)).toString('utf8')) as ToolDefinition;
  // JSON compresses about eightfold, and a parsed object takes about as much memory as its text.
  loaded.set(key, { definition, weight: Math.max(1, stored.bytes * 8) });
  return definition;
}
