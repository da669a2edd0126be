import { createHash, randomUUID } from 'node:crypto';
import { comparePositions, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { planRequested, planRequestedBatch, uniqueStream, waitFor } from '@agent-orchestrator/testing';
import { isEventStoreError, type EventStoreErrorCode } from './errors.js';
import { canonicalContent, chainHash } from './hash-chain.js';
import type { EventStore } from './port.js';

/**
 * The behaviour every EventStore adapter must show. Each adapter's spec calls this with a factory
 * for a fresh, empty store (its own schema, namespace or prefix).
 */
export function describeEventStoreBehaviour(adapter: string, openStore: () => Promise<{ store: EventStore; dispose: () => Promise<void> }>): void {
  describe(`EventStore behaviour: ${adapter}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, dispose } = await openStore());
    });
    afterAll(async () => {
      await store.close();
      await dispose();
    });

    const rejection = async (attempt: Promise<unknown>, code: EventStoreErrorCode) => {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEventStoreError(error, code) ? code : error).toBe(code);
      return error as Error & { details: { actualVersion?: number } };
    };
    const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
      const out: T[] = [];
      for await (const item of items) out.push(item);
      return out;
    };

    describe('attachments', () => {
      it('stores a payload larger than an event once by its content, for its tenant only, and hands it back whole', async () => {
        // 3 MiB of varied bytes: several chunks wherever the adapter splits them.
        const content = Buffer.alloc(3 * 1024 * 1024 + 17);
        for (let index = 0; index < content.length; index++) content[index] = (index * 7919) % 251;
        const tenant = `t${randomUUID().slice(0, 8)}`;
        const ref = await store.putAttachment(tenant, content);
        expect(ref).toEqual({ sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length });
        await expect(store.putAttachment(tenant, content)).resolves.toEqual(ref);
        expect(Buffer.from((await store.getAttachment(tenant, ref))!).equals(content)).toBe(true);
        await expect(store.getAttachment(`${tenant}x`, ref)).resolves.toBeUndefined();
        const empty = await store.putAttachment(tenant, new Uint8Array());
        expect(Buffer.from((await store.getAttachment(tenant, empty))!).length).toBe(0);
      });

      it('refuses to hand back content that does not match the reference it is asked by', async () => {
        const tenant = `t${randomUUID().slice(0, 8)}`;
        const ref = await store.putAttachment(tenant, Buffer.from('the real content'));
        await rejection(store.getAttachment(tenant, { ...ref, bytes: ref.bytes + 1 }), 'Unavailable');
      });
    });

    describe('append and read a stream', () => {
      it('creates a stream at versions 0..n-1 and reads back every envelope field', async () => {
        const stream = uniqueStream();
        const events = planRequestedBatch(3, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', causationId: 'cmd-1' });
        const result = await store.append(stream, events, { expectedVersion: 'no_stream' });
        expect(result).toMatchObject({ streamId: stream, nextExpectedVersion: 2, alreadyAppended: false });

        const read = await store.readStream(stream);
        expect(read.map((e) => e.streamVersion)).toEqual([0, 1, 2]);
        read.forEach((envelope, i) => expect(envelope).toEqual({ ...events[i], streamId: stream, streamVersion: i, globalPosition: expect.any(String) }));
        expect(read[2]!.globalPosition).toBe(result.position);
        expect([...read.map((e) => e.globalPosition)].sort(comparePositions)).toEqual(read.map((e) => e.globalPosition));
      });

      it('appends at an exact expected version and refuses a stale one, writing nothing', async () => {
        const stream = uniqueStream();
        await store.append(stream, [planRequested()], { expectedVersion: 'no_stream' });
        await store.append(stream, [planRequested()], { expectedVersion: 0 });
        const error = await rejection(store.append(stream, [planRequested()], { expectedVersion: 0 }), 'WrongExpectedVersion');
        expect(error.details.actualVersion).toBe(1);
        expect(error.message).toContain('version 1');
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses no_stream on an existing stream and stream_exists or a version on a missing one', async () => {
        const stream = uniqueStream();
        await store.append(stream, [planRequested()]);
        expect((await rejection(store.append(stream, [planRequested()], { expectedVersion: 'no_stream' }), 'WrongExpectedVersion')).details.actualVersion).toBe(0);
        const missing = uniqueStream();
        expect((await rejection(store.append(missing, [planRequested()], { expectedVersion: 'stream_exists' }), 'WrongExpectedVersion')).details.actualVersion).toBe(-1);
        await rejection(store.append(missing, [planRequested()], { expectedVersion: 3 }), 'WrongExpectedVersion');
        expect(await store.readStream(missing)).toEqual([]);
        await store.append(stream, [planRequested()], { expectedVersion: 'stream_exists' });
      });

      it('lets exactly one of many concurrent writers at the same expected version win', async () => {
        const stream = uniqueStream();
        await store.append(stream, [planRequested()]);
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.append(stream, [planRequested()], { expectedVersion: 0 })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        outcomes
          .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
          .forEach((o) => expect(isEventStoreError(o.reason, 'WrongExpectedVersion')).toBe(true));
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('creates a stream once when many writers race with no_stream', async () => {
        const stream = uniqueStream();
        const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => store.append(stream, [planRequested()], { expectedVersion: 'no_stream' })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('treats appending the same event ids again as done, even with a stale expected version', async () => {
        const stream = uniqueStream();
        const events = planRequestedBatch(2);
        const first = await store.append(stream, events, { expectedVersion: 'no_stream' });
        await store.append(stream, [planRequested()]);
        const again = await store.append(stream, events, { expectedVersion: 'no_stream' });
        expect(again).toEqual({ ...first, alreadyAppended: true });
        expect(await store.append(stream, events)).toEqual({ ...first, alreadyAppended: true });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('stores a batch once when the same append races itself', async () => {
        const stream = uniqueStream();
        const events = planRequestedBatch(3);
        const outcomes = await Promise.all(Array.from({ length: 4 }, () => store.append(stream, events)));
        expect(outcomes.filter((o) => !o.alreadyAppended)).toHaveLength(1);
        expect(new Set(outcomes.map((o) => o.position)).size).toBe(1);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('refuses an event id stored in another stream, and a batch only partly stored, writing nothing', async () => {
        const [a, b] = [uniqueStream(), uniqueStream()];
        const event = planRequested();
        await store.append(a, [event]);
        await rejection(store.append(b, [event]), 'DuplicateEventId');
        await rejection(store.append(a, [event, planRequested()]), 'DuplicateEventId');
        expect(await store.readStream(b)).toEqual([]);
        expect(await store.readStream(a)).toHaveLength(1);
      });

      it('refuses an event that fails its schema with the schema message, writing nothing', async () => {
        const stream = uniqueStream();
        const bad = planRequested({ data: { planner: 'Planner', attempt: 'first' } });
        const error = await rejection(store.append(stream, [planRequested(), bad]), 'InvalidEvent');
        expect(error.message).toMatch(/event 1 .*PlanRequested v1 data:.*attempt/s);
        await rejection(store.append(stream, [{ ...planRequested(), colour: 'red' } as NewEvent]), 'InvalidEvent');
        await rejection(store.append(stream, [planRequested({ type: 'NoSuchThing' })]), 'InvalidEvent');
        await rejection(store.append(stream, []), 'InvalidEvent');
        await rejection(store.append('not a stream', [planRequested()]), 'InvalidEvent');
        const huge = planRequested({ type: 'SessionStarted', schemaVersion: 1, data: { goal: 'g', context: { blob: 'x'.repeat(600 * 1024) } } });
        expect((await rejection(store.append(stream, [huge]), 'InvalidEvent')).message).toMatch(/is \d+ bytes; the limit is 524288/);
        const twice = planRequested();
        await rejection(store.append(stream, [twice, twice]), 'InvalidEvent');
        expect(await store.readStream(stream)).toEqual([]);
      });

      it("refuses events of another tenant on a tenant's stream", async () => {
        const stream = uniqueStream();
        await store.append(stream, [planRequested({ tenantId: 'acme' })]);
        await rejection(store.append(stream, [planRequested({ tenantId: 'globex' })]), 'TenantMismatch');
        await rejection(store.append(uniqueStream(), [planRequested({ tenantId: 'acme' }), planRequested({ tenantId: 'globex' })]), 'InvalidEvent');
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('reads backwards and in pages, and streams a whole stream page by page', async () => {
        const stream = uniqueStream();
        await store.append(stream, planRequestedBatch(25));
        expect((await store.readStream(stream, { direction: 'backwards', maxCount: 3 })).map((e) => e.streamVersion)).toEqual([24, 23, 22]);
        expect((await store.readStream(stream, { direction: 'backwards', fromVersion: 5, maxCount: 10 })).map((e) => e.streamVersion)).toEqual([5, 4, 3, 2, 1, 0]);
        expect((await store.readStream(stream, { fromVersion: 20, maxCount: 2 })).map((e) => e.streamVersion)).toEqual([20, 21]);
        const all = await collect(store.streamEvents(stream, { pageSize: 4 }));
        expect(all.map((e) => e.streamVersion)).toEqual(Array.from({ length: 25 }, (_, i) => i));
        const tail = await collect(store.streamEvents(stream, { direction: 'backwards', pageSize: 4, maxCount: 6 }));
        expect(tail.map((e) => e.streamVersion)).toEqual([24, 23, 22, 21, 20, 19]);
      });

      it('upcasts old schema versions on read', async () => {
        const stream = uniqueStream();
        await store.append(stream, [
          planRequested({ type: 'SessionStarted', schemaVersion: 1, data: { goal: 'Reconcile ledgers' } }),
        ]);
        const [started] = await store.readStream(stream);
        expect(started).toMatchObject({ schemaVersion: 3, data: { goal: 'Reconcile ledgers', context: {}, constraints: {}, agentVersions: {}, toolVersions: {} } });
      });
    });

    describe('the global log', () => {
      const tenant = `t${randomUUID().slice(0, 8)}`;
      const other = `o${randomUUID().slice(0, 8)}`;

      it('reads every event in one total order that keeps each stream in version order', async () => {
        const start = await lastPosition(store);
        const streams = Array.from({ length: 5 }, () => uniqueStream());
        const ends = await Promise.all(streams.map(async (stream) => {
          let end = '';
          for (let i = 0; i < 4; i++) end = (await store.append(stream, planRequestedBatch(2, { tenantId: tenant }))).position;
          return end;
        }));
        await untilVisible(store, [...ends].sort(comparePositions).at(-1)!);
        const all = (await collect(store.streamAll({ after: start, pageSize: 7 }))).filter((e) => e.tenantId === tenant);
        expect(all).toHaveLength(40);
        expectEachStreamInOrder(all);
        expect(all.map((e) => e.globalPosition)).toEqual([...all.map((e) => e.globalPosition)].sort(comparePositions));
      });

      it('knows where the log ends, overall and per tenant', async () => {
        const mine = `l${randomUUID().slice(0, 8)}`;
        expect(await store.lastPosition({ tenantId: mine })).toBeUndefined();
        const result = await store.append(uniqueStream(), planRequestedBatch(2, { tenantId: mine }));
        await untilVisible(store, (await store.append(uniqueStream(), planRequestedBatch(1, { tenantId: other }))).position);
        expect(await store.lastPosition({ tenantId: mine })).toBe(result.position);
        expect(await store.lastPosition()).toBe(await lastPosition(store));
      });

      it("filters by tenant and never returns another tenant's events", async () => {
        const start = await lastPosition(store);
        const only = `f${randomUUID().slice(0, 8)}`;
        await store.append(uniqueStream(), planRequestedBatch(3, { tenantId: only }));
        await untilVisible(store, (await store.append(uniqueStream(), planRequestedBatch(2, { tenantId: tenant }))).position);
        const read = await store.readAll({ after: start, tenantId: only });
        expect(read.map((e) => e.tenantId)).toEqual([only, only, only]);
      });
    });

    describe('catch-up subscriptions', () => {
      it('delivers every event once in order, checkpoints, and resumes after a restart without redelivery', async () => {
        const tenantId = `s${randomUUID().slice(0, 8)}`;
        const stream = uniqueStream();
        await store.append(stream, planRequestedBatch(5, { tenantId }));
        const seen: EventEnvelope[] = [];
        const id = `sub-${randomUUID()}`;
        let subscription = store.subscribeToAll({ subscriptionId: id, tenantId, batchSize: 2, handle: async (events) => void seen.push(...events) });
        const more = await store.append(stream, planRequestedBatch(3, { tenantId }));
        await subscription.waitFor(more.position);
        await subscription.stop();
        expect(seen.map((e) => e.streamVersion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

        const after = await store.append(stream, planRequestedBatch(2, { tenantId }));
        subscription = store.subscribeToAll({ subscriptionId: id, tenantId, handle: async (events) => void seen.push(...events) });
        await subscription.waitFor(after.position);
        await subscription.stop();
        expect(seen.map((e) => e.streamVersion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        // Restarted with nothing new: waiting for a position its checkpoint already passed returns.
        subscription = store.subscribeToAll({ subscriptionId: id, tenantId, handle: async (events) => void seen.push(...events) });
        await subscription.waitFor(more.position, 5_000);
        await subscription.stop();
        expect(seen).toHaveLength(10);
      });

      it('redelivers a batch whose handler failed and never skips it', async () => {
        const tenantId = `f${randomUUID().slice(0, 8)}`;
        const stream = uniqueStream();
        const result = await store.append(stream, planRequestedBatch(3, { tenantId }));
        const handled: number[] = [];
        const errors: unknown[] = [];
        let failures = 2;
        const subscription = store.subscribeToAll({
          subscriptionId: `sub-${randomUUID()}`,
          tenantId,
          onError: (error) => errors.push(error),
          handle: async (events) => {
            if (failures-- > 0) throw new TypeError('projection table is locked');
            handled.push(...events.map((e) => e.streamVersion));
          },
        });
        await subscription.waitFor(result.position);
        await subscription.stop();
        expect(errors).toHaveLength(2);
        expect(handled).toEqual([0, 1, 2]);
      });

      it('sees every event of many concurrent writers exactly once, each stream in order', async () => {
        const tenantId = `c${randomUUID().slice(0, 8)}`;
        const seen: EventEnvelope[] = [];
        const subscription = store.subscribeToAll({ subscriptionId: `sub-${randomUUID()}`, tenantId, batchSize: 50, handle: async (e) => void seen.push(...e) });
        const streams = Array.from({ length: 10 }, () => uniqueStream());
        const batchSizes = Array.from({ length: 10 }, (_, i) => 1 + (i % 3));
        await Promise.all(
          streams.map(async (stream) => {
            for (const size of batchSizes) await store.append(stream, planRequestedBatch(size, { tenantId }));
          }),
        );
        const expected = streams.length * batchSizes.reduce((a, b) => a + b, 0);
        await waitFor('every event delivered', () => seen.length >= expected);
        await subscription.stop();
        expect(seen).toHaveLength(expected);
        expect(new Set(seen.map((e) => e.eventId)).size).toBe(expected);
        expectEachStreamInOrder(seen);
      });
    });

    describe('hash chain', () => {
      it('verifies an untouched stream', async () => {
        const stream = uniqueStream();
        await store.append(stream, planRequestedBatch(3));
        await store.append(stream, planRequestedBatch(2));
        const report = await store.verifyStream(stream);
        expect(report).toEqual({ streamId: stream, ok: true, eventsChecked: 5, problems: [] });
        const links = await collect(store.readChain(stream));
        expect(links[0]!.prevHash).toBeNull();
        links.slice(1).forEach((link, i) => expect(link.prevHash).toBe(links[i]!.hash));
      });

      it('reads the global log as stored, not upcast, with each link as its stream holds it, in the order subscriptions see', async () => {
        const tenant = `c${randomUUID().slice(0, 8)}`;
        const start = await lastPosition(store);
        const [first, second] = [uniqueStream(), uniqueStream()];
        await store.append(first, [planRequested({ type: 'SessionStarted', schemaVersion: 1, tenantId: tenant, data: { goal: 'Reconcile ledgers' } })]);
        await store.append(second, planRequestedBatch(2, { tenantId: tenant }));
        await untilVisible(store, (await store.append(first, planRequestedBatch(1, { tenantId: tenant }))).position);
        await store.append(uniqueStream(), planRequestedBatch(1, { tenantId: `x${tenant}` }));
        const pages: Array<Awaited<ReturnType<EventStore['readChainAll']>>> = [];
        let after = start;
        for (;;) {
          const page = await store.readChainAll({ after, tenantId: tenant, maxCount: 2 });
          if (page.length === 0) break;
          pages.push(page);
          after = page.at(-1)!.event.globalPosition;
        }
        const links = pages.flat();
        expect(pages.every((page) => page.length <= 2)).toBe(true);
        expect(links.map((link) => [link.event.streamId, link.event.streamVersion])).toEqual([
          [first, 0],
          [second, 0],
          [second, 1],
          [first, 1],
        ]);
        // As stored: the old schema version and its data, which readAll would upcast.
        expect(links[0]!.event).toMatchObject({ schemaVersion: 1, data: { goal: 'Reconcile ledgers' } });
        expect(links[0]!.event.data).not.toHaveProperty('context');
        const upcast = await store.readAll({ after: start, tenantId: tenant });
        expect(links.map((link) => link.event.globalPosition)).toEqual(upcast.map((event) => event.globalPosition));
        const chains = [...(await collect(store.readChain(first))), ...(await collect(store.readChain(second)))];
        for (const link of links) {
          expect(chains.find((chained) => chained.event.eventId === link.event.eventId)).toMatchObject({ prevHash: link.prevHash, hash: link.hash });
          expect(chainHash(link.prevHash, link.event.streamVersion, canonicalContent(link.event))).toBe(link.hash);
        }
      });
    });
  });
}

function expectEachStreamInOrder(events: readonly EventEnvelope[]): void {
  const versions = new Map<string, number>();
  for (const event of events) {
    const previous = versions.get(event.streamId) ?? -1;
    expect({ stream: event.streamId, version: event.streamVersion }).toEqual({ stream: event.streamId, version: previous + 1 });
    versions.set(event.streamId, event.streamVersion);
  }
}

/**
 * Waits until the log's end, as readers see it, has reached `position`. A PostgreSQL reader sees an
 * append only once every older transaction in the cluster has ended (so that nothing can later appear
 * behind a position already read), and a parallel spec's open transaction can hold that back for a
 * moment; an in-memory store sees it at once.
 */
async function untilVisible(store: EventStore, position: string): Promise<void> {
  await waitFor(`the log to reach ${position}`, async () => {
    const end = await store.lastPosition();
    return end !== undefined && comparePositions(end, position) >= 0 ? true : undefined;
  });
}

async function lastPosition(store: EventStore): Promise<string | undefined> {
  let last: string | undefined;
  for await (const event of store.streamAll()) last = event.globalPosition;
  return last;
}
