import { comparePositions, type EventEnvelope, type GlobalPosition } from '@agent-orchestrator/contracts';
import pRetry from 'p-retry';
import type { CheckpointStore, ReadAllOptions, SubscribeOptions, Subscription } from './port.js';

/** Wakes waiting subscriptions when this process appends, so they need not wait for the next poll. */
export class AppendSignal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number, abort: AbortSignal): Promise<void> {
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
  /** How long to wait for an append from another process before reading again. */
  readonly pollIntervalMs: number;
}

/** Wraps any failure so the retry loop treats every error alike (p-retry gives up on TypeErrors). */
class AttemptFailed extends Error {}

/**
 * A catch-up subscription over any store's readAll: read a page after the checkpoint, hand it to
 * the handler, save the checkpoint, repeat; when caught up, wait for an append or the poll
 * interval. The store's readAll guarantees that no event can later appear before a position it
 * has returned, so moving the checkpoint never skips anything.
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

  const advanced = () => {
    for (const wake of [...progress]) wake();
  };

  const run = async () => {
    position = await retrying(() => checkpoints.load(subscriptionId));
    // Someone may already wait for a position the checkpoint has passed.
    advanced();
    while (!stopping.signal.aborted) {
      const after = position;
      const batch = await retrying(() => source.readAll({ after, maxCount: batchSize, tenantId }));
      if (batch.length === 0) {
        await source.appended.wait(source.pollIntervalMs, stopping.signal);
        continue;
      }
      await retrying(() => handle(batch));
      const last = batch[batch.length - 1]!.globalPosition;
      await retrying(() => checkpoints.save(subscriptionId, last));
      position = last;
      advanced();
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
