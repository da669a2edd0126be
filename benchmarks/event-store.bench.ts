/**
 * npm run bench:event-store [-- --json] [-- --rounds N]
 *
 * Event store throughput against raw `pg` doing the same work on the same server in the same run:
 * the baseline inserts the same rows (same columns, same indexes, same json content, one commit
 * per batch, Postgres's default durability) with a plain INSERT, and reads them with a plain
 * SELECT. Rounds alternate ours/raw so drift on a shared machine hits both sides; each figure is
 * the median round. Ratios are ours / raw: higher is better.
 */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore, canonicalContent } from '@agent-orchestrator/event-store';
import { createTestSchema, planRequested, type TestSchema } from '@agent-orchestrator/testing';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import pg from 'pg';
import { alternate as alternateRounds, progressBar, round, type Pair, type Side } from './support.js';

const program = new Command()
  .name('bench:event-store')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'alternating rounds per measurement', (v) => Number.parseInt(v, 10), 5)
  .option('--events <n>', 'events appended one at a time per round', (v) => Number.parseInt(v, 10), 1000)
  .option('--batches <n>', 'batches of 100 appended per round', (v) => Number.parseInt(v, 10), 100)
  .parse();
const options = program.opts<{ json?: boolean; rounds: number; events: number; batches: number }>();

const streamsPerRound = 10;
const readStreamLength = 1000;
const readAllPage = 500;
let readStreamId: string | undefined;

await ensureTestPostgres();
const db = await createTestSchema('bench', 4);
const store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
const raw = `${pg.escapeIdentifier(db.schema)}.raw_events`;
await createRawTable(db);

const steps = options.rounds * 4;
const bar = progressBar('event store bench', steps);
const alternate = (phase: string, measure: (side: Side) => Promise<number>) => alternateRounds(options.rounds, bar, phase, measure);

const results = {
  append1: await alternate('append, batch 1', (side) => appendRound(side, 1, options.events)),
  append100: await alternate('append, batch 100', (side) => appendRound(side, 100, options.batches * 100)),
  readStream: await alternate('read stream', (side) => readStreamRound(side)),
  readAll: await alternate('read all', (side) => readAllRound(side)),
};
bar.stop();

const ratio = (m: Pair) => round(m.ours / m.raw, 3);
const figures = {
  append_batch1_ratio: ratio(results.append1),
  append_batch100_ratio: ratio(results.append100),
  read_stream_ratio: ratio(results.readStream),
  read_all_ratio: ratio(results.readAll),
  append_batch1_events_per_s: round(results.append1.ours, 0),
  append_batch1_raw_events_per_s: round(results.append1.raw, 0),
  append_batch100_events_per_s: round(results.append100.ours, 0),
  append_batch100_raw_events_per_s: round(results.append100.raw, 0),
  read_stream_events_per_s: round(results.readStream.ours, 0),
  read_stream_raw_events_per_s: round(results.readStream.raw, 0),
  read_all_events_per_s: round(results.readAll.ours, 0),
  read_all_raw_events_per_s: round(results.readAll.raw, 0),
  rounds: options.rounds,
};

console.log('\nEvent store vs raw pg (events/s, median of alternating rounds; ratio = ours / raw, higher is better)');
console.table({
  'append, batch 1': row(results.append1, 0.5),
  'append, batch 100': row(results.append100, 0.8),
  'read stream': row(results.readStream, 0.8),
  'read all': row(results.readAll, 0.8),
});
if (options.json) console.log(JSON.stringify(figures));

await store.close();
await db.dispose();
await globalThis.__localPostgres?.stop();

/** Appends `total` events in batches of `batchSize`, round-robin over fresh streams; events/s. */
async function appendRound(side: Side, batchSize: number, total: number): Promise<number> {
  const streams = Array.from({ length: streamsPerRound }, () => `session-${randomUUID()}`);
  const versions = new Map(streams.map((s) => [s, -1]));
  const batches = Array.from({ length: total / batchSize }, (_, i) => {
    const streamId = streams[i % streams.length]!;
    return { streamId, events: Array.from({ length: batchSize }, () => planRequested()) };
  });
  const started = performance.now();
  for (const { streamId, events } of batches) {
    if (side === 'ours') {
      await store.append(streamId, events);
    } else {
      const first = versions.get(streamId)! + 1;
      versions.set(streamId, first + events.length - 1);
      await rawInsert(streamId, first, events);
    }
  }
  return total / ((performance.now() - started) / 1000);
}

/** The same row values the store writes, in one INSERT; the hashes are placeholders of the same size. */
async function rawInsert(streamId: string, firstVersion: number, events: ReturnType<typeof planRequested>[]): Promise<void> {
  const hash = Buffer.alloc(32, 7);
  await db.pool.query(
    `INSERT INTO ${raw} (stream_id, stream_version, event_id, type, tenant_id, content, prev_hash, hash)
     SELECT $1, $2::bigint + u.ord - 1, u.event_id, u.type, $3, u.content::json, $4, $4
       FROM unnest($5::uuid[], $6::text[], $7::text[]) WITH ORDINALITY AS u(event_id, type, content, ord)`,
    [
      streamId,
      firstVersion,
      events[0]!.tenantId,
      hash,
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => canonicalContent({ ...e, streamId })),
    ],
  );
}

async function readStreamRound(side: Side): Promise<number> {
  if (!readStreamId) {
    readStreamId = `session-${randomUUID()}`;
    const events = Array.from({ length: readStreamLength }, () => planRequested());
    await store.append(readStreamId, events);
    await rawInsert(readStreamId, 0, events);
  }
  const repeats = 20;
  const started = performance.now();
  for (let i = 0; i < repeats; i++) {
    const count =
      side === 'ours'
        ? (await store.readStream(readStreamId, { maxCount: readStreamLength })).length
        : (
            await db.pool.query(
              `SELECT content, stream_version, transaction_id::text AS tx, global_position FROM ${raw}
                WHERE stream_id = $1 AND stream_version >= 0 ORDER BY stream_version LIMIT $2`,
              [readStreamId, readStreamLength],
            )
          ).rowCount;
    if (count !== readStreamLength) throw new Error(`${side} read ${count} events, expected ${readStreamLength}`);
  }
  return (repeats * readStreamLength) / ((performance.now() - started) / 1000);
}

/** Pages through the whole log; the raw side pages by its sequence alone. */
async function readAllRound(side: Side): Promise<number> {
  let count = 0;
  const started = performance.now();
  if (side === 'ours') {
    for await (const _ of store.streamAll({ pageSize: readAllPage })) count++;
  } else {
    let after = '0';
    for (;;) {
      const { rows } = await db.pool.query<{ global_position: string }>(
        `SELECT content, stream_version, transaction_id::text AS tx, global_position FROM ${raw}
          WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
        [after, readAllPage],
      );
      count += rows.length;
      if (rows.length < readAllPage) break;
      after = rows[rows.length - 1]!.global_position;
    }
  }
  return count / ((performance.now() - started) / 1000);
}

async function createRawTable(test: TestSchema): Promise<void> {
  await test.pool.query(`
    CREATE TABLE ${raw} (
      transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
      global_position bigint GENERATED ALWAYS AS IDENTITY,
      stream_id text NOT NULL, stream_version bigint NOT NULL, event_id uuid NOT NULL, type text NOT NULL,
      tenant_id text NOT NULL, content json NOT NULL, prev_hash bytea, hash bytea NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (transaction_id, global_position), UNIQUE (stream_id, stream_version), UNIQUE (event_id));
    CREATE INDEX ON ${raw} (tenant_id, transaction_id, global_position);
    CREATE INDEX ON ${raw} (global_position);`);
}

function row(m: Pair, target: number) {
  const r = ratio(m);
  return { 'ours (ev/s)': round(m.ours, 0), 'raw pg (ev/s)': round(m.raw, 0), ratio: r, target: `>= ${target}`, met: r >= target ? 'yes' : 'NO' };
}
