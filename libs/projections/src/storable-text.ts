import type { EventEnvelope } from '@agent-orchestrator/contracts';

/**
 * PostgreSQL cannot store U+0000 in text or jsonb (22021, 22P05), nor a lone surrogate in jsonb.
 * Clients' text is refused at the edge, but a model's or a tool's output reaches the log as it
 * was produced; a read model stores such text with U+FFFD in place of what cannot be stored.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const unstorable = /\u0000|\p{Surrogate}/gu;

export function storableText(text: string): string {
  unstorable.lastIndex = 0;
  return unstorable.test(text) ? text.replace(unstorable, '\uFFFD') : text;
}

/** The value with every string (keys included) storable; the same object when nothing needed changing. */
export function storableValue<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) {
    const items = value.map(storableValue);
    return (items.some((item, index) => item !== value[index]) ? items : value) as T;
  }
  if (typeof value !== 'object' || value === null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const entry = [storableText(key), storableValue(item)] as const;
    if (entry[0] !== key || entry[1] !== item) changed = true;
    return entry;
  });
  return changed ? (Object.fromEntries(entries) as T) : value;
}

/** The event as a read model may store it: its data's text made storable. */
export function storableEvent(event: EventEnvelope): EventEnvelope {
  const data = storableValue(event.data);
  return data === event.data ? event : { ...event, data };
}
