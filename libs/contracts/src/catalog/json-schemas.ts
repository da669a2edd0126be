import { z } from 'zod';
import { envelopeSchema } from '../envelope.js';
import type { EventCatalog } from './catalog.js';
import { eventCatalog } from './event-catalog.js';

/** A JSON Schema document, as `z.toJSONSchema` writes it. */
export type JsonSchema = Record<string, unknown>;

/** The JSON Schema of one published version of an event type's `data`. */
export interface EventDataJsonSchema {
  readonly type: string;
  readonly schemaVersion: number;
  /** True for the version readers get: older versions are upcast to it on read. */
  readonly latest: boolean;
  readonly data: JsonSchema;
}

export interface CatalogJsonSchemas {
  /** The stored envelope; its `data` is left open here, each (type, version) pins it down. */
  readonly envelope: JsonSchema;
  /** Every (type, version) of the catalog, in definition order, oldest version first. */
  readonly events: readonly EventDataJsonSchema[];
}

export interface CatalogJsonSchemaOptions {
  /** The JSON Schema dialect: 2020-12 by default; AsyncAPI's schema format is a superset of draft 7. */
  readonly target?: 'draft-2020-12' | 'draft-7';
}

/**
 * The catalog as JSON Schemas, generated from the same zod schemas the store validates with, so
 * documents built from them cannot drift from what is accepted. Each schema describes what the
 * store accepts as written (zod's input side: a field with a default may be absent), which is
 * also what readers get, since events are stored as written.
 */
export function catalogJsonSchemas(catalog: EventCatalog = eventCatalog, options: CatalogJsonSchemaOptions = {}): CatalogJsonSchemas {
  const toJsonSchema = (schema: z.ZodType): JsonSchema => {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: options.target ?? 'draft-2020-12', io: 'input' }) as JsonSchema;
    return rest;
  };
  return {
    envelope: toJsonSchema(envelopeSchema),
    events: catalog.publishedSchemas().map(({ type, schemaVersion, latestVersion, schema }) => ({ type, schemaVersion, latest: schemaVersion === latestVersion, data: toJsonSchema(schema) })),
  };
}
