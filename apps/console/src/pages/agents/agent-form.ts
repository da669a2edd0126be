import { schemas } from '../registries/request-schemas';
import type { JsonSchema } from '../registries/json-schema';
import type { Agent } from './queries';

/** The fields of a definition, in the order and with the words of the API's registerAgent schema. */
export const definitionFields: readonly [string, JsonSchema][] = Object.entries<JsonSchema>(schemas.registerAgent.properties ?? {});
export const requiredOnCreate = new Set(schemas.registerAgent.required ?? []);
const nullableOnUpdate = new Set(Object.entries<JsonSchema>(schemas.updateAgent.properties ?? {}).filter(([, schema]) => schema.nullable).map(([key]) => key));

export type AgentValues = Readonly<Record<string, unknown>>;

const isEmpty = (value: unknown) => value === undefined || value === '';

/** The POST /v1/agents body: what the form holds, empty text left out. */
export function createBody(values: AgentValues): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => !isEmpty(value)));
}

/** What an agent's definition puts in the form. */
export function valuesOf(agent: Agent): AgentValues {
  const { name: _name, version: _version, definedAt: _definedAt, ...definition } = agent;
  return definition;
}

/**
 * The PATCH /v1/agents/{name} body: only the fields that changed, a cleared optional field as null
 * (the API's way to remove it).
 */
export function patchBody(current: AgentValues, values: AgentValues): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key] of definitionFields) {
    if (key === 'name') continue;
    const before = current[key];
    const after = values[key];
    if (JSON.stringify(before ?? null) === JSON.stringify(isEmpty(after) ? null : after)) continue;
    patch[key] = isEmpty(after) && nullableOnUpdate.has(key) ? null : (after ?? '');
  }
  return patch;
}
