import { createInSchema, isolateByTenant } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { readOnlyFor } from '../tenant-scope.js';

/**
 * What the dead-letter index lists: a message a consumer group dead-lettered (`dead-letter`), or a
 * tool call whose retries ran out and that waits for an operator (`parked-call`). One list, so an
 * operator's filter (`--tool crm --code timeout`) takes both.
 */
export const deadLetterSources = ['dead-letter', 'parked-call'] as const;
export type DeadLetterSource = (typeof deadLetterSources)[number];

/** pending: waits for an operator; redriven: sent again (it comes back pending if it fails again); discarded: let go with a reason; resolved: handled since. */
export const deadLetterStatuses = ['pending', 'redriven', 'discarded', 'resolved'] as const;
export type DeadLetterStatus = (typeof deadLetterStatuses)[number];

/** One failure as its source reports it; `upsert` turns it into a row, or into the next sighting of a row. */
export interface DeadLetterEntry {
  readonly id: string;
  readonly source: DeadLetterSource;
  /** null when the message could not be decoded: then only the platform admin sees it. */
  readonly tenantId: string | null;
  /** The Kafka group id that failed (prefixed as the deployment's are). */
  readonly consumer: string;
  readonly errorCode: string;
  readonly reason: string;
  /** Attempts of this sighting; a row sums them over its sightings. */
  readonly attempts: number;
  readonly sourceTopic: string | null;
  readonly sourcePartition: number | null;
  readonly sourceOffset: string | null;
  readonly sessionId: string | null;
  readonly tool: string | null;
  /** The event or command type the message carries. */
  readonly messageType: string | null;
  readonly seenAt: Date;
  /** How many times the message had been redriven when this sighting failed (0 the first time). */
  readonly redriveCount: number;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: Buffer | null;
  /**
   * Where this sighting is in its source, increasing: the dead-letter topic's offset, or the
   * parked call's stream version. A sighting at or below the row's is one seen already.
   */
  readonly position: bigint | number;
  /**
   * Whether acting on it again runs a tool operation whose method is not safe (not GET, HEAD or
   * OPTIONS), and why it is thought so; left out when it cannot be told (an operation then takes it as yes).
   */
  readonly sideEffect?: { readonly repeats: boolean; readonly why: string };
}

/** The table's name in a read-model schema. */
export function deadLettersTableName(schema: string): string {
  return `${pg.escapeIdentifier(schema)}.dead_letters`;
}

/**
 * The dead-letter index's writes: the replay service's consumer of the `dlq.*` topics, the parked
 * calls' projection, and the operations that act on rows. Rows belong to a tenant under row-level
 * security; the owner (the migration role this runs as) writes every tenant's, and the gateway
 * reads them as the application role, one tenant at a time.
 */
export class DeadLetterIndex {
  readonly table: string;

  constructor(
    /** The migration role's pool: the owner writes every tenant's rows. */
    private readonly db: pg.Pool,
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.table = deadLettersTableName(schema);
  }

  /** Creates the table when missing (any number of processes may start at once). */
  async setUp(): Promise<void> {
    await createInSchema(
      this.db,
      `read-model:${this.schema}.dead_letters`,
      this.schema,
      [
        `CREATE TABLE IF NOT EXISTS ${this.table} (
          id text PRIMARY KEY,
          source text NOT NULL,
          tenant_id text,
          consumer text NOT NULL,
          error_code text NOT NULL,
          reason text NOT NULL,
          attempts int NOT NULL,
          source_topic text,
          source_partition int,
          source_offset text,
          session_id text,
          tool text,
          message_type text,
          first_seen timestamptz NOT NULL,
          last_seen timestamptz NOT NULL,
          status text NOT NULL DEFAULT 'pending',
          redrive_count int NOT NULL DEFAULT 0,
          message_key text,
          headers jsonb NOT NULL DEFAULT '{}',
          value bytea,
          discard_reason text,
          acted_by text,
          acted_at timestamptz,
          position bigint NOT NULL,
          repeats_side_effect boolean,
          side_effect_note text)`,
        `CREATE INDEX IF NOT EXISTS dead_letters_tenant_seen ON ${this.table} (tenant_id, last_seen DESC, id DESC)`,
        `CREATE INDEX IF NOT EXISTS dead_letters_pending ON ${this.table} (source, consumer, error_code) WHERE status = 'pending'`,
      ],
      (client) => isolateByTenant(client, this.table, readOnlyFor(this.appRole)),
    );
  }

  /**
   * Records a sighting. A new id is a new pending row; a later sighting of a row (a redriven
   * message that failed again keeps its dead letter's id) brings it back to pending with the new
   * reason, sums the attempts and keeps the higher redrive count. A sighting at or below the row's
   * position changes nothing, so a redelivered dead letter is one row. Says whether it changed.
   */
  async upsert(entry: DeadLetterEntry): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO ${this.table} AS row (id, source, tenant_id, consumer, error_code, reason, attempts, source_topic, source_partition, source_offset,
          session_id, tool, message_type, first_seen, last_seen, status, redrive_count, message_key, headers, value, position, repeats_side_effect, side_effect_note)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 'pending', $15, $16, $17, $18, $19, $20, $21)
        ON CONFLICT (id) DO UPDATE SET
          error_code = EXCLUDED.error_code, reason = EXCLUDED.reason, attempts = row.attempts + EXCLUDED.attempts,
          last_seen = GREATEST(row.last_seen, EXCLUDED.last_seen), redrive_count = GREATEST(row.redrive_count, EXCLUDED.redrive_count),
          status = CASE WHEN row.status = 'discarded' THEN row.status ELSE 'pending' END,
          tenant_id = COALESCE(row.tenant_id, EXCLUDED.tenant_id), position = EXCLUDED.position
        WHERE row.position < EXCLUDED.position`,
      [
        entry.id,
        entry.source,
        entry.tenantId,
        entry.consumer,
        entry.errorCode,
        entry.reason,
        entry.attempts,
        entry.sourceTopic,
        entry.sourcePartition,
        entry.sourceOffset,
        entry.sessionId,
        entry.tool,
        entry.messageType,
        entry.seenAt,
        entry.redriveCount,
        entry.key,
        JSON.stringify(entry.headers),
        entry.value,
        String(entry.position),
        entry.sideEffect?.repeats ?? null,
        entry.sideEffect?.why ?? null,
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  /** A pending row sent again by `operationId`. False when the row was not pending (acted on already). */
  async markRedriven(id: string, act: { readonly operationId: string; readonly at: Date }): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${this.table} SET status = 'redriven', redrive_count = redrive_count + 1, acted_by = $2, acted_at = $3 WHERE id = $1 AND status = 'pending'`,
      [id, act.operationId, act.at],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * markRedriven for many rows in one statement, each only if it is still at the position it was
   * read at: a redriven message can fail again (a new sighting) before it is marked, and the
   * sighting, which already counts the redrive, must win. The ids of the rows marked.
   */
  async markManyRedriven(rows: readonly { readonly id: string; readonly position: string }[], act: { readonly operationId: string; readonly at: Date }): Promise<string[]> {
    if (rows.length === 0) return [];
    const { rows: marked } = await this.db.query<{ id: string }>(
      `UPDATE ${this.table} AS row SET status = 'redriven', redrive_count = row.redrive_count + 1, acted_by = $3, acted_at = $4
         FROM unnest($1::text[], $2::bigint[]) AS read (id, position)
        WHERE row.id = read.id AND row.position = read.position AND row.status = 'pending' RETURNING row.id`,
      [rows.map((row) => row.id), rows.map((row) => row.position), act.operationId, act.at],
    );
    return marked.map((row) => row.id);
  }

  /** A pending row let go, with the operator's reason. False when the row was not pending. */
  async markDiscarded(id: string, act: { readonly operationId: string; readonly at: Date; readonly reason: string }): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${this.table} SET status = 'discarded', discard_reason = $4, acted_by = $2, acted_at = $3 WHERE id = $1 AND status = 'pending'`,
      [id, act.operationId, act.at, act.reason],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The failure is over (a parked call answered, a redriven message handled): resolved, whatever it was but discarded. */
  async resolve(id: string, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(`UPDATE ${this.table} SET status = 'resolved', acted_at = $2 WHERE id = $1 AND status IN ('pending', 'redriven')`, [id, at]);
    return (rowCount ?? 0) > 0;
  }
}
