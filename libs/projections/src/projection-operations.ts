import type { ProjectionCommand } from '@agent-orchestrator/contracts';
import type { DataSource } from 'typeorm';
import type { ProjectionRunner } from './projection-runner.js';
import { ProjectionStatusTable, type ProjectionOperationKind, type ProjectionOperationProgress } from './projection-status.js';

/** What became of a command: started here, already seen (a redelivery), or refused and why. */
export type ProjectionCommandOutcome = 'started' | 'already-seen' | 'unknown-projection' | 'busy';

export interface ProjectionOperationsOptions {
  readonly dataSource: DataSource;
  /** Where `projection_status` is: the runners' schema. */
  readonly schema: string;
  /** How often a running operation's progress is written at most, and its liveness at least; default 1000 ms. */
  readonly progressIntervalMs?: number;
  readonly onFailed?: (error: unknown, command: ProjectionCommand) => void;
}

/**
 * Runs the projection commands (RebuildProjection, RetryQuarantinedEvents) for the runners of the
 * process that hosts them. A command starts its work and returns at once: a rebuild outlasts any
 * consumer's session timeout, so the work runs beside the consumer, and its progress and outcome
 * go to the projection's `projection_status` row under the operation's id, where the replay
 * service waits for them. At-least-once: a command whose operation id the row already holds is a
 * redelivery and starts nothing. One operation per projection at a time in this process.
 */
export class ProjectionOperations {
  private readonly status: ProjectionStatusTable;
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly runners: readonly ProjectionRunner[],
    private readonly options: ProjectionOperationsOptions,
  ) {
    this.status = new ProjectionStatusTable(options.schema);
  }

  async accept(command: ProjectionCommand): Promise<ProjectionCommandOutcome> {
    const runner = this.runners.find((candidate) => candidate.name === command.projection);
    if (!runner) return 'unknown-projection';
    const [row] = await this.status.read(this.options.dataSource, { stallAfterMs: Infinity, heartbeatStaleAfterMs: Infinity }, command.projection);
    if (row?.operation?.operationId === command.operationId) return 'already-seen';
    if (this.running.has(command.projection)) return 'busy';
    const work = this.run(runner, command).finally(() => this.running.delete(command.projection));
    this.running.set(command.projection, work);
    return 'started';
  }

  /** Resolves once the operations under way have ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(runner: ProjectionRunner, command: ProjectionCommand): Promise<void> {
    const kind: ProjectionOperationKind = command.type === 'RebuildProjection' ? 'rebuild' : 'retry-quarantined';
    const startedAt = new Date().toISOString();
    let progress: ProjectionOperationProgress = { operationId: command.operationId, kind, status: 'running', done: 0, total: 0, startedAt, updatedAt: startedAt };
    let writing = Promise.resolve();
    let writtenAt = 0;
    const write = (next: Partial<ProjectionOperationProgress>, force = false) => {
      progress = { ...progress, ...next, updatedAt: new Date().toISOString() };
      if (!force && Date.now() - writtenAt < (this.options.progressIntervalMs ?? 1000)) return writing;
      writtenAt = Date.now();
      const snapshot = progress;
      writing = writing.then(() => this.status.setOperation(this.options.dataSource, command.projection, snapshot)).catch((error: unknown) => this.options.onFailed?.(error, command));
      return writing;
    };
    // Liveness while a long step reports nothing (the swap's catch-up, a slow retry).
    const alive = setInterval(() => void write({}, true), this.options.progressIntervalMs ?? 1000);
    alive.unref();
    try {
      await write({}, true);
      if (command.type === 'RebuildProjection') {
        const result = await runner.rebuild((step) => void write({ done: step.eventsApplied, total: step.total ?? step.eventsApplied }));
        const refused = result.quarantined ? `, ${result.quarantined} quarantined` : '';
        await write({ status: 'succeeded', done: result.eventsApplied, total: result.eventsApplied, endedAt: new Date().toISOString(), detail: `${result.eventsApplied} events applied${refused}` }, true);
      } else {
        const total = (await runner.quarantined()).filter((record) => command.eventIds === undefined || command.eventIds.includes(record.eventId)).length;
        await write({ total }, true);
        const results = await runner.retryQuarantined(command.eventIds);
        const applied = results.filter((result) => result.applied).length;
        const detail = `${applied} applied, ${results.length - applied} still refused`;
        await write({ status: 'succeeded', done: results.length, total: results.length, endedAt: new Date().toISOString(), detail }, true);
      }
    } catch (error) {
      this.options.onFailed?.(error, command);
      await write({ status: 'failed', endedAt: new Date().toISOString(), detail: error instanceof Error ? error.message : String(error) }, true);
    } finally {
      clearInterval(alive);
    }
  }
}
