import type { DeadLetterMessage, DeadLetterQueries, DeadLetterRecord, DeadLetterScope, DeadLetterStatus } from '@agent-orchestrator/read-models';
import { z } from 'zod';
import type { ScopedCaller } from '../auth/scoped-caller.js';
import { GatewayError } from '../errors.js';

export interface ListDeadLettersRequest {
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  readonly tenant?: string;
  readonly since?: string;
  readonly until?: string;
  readonly status?: DeadLetterStatus;
  readonly cursor?: string;
  readonly limit: number;
}

/** A tenant's operator or admin, or the platform admin (every tenant's rows, and those of no tenant). */
export type DeadLetterCaller = ScopedCaller;

/** A message value as a person reads it: the JSON it holds, or its bytes in base64 when it is not JSON. */
export type DecodedValue =
  | { readonly encoding: 'json'; readonly json: unknown }
  | { readonly encoding: 'base64'; readonly base64: string; readonly note: string }
  | { readonly encoding: 'none'; readonly note: string };

const cursorSchema = z.tuple([z.iso.datetime(), z.string().min(1).max(200)]);
const cursorOf = (record: DeadLetterRecord) => Buffer.from(JSON.stringify([record.lastSeen.toISOString(), record.id])).toString('base64url');

export function decodedValue(value: Buffer): DecodedValue {
  const text = value.toString('utf8');
  // A value that is not valid UTF-8 does not survive the round trip: it is bytes, not text.
  if (Buffer.from(text, 'utf8').equals(value)) {
    try {
      return { encoding: 'json', json: JSON.parse(text) };
    } catch {
      // not JSON: shown as bytes below
    }
  }
  return { encoding: 'base64', base64: value.toString('base64'), note: 'The value is not JSON (the consumer may have failed to decode it for that reason): these are its bytes in base64.' };
}

/**
 * The dead-letter index as the API serves it. A tenant's caller reads its own tenant's rows, in
 * its tenant scope (row-level security); the platform admin reads every row, and may pick a tenant.
 */
export class DeadLetters {
  constructor(private readonly queries: DeadLetterQueries) {}

  private scope(caller: DeadLetterCaller): DeadLetterScope {
    return caller.kind === 'platform' ? { kind: 'platform' } : { kind: 'tenant', tenantId: caller.principal.tenantId };
  }

  async list(caller: DeadLetterCaller, request: ListDeadLettersRequest) {
    if (request.tenant !== undefined && caller.kind !== 'platform') {
      throw new GatewayError('Forbidden', 'Only the platform admin chooses a tenant: a key of a tenant lists its own tenant\'s dead letters; leave "tenant" out.');
    }
    let after: { lastSeen: Date; id: string } | undefined;
    if (request.cursor !== undefined) {
      try {
        const [lastSeen, id] = cursorSchema.parse(JSON.parse(Buffer.from(request.cursor, 'base64url').toString('utf8')));
        after = { lastSeen: new Date(lastSeen), id };
      } catch {
        throw new GatewayError('InvalidRequest', 'The cursor is not one this API handed out; use the nextCursor of the previous page.', [{ pointer: '#/cursor', in: 'query', detail: 'not a cursor of this API' }]);
      }
    }
    const page = await this.queries.list(
      this.scope(caller),
      {
        ...(request.consumer === undefined ? {} : { consumer: request.consumer }),
        ...(request.code === undefined ? {} : { code: request.code }),
        ...(request.tool === undefined ? {} : { tool: request.tool }),
        ...(request.tenant === undefined ? {} : { tenant: request.tenant }),
        ...(request.since === undefined ? {} : { since: new Date(request.since) }),
        ...(request.until === undefined ? {} : { until: new Date(request.until) }),
        ...(request.status === undefined ? {} : { status: request.status }),
      },
      { limit: request.limit, ...(after ? { after } : {}) },
    );
    const last = page.items.at(-1);
    return { items: page.items, nextCursor: page.next && last ? cursorOf(last) : null };
  }

  /** One dead letter with its message decoded; another tenant's is not found. */
  async get(caller: DeadLetterCaller, id: string) {
    const found: DeadLetterMessage | undefined = await this.queries.get(this.scope(caller), id);
    if (!found) throw new GatewayError('NotFound', `There is no dead letter ${id}.`);
    const { key, headers, value, position: _position, ...record } = found;
    return { ...record, message: { key, headers, value: value === null ? ({ encoding: 'none', note: 'The message had no value.' } as const) : decodedValue(value) } };
  }
}
