import { comparePositions, type EventEnvelope, type GlobalPosition } from '@agent-orchestrator/contracts';
import pRetry from 'p-retry';
import type { CheckpointStore, ReadAllOptions, SubscribeOptions, Subscription } from './port.js';

/**
 * Wakes waiting subscriptions when an append is known: one made by this process, or one another
 * process announced (the PostgreSQL adapter listens for them), so they need not wait for the
 * next poll.
 */
export class AppendSignal {
  private waiters = new Set<() => void>();
  private appends = 0;
  private latest: GlobalPosition | undefined;

  /**
   * How many appends were signalled so far. A reader takes it before it reads and waits with it
   * afterwards, so an append signalled while the read was under way is not slept through.
   */
  get generation(): number {
    return this.appends;
  }

  /** The highest position an append was signalled at: some committed event sorts at or after it. */
  get latestAppend(): GlobalPosition | undefined {
    return this.latest;
  }

  /** `at`, when known: a position at or before one of the appended events (not after all of them). */
  notify(at?: GlobalPosition): void {
    this.appends++;
    if (at !== undefined && (this.latest === undefined || comparePositions(at, this.latest) > 0)) this.latest = at;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves at the first append signalled after `generation` (at once if one already was), on abort, or after timeoutMs. */
  wait(generation: number, timeoutMs: number, abort: AbortSignal): Promise<void> {
    if (generation !== this.appends || abort.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        abort.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      abort.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}

export interface CatchUpSource {
  readAll(options: ReadAllOptions): Promise<EventEnvelope[]>;
  readonly appended: AppendSignal;
  /** How long to wait for a signalled append before reading again. */
  readonly pollIntervalMs: number;
}

/**
 * Lets the subscriptions of one store that ask for the same page at once share one read: caught-up
 * subscriptions (the relay, each projection) all wake on the same append. Only reads asked for
 * since the same signalled append are shared, so none is handed a page older than an append it
 * was told of. The page is shared too; handlers take it as read-only.
 */
export function sharedReads(readAll: CatchUpSource['readAll'], appended: AppendSignal): CatchUpSource['readAll'] {
  const underway = new Map<string, Promise<EventEnvelope[]>>();
  return (options) => {
    const key = JSON.stringify([appended.generation, options.after ?? null, options.maxCount ?? null, options.tenantId ?? null]);
    let read = underway.get(key);
    if (read === undefined) {
      read = readAll(options).finally(() => underway.delete(key));
      underway.set(key, read);
    }
    return read;
  };
}

/** The first wait after a read that missed a signalled append; it doubles up to the poll interval. */
const firstMissedWaitMs = 1;

/** Wraps any failure so the retry loop treats every error alike (p-retry gives up on TypeErrors). */
class AttemptFailed extends Error {}

/**
 * A catch-up subscription over any store's readAll: read a page after the last one handled, hand
 * it to the handler, save the checkpoint, repeat; when caught up, wait for an append or the poll
 * interval. The store's readAll guarantees that no event can later appear before a position it
 * has returned, so moving on never skips anything.
 *
 * The next page is read and handled while the last one's checkpoint is being saved, with at most
 * one save under way: a restart hands out again at most the two pages after the checkpoint.
 *
 * The guarantee can hold an event back for a moment after its append committed (PostgreSQL: while
 * an older transaction is still running). When the signal says an append committed past what a
 * read returned, the subscription reads again after a short wait that doubles up to the poll
 * interval. A tenant's subscription cannot tell another tenant's appends from its own: it polls.
 */
export function startCatchUpSubscription(
  source: CatchUpSource,
  options: SubscribeOptions & { readonly checkpoints: CheckpointStore },
): Subscription {
  const { subscriptionId, checkpoints, handle, tenantId } = options;
  const batchSize = options.batchSize ?? 500;
  const stopping = new AbortController();
  let position: GlobalPosition | undefined;
  const progress = new Set<() => void>();

  const retrying = <T>(attempt: () => Promise<T>): Promise<T> =>
    pRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          throw new AttemptFailed(String(error), { cause: error });
        }
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 50,
        maxTimeout: 5_000,
        signal: stopping.signal,
        onFailedAttempt: ({ error, attemptNumber }) => options.onError?.(error.cause ?? error, attemptNumber),
      },
    );

  const checkpointed = (last: GlobalPosition | undefined) => {
    position = last;
    for (const wake of [...progress]) wake();
  };

  /** True when an append was signalled at a position past `after`: the read that found nothing missed it. */
  const missedAppend = (after: GlobalPosition | undefined) => {
    const latest = tenantId === undefined ? source.appended.latestAppend : undefined;
    return latest !== undefined && (after === undefined || comparePositions(latest, after) > 0);
  };

  const run = async () => {
    // Someone may already wait for a position the checkpoint has passed.
    checkpointed(await retrying(() => checkpoints.load(subscriptionId)));
    let handled = position;
    let saving: Promise<void> = Promise.resolve();
    // How long to wait after a read that missed a signalled append; 0 when none was missed.
    let missedWaitMs = 0;
    try {
      while (!stopping.signal.aborted) {
        const after = handled;
        const generation = source.appended.generation;
        const batch = await retrying(() => source.readAll({ after, maxCount: batchSize, tenantId }));
        if (batch.length === 0) {
          missedWaitMs = missedAppend(after) ? Math.min(Math.max(missedWaitMs * 2, firstMissedWaitMs), source.pollIntervalMs) : 0;
          await source.appended.wait(generation, missedWaitMs || source.pollIntervalMs, stopping.signal);
          continue;
        }
        missedWaitMs = 0;
        await retrying(() => handle(batch));
        const last = batch[batch.length - 1]!.globalPosition;
        handled = last;
        await saving;
        // Only a stop ends the retries; the page is then handed out again after a restart.
        saving = retrying(() => checkpoints.save(subscriptionId, last)).then(() => checkpointed(last), () => undefined);
      }
    } finally {
      await saving;
    }
  };

  const running = run().catch((error: unknown) => {
    if (!stopping.signal.aborted) options.onError?.(error, 0);
  });

  return {
    subscriptionId,
    position: () => position,
    waitFor(target, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (position !== undefined && comparePositions(position, target) >= 0) {
            clearTimeout(timer);
            progress.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          progress.delete(check);
          reject(new Error(`subscription ${subscriptionId} did not reach ${target} within ${timeoutMs} ms (at ${position ?? 'start'})`));
        }, timeoutMs);
        progress.add(check);
        check();
      });
    },
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
