import type { EventEnvelope, GlobalPosition } from '@agent-orchestrator/contracts';
import { planRequested, waitFor } from '@agent-orchestrator/testing';
import type { CheckpointStore, ReadAllOptions, Subscription } from './port.js';
import { AppendSignal, sharedReads, startCatchUpSubscription, type CatchUpSource } from './subscription.js';

/** Longer than any test runs: a subscription that delivers in time was woken, not polled. */
const pollIntervalMs = 60 * 60_000;

const positionOf = (n: number): GlobalPosition => `${String(n).padStart(20, '0')}-${String(n).padStart(20, '0')}`;

/** An in-memory log whose readers see only the events up to `visible`, as a store's readAll may. */
class InMemoryLog implements CatchUpSource {
  readonly appended = new AppendSignal();
  readonly pollIntervalMs = pollIntervalMs;
  readonly events: EventEnvelope[] = [];
  visible = 0;
  reads = 0;
  /** When set, the next read waits for it before answering with what was visible when it began. */
  holdNextRead?: Promise<void>;

  async readAll({ after, maxCount }: ReadAllOptions): Promise<EventEnvelope[]> {
    this.reads++;
    const page = this.events.slice(0, this.visible).filter((e) => after === undefined || e.globalPosition > after);
    const held = this.holdNextRead;
    this.holdNextRead = undefined;
    await held;
    return page.slice(0, maxCount);
  }

  add(visible: boolean): EventEnvelope {
    const n = this.events.length + 1;
    const event = { ...planRequested(), streamId: `session-${n}`, streamVersion: 0, globalPosition: positionOf(n) } as EventEnvelope;
    this.events.push(event);
    if (visible) this.visible = this.events.length;
    return event;
  }
}

const memoryCheckpoints = (): CheckpointStore & { saved: GlobalPosition[] } => {
  const saved: GlobalPosition[] = [];
  return { saved, load: async () => saved.at(-1), save: async (_, position) => void saved.push(position) };
};

describe('the catch-up subscription', () => {
  const running: Subscription[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  const follow = (log: InMemoryLog, options: { checkpoints?: CheckpointStore; tenantId?: string } = {}) => {
    const seen: string[] = [];
    const subscription = startCatchUpSubscription(log, {
      subscriptionId: 'spec',
      checkpoints: options.checkpoints ?? memoryCheckpoints(),
      tenantId: options.tenantId,
      handle: async (events) => void seen.push(...events.map((e) => e.eventId)),
    });
    running.push(subscription);
    return { seen, subscription };
  };

  it('reads again at once for an append signalled while it was reading', async () => {
    const log = new InMemoryLog();
    let answer = () => {};
    log.holdNextRead = new Promise<void>((resolve) => (answer = resolve));
    const { seen, subscription } = follow(log);
    await waitFor('the first read to begin', () => log.reads === 1);

    const event = log.add(true);
    log.appended.notify(event.globalPosition);
    answer(); // the first read answers with the log as it was: empty

    await subscription.waitFor(event.globalPosition, 10_000);
    expect(seen).toEqual([event.eventId]);
  });

  it('keeps reading after an append it was told of but cannot see yet, and delivers it once visible', async () => {
    const log = new InMemoryLog();
    const first = log.add(true);
    const { seen, subscription } = follow(log);
    await subscription.waitFor(first.globalPosition, 10_000);

    const held = log.add(false);
    const readsBefore = log.reads;
    log.appended.notify(held.globalPosition);
    // One signal, yet the subscription reads again and again: it knows it has not seen that append.
    await waitFor('several reads after the one signal', () => log.reads >= readsBefore + 3);
    expect(seen).toEqual([first.eventId]);

    log.visible = log.events.length;
    await subscription.waitFor(held.globalPosition, 10_000);
    expect(seen).toEqual([first.eventId, held.eventId]);
  });

  it('handles the next page while the last checkpoint is being saved, one save at a time and in order', async () => {
    const log = new InMemoryLog();
    const saves: { position: GlobalPosition; done: () => void }[] = [];
    const checkpoints: CheckpointStore = {
      load: async () => undefined,
      save: (_, position) => new Promise<void>((resolve) => saves.push({ position, done: resolve })),
    };
    const first = log.add(true);
    const { seen, subscription } = follow(log, { checkpoints });
    await waitFor('the first save to begin', () => saves.length === 1);

    const second = log.add(true);
    log.appended.notify(second.globalPosition);
    await waitFor('the second page to be handled', () => seen.length === 2);
    expect(saves.map((s) => s.position)).toEqual([first.globalPosition]);
    expect(subscription.position()).toBeUndefined();

    saves[0]!.done();
    await waitFor('the second save to begin', () => saves.length === 2);
    expect(subscription.position()).toBe(first.globalPosition);
    saves[1]!.done();
    await subscription.waitFor(second.globalPosition, 10_000);
    expect(saves.map((s) => s.position)).toEqual([first.globalPosition, second.globalPosition]);
  });

  it('finishes the checkpoint being saved before it stops', async () => {
    const log = new InMemoryLog();
    const checkpoints = memoryCheckpoints();
    let finish: (() => void) | undefined;
    const slow: CheckpointStore = {
      load: checkpoints.load,
      save: (id, position) => new Promise<void>((resolve) => (finish = () => void checkpoints.save(id, position).then(resolve))),
    };
    const event = log.add(true);
    follow(log, { checkpoints: slow });
    await waitFor('the save to begin', () => finish !== undefined);

    const stopped = running.pop()!.stop();
    finish!();
    await stopped;
    expect(checkpoints.saved).toEqual([event.globalPosition]);
  });

  it('shares a read among subscriptions asking for the same page, but not across a signalled append', async () => {
    const log = new InMemoryLog();
    const read = sharedReads((options) => log.readAll(options), log.appended);
    const first = log.add(true);
    const [a, b, other] = await Promise.all([read({ maxCount: 10 }), read({ maxCount: 10 }), read({ maxCount: 10, after: first.globalPosition })]);
    expect(log.reads).toBe(2);
    expect(a).toBe(b);
    expect(other).toEqual([]);

    let answer = () => {};
    log.holdNextRead = new Promise<void>((resolve) => (answer = resolve));
    const before = read({ maxCount: 10 });
    const second = log.add(true);
    log.appended.notify(second.globalPosition);
    const after = read({ maxCount: 10 });
    answer();
    expect((await before).map((e) => e.eventId)).toEqual([first.eventId]);
    expect((await after).map((e) => e.eventId)).toEqual([first.eventId, second.eventId]);
    expect(log.reads).toBe(4);
  });
});
