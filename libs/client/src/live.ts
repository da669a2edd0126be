import type { approvalEvents, EventEnvelope, EventOf } from '@agent-orchestrator/contracts';

/** An event of one of the session's approvals (ApprovalRequested, ApprovalGranted, …), typed by the catalog. */
export type ApprovalEnvelope = EventEnvelope & EventOf<(typeof approvalEvents)[number]>;

/**
 * What the live socket sends: the session's events in streamVersion order, and its approvals'
 * events as they happen (outside the session's versions, so not replayed after a reconnect:
 * `approvals.all({ sessionId })` lists them).
 */
export type LiveMessage = { readonly kind: 'event'; readonly event: EventEnvelope } | { readonly kind: 'approval'; readonly approval: ApprovalEnvelope };

/** The part of the WHATWG WebSocket (browsers, Node's global) the live stream uses. */
export interface LiveSocket {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  /** The streamVersion to start from (default 0). */
  readonly fromVersion?: number;
  /** Aborting ends the iteration with the signal's reason and closes the socket. */
  readonly signal?: AbortSignal;
  /** Consecutive connections that deliver no event before giving up (default 8). */
  readonly maxFailures?: number;
  /** Milliseconds to wait before the `failures`th reconnect in a row (default: 250 ms doubling to 10 s, with jitter). */
  readonly backoff?: (failures: number) => number;
  /** Called before each reconnect, e.g. to show "reconnecting" in a console. */
  readonly onReconnect?: (reconnect: { readonly fromVersion: number; readonly failures: number; readonly closeCode: number }) => void;
}

export interface LiveConnector {
  /** A fresh single-use ticket (POST /v1/ws-tickets): every connection needs its own. */
  ticket(): Promise<string>;
  open(url: string): LiveSocket;
  url(sessionId: string, fromVersion: number, ticket: string): string;
  /** Throws the ProblemError that explains why a session cannot be followed (404, 403), when a connection was refused before it opened. */
  assertFollowable(sessionId: string): Promise<void>;
}

const endings = new Set(['SessionCompleted', 'SessionFailed', 'SessionCancelled']);
const normalClosure = 1000;

export function defaultBackoff(failures: number): number {
  const ceiling = Math.min(10_000, 250 * 2 ** Math.max(0, failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Follows a session: connects with a fresh ticket, and when the connection drops before the
 * session's last event, reconnects from the last streamVersion it yielded + 1, so every event
 * comes once and in order. Ends after the session's last event (the server then closes with 1000).
 */
export async function* followLive(sessionId: string, connector: LiveConnector, options: LiveOptions = {}): AsyncGenerator<LiveMessage, void, undefined> {
  const { signal, maxFailures = 8, backoff = defaultBackoff } = options;
  let next = options.fromVersion ?? 0;
  let failures = 0;
  for (;;) {
    signal?.throwIfAborted();
    const connection = connect(connector.open(connector.url(sessionId, next, await connector.ticket())), signal);
    let delivered = false;
    for await (const frame of connection.frames()) {
      const message = parseFrame(frame);
      if (message.kind === 'approval') {
        yield message;
        continue;
      }
      const version = message.event.streamVersion;
      if (version < next) continue; // already yielded before a reconnect
      if (version > next) throw new Error(`The live stream of session ${sessionId} skipped from version ${next} to ${version}; follow it again with fromVersion: ${next}.`);
      next = version + 1;
      delivered = true;
      yield message;
      if (endings.has(message.event.type)) return;
    }
    signal?.throwIfAborted();
    const closeCode = connection.closeCode() ?? 1006;
    if (closeCode === normalClosure) return;
    failures = delivered ? 1 : failures + 1;
    if (!connection.opened()) await connector.assertFollowable(sessionId);
    if (failures > maxFailures) {
      throw new Error(`The live connection to session ${sessionId} failed ${failures - 1} times in a row (last close code ${closeCode}); follow it again with fromVersion: ${next}.`);
    }
    options.onReconnect?.({ fromVersion: next, failures, closeCode });
    await sleep(backoff(failures), signal);
  }
}

function parseFrame(frame: unknown): LiveMessage {
  const message: unknown = typeof frame === 'string' ? JSON.parse(frame) : undefined;
  if (typeof message === 'object' && message !== null) {
    if ('event' in message && isEnvelope(message.event)) return { kind: 'event', event: message.event };
    if ('approval' in message && isEnvelope(message.approval)) return { kind: 'approval', approval: message.approval as ApprovalEnvelope };
  }
  throw new Error(`The live stream sent a message that is neither {"event"} nor {"approval"}: ${String(frame).slice(0, 200)}`);
}

function isEnvelope(value: unknown): value is EventEnvelope {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string' && 'streamVersion' in value && typeof value.streamVersion === 'number';
}

/** One socket's text frames as an async iterable; the socket is closed when iteration stops early. */
function connect(socket: LiveSocket, signal: AbortSignal | undefined) {
  const frames: unknown[] = [];
  let opened = false;
  let closeCode: number | undefined;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  socket.onopen = () => (opened = true);
  socket.onmessage = (message) => {
    frames.push(message.data);
    notify();
  };
  socket.onclose = (event) => {
    closeCode = event.code;
    notify();
  };
  socket.onerror = () => {}; // a close event follows, which says how it ended
  signal?.addEventListener('abort', notify);
  return {
    opened: () => opened,
    closeCode: () => closeCode,
    async *frames(): AsyncGenerator<unknown> {
      try {
        for (;;) {
          if (frames.length > 0) yield frames.shift();
          else if (closeCode !== undefined || signal?.aborted) return;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        signal?.removeEventListener('abort', notify);
        if (closeCode === undefined) socket.close(normalClosure);
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
