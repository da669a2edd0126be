import { z } from 'zod';
import { newEventSchema, type NewEvent } from '../envelope.js';

/**
 * One published version of an event's data. Every version after the first says how to lift the
 * previous version's data into it, so old events are upcast on read and deciders only ever see
 * the latest shape. Published versions are frozen: change a shape by adding a version.
 */
export interface EventVersion {
  readonly schema: z.ZodType;
  readonly upcastFromPrevious?: (previous: never) => unknown;
}

export interface EventDefinition<Type extends string = string, Data = unknown> {
  readonly type: Type;
  /** versions[0] is schemaVersion 1. */
  readonly versions: readonly EventVersion[];
  /** Type-level only: the latest version's data. */
  readonly _data?: Data;
}

/** An event as a writer builds it, with the data of its type's latest version. */
export type EventOf<Definition> =
  Definition extends EventDefinition<infer Type, infer Data>
    ? Omit<NewEvent, 'type' | 'data'> & { readonly type: Type; readonly data: Data }
    : never;

export function defineEvent<const Type extends string, Latest extends z.ZodType>(
  type: Type,
  versions: readonly [...EventVersion[], { schema: Latest; upcastFromPrevious?: (previous: never) => z.infer<Latest> }],
): EventDefinition<Type, z.infer<Latest>> {
  versions.forEach((version, index) => {
    if (index > 0 && !version.upcastFromPrevious) {
      throw new Error(`${type} v${index + 1} needs upcastFromPrevious to lift v${index} data`);
    }
  });
  return { type, versions };
}

export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

interface Upcastable {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/** The set of event types a store accepts, with their versions. */
export class EventCatalog {
  private readonly definitions = new Map<string, EventDefinition>();

  constructor(definitions: readonly EventDefinition[]) {
    for (const definition of definitions) {
      if (this.definitions.has(definition.type)) throw new Error(`event type ${definition.type} is defined twice`);
      this.definitions.set(definition.type, definition);
    }
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  latestVersion(type: string): number {
    return this.definition(type).versions.length;
  }

  /** Every (type, version) pair ever published: each has a frozen fixture. */
  publishedVersions(): { type: string; schemaVersion: number }[] {
    return [...this.definitions.values()].flatMap((d) => d.versions.map((_, i) => ({ type: d.type, schemaVersion: i + 1 })));
  }

  /** The data schema of every published (type, version), in definition order, oldest version first. */
  publishedSchemas(): { type: string; schemaVersion: number; latestVersion: number; schema: z.ZodType }[] {
    return [...this.definitions.values()].flatMap((d) =>
      d.versions.map((version, i) => ({ type: d.type, schemaVersion: i + 1, latestVersion: d.versions.length, schema: version.schema })),
    );
  }

  /** Validates an event a writer wants to append: the envelope fields, then the data against its version. */
  validateNewEvent(event: unknown): ValidationResult {
    const envelope = newEventSchema.safeParse(event);
    if (!envelope.success) return { ok: false, message: z.prettifyError(envelope.error) };
    return this.validateData(envelope.data);
  }

  validateData(event: Upcastable): ValidationResult {
    const definition = this.definitions.get(event.type);
    if (!definition) return { ok: false, message: `unknown event type "${event.type}"; known: ${this.types().join(', ')}` };
    const version = definition.versions[event.schemaVersion - 1];
    if (!version) {
      return {
        ok: false,
        message: `${event.type} has no schemaVersion ${event.schemaVersion}; published: 1..${definition.versions.length}`,
      };
    }
    const parsed = version.schema.safeParse(event.data);
    if (!parsed.success) return { ok: false, message: `${event.type} v${event.schemaVersion} data: ${z.prettifyError(parsed.error)}` };
    return { ok: true };
  }

  /** Lifts an event's data to the latest version of its type. Unknown types pass through unchanged. */
  upcast<E extends Upcastable>(event: E): E {
    const definition = this.definitions.get(event.type);
    if (!definition || event.schemaVersion >= definition.versions.length) return event;
    let data = event.data;
    for (let v = event.schemaVersion; v < definition.versions.length; v++) {
      const lift = definition.versions[v]?.upcastFromPrevious as ((previous: unknown) => unknown) | undefined;
      if (!lift) throw new Error(`${event.type} v${v + 1} has no upcaster`);
      data = lift(data);
    }
    return { ...event, schemaVersion: definition.versions.length, data };
  }

  private definition(type: string): EventDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new Error(`unknown event type "${type}"`);
    return definition;
  }
}
