import { followLive, type LiveConnector, type LiveMessage, type LiveSocket } from './live.js';

/** A socket the spec drives: what the server would send, then how it closes. */
class FakeSocket implements LiveSocket {
  onopen: LiveSocket['onopen'] = null;
  onmessage: LiveSocket['onmessage'] = null;
  onclose: LiveSocket['onclose'] = null;
  onerror: LiveSocket['onerror'] = null;
  closedByClient: number | undefined;

  constructor(readonly url: string) {}

  open() {
    this.onopen?.({});
  }
  send(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.onclose?.({ code, reason: '' });
  }
  close(code?: number) {
    this.closedByClient = code;
    this.onclose?.({ code: code ?? 1005, reason: '' });
  }
}

const envelope = (streamVersion: number, type = 'StepCompleted') => ({ type, streamVersion, streamId: 'session-s1', data: {} });
const event = (streamVersion: number, type?: string) => ({ event: envelope(streamVersion, type) });

/** A connector whose nth connection plays `scripts[n]` once the client listens. */
function connector(scripts: ((socket: FakeSocket) => void)[], assertFollowable: () => Promise<void> = async () => {}) {
  const sockets: FakeSocket[] = [];
  let tickets = 0;
  const connect: LiveConnector = {
    ticket: async () => `ticket-${++tickets}`,
    url: (sessionId, fromVersion, ticket) => `ws://gateway/v1/sessions/${sessionId}/live?ticket=${ticket}&fromVersion=${fromVersion}`,
    open(url) {
      const socket = new FakeSocket(url);
      const script = scripts[sockets.length];
      sockets.push(socket);
      setImmediate(() => script?.(socket));
      return socket;
    },
    assertFollowable,
  };
  return { connect, sockets };
}

async function collect(messages: AsyncIterable<LiveMessage>): Promise<LiveMessage[]> {
  const all: LiveMessage[] = [];
  for await (const message of messages) all.push(message);
  return all;
}

const versions = (messages: LiveMessage[]) => messages.flatMap((message) => (message.kind === 'event' ? [message.event.streamVersion] : []));
const fast = { backoff: () => 1 };

describe('the live stream', () => {
  it('resumes after a drop from the last version + 1 with a fresh ticket, yielding each event once', async () => {
    const { connect, sockets } = connector([
      (s) => (s.open(), s.send(event(0)), s.send(event(1)), s.drop()),
      // The server starts again from fromVersion; a resend of an older one is skipped.
      (s) => (s.open(), s.send(event(1)), s.send(event(2)), s.send({ approval: envelope(0, 'ApprovalRequested') }), s.send(event(3, 'SessionCompleted')), s.drop(1000)),
    ]);
    const reconnects: unknown[] = [];
    const messages = await collect(followLive('s1', connect, { ...fast, onReconnect: (r) => reconnects.push(r) }));
    expect(versions(messages)).toEqual([0, 1, 2, 3]);
    expect(messages.filter((m) => m.kind === 'approval')).toHaveLength(1);
    expect(sockets.map((s) => s.url)).toEqual(['ws://gateway/v1/sessions/s1/live?ticket=ticket-1&fromVersion=0', 'ws://gateway/v1/sessions/s1/live?ticket=ticket-2&fromVersion=2']);
    expect(reconnects).toEqual([{ fromVersion: 2, failures: 1, closeCode: 1006 }]);
  });

  it('ends when the server closes with 1000, and starts from the version asked', async () => {
    const { connect, sockets } = connector([(s) => (s.open(), s.send(event(5)), s.drop(1000))]);
    expect(versions(await collect(followLive('s1', connect, { fromVersion: 5 })))).toEqual([5]);
    expect(sockets[0]!.url).toContain('fromVersion=5');
  });

  it('fails on a gap rather than hide a lost event', async () => {
    const { connect } = connector([(s) => (s.open(), s.send(event(0)), s.send(event(2)))]);
    await expect(collect(followLive('s1', connect))).rejects.toThrow('skipped from version 1 to 2; follow it again with fromVersion: 1');
  });

  it('gives up after maxFailures connections in a row that deliver nothing', async () => {
    const dropAtOnce = (s: FakeSocket) => (s.open(), s.drop(1011));
    const { connect, sockets } = connector([dropAtOnce, dropAtOnce, dropAtOnce, dropAtOnce]);
    await expect(collect(followLive('s1', connect, { ...fast, maxFailures: 2 }))).rejects.toThrow('failed 2 times in a row (last close code 1011)');
    expect(sockets).toHaveLength(3);
  });

  it('asks why when a connection is refused before it opens, and throws that answer', async () => {
    const notFound = new Error('404 Not found');
    const { connect } = connector([(s) => s.drop(1006)], async () => Promise.reject(notFound));
    await expect(collect(followLive('s1', connect, fast))).rejects.toBe(notFound);
  });

  it('stops when the signal aborts, closing the socket', async () => {
    const controller = new AbortController();
    const { connect, sockets } = connector([(s) => (s.open(), s.send(event(0)))]);
    const seen: number[] = [];
    const following = (async () => {
      for await (const message of followLive('s1', connect, { signal: controller.signal })) {
        seen.push(versions([message])[0]!);
        controller.abort(new Error('the user left'));
      }
    })();
    await expect(following).rejects.toThrow('the user left');
    expect(seen).toEqual([0]);
    expect(sockets[0]!.closedByClient).toBe(1000);
  });

  it('closes the socket when the caller stops early', async () => {
    const { connect, sockets } = connector([(s) => (s.open(), s.send(event(0)), s.send(event(1)))]);
    for await (const message of followLive('s1', connect)) if (message.kind === 'event') break;
    expect(sockets[0]!.closedByClient).toBe(1000);
  });
});
