import pg from 'pg';

export interface AppendListenerOptions {
  /** The connection settings of the store's pool; the listener holds a connection of its own. */
  readonly connection: pg.ClientConfig;
  readonly channel: string;
  /** Gets the transaction id each committed append announced. */
  readonly onAppend: (transactionId: string) => void;
  /** Called each time the channel is listened to (again): appends made while nobody listened went unheard. */
  readonly onListening: () => void;
  readonly onError?: (error: unknown) => void;
}

const minReconnectMs = 100;
const maxReconnectMs = 5_000;

/**
 * LISTENs on the channel that append_events notifies when its transaction commits, on a dedicated
 * connection (a pooled one would be handed to queries, and a LISTEN lasts as long as its
 * connection). A lost connection is replaced with backoff; meanwhile subscriptions still poll.
 */
export class AppendListener {
  /** The connection while it is listening; a connection still being made is left to finish. */
  private listening?: pg.Client;
  private readonly closing = new AbortController();
  private readonly running: Promise<void>;

  constructor(private readonly options: AppendListenerOptions) {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.listening?.end().catch(() => undefined);
    await this.running;
  }

  private async run(): Promise<void> {
    let retryMs = minReconnectMs;
    while (!this.closing.signal.aborted) {
      // Keep-alive probes find a connection that died without a word, which would otherwise
      // wait for notifications that never come.
      const client = new pg.Client({ ...this.options.connection, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
      const lost = new Promise<void>((resolve) => {
        client.on('error', (error) => {
          this.options.onError?.(error);
          resolve();
        });
        client.on('end', () => resolve());
      });
      client.on('notification', ({ payload }) => {
        // Anyone may notify the channel; only a transaction id is an append's announcement.
        if (payload !== undefined && /^\d+$/.test(payload)) this.options.onAppend(payload);
      });
      try {
        await client.connect();
        if (this.closing.signal.aborted) break;
        this.listening = client;
        await client.query(`LISTEN ${pg.escapeIdentifier(this.options.channel)}`);
        this.options.onListening();
        retryMs = minReconnectMs;
        await lost;
      } catch (error) {
        if (!this.closing.signal.aborted) this.options.onError?.(error);
      } finally {
        this.listening = undefined;
        await client.end().catch(() => undefined);
      }
      if (this.closing.signal.aborted) break;
      await sleep(retryMs, this.closing.signal);
      retryMs = Math.min(retryMs * 2, maxReconnectMs);
    }
  }
}

function sleep(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort.addEventListener('abort', done, { once: true });
  });
}
