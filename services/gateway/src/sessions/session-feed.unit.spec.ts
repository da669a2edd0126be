import type { EventEnvelope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import { waitFor } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { SessionFeed } from './session-feed.js';

const position = (n: number) => `p${String(n).padStart(4, '0')}`;
const event = (n: number) => ({ streamId: 'session-s1', streamVersion: n, globalPosition: position(n), correlationId: 's1' }) as EventEnvelope;

describe('SessionFeed', () => {
  it('delivers the events appended while it looked up the end of the log for no one, to whoever subscribed meanwhile', async () => {
    const log = [1, 2, 3, 4, 5].map(event);
    let answerEnd: ((end: string) => void) | undefined;
    let lookUps = 0;
    const store = {
      // The first look-up (start) finds the log empty; the next one, made while nobody listens, is answered when the test says.
      lastPosition: async () => (lookUps++ === 0 ? position(0) : new Promise<string>((resolve) => (answerEnd = resolve))),
      readAll: async ({ after }: { after?: string }) => log.filter((e) => after === undefined || e.globalPosition > after),
    } as unknown as EventStore;
    const feed = new SessionFeed(store, pino({ level: 'silent' }), 1);
    await feed.start();
    try {
      await waitFor('the feed to look up the end of the log for no one', () => answerEnd !== undefined);
      // A socket subscribes, and its catch-up read of the stream stopped before these events; then the look-up answers past them.
      const seen: number[] = [];
      feed.subscribe('session-s1', (e) => seen.push(e.streamVersion));
      answerEnd!(position(5));
      await waitFor('the feed to deliver the five events', () => seen.length >= 5, { timeoutMs: 2000 });
      expect(seen).toEqual([1, 2, 3, 4, 5]);
    } finally {
      feed.stop();
    }
  });
});
