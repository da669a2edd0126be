import { messageHeaders, topicNames } from '@agent-orchestrator/contracts';
import type { OutgoingMessage } from '@agent-orchestrator/messaging';
import type { DeadLetterIndex, DeadLetterMessage, DeadLetterQueries } from '@agent-orchestrator/read-models';
import type { OperationItem } from '../operations/item-source.js';
import { DeadLetterSource } from './dead-letter-source.js';

const row = (id: string, overrides: Partial<DeadLetterMessage> = {}): DeadLetterMessage => ({
  id,
  source: 'dead-letter',
  tenantId: 'acme',
  consumer: 'orchestrator',
  errorCode: 'Rejected',
  reason: 'no such session',
  attempts: 1,
  sourceTopic: 'p.events.session',
  sourcePartition: 2,
  sourceOffset: '40',
  sessionId: 'session-1',
  tool: null,
  messageType: 'StepCompleted',
  firstSeen: new Date('2026-11-29T10:00:00.000Z'),
  lastSeen: new Date('2026-11-29T10:00:00.000Z'),
  status: 'pending',
  redriveCount: 0,
  discardReason: null,
  actedBy: null,
  actedAt: null,
  repeatsSideEffect: false,
  sideEffectNote: 'orchestrator runs no tool operation',
  position: '7',
  key: `key-${id}`,
  headers: {
    [messageHeaders.eventType]: 'StepCompleted',
    [messageHeaders.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    [messageHeaders.dlqReason]: 'no such session',
    [messageHeaders.dlqConsumerGroup]: 'p.orchestrator',
    [messageHeaders.redriveOf]: 'an-older-id',
  },
  value: Buffer.from(`{"id":"${id}"}`),
  ...overrides,
});

describe('the dead-letter source', () => {
  const rows = new Map<string, DeadLetterMessage>();
  const sends: OutgoingMessage[][] = [];
  const marked: string[][] = [];
  const source = new DeadLetterSource({
    queries: { messages: async (_scope: unknown, ids: readonly string[]) => ids.flatMap((id) => rows.get(id) ?? []) } as unknown as DeadLetterQueries,
    index: { markManyRedriven: async (read: readonly { id: string }[]) => (marked.push(read.map((r) => r.id)), read.map((r) => r.id)) } as unknown as DeadLetterIndex,
    producer: { send: async (messages) => void sends.push([...messages]) },
    topics: topicNames('p.'),
    maxRedrives: 2,
    now: () => new Date('2026-11-29T12:00:00.000Z'),
  });
  const item = (id: string): OperationItem => ({ itemId: id, source: 'dead-letter', tenantId: 'acme', repeatsSideEffect: false, label: id });
  const context = { operationId: 'op-1', scope: { kind: 'platform' } as const };

  beforeEach(() => {
    rows.clear();
    sends.splice(0);
    marked.splice(0);
  });

  it('redrives the items executed together in one produce, each to its source topic for the group that failed, and refuses what it may not send', async () => {
    for (const id of ['a', 'b']) rows.set(id, row(id));
    rows.set('tired', row('tired', { redriveCount: 2 }));
    rows.set('lost', row('lost', { sourceTopic: null }));
    rows.set('done', row('done', { status: 'redriven', actedBy: 'op-0' }));
    const results = await Promise.all(['a', 'b', 'tired', 'lost', 'done', 'gone'].map((id) => source.execute('redrive', item(id), context)));
    expect(results.map((result) => result.outcome)).toEqual(['succeeded', 'succeeded', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(results[2]!.detail).toContain('redriven 2 times already: the limit is 2');
    expect(results[4]!.detail).toBe('already redriven by operation op-0');
    expect(results[5]!.detail).toBe('no such dead letter in scope');
    expect(sends).toHaveLength(1);
    expect(marked).toEqual([['a', 'b']]);
    expect(sends[0]).toEqual(
      ['a', 'b'].map((id) => ({
        topic: 'p.events.session',
        key: `key-${id}`,
        value: Buffer.from(`{"id":"${id}"}`),
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        headers: {
          [messageHeaders.eventType]: 'StepCompleted',
          [messageHeaders.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          [messageHeaders.redriveGroup]: 'p.orchestrator',
          [messageHeaders.redriveOf]: id,
          [messageHeaders.redriveCount]: '1',
        },
      })),
    );
  });

  it('matches nothing for kinds it does not take part in, and skips them if asked', async () => {
    expect(await source.match('rebuild-projection', {}, { kind: 'platform' })).toEqual([]);
    rows.set('a', row('a'));
    expect(await source.execute('replay-sessions', item('a'), context)).toEqual({ outcome: 'skipped', detail: 'dead letters take no replay-sessions' });
    expect(sends).toEqual([]);
  });
});
