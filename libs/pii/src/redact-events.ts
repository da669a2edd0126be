import { maxRedactedFields, type NewEvent, type PiiKind } from '@agent-orchestrator/contracts';
import { v5 as uuidV5 } from 'uuid';
import { redactJson, type RedactJsonOptions } from './redact-json.js';

/** Fixed namespace: a PiiRedacted's id derives from the event it describes, so a re-decided event gets the same record. */
const redactedNamespace = '6f0d9a3c-2b71-4e8a-9c55-3e1f7a2b8d40';

/**
 * Per event type, the fields of its data that hold text from outside (a client, a model, a
 * person). `maxChars`: the field's schema limit for a string; a marker can be longer than what it
 * replaced, so the redacted text is clipped to fit rather than refused by the store. `json`: the
 * field is a JSON document serialised as a string (a run's saved state); its strings are redacted
 * and it is serialised again, so it still parses (never clipped, which would break it).
 */
export type RedactedFields = Readonly<Record<string, Readonly<Record<string, { readonly maxChars?: number; readonly json?: true }>>>>;

/**
 * Redacts personal data in the named data fields of each event and puts a PiiRedacted right
 * after each event it changed, so one append stores both or neither. Events of other types, and
 * events with nothing found, pass unchanged. The record names each field by its JSON Pointer into
 * the event's data, with kinds and counts, never the values.
 */
export function redactEvents(events: readonly NewEvent[], kinds: readonly PiiKind[], fields: RedactedFields, options: Pick<RedactJsonOptions, 'skip'> = {}): NewEvent[] {
  if (kinds.length === 0) return [...events];
  return events.flatMap((event) => {
    const names = fields[event.type];
    if (names === undefined || event.data === null || typeof event.data !== 'object') return [event];
    const data = { ...(event.data as Record<string, unknown>) };
    const findings = [];
    const found: Partial<Record<PiiKind, number>> = {};
    for (const [name, { maxChars, json }] of Object.entries(names)) {
      if (data[name] === undefined) continue;
      const serialised = json === true && typeof data[name] === 'string';
      const redaction = redactJson(serialised ? (JSON.parse(data[name] as string) as unknown) : data[name], kinds, { ...options, basePath: `/${name}` });
      if (serialised) {
        if (redaction.findings.length > 0) data[name] = JSON.stringify(redaction.value);
      } else {
        data[name] = typeof redaction.value === 'string' && maxChars !== undefined ? redaction.value.slice(0, maxChars) : redaction.value;
      }
      findings.push(...redaction.findings);
      for (const [kind, count] of Object.entries(redaction.found) as [PiiKind, number][]) found[kind] = (found[kind] ?? 0) + count;
    }
    if (findings.length === 0) return [event];
    const { sessionId, runId, callId } = data as { sessionId?: unknown; runId?: unknown; callId?: unknown };
    const record: NewEvent = {
      ...event,
      eventId: uuidV5(`${event.eventId}/pii`, redactedNamespace),
      type: 'PiiRedacted',
      schemaVersion: 2,
      causationId: event.causationId,
      data: {
        ...(typeof sessionId === 'string' ? { sessionId } : {}),
        eventId: event.eventId,
        eventType: event.type,
        ...(typeof runId === 'string' ? { runId } : {}),
        ...(typeof callId === 'string' ? { callId } : {}),
        fields: findings.slice(0, maxRedactedFields),
        found,
      },
    };
    return [{ ...event, data }, record];
  });
}

/**
 * A decider whose events are redacted as `redactEvents` does, so the one command handler appends
 * them already redacted; the decider itself when no kind is to be redacted.
 */
export function redactingDecider<Command, State, D extends { decide(command: Command, state: State): readonly NewEvent[] }>(
  decider: D & { decide(command: Command, state: State): readonly NewEvent[] },
  kinds: readonly PiiKind[],
  fields: RedactedFields,
): D {
  if (kinds.length === 0) return decider;
  return { ...decider, decide: (command: Command, state: State) => redactEvents(decider.decide(command, state), kinds, fields) };
}
