import { messageHeaders } from '@agent-orchestrator/contracts';
import type { KafkaMessage } from 'kafkajs';
import { deadLetterEntry, deadLetterId } from './dead-letter-entry.js';
import { sideEffectOf } from './side-effect.js';

const place = { topic: 'p.dlq.tool-adapters', partition: 0, offset: '41' };

function message(value: string | null, headers: Record<string, string> = {}): KafkaMessage {
  return { key: Buffer.from('toolcall-1'), value: value === null ? null : Buffer.from(value), headers, offset: place.offset, timestamp: '1796000000000', attributes: 0 } as KafkaMessage;
}

const dlqHeaders = {
  [messageHeaders.dlqReason]: 'upstream said 500',
  [messageHeaders.dlqErrorCode]: 'Rejected',
  [messageHeaders.dlqSourceTopic]: 'p.events.policycheck',
  [messageHeaders.dlqSourcePartition]: '3',
  [messageHeaders.dlqSourceOffset]: '1200',
  [messageHeaders.dlqConsumerGroup]: 'p.tool-adapters',
  [messageHeaders.dlqAttempts]: '6',
  [messageHeaders.dlqFailedAt]: '2026-11-29T10:00:00.000Z',
};

const decision = (effect: string, method: string | null) =>
  JSON.stringify({
    eventId: '5f1a1f43-3d2c-4a55-9c0c-1d3f9d7c0b11',
    type: 'PolicyDecisionRecorded',
    tenantId: 'tenant-a',
    correlationId: 'session-9',
    data: { tool: 'crm__createLead', effect, target: method === null ? null : { tool: 'crm', version: 2, operation: 'createLead', method, scopes: [] } },
  });

describe('a dead letter as the index reads it', () => {
  it('takes where it failed, why, and what it carries from the headers and the envelope', () => {
    const entry = deadLetterEntry(place, message(decision('allow', 'post'), { ...dlqHeaders, [messageHeaders.eventType]: 'PolicyDecisionRecorded' }), 'p.');
    expect(entry).toMatchObject({
      id: deadLetterId(place),
      source: 'dead-letter',
      tenantId: 'tenant-a',
      consumer: 'tool-adapters',
      errorCode: 'Rejected',
      reason: 'upstream said 500',
      attempts: 6,
      sourceTopic: 'p.events.policycheck',
      sourcePartition: 3,
      sourceOffset: '1200',
      sessionId: 'session-9',
      tool: 'crm',
      messageType: 'PolicyDecisionRecorded',
      seenAt: new Date('2026-11-29T10:00:00.000Z'),
      redriveCount: 0,
      key: 'toolcall-1',
      position: 41n,
      sideEffect: { repeats: true, why: 'runs POST crm.createLead' },
    });
  });

  it('counts a redriven message that failed again on the dead letter it came from', () => {
    const entry = deadLetterEntry(place, message(decision('allow', 'get'), { ...dlqHeaders, [messageHeaders.redriveOf]: 'dl-first', [messageHeaders.redriveCount]: '2' }), 'p.');
    expect(entry).toMatchObject({ id: 'dl-first', redriveCount: 2, sideEffect: { repeats: false, why: 'runs GET crm.createLead' } });
  });

  it('indexes what cannot be decoded, with no tenant, and names the group from the topic when no header does', () => {
    const entry = deadLetterEntry(place, message('{"not json'), 'p.');
    expect(entry).toMatchObject({ tenantId: null, consumer: 'tool-adapters', errorCode: 'Unknown', sessionId: null, tool: null, messageType: null, sourceTopic: null, sourcePartition: null });
    expect(entry.sideEffect).toEqual({ repeats: true, why: expect.stringContaining('could not be read') });
  });

  it('reads the tenant and session of a command message', () => {
    const command = JSON.stringify({ commandId: '5f1a1f43-3d2c-4a55-9c0c-1d3f9d7c0b12', command: { type: 'RetryParkedToolCall', runId: 'r', callId: 'c', metadata: { tenantId: 'tenant-b', correlationId: 'session-2' } } });
    const entry = deadLetterEntry(place, message(command, { ...dlqHeaders, [messageHeaders.dlqConsumerGroup]: 'p.tool-adapters.commands' }), 'p.');
    expect(entry).toMatchObject({ tenantId: 'tenant-b', sessionId: 'session-2', consumer: 'tool-adapters.commands', messageType: 'RetryParkedToolCall' });
    expect(entry.sideEffect?.repeats).toBe(true);
  });

  it('gives the same id to the same place, another to another', () => {
    expect(deadLetterId(place)).toBe(deadLetterId({ ...place }));
    expect(deadLetterId(place)).not.toBe(deadLetterId({ ...place, offset: '42' }));
    expect(deadLetterId(place)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('whether acting on a dead letter again repeats a side effect', () => {
  const body = (type: string, data: Record<string, unknown>) => ({ kind: 'event' as const, type, tenantId: 't', correlationId: 's', data });
  it('is no for any group but tool-adapters', () => {
    expect(sideEffectOf('orchestrator', body('ApprovalGranted', { tool: 'crm__x' })).repeats).toBe(false);
  });
  it("follows the allowed call's method, and says no when the policy did not allow it or the tool is built in", () => {
    expect(sideEffectOf('tool-adapters', body('PolicyDecisionRecorded', { effect: 'allow', target: { tool: 'crm', operation: 'del', method: 'delete' } })).repeats).toBe(true);
    expect(sideEffectOf('tool-adapters', body('PolicyDecisionRecorded', { effect: 'allow', target: { tool: 'crm', operation: 'list', method: 'head' } })).repeats).toBe(false);
    expect(sideEffectOf('tool-adapters', body('PolicyDecisionRecorded', { effect: 'deny', target: { tool: 'crm', operation: 'del', method: 'delete' } })).repeats).toBe(false);
    expect(sideEffectOf('tool-adapters', body('PolicyDecisionRecorded', { effect: 'allow', tool: 'echo', target: null }))).toEqual({ repeats: false, why: 'echo is a built-in tool' });
  });
  it('is yes, saying why, when the message does not carry the method', () => {
    expect(sideEffectOf('tool-adapters', body('ApprovalGranted', { tool: 'crm__createLead' }))).toEqual({ repeats: true, why: 'runs the approved call crm__createLead; the message does not say its method' });
  });
});
