import type { GlobalPosition } from '@agent-orchestrator/contracts';
import type { DataSource } from 'typeorm';
import type { ProjectionStatusTable, StatusReport } from './projection-status.js';

/** What the runner knows of itself at a report. */
export interface RunnerReading {
  readonly position: GlobalPosition | undefined;
  readonly lag: number;
  readonly lagCapped: boolean;
  readonly quarantined: number;
}

export interface StatusReporterOptions {
  readonly projection: { readonly name: string; readonly version: number };
  readonly table: ProjectionStatusTable;
  readonly dataSource: DataSource;
  /** The schema-qualified checkpoint table: its `updated_at` is when the projection last advanced. */
  readonly checkpoints: string;
  readonly read: () => Promise<RunnerReading>;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Writes a runner's row of `projection_status` every `intervalMs` (its heartbeat): the reading,
 * events applied per second since the last report, when the checkpoint last moved, and since when
 * it has been behind without interruption (so a reader can tell stalled from just fallen behind).
 */
export class StatusReporter {
  private timer?: NodeJS.Timeout;
  private reporting: Promise<void> = Promise.resolve();
  private appliedSinceReport = 0;
  private lastReportAt = Date.now();
  private behindSince: Date | undefined;

  constructor(private readonly options: StatusReporterOptions) {}

  /** Events the runner applied (committed), for the rate. */
  applied(count: number): void {
    this.appliedSinceReport += count;
  }

  async start(): Promise<void> {
    await this.report();
    this.timer = setInterval(() => {
      // One report at a time: a slow database delays the next, never piles them up.
      this.reporting = this.reporting.then(() => this.report()).catch((error: unknown) => this.options.onError(error));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reporting;
  }

  private async report(): Promise<void> {
    const reading = await this.options.read();
    const { name, version } = this.options.projection;
    const [checkpoint] = (await this.options.dataSource.query(`SELECT updated_at FROM ${this.options.checkpoints} WHERE projection = $1`, [name])) as { updated_at: Date }[];
    const now = Date.now();
    const seconds = Math.max((now - this.lastReportAt) / 1000, 0.001);
    const report: StatusReport = {
      projection: name,
      version,
      position: reading.position ?? null,
      lag: reading.lag,
      lagCapped: reading.lagCapped,
      eventsPerSecond: Math.round((this.appliedSinceReport / seconds) * 10) / 10,
      lastAdvanceAt: checkpoint?.updated_at ?? null,
      behindSince: reading.lag > 0 ? (this.behindSince ??= new Date(now)) : null,
      quarantined: reading.quarantined,
    };
    if (reading.lag === 0) this.behindSince = undefined;
    this.appliedSinceReport = 0;
    this.lastReportAt = now;
    await this.options.table.report(this.options.dataSource, report);
  }
}
