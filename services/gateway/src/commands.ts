import type { CommandMetadata } from '@agent-orchestrator/contracts';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from './auth/access.guard.js';
import { GatewayError } from './errors.js';

/** The metadata of a command a caller sends; the receiving service fills in the event ids. */
export function commandMetadata(caller: Principal, correlationId: string, commandId: string): CommandMetadata {
  return {
    tenantId: caller.tenantId,
    correlationId,
    causationId: commandId,
    actor: { kind: 'user', id: caller.keyId },
    traceparent: null,
    now: new Date().toISOString(),
    eventIds: [],
  };
}

/** Queues one command; a broker that cannot take it is a 503 the caller may retry. */
export async function sendCommand(producer: MessageSender, topic: string, key: string, message: unknown): Promise<void> {
  try {
    await producer.send([{ topic, key, value: JSON.stringify(message) }]);
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
