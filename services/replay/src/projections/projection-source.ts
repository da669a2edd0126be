import { randomUUID } from 'node:crypto';
import { projectionCommandMessageSchema, type ProjectionCommand, type TopicNames } from '@agent-orchestrator/contracts';
import type { MessageSender } from '@agent-orchestrator/messaging';
import { readProjectionStatuses, type ProjectionStatusRecord, type StallLimits, type StatusQueryable } from '@agent-orchestrator/projections';
import type { ExecutionContext, ItemResult, ItemSource, OperationFilter, OperationItem, OperationKind, OperationScope } from '../operations/item-source.js';

export interface ProjectionSourceOptions {
  /** The migration role's pool: `projection_status` is read as its owner. */
  readonly db: StatusQueryable;
  /** The read-model schema, where the hosting process keeps `projection_status`. */
  readonly schema: string;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly limits: StallLimits;
  /** The longest one rebuild or retry is waited for; default 6 hours. */
  readonly timeoutMs?: number;
  /** How long the hosting process may take to start on a command, or go without writing progress; default 60 s. */
  readonly silenceMs?: number;
  readonly pollMs?: number;
}

/**
 * Projections as operation items (kinds rebuild-projection and retry-quarantined): one item per
 * named projection. Acting on one sends the command to the process hosting the projections
 * (`commands.projections`) and waits for its outcome in `projection_status`, passing its progress
 * on. Rebuilds and retries act on every tenant's rows, so only the platform admin's operations
 * match anything.
 */
export class ProjectionSource implements ItemSource {
  readonly source = 'projection' as const;
  readonly kinds: readonly OperationKind[] = ['rebuild-projection', 'retry-quarantined'];

  constructor(private readonly options: ProjectionSourceOptions) {}

  async match(kind: OperationKind, filter: OperationFilter, scope: OperationScope): Promise<readonly OperationItem[]> {
    if (scope.kind !== 'platform' || !this.kinds.includes(kind)) return [];
    const named = new Set([...(filter.projection === undefined ? [] : [filter.projection]), ...(filter.ids ?? [])]);
    const rows = await this.statuses();
    // A rebuild is asked for by name; a retry without a name takes every projection holding quarantined events.
    const matched = rows.filter((row) => (named.size > 0 ? named.has(row.projection) : kind === 'retry-quarantined' && row.quarantined > 0));
    return matched.map((row) => ({
      itemId: row.projection,
      source: 'projection',
      tenantId: null,
      repeatsSideEffect: false,
      label:
        kind === 'rebuild-projection'
          ? `rebuild ${row.projection} v${row.version} from the log into shadow tables and swap them in (${row.state}, ${row.lag}${row.lagCapped ? '+' : ''} behind)`
          : `apply ${row.projection}'s ${row.quarantined} quarantined events again`,
    }));
  }

  async execute(kind: OperationKind, item: OperationItem, context: ExecutionContext): Promise<ItemResult> {
    const before = await this.status(item.itemId);
    if (!before) return { outcome: 'failed', detail: `no projection ${item.itemId} reports its status` };
    const mine = before.operation?.operationId === context.operationId ? before.operation : undefined;
    if (mine && mine.status !== 'running') return { outcome: 'skipped', detail: `already ${mine.status} for this operation: ${mine.detail ?? ''}`.trim() };
    if (!mine) {
      const other = before.operation;
      if (other?.status === 'running' && !this.silent(other.updatedAt)) return { outcome: 'failed', detail: `${other.kind} ${other.operationId} is running on ${item.itemId}; try again once it ended` };
      const command: ProjectionCommand =
        kind === 'rebuild-projection'
          ? { type: 'RebuildProjection', operationId: context.operationId, projection: item.itemId }
          : { type: 'RetryQuarantinedEvents', operationId: context.operationId, projection: item.itemId };
      const message = projectionCommandMessageSchema.parse({ commandId: randomUUID(), command });
      await this.options.producer.send([{ topic: this.options.topics.commands('projections'), key: item.itemId, value: JSON.stringify(message) }]);
    }
    return this.awaitOutcome(item.itemId, context);
  }

  private async awaitOutcome(projection: string, context: ExecutionContext): Promise<ItemResult> {
    const started = Date.now();
    const deadline = started + (this.options.timeoutMs ?? 6 * 60 * 60 * 1000);
    for (;;) {
      const row = await this.status(projection);
      const operation = row?.operation?.operationId === context.operationId ? row.operation : undefined;
      if (operation) {
        context.onProgress?.(operation.done, operation.total);
        if (operation.status === 'succeeded') return { outcome: 'succeeded', ...(operation.detail === undefined ? {} : { detail: operation.detail }) };
        if (operation.status === 'failed') return { outcome: 'failed', detail: operation.detail ?? 'failed' };
        if (this.silent(operation.updatedAt)) return { outcome: 'failed', detail: `the process running it stopped reporting at ${operation.updatedAt} (${operation.done} of ${operation.total} done)` };
      } else if (Date.now() - started > (this.options.silenceMs ?? 60_000)) {
        return { outcome: 'failed', detail: `no process hosting ${projection} took the command` };
      }
      if (Date.now() > deadline) return { outcome: 'failed', detail: `still running after ${Math.round((this.options.timeoutMs ?? 0) / 1000)} s; see ao projections list` };
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 250));
    }
  }

  private silent(updatedAt: string): boolean {
    return Date.now() - Date.parse(updatedAt) > (this.options.silenceMs ?? 60_000);
  }

  private async status(projection: string): Promise<ProjectionStatusRecord | undefined> {
    return (await this.statuses(projection))[0];
  }

  private async statuses(projection?: string): Promise<ProjectionStatusRecord[]> {
    try {
      return await readProjectionStatuses(this.options.db, this.options.schema, this.options.limits, projection);
    } catch (error) {
      // No process has hosted a projection here yet: the table is not there, and no projection is.
      if ((error as { code?: string }).code === '42P01') return [];
      throw error;
    }
  }
}
