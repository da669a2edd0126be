import { inTransaction, migrateUnderLock } from '@agent-orchestrator/postgres';
import pg from 'pg';

export type HandledOnce<T> = { readonly duplicate: true } | { readonly duplicate: false; readonly result: T };

/**
 * The idempotent-consumer helper: a consumer group records each message id it handled in the
 * same Postgres transaction as the handler's own writes. A redelivered message finds its id and
 * is dropped; a message handled concurrently by two members (after a rebalance) waits on the
 * first one's row and is dropped when that commits.
 */
export class ProcessedMessages {
  private readonly table: string;

  private constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.processed_messages`;
  }

  static async open(pool: pg.Pool, schema = 'messaging'): Promise<ProcessedMessages> {
    const store = new ProcessedMessages(pool, schema);
    await migrateUnderLock(pool, `processed-messages:${schema}`, async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${store.table} (
        consumer_group text NOT NULL,
        message_id     text NOT NULL,
        handled_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, message_id))`);
    });
    return store;
  }

  /** Runs `work` in a transaction unless this group already handled `messageId`. */
  async handleOnce<T>(consumerGroup: string, messageId: string, work: (tx: pg.PoolClient) => Promise<T>): Promise<HandledOnce<T>> {
    return inTransaction(this.pool, async (tx): Promise<HandledOnce<T>> => {
      const claimed = await tx.query(`INSERT INTO ${this.table} (consumer_group, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        consumerGroup,
        messageId,
      ]);
      // Already handled: the claim wrote nothing, so committing the empty transaction is harmless.
      if (claimed.rowCount === 0) return { duplicate: true };
      return { duplicate: false, result: await work(tx) };
    });
  }
}
