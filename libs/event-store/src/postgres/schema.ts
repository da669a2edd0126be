import { migrateUnderLock } from '@agent-orchestrator/postgres';
import pg from 'pg';

/**
 * The PostgreSQL layout. Global order is (transaction_id, global_position): readers only see
 * events of transactions older than the oldest one still running (pg_snapshot_xmin), so a
 * transaction that took a lower global_position but commits later can never be skipped by a
 * reader that has already moved past a higher one.
 *
 * append_events does the whole append in one round trip and one transaction: lock (or create)
 * the stream row, check the tenant and the expected version, hash the chain, insert, bump the
 * head. A refusal raises, so nothing a refused append touched is kept.
 *   ES409 wrong expected version (DETAIL = actual version, -1 for no stream)
 *   ES403 stream belongs to another tenant
 *   23505 on events_event_id: some event ids are already stored
 * After ES409 or 23505 the adapter looks the event ids up: all of them already in this stream
 * means a retried append, which succeeds without writing.
 *   ES40R this transaction's id is older than the one that wrote the stream's last event, so its
 *         events would sort before their predecessors in the global order; retry in a new
 *         transaction (it gets a newer id). Happens only when two appends race for a stream's lock.
 * Each append notifies the channel named after the schema (appendChannel) with its transaction
 * id; PostgreSQL delivers it to listeners when, and only if, the transaction commits.
 */
export function schemaSql(schema: string): string {
  const s = pg.escapeIdentifier(schema);
  const channel = pg.escapeLiteral(appendChannel(schema));
  return `
CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id  text PRIMARY KEY,
  tenant_id  text NOT NULL,
  version    bigint NOT NULL,
  last_hash  bytea,
  -- The transaction that appended the stream's last event: a later append must not sort before it.
  last_transaction_id xid8,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ${s}.events (
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  stream_id       text NOT NULL,
  stream_version  bigint NOT NULL,
  event_id        uuid NOT NULL,
  type            text NOT NULL,
  tenant_id       text NOT NULL,
  content         json NOT NULL,
  prev_hash       bytea,
  hash            bytea NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_global_order PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT events_stream_version UNIQUE (stream_id, stream_version),
  CONSTRAINT events_event_id UNIQUE (event_id)
);
CREATE INDEX IF NOT EXISTS events_tenant_order ON ${s}.events (tenant_id, transaction_id, global_position);

-- Payloads larger than an event, by content: written before the event that names them, never changed.
CREATE TABLE IF NOT EXISTS ${s}.attachments (
  tenant_id  text NOT NULL,
  sha256     bytea NOT NULL,
  content    bytea NOT NULL,
  stored_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE IF NOT EXISTS ${s}.subscription_checkpoints (
  subscription_id text PRIMARY KEY,
  position        text NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION ${s}.append_events(
  p_stream_id text, p_tenant_id text, p_expected text,
  p_event_ids uuid[], p_types text[], p_contents text[])
RETURNS TABLE (next_version bigint, transaction_id text, last_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_version bigint;
  v_tenant  text;
  v_head    bytea;
  v_last_tx xid8;
  v_count   int := cardinality(p_event_ids);
  v_prevs   bytea[] := '{}';
  v_hashes  bytea[] := '{}';
  v_pos     bigint;
BEGIN
  SELECT s.version, s.tenant_id, s.last_hash, s.last_transaction_id INTO v_version, v_tenant, v_head, v_last_tx
    FROM ${s}.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
  IF NOT FOUND THEN
    IF p_expected NOT IN ('any', 'no_stream') THEN
      RAISE EXCEPTION USING ERRCODE = 'ES409', MESSAGE = 'wrong expected version', DETAIL = '-1';
    END IF;
    -- A concurrent creator holds the key until it ends; then we either insert or see its row.
    INSERT INTO ${s}.streams (stream_id, tenant_id, version) VALUES (p_stream_id, p_tenant_id, -1)
      ON CONFLICT (stream_id) DO NOTHING;
    SELECT s.version, s.tenant_id, s.last_hash, s.last_transaction_id INTO v_version, v_tenant, v_head, v_last_tx
      FROM ${s}.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
  END IF;

  IF v_tenant <> p_tenant_id THEN
    RAISE EXCEPTION USING ERRCODE = 'ES403', MESSAGE = 'stream belongs to another tenant';
  END IF;

  IF (p_expected = 'no_stream' AND v_version <> -1)
     OR (p_expected = 'stream_exists' AND v_version = -1)
     OR (p_expected ~ '^[0-9]+$' AND v_version <> p_expected::bigint) THEN
    RAISE EXCEPTION USING ERRCODE = 'ES409', MESSAGE = 'wrong expected version', DETAIL = v_version::text;
  END IF;

  IF v_last_tx IS NOT NULL AND pg_current_xact_id() < v_last_tx THEN
    RAISE EXCEPTION USING ERRCODE = 'ES40R', MESSAGE = 'transaction id older than the stream head''s';
  END IF;

  FOR i IN 1 .. v_count LOOP
    v_prevs[i] := v_head;
    v_head := sha256(coalesce(v_head, ''::bytea) || int8send(v_version + i) || convert_to(p_contents[i], 'UTF8'));
    v_hashes[i] := v_head;
  END LOOP;

  -- An event id already stored fails the insert on its unique index (23505) rather than being
  -- looked up first: a look-up would cost every append an index probe per event for a rare retry.
  WITH inserted AS (
    INSERT INTO ${s}.events (stream_id, stream_version, event_id, type, tenant_id, content, prev_hash, hash)
    SELECT p_stream_id, v_version + u.ord, u.event_id, u.type, p_tenant_id, u.content::json, u.prev_hash, u.hash
      FROM unnest(p_event_ids, p_types, p_contents, v_prevs, v_hashes)
           WITH ORDINALITY AS u(event_id, type, content, prev_hash, hash, ord)
     ORDER BY u.ord
    RETURNING global_position
  )
  SELECT max(global_position) INTO v_pos FROM inserted;

  UPDATE ${s}.streams SET version = v_version + v_count, last_hash = v_head,
         last_transaction_id = pg_current_xact_id(), updated_at = now()
   WHERE stream_id = p_stream_id;

  PERFORM pg_notify(${channel}, pg_current_xact_id()::text);

  next_version := v_version + v_count;
  transaction_id := pg_current_xact_id()::text;
  last_position := v_pos;
  RETURN NEXT;
END
$fn$;
`;
}

/**
 * The channel appends are announced on. A schema name is at most 63 bytes, as is a channel name,
 * so the schema's own name always fits; one store per schema keeps stores on one database apart.
 */
export function appendChannel(schema: string): string {
  return schema;
}

/** Creates the tables and function if missing; safe to run from several processes at once. */
export function migrate(pool: pg.Pool, schema: string): Promise<void> {
  return migrateUnderLock(pool, `event-store:${schema}`, async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    await client.query(schemaSql(schema));
  });
}
