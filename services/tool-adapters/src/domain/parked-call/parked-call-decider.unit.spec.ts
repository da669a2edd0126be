import { eventCatalog, retryParkedToolCallSchema, discardParkedToolCallSchema, type EventEnvelope, type NewEvent, type ParkedToolCallCommand } from '@agent-orchestrator/contracts';
import { decideParkedCall, evolveParkedCall, initialParkedCallState } from './parked-call-decider.js';

const runId = 's-1.step.s1.1';
const callId = 'call-1';
const streamId = `toolcall-${runId}.${callId}`;
const base = { sessionId: 's-1', runId, callId, tool: 'crm' };
const metadata = {
  tenantId: 'acme',
  correlationId: 's-1',
  causationId: 'op-1',
  actor: { kind: 'user' as const, id: 'key-sre' },
  traceparent: null,
  now: '2026-11-29T12:00:00.000Z',
  eventIds: ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'],
};

let version = 0;
function stored(type: string, data: unknown, tenantId = 'acme'): EventEnvelope {
  const event = { eventId: `00000000-0000-4000-8000-0000000001${String(version).padStart(2, '0')}`, type, schemaVersion: 1, tenantId, correlationId: 's-1', causationId: 'c', actor: { kind: 'service', id: 'tool-adapters' }, occurredAt: '2026-11-29T11:00:00.000Z', traceparent: null, data, streamId, streamVersion: version, globalPosition: String(version) } as EventEnvelope;
  version++;
  return event;
}
const parked = (tenantId = 'acme') => stored('ToolCallParked', { ...base, operation: 'createContact', method: 'post', code: 'http-503', reason: 'gave up after 4 attempts', attempts: 4, parkings: 1 }, tenantId);

/** Given the call's stream, when the command, then the events (each valid by its schema). */
function given(...events: EventEnvelope[]) {
  const state = events.reduce(evolveParkedCall, initialParkedCallState());
  return {
    state,
    when(command: ParkedToolCallCommand): NewEvent[] {
      (command.type === 'RetryParkedToolCall' ? retryParkedToolCallSchema : discardParkedToolCallSchema).parse(command);
      const decided = decideParkedCall(command, state);
      for (const event of decided) expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
      return decided;
    },
  };
}

const retry: ParkedToolCallCommand = { type: 'RetryParkedToolCall', runId, callId, operationId: '6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d', metadata };
const discard: ParkedToolCallCommand = { type: 'DiscardParkedToolCall', runId, callId, reason: 'created by hand', metadata };

beforeEach(() => {
  version = 0;
});

describe('a parked call', () => {
  it('is retried: the retry is recorded with the operation that asked', () => {
    expect(given(parked()).when(retry)).toEqual([expect.objectContaining({ type: 'ToolCallRetried', eventId: metadata.eventIds[0], data: { ...base, operationId: retry.operationId } })]);
  });

  it('is discarded: the discard, then a failure that tells the agent why', () => {
    expect(given(parked()).when(discard).map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'ToolCallDiscarded', data: { ...base, reason: 'created by hand' } },
      { type: 'ToolCallFailed', data: { ...base, reason: 'discarded by an operator: created by hand' } },
    ]);
  });

  it('being retried is retrying by that retry, at its version', () => {
    const { state } = given(parked(), stored('ToolCallRetried', base));
    expect(state).toMatchObject({ status: 'retrying', version: 1, retriedBy: '00000000-0000-4000-8000-000000000101' });
  });

  it('parked again after a retry is parked at the new version', () => {
    const { state } = given(parked(), stored('ToolCallRetried', base), parked());
    expect(state).toMatchObject({ status: 'parked', version: 2 });
  });
});

describe('a call that is not parked is left as it is', () => {
  it.each([
    ['never parked', []],
    ['being retried', [() => parked(), () => stored('ToolCallRetried', base)]],
    ['answered after a retry', [() => parked(), () => stored('ToolCallRetried', base), () => stored('ToolCallCompleted', { ...base, output: 'ok' })]],
    ['discarded', [() => parked(), () => stored('ToolCallDiscarded', { ...base, reason: 'x' }), () => stored('ToolCallFailed', { ...base, reason: 'discarded by an operator: x' })]],
    ['answered without parking', [() => stored('ToolCallFailed', { ...base, reason: 'refused' })]],
  ] as [string, (() => EventEnvelope)[]][])('%s', (_name, history) => {
    const scenario = given(...history.map((make) => make()));
    expect(scenario.when(retry)).toEqual([]);
    expect(scenario.when(discard)).toEqual([]);
  });

  it("another tenant's parked call", () => {
    const scenario = given(parked('globex'));
    expect(scenario.when(retry)).toEqual([]);
    expect(scenario.when(discard)).toEqual([]);
  });
});
