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

  it('acts on a large batch in chunks, reading the next and marking the last while one is produced; a failed produce fails its chunk and the rest, unsent', async () => {
    const steps: string[] = [];
    let failOn = -1;
    const chunked = new DeadLetterSource({
      queries: {
        messages: async (_scope: unknown, ids: readonly string[]) => {
          steps.push(`read ${ids[0]}`);
          return ids.flatMap((id) => rows.get(id) ?? []);
        },
      } as unknown as DeadLetterQueries,
      index: {
        markManyRedriven: async (read: readonly { id: string }[]) => {
          steps.push(`mark ${read[0]!.id}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          steps.push(`marked ${read[0]!.id}`);
          return read.map((r) => r.id);
        },
      } as unknown as DeadLetterIndex,
      producer: {
        send: async (messages) => {
          steps.push(`send ${messages[0]!.headers![messageHeaders.redriveOf]}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (steps.filter((step) => step.startsWith('send')).length === failOn) throw new Error('the broker is gone');
          sends.push([...messages]);
        },
      },
      topics: topicNames('p.'),
      maxRedrives: 2,
    });
    const ids = Array.from({ length: 600 }, (_, n) => `m${n}`);
    for (const id of ids) rows.set(id, row(id));

    const results = await chunked.executeBatch('redrive', ids.map(item), context);
    expect(results.map((result) => result.outcome)).toEqual(ids.map(() => 'succeeded'));
    expect(sends.map((sent) => sent.length)).toEqual([250, 250, 100]);
    expect(sends.flat().map((message) => message.headers![messageHeaders.redriveOf])).toEqual(ids);
    // The second chunk is read while the first is produced, and the first marked while the second is.
    expect(steps.slice(0, 6)).toEqual(['read m0', 'read m250', 'send m0', 'mark m0', 'read m500', 'send m250']);
    expect(steps.indexOf('marked m0')).toBeGreaterThan(steps.indexOf('send m250'));

    steps.splice(0);
    sends.splice(0);
    failOn = 2;
    const failed = await chunked.executeBatch('redrive', ids.map(item), context);
    expect(failed.slice(0, 250).every((result) => result.outcome === 'succeeded')).toBe(true);
    expect(failed.slice(250)).toEqual(ids.slice(250).map(() => ({ outcome: 'failed', detail: 'not sent: the broker is gone' })));
    expect(sends.map((sent) => sent.length)).toEqual([250]);
    expect(steps.filter((step) => step.startsWith('mark '))).toEqual(['mark m0']);
  });

  it('matches nothing for kinds it does not take part in, and skips them if asked', async () => {
    expect(await source.match('rebuild-projection', {}, { kind: 'platform' })).toEqual([]);
    rows.set('a', row('a'));
    expect(await source.execute('replay-sessions', item('a'), context)).toEqual({ outcome: 'skipped', detail: 'dead letters take no replay-sessions' });
    expect(sends).toEqual([]);
  });
});
