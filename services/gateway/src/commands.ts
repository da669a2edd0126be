import type { CommandMetadata, EventEnvelope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import { sessionTraceparent } from '@agent-orchestrator/tracing';
import type { Principal } from './auth/access.guard.js';
import { GatewayError } from './errors.js';

/** The metadata of a command a caller sends; the receiving service fills in the event ids. */
export function commandMetadata(caller: Principal, correlationId: string, commandId: string): CommandMetadata {
  return {
    tenantId: caller.tenantId,
    correlationId,
    causationId: commandId,
    actor: { kind: 'user', id: caller.subject },
    traceparent: null,
    now: new Date().toISOString(),
    eventIds: [],
  };
}

/** The trace a command's handling joins: its correlation's (a session's work is one trace). */
const commandTraceparent = (message: unknown): string | null => {
  const correlationId = (message as { command?: { metadata?: { correlationId?: unknown } } }).command?.metadata?.correlationId;
  return typeof correlationId === 'string' ? sessionTraceparent(correlationId) : null;
};

/** Queues one command; a broker that cannot take it is a 503 the caller may retry. */
export async function sendCommand(producer: MessageSender, topic: string, key: string, message: unknown): Promise<void> {
  try {
    await producer.send([{ topic, key, value: JSON.stringify(message), traceparent: commandTraceparent(message) }]);
  } catch (error) {
    throw new GatewayError('Unavailable', `The command could not be queued (${error instanceof Error ? error.message : String(error)}). Retry the request; with an Idempotency-Key a retry is safe.`);
  }
}

/** Asks `look` until it finds something or `timeoutMs` passes, backing off from 5 to 100 ms. */
export async function pollFor<T>(look: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; Date.now() < deadline; delay = Math.min(delay * 2, 100)) {
    const found = await look();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return undefined;
}

/**
 * Queues a command for the service that owns `stream` and answers with the event it caused once
 * that is in the log (a 503 saying where to look when it is not there within `confirmMs`, 5 s).
 */
export async function sendAndConfirm(
  backend: { readonly store: EventStore; readonly producer: MessageSender; readonly confirmMs?: number },
  send: { readonly topic: string; readonly stream: string; readonly message: { readonly commandId: string }; readonly notYet: string },
): Promise<EventEnvelope> {
  const { topic, stream, message, notYet } = send;
  await sendCommand(backend.producer, topic, stream, message);
  // Its event is among the stream's last ones: another command may have landed right after it.
  const landed = await pollFor(async () => (await backend.store.readStream(stream, { direction: 'backwards', maxCount: 20 })).find((event) => event.causationId === message.commandId), backend.confirmMs ?? 5000);
  if (!landed) throw new GatewayError('Unavailable', notYet);
  return landed;
}
