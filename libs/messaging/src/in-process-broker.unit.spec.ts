import { messageHeaders } from '@agent-orchestrator/contracts';
import { pino } from 'pino';
import { z } from 'zod';
import { jsonDecoder } from './codec.js';
import type { ConsumeOptions } from './broker.js';
import { MessagingError } from './errors.js';
import { InProcessBroker } from './in-process-broker.js';

const silent = pino({ level: 'silent' });
const decode = jsonDecoder(z.strictObject({ n: z.number() }));

/** Resolves once `check` holds, looking every few milliseconds, or fails after a second. */
async function until(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 1000; !check(); ) {
    if (Date.now() > deadline) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('the in-process transport', () => {
  let broker: InProcessBroker;
  const dead: { key: string; reason: string; code: string; group: string }[] = [];
  const options = (groupId: string, handle: ConsumeOptions<{ n: number }>['handle']): ConsumeOptions<{ n: number }> => ({
    groupId,
    topics: ['jobs'],
    decode,
    handle,
    deadLetters: { producer: broker.producer, topic: `dlq.${groupId}` },
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 2 },
    logger: silent,
  });
  const send = (key: string, n: number | string) => broker.producer.send([{ topic: 'jobs', key, value: typeof n === 'number' ? JSON.stringify({ n }) : n }]);

  beforeEach(async () => {
    broker = new InProcessBroker(silent);
    dead.splice(0);
    await broker.ensureTopics([{ name: 'jobs', partitions: 4 }]);
    await broker.consume({
      groupId: 'dlq-reader',
      topics: ['dlq.a', 'dlq.b'],
      decode: (message) => ({
        key: message.key!.toString(),
        reason: message.headers![messageHeaders.dlqReason]!.toString(),
        code: message.headers![messageHeaders.dlqErrorCode]!.toString(),
        group: message.headers![messageHeaders.dlqConsumerGroup]!.toString(),
      }),
      handle: async ({ value }) => void dead.push(value),
      deadLetters: { producer: broker.producer, topic: 'dlq.nowhere' },
      logger: silent,
    });
  });
  afterEach(() => broker.close());

  it("keeps each key's messages in order and gives every group every message once", async () => {
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (const group of ['a', 'b'] as const) await broker.consume(options(group, async ({ key, value }) => void seen[group]!.push(`${key}:${value.n}`)));
    for (let n = 0; n < 50; n++) await send(`k${n % 5}`, n);
    await until(() => seen.a!.length === 50 && seen.b!.length === 50);
    for (const group of ['a', 'b']) {
      for (let k = 0; k < 5; k++) {
        const ofKey = seen[group]!.filter((entry) => entry.startsWith(`k${k}:`)).map((entry) => Number(entry.split(':')[1]));
        expect(ofKey).toEqual([...ofKey].sort((x, y) => x - y));
        expect(ofKey).toHaveLength(10);
      }
    }
    await expect(broker.consume(options('a', async () => undefined))).rejects.toThrow(/already has a member/);
  });

  it('hands a message out again while its handler fails, then dead-letters it with the reason', async () => {
    const attempts = new Map<number, number>();
    await broker.consume(
      options('a', async ({ value }) => {
        attempts.set(value.n, (attempts.get(value.n) ?? 0) + 1);
        if (value.n === 1 && attempts.get(1)! < 3) throw new Error('database blinked');
        if (value.n === 2) throw new Error('always down');
        if (value.n === 3) throw new MessagingError('Rejected', 'not for us');
      }),
    );
    for (const n of [1, 2, 3]) await send('same-key', n);
    await send('same-key', 'not json');
    await until(() => dead.length === 3);
    expect(attempts).toEqual(new Map([[1, 3], [2, 4], [3, 1]]));
    expect(dead).toEqual([
      { key: 'same-key', reason: expect.stringContaining('always down'), code: expect.any(String), group: 'a' },
      { key: 'same-key', reason: expect.stringContaining('not for us'), code: 'Rejected', group: 'a' },
      { key: 'same-key', reason: expect.stringContaining('not JSON'), code: 'InvalidMessage', group: 'a' },
    ]);
  });

  it('gives a redriven message to the group it names alone, and its next dead letter keeps what it was redriven from', async () => {
    const seen: Record<string, number[]> = { a: [], b: [] };
    const redriveHeaders = { [messageHeaders.redriveGroup]: 'a', [messageHeaders.redriveOf]: 'dl-7', [messageHeaders.redriveCount]: '1' };
    await broker.consume(options('a', async ({ value }) => {
      seen.a!.push(value.n);
      if (value.n === 2) throw new MessagingError('Rejected', 'still wrong');
    }));
    await broker.consume(options('b', async ({ value }) => void seen.b!.push(value.n)));
    await broker.producer.send([{ topic: 'jobs', key: 'k', value: JSON.stringify({ n: 1 }), headers: redriveHeaders }]);
    await broker.producer.send([{ topic: 'jobs', key: 'k', value: JSON.stringify({ n: 2 }), headers: redriveHeaders }]);
    await send('k', 3);
    await until(() => seen.a!.length === 3 && seen.b!.length === 1 && dead.length === 1);
    expect(seen).toEqual({ a: [1, 2, 3], b: [3] });
    expect(dead).toEqual([{ key: 'k', reason: 'still wrong', code: 'Rejected', group: 'a' }]);
    const kept: (string | undefined)[][] = [];
    await broker.consume({
      ...options('redriven-reader', async ({ headers }) => void kept.push([messageHeaders.redriveOf, messageHeaders.redriveCount].map((name) => headers[name]?.toString()))),
      topics: ['dlq.a'],
    });
    await until(() => kept.length === 1);
    expect(kept).toEqual([['dl-7', '1']]);
  });

  it("resumes a group where it stopped: a restarted consumer gets only what came after", async () => {
    const seen: number[] = [];
    const first = await broker.consume(options('a', async ({ value }) => void seen.push(value.n)));
    await send('k', 1);
    await until(() => seen.length === 1);
    await first.stop();
    await send('k', 2);
    await broker.consume(options('a', async ({ value }) => void seen.push(value.n)));
    await until(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps a relay position only once every group, started or stopped, has handled all published before it', async () => {
    const saved: string[] = [];
    const checkpoints = broker.settledCheckpoints({ load: async () => saved.at(-1), save: async (_, position) => void saved.push(position) });
    const release = new Map<number, () => void>();
    await broker.consume(options('fast', async () => undefined));
    await broker.consume(options('slow', ({ value }) => new Promise<void>((resolve) => release.set(value.n, resolve))));
    const late = await broker.consume(options('late', async () => undefined));
    await late.stop();
    await send('k', 1);
    await checkpoints.save('relay', 'p1');
    await send('k', 2);
    await checkpoints.save('relay', 'p2');
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

    // A group yet to start has handled nothing: until the process says every group started, nothing is kept.
    await until(() => release.has(1));
    release.get(1)!();
    await until(() => release.has(2));
    const lateAgain = await broker.consume(options('late', async () => undefined));
    await settle();
    expect(saved).toEqual([]);
    broker.allGroupsStarted();
    await until(() => saved.length === 1);
    expect(saved).toEqual(['p1']);

    // p2 waits for the slow group to handle message 2.
    await settle();
    expect(saved).toEqual(['p1']);
    release.get(2)!();
    await until(() => saved.length === 2);

    // A stopped group still has to handle what it has not: p3 waits for it to come back.
    await lateAgain.stop();
    await send('k', 3);
    await checkpoints.save('relay', 'p3');
    await until(() => release.has(3));
    release.get(3)!();
    await settle();
    expect(saved).toEqual(['p1', 'p2']);
    await broker.consume(options('late', async () => undefined));
    await until(() => saved.length === 3);
    expect(await checkpoints.load('relay')).toBe('p3');
  });

  it('lets go of what every group has handled once all have started; a group that joins later starts after it, as under Kafka retention', async () => {
    const seen = { a: 0, b: 0, newcomer: 0 };
    await broker.consume(options('a', async () => void seen.a++));
    await broker.consume(options('b', async () => void seen.b++));
    broker.allGroupsStarted();
    // One key: one partition, 1,500 messages; the first 1,000 go once both groups handled them.
    for (let n = 0; n < 1500; n++) await send('k', n);
    await until(() => seen.a === 1500 && seen.b === 1500);
    const offsets: string[] = [];
    await broker.consume(options('newcomer', async ({ offset }) => void (seen.newcomer++, offsets.push(offset))));
    await until(() => seen.newcomer === 500);
    expect(offsets[0]).toBe('1000');
    // Offsets go on from where they were.
    await send('k', 1500);
    await until(() => seen.newcomer === 501 && seen.a === 1501);
    expect(offsets.at(-1)).toBe('1500');
  });
});
