import { join } from 'node:path';
import { comparePositions, topicNames, type GlobalPosition } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { ensureTopics, eventDecoder } from '@agent-orchestrator/messaging';
import {
  collectMessages,
  createTestSchema,
  planRequestedBatch,
  spawnFixture,
  testBrokers,
  testKafka,
  uniqueTopicPrefix,
  waitFor,
  type RunningFixture,
  type TestSchema,
} from '@agent-orchestrator/testing';
import type { Kafka } from 'kafkajs';
import { relaySubscriptionId } from './relay-process.js';

const relayMain = join(import.meta.dirname, '..', 'relay-main.ts');
const decode = eventDecoder();

interface RelayProcess {
  readonly fixture: RunningFixture;
  readonly healthUrl: string;
}

interface RelayReadiness {
  readonly status: string;
  readonly checks: readonly { readonly name: string; readonly kind: string; readonly lag: number; readonly role?: string }[];
}

/**
 * relay-main.ts as deployed: real child processes on the real broker and PostgreSQL, competing
 * for the relay's advisory lock while a writer appends to the session log.
 */
describe('the relay process: one leader, standbys that take over', () => {
  const topics = topicNames(uniqueTopicPrefix('relay-failover'));
  let db: TestSchema;
  let store: PostgresEventStore;
  let kafka: Kafka;
  const relays: RelayProcess[] = [];
  const streams = Array.from({ length: 8 }, (_, i) => `session-failover-${i}`);
  const appended: string[] = [];
  let last: GlobalPosition = '';

  beforeAll(async () => {
    db = await createTestSchema('relay_failover');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema, pollIntervalMs: 20 });
    kafka = testKafka('relay-failover-spec');
    await ensureTopics(kafka, topics.all());
  });
  // A failed test leaves no writer appending into the next one (or into a dropped schema).
  let stopAppending: () => Promise<void> = async () => undefined;
  afterEach(() => stopAppending());
  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.fixture.kill()));
    await store.close();
    await db.dispose();
  });

  const startRelay = async (): Promise<RelayProcess> => {
    const fixture = spawnFixture(relayMain, {
      DATABASE_URL: db.connectionString,
      KAFKA_BROKERS: testBrokers().join(','),
      TOPIC_PREFIX: topics.prefix,
      EVENT_STORE_SCHEMA: db.schema,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
      RELAY_LEADER_POLL_MS: '250',
      RELAY_HEARTBEAT_MS: '250',
    });
    const started = await waitFor(
      'the relay process to start',
      () => {
        const line = fixture.output().split('\n').find((text) => text.includes('"msg":"relay started"'));
        if (fixture.child.exitCode !== null) throw new Error(`the relay exited: ${fixture.output()}`);
        return line ? (JSON.parse(line) as { healthUrl: string }) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const relay = { fixture, healthUrl: started.healthUrl };
    relays.push(relay);
    return relay;
  };
  const readiness = async (relay: RelayProcess): Promise<RelayReadiness> => (await fetch(`${relay.healthUrl}/readyz`)).json() as Promise<RelayReadiness>;
  const roleOf = async (relay: RelayProcess) => (await readiness(relay)).checks.find((check) => check.kind === 'relay')?.role;
  const checkpoint = () => store.checkpoints.load(relaySubscriptionId);

  const appendRound = async () => {
    for (const stream of streams) {
      const events = planRequestedBatch(3);
      last = (await store.append(stream, events)).position;
      appended.push(...events.map((event) => event.eventId));
    }
  };
  /** Appends a round every 20 ms until stopped: the relays work under a steady stream of appends. */
  const keepAppending = () => {
    let stopped = false;
    const writing = (async () => {
      while (!stopped) {
        await appendRound();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    stopAppending = async () => {
      stopped = true;
      await writing;
    };
  };
  const relayedAll = async () => {
    await waitFor('the relay to reach the end of the log', async () => {
      const at = await checkpoint();
      return at !== undefined && comparePositions(at, last) >= 0;
    }, { timeoutMs: 60_000, intervalMs: 50 });
  };
  /** Every appended event reached Kafka (at least once), and each stream's events in order. */
  const expectEveryEventPublished = async () => {
    const published = await collectMessages(kafka, topics.events('session'), (messages) => new Set(messages.map((m) => m.message.headers?.['event-id']?.toString())).size >= appended.length, 60_000);
    const events = published.map(({ message }) => decode(message));
    expect(new Set(events.map((event) => event.eventId))).toEqual(new Set(appended));
    for (const stream of streams) {
      const versions = events.filter((event) => event.streamId === stream).map((event) => event.streamVersion);
      const firstSeen = versions.filter((version, i) => versions.indexOf(version) === i);
      expect({ stream, firstSeen }).toEqual({ stream, firstSeen: Array.from({ length: firstSeen.length }, (_, i) => i) });
    }
    return events.length;
  };

  it('has one leader and a standby; when the leader is killed mid-stream, the standby takes over within seconds and no event is lost', async () => {
    await appendRound();
    const first = await startRelay();
    const second = await startRelay();
    const [leader, standby] = await waitFor('one leader and one standby', async () => {
      const roles = await Promise.all([first, second].map(roleOf));
      if (roles.includes('leader') && roles.includes('standby')) return roles[0] === 'leader' ? [first, second] : [second, first];
      return undefined;
    }, { timeoutMs: 30_000, intervalMs: 50 });
    expect(leader.fixture.output()).toContain('took the lead');
    expect(standby.fixture.output()).not.toContain('took the lead');

    keepAppending();
    await waitFor('the leader to relay under load', async () => appended.length > 300 && (await checkpoint()) !== undefined, { timeoutMs: 60_000, intervalMs: 50 });
    const killedAt = performance.now();
    await leader.fixture.kill();
    await waitFor('the standby to lead', async () => (await roleOf(standby)) === 'leader', { timeoutMs: 15_000, intervalMs: 25 });
    const takeoverSeconds = (performance.now() - killedAt) / 1000;
    // Under way again: the new leader moves the checkpoint past what was appended after the kill.
    const afterKill = last;
    await waitFor('the new leader to relay what was appended after the kill', async () => {
      const at = await checkpoint();
      return at !== undefined && comparePositions(at, afterKill) >= 0;
    }, { timeoutMs: 30_000, intervalMs: 25 });
    const relayingSeconds = (performance.now() - killedAt) / 1000;
    await stopAppending();
    await relayedAll();
    const published = await expectEveryEventPublished();
    console.log(`relay failover: the standby led ${takeoverSeconds.toFixed(2)} s after the leader's SIGKILL and relayed past the kill ${relayingSeconds.toFixed(2)} s after it; ${appended.length} events appended, ${published} published (duplicates allowed)`);
    expect(takeoverSeconds).toBeLessThan(5);
    expect((await readiness(standby)).status).toBe('ready');
  }, 180_000);

  it('stops relaying at once when the leader loses its lock connection, and a standby carries on', async () => {
    const current = relays.find((relay) => relay.fixture.child.exitCode === null && relay.fixture.child.signalCode === null);
    const restarted = await startRelay();
    await waitFor('the restarted relay to stand by', async () => (await roleOf(restarted)) === 'standby', { timeoutMs: 30_000, intervalMs: 50 });
    expect(await roleOf(current!)).toBe('leader');

    keepAppending();
    // The server ends the leader's lock session, as a failover of the database or a network cut would.
    const terminated = await db.pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(l.pid) AS terminated FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`,
      [`${db.schema}.${relaySubscriptionId}`],
    );
    expect(terminated.rows).toEqual([{ terminated: true }]);
    await waitFor('the old leader to say it stopped relaying', () => current!.fixture.output().includes('lost the lead'), { timeoutMs: 10_000, intervalMs: 25 });
    await waitFor('a leader again', async () => (await Promise.all([current!, restarted].map(roleOf))).filter((role) => role === 'leader').length === 1, { timeoutMs: 15_000, intervalMs: 25 });
    await stopAppending();
    await relayedAll();
    await expectEveryEventPublished();
  }, 180_000);

  it('stops gracefully on SIGTERM, freeing the lead for the standby', async () => {
    const live = relays.filter((relay) => relay.fixture.child.exitCode === null && relay.fixture.child.signalCode === null);
    const roles = await Promise.all(live.map(roleOf));
    const leader = live[roles.indexOf('leader')]!;
    const standby = live[roles.indexOf('standby')]!;
    leader.fixture.child.kill('SIGTERM');
    expect(await leader.fixture.exited()).toBe(0);
    expect(leader.fixture.output()).toContain('"msg":"relay stopped"');
    await waitFor('the standby to lead', async () => (await roleOf(standby)) === 'leader', { timeoutMs: 15_000, intervalMs: 25 });
    await appendRound();
    await relayedAll();
    await expectEveryEventPublished();
  }, 120_000);
});
