import type { NewEvent } from '@agent-orchestrator/contracts';
import { redactEvents } from './redact-events.js';

const event = (type: string, data: unknown): NewEvent => ({
  eventId: '0b7c6a3e-5d1f-4c1e-9a1b-000000000001',
  type,
  schemaVersion: 1,
  tenantId: 'acme',
  correlationId: 'session-1',
  causationId: 'command-1',
  actor: { kind: 'user', id: 'key-1' },
  occurredAt: '2026-11-22T09:00:00.000Z',
  traceparent: null,
  data,
});

describe('redacting the outside text of events before they are appended', () => {
  const fields = { ApprovalRejected: { reason: { maxChars: 30 } } };

  it('puts a PiiRedacted after each event it changed, naming the field, with an id derived from the event', () => {
    const rejected = event('ApprovalRejected', { sessionId: '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c', reason: 'ask ada@example.com first' });
    const [redacted, record] = redactEvents([rejected], ['email'], fields);
    expect(redacted).toEqual({ ...rejected, data: { sessionId: '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c', reason: 'ask [REDACTED:email] first' } });
    expect(record).toMatchObject({
      type: 'PiiRedacted',
      schemaVersion: 2,
      causationId: 'command-1',
      data: { sessionId: '3f2c9d7e-8a41-4f6b-b0c5-1d2e3f4a5b6c', eventId: rejected.eventId, eventType: 'ApprovalRejected', fields: [{ path: '/reason', kind: 'email', count: 1 }], found: { email: 1 } },
    });
    expect(redactEvents([rejected], ['email'], fields)[1]!.eventId).toBe(record!.eventId);
    expect(record!.eventId).not.toBe(rejected.eventId);
  });

  it('clips a redacted text to its field limit, and passes other types, clean events and "off" unchanged', () => {
    const long = event('ApprovalRejected', { reason: 'a@b.co c@d.co e@f.co g@h.co' });
    expect((redactEvents([long], ['email'], fields)[0]!.data as { reason: string }).reason).toHaveLength(30);
    const other = event('ApprovalGranted', { reason: 'ada@example.com' });
    const clean = event('ApprovalRejected', { reason: 'no' });
    expect(redactEvents([other, clean], ['email'], fields)).toEqual([other, clean]);
    expect(redactEvents([long], [], fields)).toEqual([long]);
  });
});
