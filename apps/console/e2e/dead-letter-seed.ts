import { messageHeaders, topicNames, type EventEnvelope } from '@agent-orchestrator/contracts';
import pg from 'pg';

export interface SeededDeadLetter {
  readonly id: string;
  readonly consumer: string;
  readonly errorCode: string;
  readonly repeatsSideEffect: boolean;
}

/** Which group consumes an event of a stream category. */
const consumers: Readonly<Record<string, string>> = { policycheck: 'approvals', agentrun: 'orchestrator', approval: 'tool-adapters' };

/** Whether handling it again runs a tool call, by the dead-letter index's rule: tool-adapters runs an approved call on ApprovalGranted. */
const repeats = (group: string, event: EventEnvelope) => group === 'tool-adapters' && event.type === 'ApprovalGranted';

/**
 * Dead letters of dev mode's own consumers (the error code: the first of `codes` for those that
 * repeat a side effect, the others in turn), written into the replay service's dead-letter index
 * (`read_models.dead_letters`, the row `DeadLetterIndex.upsert` writes; the console may not import
 * the read models) as its `dlq.*` consumer writes them: each holds a real event of the log (key, headers, value as relayed), the
 * group that gave up on it, the topic it came from. In dev mode the broker lives inside the dev
 * process, so a spec cannot put a message on a `dlq.*` topic itself; the index's write API is the
 * next thing to it. A redrive then sends each event back to its one group, whose handling is
 * idempotent (it saw the event already), so redriving changes nothing else.
 */
export async function seedDeadLetters(databaseUrl: string, tenantId: string, events: readonly EventEnvelope[], codes: readonly string[]): Promise<SeededDeadLetter[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const topics = topicNames('');
  try {
    // The replay service creates the table as it starts; dev mode says it is ready before that may be done.
    for (const deadline = Date.now() + 30_000; (await pool.query<{ t: string | null }>(`SELECT to_regclass('read_models.dead_letters') AS t`)).rows[0]!.t === null; await new Promise((resolve) => setTimeout(resolve, 200))) {
      if (Date.now() > deadline) throw new Error('the replay service did not create the dead-letter index (read_models.dead_letters) within 30 s');
    }
    const seeded: SeededDeadLetter[] = [];
    for (const [n, event] of events.entries()) {
      const category = event.streamId.split('-')[0]!;
      const group = consumers[category];
      if (!group) continue;
      const repeating = repeats(group, event);
      const errorCode = repeating ? codes[0]! : codes[seeded.length % codes.length]!;
      const consumer = { group, repeats: repeating };
      const id = crypto.randomUUID();
      const headers = {
        [messageHeaders.eventId]: event.eventId,
        [messageHeaders.eventType]: event.type,
        [messageHeaders.tenantId]: tenantId,
        [messageHeaders.dlqConsumerGroup]: topics.consumerGroup(consumer.group),
        [messageHeaders.dlqErrorCode]: errorCode,
        [messageHeaders.dlqReason]: `${consumer.group} gave up after 5 attempts: ${errorCode}`,
        [messageHeaders.dlqSourceTopic]: topics.eventsForStream(event.streamId),
        [messageHeaders.dlqSourcePartition]: '0',
        [messageHeaders.dlqSourceOffset]: String(n),
        [messageHeaders.dlqAttempts]: '5',
      };
      const sideEffect = consumer.repeats ? 'runs the approved call again' : `${consumer.group} runs no tool operation`;
      const seenAt = new Date(Date.now() - (events.length - n) * 1000);
      await pool.query(
        `INSERT INTO read_models.dead_letters (id, source, tenant_id, consumer, error_code, reason, attempts, source_topic, source_partition, source_offset,
            session_id, tool, message_type, first_seen, last_seen, status, redrive_count, message_key, headers, value, position, repeats_side_effect, side_effect_note)
          VALUES ($1, 'dead-letter', $2, $3, $4, $5, 5, $6, 0, $7, $8, NULL, $9, $10, $10, 'pending', 0, $11, $12, $13, $14, $15, $16)`,
        [id, tenantId, consumer.group, errorCode, headers[messageHeaders.dlqReason], topics.eventsForStream(event.streamId), String(n), event.correlationId ?? null, event.type, seenAt, event.streamId, JSON.stringify(headers), Buffer.from(JSON.stringify(event)), n, consumer.repeats, sideEffect],
      );
      seeded.push({ id, consumer: consumer.group, errorCode, repeatsSideEffect: consumer.repeats });
    }
    return seeded;
  } finally {
    await pool.end();
  }
}
