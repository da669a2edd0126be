import pg from 'pg';
import type { EntityManager } from 'typeorm';

/** A TypeORM DataSource or manager (rows as the result), or a pg pool or client (rows under `rows`). */
export interface StatusQueryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** The rows of a query's result, whether a pg result (`rows`) or TypeORM's array. */
export function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

/**
 * What a projection is doing, as operators read it. `stalled` is never reported by a runner about
 * itself alone: a reader derives it from the row's times, so a process that died (and so stopped
 * writing) reads as stalled, never as the last "caught-up" it wrote.
 */
export type ProjectionState = 'running' | 'caught-up' | 'stalled' | 'rebuilding';

export type ProjectionOperationKind = 'rebuild' | 'retry-quarantined';

/** A rebuild or retry the hosting process runs on a command, with its progress. */
export interface ProjectionOperationProgress {
  readonly operationId: string;
  readonly kind: ProjectionOperationKind;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly done: number;
  /** What `done` counts up to (events of the log, quarantined events); an estimate while a rebuild runs. */
  readonly total: number;
  readonly startedAt: string;
  /** Written at least every few seconds while it runs: older than that, its process is gone. */
  readonly updatedAt: string;
  readonly endedAt?: string;
  /** Why it failed, or what it came to ("3 applied, 1 still refused"). */
  readonly detail?: string;
}

/** One projection's row in `projection_status`, with its state as of the reading. */
export interface ProjectionStatusRecord {
  readonly projection: string;
  readonly version: number;
  readonly position: string | null;
  /** Events in the log after the position, counted up to `lagCountLimit` (then "at least"). */
  readonly lag: number;
  readonly lagCapped: boolean;
  /** Events applied per second over the last report interval. */
  readonly eventsPerSecond: number;
  /** When the checkpoint last moved. */
  readonly lastAdvanceAt: Date | null;
  /** Since when it has been behind without interruption; null when caught up. */
  readonly behindSince: Date | null;
  readonly quarantined: number;
  /** When the hosting process last wrote the row. */
  readonly heartbeatAt: Date;
  readonly operation: ProjectionOperationProgress | null;
  readonly state: ProjectionState;
}

export interface StallLimits {
  /** Behind and not advancing for longer than this: stalled. */
  readonly stallAfterMs: number;
  /** No report for longer than this: the hosting process is down, stalled whatever it last wrote. */
  readonly heartbeatStaleAfterMs: number;
}

type ReportedStatus = Omit<ProjectionStatusRecord, 'state'>;

/** The state a row stands for at `now`. Pure: the gateway, the CLI's JSON and readiness agree. */
export function projectionState(row: ReportedStatus, now: Date, limits: StallLimits): ProjectionState {
  if (now.getTime() - row.heartbeatAt.getTime() > limits.heartbeatStaleAfterMs) return 'stalled';
  if (row.operation?.kind === 'rebuild' && row.operation.status === 'running') return 'rebuilding';
  if (row.lag === 0) return 'caught-up';
  // Behind: advancing, or behind since long enough without a move of the checkpoint.
  const since = Math.max(row.lastAdvanceAt?.getTime() ?? 0, row.behindSince?.getTime() ?? now.getTime());
  return now.getTime() - since > limits.stallAfterMs ? 'stalled' : 'running';
}

interface StatusRow {
  projection: string;
  version: number;
  position: string | null;
  lag: number;
  lag_capped: boolean;
  events_per_second: number;
  last_advance_at: Date | null;
  behind_since: Date | null;
  quarantined: number;
  heartbeat_at: Date;
  operation: ProjectionOperationProgress | null;
}

/** What a runner reports every few seconds; the operation column is written apart (`setOperation`). */
export type StatusReport = Omit<ReportedStatus, 'heartbeatAt' | 'operation'>;

/**
 * The `projection_status` table beside the checkpoints: one row per projection, written by the
 * processes that run it, read by the gateway (as the application role: it holds no tenant's
 * data, only positions and counts, so it is granted SELECT without a tenant policy).
 */
export class ProjectionStatusTable {
  readonly table: string;

  constructor(schema: string) {
    this.table = `${pg.escapeIdentifier(schema)}.projection_status`;
  }

  async setUp(tx: EntityManager, readerRole?: string): Promise<void> {
    await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      projection text PRIMARY KEY, version int NOT NULL, position text, lag int NOT NULL, lag_capped boolean NOT NULL,
      events_per_second double precision NOT NULL, last_advance_at timestamptz, behind_since timestamptz,
      quarantined int NOT NULL, heartbeat_at timestamptz NOT NULL, operation jsonb)`);
    if (readerRole === undefined) return;
    const [granted] = (await tx.query(`SELECT has_table_privilege($1, $2::regclass, 'SELECT') AS ok`, [readerRole, this.table])) as { ok: boolean }[];
    if (!granted?.ok) await tx.query(`GRANT SELECT ON ${this.table} TO ${pg.escapeIdentifier(readerRole)}`);
  }

  async report(db: StatusQueryable, status: StatusReport): Promise<void> {
    await db.query(
      `INSERT INTO ${this.table} (projection, version, position, lag, lag_capped, events_per_second, last_advance_at, behind_since, quarantined, heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, lag = excluded.lag, lag_capped = excluded.lag_capped,
         events_per_second = excluded.events_per_second, last_advance_at = excluded.last_advance_at, behind_since = excluded.behind_since,
         quarantined = excluded.quarantined, heartbeat_at = excluded.heartbeat_at`,
      [status.projection, status.version, status.position, status.lag, status.lagCapped, status.eventsPerSecond, status.lastAdvanceAt, status.behindSince, status.quarantined],
    );
  }

  /** Records an operation's progress; the row exists once the runner has started. */
  async setOperation(db: StatusQueryable, projection: string, operation: ProjectionOperationProgress): Promise<void> {
    await db.query(`UPDATE ${this.table} SET operation = $2::jsonb WHERE projection = $1`, [projection, JSON.stringify(operation)]);
  }

  async read(db: StatusQueryable, limits: StallLimits, projection?: string): Promise<ProjectionStatusRecord[]> {
    const rows = rowsOf<StatusRow & { read_at: Date }>(await db.query(`SELECT *, now() AS read_at FROM ${this.table} WHERE ($1::text IS NULL OR projection = $1) ORDER BY projection`, [projection ?? null]));
    return rows.map((row) => {
      const reported: ReportedStatus = {
        projection: row.projection,
        version: row.version,
        position: row.position,
        lag: row.lag,
        lagCapped: row.lag_capped,
        eventsPerSecond: row.events_per_second,
        lastAdvanceAt: row.last_advance_at,
        behindSince: row.behind_since,
        quarantined: row.quarantined,
        heartbeatAt: row.heartbeat_at,
        operation: row.operation,
      };
      // The database's clock, the one that stamped the row: readers' clocks may drift.
      return { ...reported, state: projectionState(reported, row.read_at, limits) };
    });
  }
}

/** Reads `projection_status` of a schema: for the gateway and the replay service, which run no projection. */
export function readProjectionStatuses(db: StatusQueryable, schema: string, limits: StallLimits, projection?: string): Promise<ProjectionStatusRecord[]> {
  return new ProjectionStatusTable(schema).read(db, limits, projection);
}
