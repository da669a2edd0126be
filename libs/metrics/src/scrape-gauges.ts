import { Counter, Gauge, type Registry } from 'prom-client';
import { metricNames } from './families.js';
import type { CappedLabel, LabelCaps } from './label-caps.js';

/** One consumer group or projection as /readyz reads it. */
export interface ReadinessSample {
  readonly kind: 'consumer' | 'projection' | 'relay';
  readonly name: string;
  readonly lag: number;
  readonly quarantined: number;
}

export interface SessionCount {
  readonly tenant: string;
  readonly status: string;
  readonly count: number;
}

export interface PendingApprovals {
  readonly tenant: string;
  readonly pending: number;
  readonly oldestAgeSeconds: number;
}

export interface DeadLetterCount {
  readonly consumer: string;
  readonly pending: number;
}

/** What scrape-time gauges read, each from whichever processes registered a reader for it. */
export interface ScrapeSources {
  readonly readiness: readonly ReadinessSample[];
  readonly sessions: readonly SessionCount[];
  readonly approvals: readonly PendingApprovals[];
  readonly deadLetters: readonly DeadLetterCount[];
}

export type SourceName = keyof ScrapeSources;

/** One scrape reads each source once for all the gauges fed from it. */
const readingTtlMs = 1000;

/**
 * The gauges read when Prometheus scrapes: sessions by status, pending approvals and the oldest
 * one's age, dead letters, consumer and projection lag, quarantined events. A source is a
 * reader a service registers (a bounded query on its read model, its readiness checks); a reader
 * that fails leaves its gauges empty for that scrape and counts an error, never failing the scrape.
 */
export class ScrapeGauges {
  private readonly readers: { [S in SourceName]: Set<() => Promise<ScrapeSources[S]>> } = {
    readiness: new Set(),
    sessions: new Set(),
    approvals: new Set(),
    deadLetters: new Set(),
  };
  private readonly readings = new Map<SourceName, { readonly at: number; readonly rows: Promise<readonly unknown[]> }>();
  private readonly errors: Counter<'source'>;

  constructor(
    registry: Registry,
    private readonly caps: LabelCaps,
  ) {
    const gauge = scrapeGauge(registry);
    gauge(metricNames.sessions, 'Sessions in a live status now (queued, running, awaiting approval, paused, blocked), by tenant; ended ones are counted by the session duration histogram.', ['tenant', 'status'], async (set) => {
      for (const [labels, count] of await this.folded('sessions', (row) => ({ tenant: this.cap('tenant', row.tenant), status: row.status }), (row) => row.count, sum)) set(labels, count);
    });
    gauge(metricNames.approvalsPending, 'Approvals waiting for a decision, by tenant.', ['tenant'], async (set) => {
      for (const [labels, count] of await this.folded('approvals', (row) => ({ tenant: this.cap('tenant', row.tenant) }), (row) => row.pending, sum)) set(labels, count);
    });
    gauge(metricNames.oldestPendingApprovalAge, 'How long the oldest pending approval has waited, by tenant.', ['tenant'], async (set) => {
      for (const [labels, age] of await this.folded('approvals', (row) => ({ tenant: this.cap('tenant', row.tenant) }), (row) => row.oldestAgeSeconds, Math.max)) set(labels, age);
    });
    gauge(metricNames.deadLetters, 'Dead letters waiting for an operator, by the consumer group that gave up.', ['consumer'], async (set) => {
      for (const [labels, count] of await this.folded('deadLetters', (row) => ({ consumer: this.cap('consumer', row.consumer) }), (row) => row.pending, sum)) set(labels, count);
    });
    const readiness = (kind: ReadinessSample['kind'], label: 'consumer' | 'projection', value: (row: ReadinessSample) => number) => async (set: (labels: Record<string, string>, value: number) => void) => {
      const rows = (await this.read('readiness')).filter((row) => row.kind === kind);
      for (const [labels, total] of this.foldRows(rows, (row) => ({ [label]: this.cap(label, row.name) }), value, sum)) set(labels, total);
    };
    gauge(metricNames.consumerLag, 'Messages a consumer group has not handled yet.', ['consumer'], readiness('consumer', 'consumer', (row) => row.lag));
    gauge(metricNames.projectionLag, 'Events of the log a projection has not applied yet.', ['projection'], readiness('projection', 'projection', (row) => row.lag));
    gauge(metricNames.quarantinedEvents, 'Events a projection could not apply and set aside.', ['projection'], readiness('projection', 'projection', (row) => row.quarantined));
    this.errors = new Counter({ name: metricNames.sourceErrors, help: 'Scrape-time readings that failed, by source; their gauges were left empty.', labelNames: ['source'], registers: [registry] });
  }

  /** Registers a reader for a source; the returned function removes it (a stopped service). */
  watch<S extends SourceName>(source: S, read: () => Promise<ScrapeSources[S]>): () => void {
    const readers = this.readers[source] as Set<() => Promise<ScrapeSources[S]>>;
    readers.add(read);
    this.readings.delete(source);
    return () => {
      readers.delete(read);
      this.readings.delete(source);
    };
  }

  private cap(label: CappedLabel, value: string): string {
    return this.caps.fold(label, value);
  }

  private async read<S extends SourceName>(source: S): Promise<ScrapeSources[S]> {
    const cached = this.readings.get(source);
    if (cached !== undefined && Date.now() - cached.at < readingTtlMs) return (await cached.rows) as ScrapeSources[S];
    const readers = [...(this.readers[source] as Set<() => Promise<ScrapeSources[S]>>)];
    const rows = Promise.all(
      readers.map((read) =>
        read().catch(() => {
          this.errors.inc({ source });
          return [] as unknown as ScrapeSources[S];
        }),
      ),
    ).then((all) => all.flat());
    this.readings.set(source, { at: Date.now(), rows });
    return (await rows) as unknown as ScrapeSources[S];
  }

  /** Rows whose labels fold to the same series (capped tenants in `other`) are combined. */
  private async folded<S extends SourceName, L extends Record<string, string>>(
    source: S,
    labelsOf: (row: ScrapeSources[S][number]) => L,
    valueOf: (row: ScrapeSources[S][number]) => number,
    combine: (a: number, b: number) => number,
  ): Promise<[L, number][]> {
    return this.foldRows(await this.read(source), labelsOf, valueOf, combine);
  }

  private foldRows<Row, L extends Record<string, string>>(rows: readonly Row[], labelsOf: (row: Row) => L, valueOf: (row: Row) => number, combine: (a: number, b: number) => number): [L, number][] {
    const series = new Map<string, [L, number]>();
    for (const row of rows) {
      const labels = labelsOf(row);
      const key = JSON.stringify(labels);
      const known = series.get(key);
      series.set(key, [labels, known === undefined ? valueOf(row) : combine(known[1], valueOf(row))]);
    }
    return [...series.values()];
  }
}

const sum = (a: number, b: number) => a + b;

/** A gauge whose series are filled afresh at each scrape; `fill` sets them. */
function scrapeGauge(registry: Registry) {
  return <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (set: (labels: Record<L, string>, value: number) => void) => Promise<void>) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        await fill((labels, value) => this.set(labels as never, value));
      },
    });
}
