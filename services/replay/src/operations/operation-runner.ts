import { operationStream, type OperationItemRecord } from '@agent-orchestrator/contracts';
import { eventIdsFor, isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import PQueue from 'p-queue';
import type pg from 'pg';
import type { Logger } from 'pino';
import { decide, evolve, initialState, remainingItems, type ItemOutcomeRecord, type OperationState, type PlannedOperation } from '../domain/operation/index.js';
import type { ExecutionContext, ItemResult, ItemSource } from './item-source.js';
import { replayActor } from './operation-stream.js';

export interface OperationRunnerOptions {
  readonly store: EventStore;
  /** For each running operation's lock: one runner per operation, across every replay process. */
  readonly pool: pg.Pool;
  readonly sources: readonly ItemSource[];
  readonly logger: Logger;
  readonly maxBatch: number;
  readonly maxConcurrency: number;
  readonly maxRunning: number;
  readonly now: () => string;
}

/** An operation's stream as this runner last read it. */
/** Items per batch of an unthrottled operation: one append of their outcomes, one call per source. */
const unthrottledBatch = 1000;

interface Loaded {
  state: OperationState;
  version: number;
}

/**
 * Runs confirmed operations: the items without an outcome, in plan order, each through its source's
 * `execute`, at the operation's rate (an unthrottled one: batches of up to 1,000 items, each
 * source's share of a batch in one `executeBatch`). Outcomes are appended a batch at a time (one append of many
 * events), each batch lasting about a second at the rate; between batches the stream is read again,
 * so a pause or an abort stops the run there. A run holds a PostgreSQL advisory lock on its
 * operation, so no two processes run one operation; a process that dies drops the lock with its
 * connection, and the next sweep anywhere picks the operation up from its first item without an
 * outcome. An item acted on but not yet recorded when a process died is acted on again: sources are
 * idempotent and report it as skipped.
 */
export class OperationRunner {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly options: OperationRunnerOptions) {}

  /** Runs the operation if it is running and this process has room and its lock; returns at once. */
  wake(operationId: string): void {
    if (this.stopping || this.running.has(operationId) || this.running.size >= this.options.maxRunning) return;
    const run = this.run(operationId)
      .catch((error: unknown) => this.options.logger.warn({ err: error, operationId }, 'running an operation failed; the next sweep runs it again'))
      .finally(() => this.running.delete(operationId));
    this.running.set(operationId, run);
  }

  /** Operations this process is running now. */
  inFlight(): readonly string[] {
    return [...this.running.keys()];
  }

  /** Lets every run finish and record the batch in hand, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running.values());
  }

  private async run(operationId: string): Promise<void> {
    const lock = await this.options.pool.connect();
    const key = `replay-operation:${operationId}`;
    try {
      const [row] = (await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])).rows;
      if (!row?.locked) return;
      try {
        await this.runLocked(operationId);
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      lock.release();
    }
  }

  private async runLocked(operationId: string): Promise<void> {
    const streamId = operationStream(operationId);
    const loaded: Loaded = { state: initialState(), version: -1 };
    await this.catchUp(streamId, loaded);
    if (loaded.state.phase !== 'running') return;
    const { rate, unthrottled } = loaded.state.plan;
    this.options.logger.info({ operationId, rate: unthrottled ? 'max' : rate, remaining: remainingItems(loaded.state).length }, 'operation running');
    if (unthrottled) return this.runUnthrottled(streamId, loaded);
    // Every item waits for its turn at the rate; the queue lives across batches, so the rate holds over the whole run.
    const intervalCap = Math.max(1, Math.floor(rate));
    const queue = new PQueue({ concurrency: Math.min(this.options.maxConcurrency, intervalCap), intervalCap, interval: Math.round((1000 * intervalCap) / rate), strict: true });
    const batchSize = Math.max(1, Math.min(this.options.maxBatch, Math.ceil(rate)));
    while (!this.stopping && loaded.state.phase === 'running') {
      const batch = remainingItems(loaded.state).slice(0, batchSize);
      if (batch.length === 0) return;
      const outcomes = await Promise.all(batch.map((item) => queue.add(async () => this.execute(loaded.state as PlannedOperation, item))));
      await this.record(streamId, loaded, outcomes);
    }
  }

  /**
   * No pace: batches as large as one append takes, each handed to its sources whole, and the next
   * acted on while the one before is recorded (the sources and the log work at once). So a pause or
   * an abort recorded meanwhile is seen one batch later: the batch in hand is acted on and recorded.
   */
  private async runUnthrottled(streamId: string, loaded: Loaded): Promise<void> {
    const inHand = new Set<string>();
    let recording: Promise<void> = Promise.resolve();
    try {
      while (!this.stopping && loaded.state.phase === 'running') {
        const batch = remainingItems(loaded.state)
          .filter((item) => !inHand.has(item.itemId))
          .slice(0, unthrottledBatch);
        if (batch.length === 0) break;
        for (const item of batch) inHand.add(item.itemId);
        const outcomes = await this.executeBatch(loaded.state as PlannedOperation, batch);
        // The batch before is recorded first: outcomes go to the log in plan order.
        await recording;
        recording = this.record(streamId, loaded, outcomes).finally(() => {
          for (const item of batch) inHand.delete(item.itemId);
        });
        // Awaited at the next turn or below; a failure is that await's, not an unhandled rejection now.
        recording.catch(() => undefined);
      }
    } finally {
      await recording;
    }
  }

  /**
   * A batch of an unthrottled operation: each source's items through its `executeBatch` in one call
   * (a source without one gets `execute` per item, at most maxConcurrency at a time); the outcomes
   * come back in plan order, as they are recorded.
   */
  private async executeBatch(state: PlannedOperation, batch: readonly OperationItemRecord[]): Promise<ItemOutcomeRecord[]> {
    const outcomes = new Map<string, ItemOutcomeRecord>();
    const bySource = new Map<string, OperationItemRecord[]>();
    for (const item of batch) bySource.set(item.source, [...(bySource.get(item.source) ?? []), item]);
    const perItem = new PQueue({ concurrency: this.options.maxConcurrency });
    await Promise.all(
      [...bySource.entries()].map(async ([name, items]) => {
        const source = this.options.sources.find((candidate) => candidate.source === name);
        if (source?.executeBatch === undefined) {
          const each = await Promise.all(items.map((item) => perItem.add(async () => this.execute(state, item))));
          for (const outcome of each) outcomes.set(outcome.itemId, outcome);
          return;
        }
        let results: readonly ItemResult[];
        try {
          results = await source.executeBatch(state.plan.kind, items, this.contextOf(state));
          if (results.length !== items.length) throw new Error(`the ${name} source gave ${results.length} results for ${items.length} items`);
        } catch (error) {
          const detail = clip(error instanceof Error ? error.message : String(error));
          for (const item of items) outcomes.set(item.itemId, { itemId: item.itemId, outcome: 'failed', detail });
          return;
        }
        items.forEach((item, i) => outcomes.set(item.itemId, outcomeOf(item, results[i]!)));
      }),
    );
    return batch.map((item) => outcomes.get(item.itemId)!);
  }

  private contextOf(state: PlannedOperation): ExecutionContext {
    return { operationId: state.plan.operationId, scope: state.plan.scope, ...(state.plan.reason === undefined ? {} : { reason: state.plan.reason }) };
  }

  /** One item through its source; whatever goes wrong is the item's failure, never the run's. */
  private async execute(state: PlannedOperation, item: OperationItemRecord): Promise<ItemOutcomeRecord> {
    const source = this.options.sources.find((candidate) => candidate.source === item.source);
    if (source === undefined) return { itemId: item.itemId, outcome: 'failed', detail: `no ${item.source} source is registered in this replay service` };
    let result: ItemResult;
    try {
      result = await source.execute(state.plan.kind, item, this.contextOf(state));
    } catch (error) {
      return { itemId: item.itemId, outcome: 'failed', detail: clip(error instanceof Error ? error.message : String(error)) };
    }
    return outcomeOf(item, result);
  }

  /**
   * Appends the batch's outcomes at the version last read. When the stream moved on (a pause, an
   * abort), it is read again and the outcomes decided anew: items acted on still get theirs.
   */
  private async record(streamId: string, loaded: Loaded, outcomes: readonly ItemOutcomeRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const state = loaded.state as PlannedOperation;
      const metadata = {
        now: this.options.now(),
        // Derived from where the batch starts, so an append retried after a lost answer is recognised.
        eventIds: eventIdsFor(`${streamId}/outcomes/${state.recorded}`, outcomes.length + 1),
        tenantId: state.plan.tenantId,
        correlationId: streamId,
        causationId: null,
        actor: replayActor,
        traceparent: null,
      };
      const events = decide({ type: 'RecordItemOutcomes', operationId: state.plan.operationId, outcomes, metadata }, state);
      if (events.length === 0) return;
      try {
        await this.options.store.append(streamId, events, { expectedVersion: loaded.version });
        // The append held at the version read, so the stream is now exactly what was read plus these:
        // folded here rather than read back (a thousand events a batch when unthrottled).
        for (const event of events) loaded.state = evolve(loaded.state, event);
        loaded.version += events.length;
        return;
      } catch (error) {
        if (!isEventStoreError(error, 'WrongExpectedVersion') || attempt >= 5) throw error;
        await this.catchUp(streamId, loaded);
      }
    }
  }

  /** Folds what the stream holds after the version last read. */
  private async catchUp(streamId: string, loaded: Loaded): Promise<void> {
    for await (const event of this.options.store.streamEvents(streamId, { fromVersion: loaded.version + 1 })) {
      loaded.state = evolve(loaded.state, event);
      loaded.version = event.streamVersion;
    }
  }
}

const clip = (text: string): string => (text.length > 2000 ? `${text.slice(0, 1999)}…` : text);

function outcomeOf(item: OperationItemRecord, result: ItemResult): ItemOutcomeRecord {
  const detail = typeof result.detail === 'string' ? clip(result.detail) : result.detail;
  return { itemId: item.itemId, outcome: result.outcome, ...(detail === undefined ? {} : { detail }) };
}
