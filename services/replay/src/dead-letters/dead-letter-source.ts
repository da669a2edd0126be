import { messageHeaders, type TopicNames } from '@agent-orchestrator/contracts';
import type { MessageSender, OutgoingMessage } from '@agent-orchestrator/messaging';
import type { DeadLetterFilter, DeadLetterIndex, DeadLetterMessage, DeadLetterQueries, DeadLetterRecord } from '@agent-orchestrator/read-models';
import type { ExecutionContext, ItemResult, ItemSource, OperationFilter, OperationItem, OperationKind, OperationScope } from '../operations/item-source.js';

export interface DeadLetterSourceOptions {
  readonly queries: DeadLetterQueries;
  readonly index: DeadLetterIndex;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** A message redriven this many times is refused (REPLAY_MAX_REDRIVES). */
  readonly maxRedrives: number;
  readonly now?: () => Date;
}

interface Waiting {
  readonly kind: OperationKind;
  readonly item: OperationItem;
  readonly context: ExecutionContext;
  resolve(result: ItemResult): void;
  reject(error: unknown): void;
}

/** The most items acted on in one batch. */
const maxBatch = 1000;
/**
 * A batch's redrives go in chunks of this many through three stages, one read, one produce and
 * one update a chunk, overlapped: the next chunk is read and the last one marked while this one is
 * produced, so a batch takes about its produces (one at a time, as the idempotent producer sends).
 */
const redriveChunk = 250;

/** Headers that describe a failure or an earlier redrive, not the message: a redrive sets its own. */
const failureHeader = (name: string): boolean => name.startsWith('dlq-') || name.startsWith('redrive-');

/** The filter as the index takes it: the pending rows of one source (dead letters here; parked calls are the parked-call source's). */
export function deadLetterFilter(filter: OperationFilter, source: DeadLetterFilter['source'] = 'dead-letter'): DeadLetterFilter {
  return {
    source,
    status: 'pending',
    ...(filter.ids === undefined ? {} : { ids: filter.ids }),
    ...(filter.consumer === undefined ? {} : { consumer: filter.consumer }),
    ...(filter.code === undefined ? {} : { code: filter.code }),
    ...(filter.tool === undefined ? {} : { tool: filter.tool }),
    ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
    ...(filter.since === undefined ? {} : { since: new Date(filter.since) }),
    ...(filter.until === undefined ? {} : { until: new Date(filter.until) }),
  };
}

function itemOf(kind: OperationKind, row: DeadLetterRecord): OperationItem {
  const what = row.messageType ?? 'an undecodable message';
  return {
    itemId: row.id,
    source: 'dead-letter',
    tenantId: row.tenantId,
    consumer: row.consumer,
    code: row.errorCode,
    ...(row.tool === null ? {} : { tool: row.tool }),
    ...(row.sessionId === null ? {} : { sessionId: row.sessionId }),
    // A discard runs nothing; a redrive is taken to repeat one unless the index could tell it does not.
    repeatsSideEffect: kind === 'redrive' && row.repeatsSideEffect !== false,
    label: `${what} from ${row.sourceTopic ?? 'an unknown topic'}, failed in ${row.consumer} (${row.errorCode}: ${row.reason.slice(0, 120)})${
      kind === 'redrive' && row.sideEffectNote ? `; ${row.sideEffectNote}` : ''
    }${row.redriveCount > 0 ? `; redriven ${row.redriveCount} times` : ''}`,
  };
}

/**
 * Dead letters as an operation's items. A redrive produces the original message (key, headers,
 * value) again to its source topic for the one group that failed it (`redrive-group`; every
 * other group passes over it), then marks the row redriven. Produce before mark: a crash between
 * the two redrives the message once more when the runner executes the item again, which the
 * group's idempotent handling absorbs; the other order would lose it.
 */
export class DeadLetterSource implements ItemSource {
  readonly source = 'dead-letter' as const;
  readonly kinds: readonly OperationKind[] = ['redrive', 'discard'];
  private readonly now: () => Date;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly options: DeadLetterSourceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async match(kind: OperationKind, filter: OperationFilter, scope: OperationScope): Promise<readonly OperationItem[]> {
    if (!this.kinds.includes(kind)) return [];
    return (await this.options.queries.matching(scope, deadLetterFilter(filter))).map((row) => itemOf(kind, row));
  }

  /**
   * The runner executes items one call at a time, many at once; calls made together (in one turn
   * of the event loop) are acted on as one batch: one read, one produce, one update.
   */
  execute(kind: OperationKind, item: OperationItem, context: ExecutionContext): Promise<ItemResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ kind, item, context, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const taken = this.waiting.splice(0);
    const batches = new Map<string, Waiting[]>();
    for (const call of taken) {
      const key = `${call.kind}/${call.context.operationId}`;
      batches.set(key, [...(batches.get(key) ?? []), call]);
    }
    await Promise.all(
      [...batches.values()].map(async (calls) => {
        for (let start = 0; start < calls.length; start += maxBatch) {
          const chunk = calls.slice(start, start + maxBatch);
          try {
            const results = await this.executeBatch(chunk[0]!.kind, chunk.map((call) => call.item), chunk[0]!.context);
            chunk.forEach((call, i) => call.resolve(results[i]!));
          } catch (error) {
            for (const call of chunk) call.reject(error);
          }
        }
      }),
    );
  }

  /** `execute` for several items at once: redrives read, produced (sendBatch) and marked a chunk at a time, overlapped. */
  async executeBatch(kind: OperationKind, items: readonly OperationItem[], context: ExecutionContext): Promise<ItemResult[]> {
    const read = async (chunk: readonly OperationItem[]) =>
      new Map((await this.options.queries.messages(context.scope, chunk.map((item) => item.itemId))).map((row) => [row.id, row]));
    switch (kind) {
      case 'redrive':
        return this.redriveInChunks(items, read, context);
      case 'discard':
        return this.discard(items, await read(items), context);
      case 'rebuild-projection':
      case 'retry-quarantined':
      case 'replay-sessions':
        return items.map(() => ({ outcome: 'skipped', detail: `dead letters take no ${kind}` }));
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  /** Why a row cannot be redriven now, or undefined when it can. */
  private refusal(row: DeadLetterMessage | undefined): string | undefined {
    if (row === undefined) return 'no such dead letter in scope';
    if (row.status !== 'pending') return `already ${row.status}${row.actedBy ? ` by operation ${row.actedBy}` : ''}`;
    if (row.redriveCount >= this.options.maxRedrives) return `redriven ${row.redriveCount} times already: the limit is ${this.options.maxRedrives} (REPLAY_MAX_REDRIVES); discard it or fix its cause`;
    if (row.sourceTopic === null) return 'the dead letter does not say which topic it came from, so it cannot be sent back';
    if (row.value === null) return 'the dead letter has no message to send back';
    return undefined;
  }

  private redriven(row: DeadLetterMessage): OutgoingMessage {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(row.headers)) if (!failureHeader(name)) headers[name] = value;
    headers[messageHeaders.redriveGroup] = row.headers[messageHeaders.dlqConsumerGroup] ?? this.options.topics.consumerGroup(row.consumer);
    headers[messageHeaders.redriveOf] = row.id;
    headers[messageHeaders.redriveCount] = String(row.redriveCount + 1);
    return { topic: row.sourceTopic!, key: row.key ?? '', value: row.value!, headers, traceparent: row.headers[messageHeaders.traceparent] ?? null };
  }

  /**
   * Chunk after chunk: read (the next chunk's while this one is produced), produce, mark (while the
   * next is produced). A produce that fails fails its chunk and those after it, unsent; the chunks
   * before it were sent and are marked and reported as such.
   */
  private async redriveInChunks(items: readonly OperationItem[], read: (chunk: readonly OperationItem[]) => Promise<Map<string, DeadLetterMessage>>, context: ExecutionContext): Promise<ItemResult[]> {
    const chunks: (readonly OperationItem[])[] = [];
    for (let start = 0; start < items.length; start += redriveChunk) chunks.push(items.slice(start, start + redriveChunk));
    const done: Promise<ItemResult[]>[] = [];
    let reading = chunks.length > 0 ? read(chunks[0]!) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      let rows: Map<string, DeadLetterMessage>;
      try {
        rows = await reading!;
        reading = i + 1 < chunks.length ? read(chunks[i + 1]!) : undefined;
        reading?.catch(() => undefined);
        const refusals = chunk.map((item) => this.refusal(rows.get(item.itemId)));
        const sending = chunk.flatMap((item, n) => (refusals[n] === undefined ? [rows.get(item.itemId)!] : []));
        await this.options.producer.send(sending.map((row) => this.redriven(row)));
        const marking = this.markSent(chunk, rows, refusals, sending, context);
        marking.catch(() => undefined); // awaited below with the others; a failure fails the batch there
        done.push(marking);
      } catch (error) {
        const detail = `not sent: ${error instanceof Error ? error.message : String(error)}`;
        const unsent = chunks.slice(i).flat().map((): ItemResult => ({ outcome: 'failed', detail }));
        return [...(await Promise.all(done)).flat(), ...unsent];
      }
    }
    return (await Promise.all(done)).flat();
  }

  private async markSent(items: readonly OperationItem[], rows: Map<string, DeadLetterMessage>, refusals: readonly (string | undefined)[], sending: readonly DeadLetterMessage[], context: ExecutionContext): Promise<ItemResult[]> {
    const marked = new Set(await this.options.index.markManyRedriven(sending, { operationId: context.operationId, at: this.now() }));
    return items.map((item, i): ItemResult => {
      const refused = refusals[i];
      if (refused !== undefined) return { outcome: 'skipped', detail: refused };
      const row = rows.get(item.itemId)!;
      const detail = `sent to ${row.sourceTopic} for ${row.consumer} (redrive ${row.redriveCount + 1})`;
      // Sent either way; left unmarked when the row changed meanwhile (it failed again already, or another operation acted on it).
      return { outcome: 'succeeded', detail: marked.has(row.id) ? detail : `${detail}; the row changed meanwhile and keeps its state` };
    });
  }

  private async discard(items: readonly OperationItem[], rows: Map<string, DeadLetterMessage>, context: ExecutionContext): Promise<ItemResult[]> {
    const reason = context.reason?.trim();
    const results: ItemResult[] = [];
    for (const item of items) {
      const row = rows.get(item.itemId);
      if (!reason) results.push({ outcome: 'failed', detail: 'a discard needs a reason' });
      else if (row === undefined) results.push({ outcome: 'skipped', detail: 'no such dead letter in scope' });
      else if (await this.options.index.markDiscarded(row.id, { operationId: context.operationId, at: this.now(), reason })) results.push({ outcome: 'succeeded', detail: `discarded: ${reason}` });
      else results.push({ outcome: 'skipped', detail: `already ${row.status}` });
    }
    return results;
  }
}
