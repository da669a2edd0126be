import { createHash } from 'node:crypto';
import { messageHeaders } from '@agent-orchestrator/contracts';
import type { DeadLetterEntry } from '@agent-orchestrator/read-models';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { sideEffectOf, toolOf, type MessageBody } from './side-effect.js';

/** Where a dead letter was read: its dead-letter topic, partition and offset. */
export interface DeadLetterPlace {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * A dead letter's id, from where it first landed: the same dead letter read twice has one id. A
 * redriven message that fails again names this id in `redrive-of`, and its sightings share it.
 */
export function deadLetterId(place: DeadLetterPlace): string {
  const hex = createHash('sha256').update(`${place.topic}/${place.partition}/${place.offset}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** The value as an event envelope or a command message, when it is one. */
function bodyOf(value: Buffer | null): MessageBody | undefined {
  if (!value) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  if (typeof record.eventId === 'string' && typeof record.type === 'string') {
    return { kind: 'event', type: record.type, tenantId: text(record.tenantId), correlationId: text(record.correlationId), data: objectOr(record.data) };
  }
  const command = objectOr(record.command);
  if (typeof record.commandId === 'string' && typeof command.type === 'string') {
    const metadata = objectOr(command.metadata);
    return { kind: 'command', type: command.type, tenantId: text(metadata.tenantId), correlationId: text(metadata.correlationId), data: command };
  }
  return undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const objectOr = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * A dead letter read from `place`, as a row of the index. `prefix` is the deployment's topic
 * prefix: the consumer is named as services name their groups, without it. Whatever the value
 * holds (not JSON, not an envelope), the dead letter is indexed; what cannot be read from it is null.
 */
export function deadLetterEntry(place: DeadLetterPlace, message: KafkaMessage, prefix: string): DeadLetterEntry {
  const headers = textHeaders(message.headers);
  const body = bodyOf(message.value);
  // The dead-letter topic names the group when the header does not (a dead letter some service wrote itself).
  const group = headers[messageHeaders.dlqConsumerGroup] ?? place.topic.slice(`${prefix}dlq.`.length);
  const consumer = group.startsWith(prefix) ? group.slice(prefix.length) : group;
  const failedAt = new Date(headers[messageHeaders.dlqFailedAt] ?? Number(message.timestamp));
  const partition = Number(headers[messageHeaders.dlqSourcePartition]);
  return {
    id: headers[messageHeaders.redriveOf] ?? deadLetterId(place),
    source: 'dead-letter',
    tenantId: headers[messageHeaders.tenantId] ?? body?.tenantId ?? null,
    consumer,
    errorCode: headers[messageHeaders.dlqErrorCode] ?? 'Unknown',
    reason: headers[messageHeaders.dlqReason] ?? 'the dead letter gives no reason',
    attempts: Number(headers[messageHeaders.dlqAttempts] ?? 0) || 0,
    sourceTopic: headers[messageHeaders.dlqSourceTopic] ?? null,
    sourcePartition: Number.isInteger(partition) && headers[messageHeaders.dlqSourcePartition] !== undefined ? partition : null,
    sourceOffset: headers[messageHeaders.dlqSourceOffset] ?? null,
    sessionId: body?.correlationId ?? null,
    tool: body ? (toolOf(body) ?? null) : null,
    messageType: headers[messageHeaders.eventType] ?? body?.type ?? null,
    seenAt: Number.isNaN(failedAt.getTime()) ? new Date() : failedAt,
    redriveCount: Number(headers[messageHeaders.redriveCount] ?? 0) || 0,
    key: message.key?.toString('utf8') ?? null,
    headers,
    value: message.value ?? null,
    position: BigInt(place.offset),
    sideEffect: sideEffectOf(consumer, body),
  };
}
