import { parseStreamName, streamCategories, type EventEnvelope, type GlobalPosition } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { Logger } from 'pino';

type Listener = (event: EventEnvelope) => void;

/** The feed key under which a session's approval events are fanned out (approvals carry the session as their correlation id). */
export const approvalsOf = (sessionId: string): string => `approvals-of:${sessionId}`;

/** The feed key under which one tenant's alert events (or the platform's, under `platform`) are fanned out. */
export const alertsOf = (tenantId: string): string => `alerts-of:${tenantId}`;

/**
 * One tail of the global log per gateway process, fanned out to the live connections by stream.
 * It reads only while someone listens; otherwise it just keeps its place at the log's end. The
 * store's global read never skips an event that commits late, so a listener that read its stream
 * up to now and then follows the feed misses nothing (it may see an event twice, by version).
 */
export class SessionFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private position: GlobalPosition | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger,
    private readonly pollMs = 25,
  ) {}

  async start(): Promise<void> {
    this.position = await this.store.lastPosition();
    this.schedule();
  }

  subscribe(streamId: string, listener: Listener): () => void {
    const set = this.listeners.get(streamId) ?? new Set();
    set.add(listener);
    this.listeners.set(streamId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(streamId);
    };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delay = this.pollMs): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    let full = false;
    try {
      if (this.listeners.size === 0) {
        const end = await this.store.lastPosition();
        // Someone subscribed while the end was looked up: their catch-up read may have stopped short
        // of it, so the feed must deliver from where it was, not jump past what they have not seen.
        if (this.listeners.size === 0) this.position = end ?? this.position;
      } else {
        const events = await this.store.readAll({ ...(this.position === undefined ? {} : { after: this.position }), maxCount: 1000 });
        for (const event of events) {
          for (const listener of this.listeners.get(event.streamId) ?? []) listener(event);
          if (parseStreamName(event.streamId).category === streamCategories.approval) {
            for (const listener of this.listeners.get(approvalsOf(event.correlationId)) ?? []) listener(event);
          }
          if (parseStreamName(event.streamId).category === streamCategories.alert) {
            for (const listener of this.listeners.get(alertsOf(event.tenantId)) ?? []) listener(event);
          }
          this.position = event.globalPosition;
        }
        full = events.length === 1000;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'session feed could not read the log; retrying');
    }
    this.schedule(full ? 0 : this.pollMs);
  }
}
