import { join } from 'node:path';
import { startLocalKafka, type LocalKafka } from '@agent-orchestrator/local-kafka';
import { collectMessages, testKafka } from '@agent-orchestrator/testing';
import { ensureTopics } from './kafka.js';
import { MessageProducer } from './producer.js';

/** A broker of its own: this spec crashes it. */
describe('a broker crash during produce', () => {
  const dataDir = join(process.cwd(), '.data', `broker-restart-${process.pid}`);
  let broker: LocalKafka;

  beforeAll(async () => {
    broker = await startLocalKafka({ dataDir, reset: true, heapMb: 512 });
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('loses nothing the broker acknowledged', async () => {
    const kafka = testKafka('broker-restart-spec', broker.brokers);
    const topic = 'acked';
    await ensureTopics(kafka, [{ name: topic, partitions: 3 }]);
    const producer = new MessageProducer(kafka);
    await producer.connect();

    const acknowledged: string[] = [];
    const failed: string[] = [];
    let restarted = false;
    // Bounded by time, not by attempts: while the broker is down a send can fail at once, and a
    // restart on a loaded machine takes tens of seconds. A failed send waits a little, as a caller would.
    const giveUpAt = Date.now() + 100_000;
    const produce = (async () => {
      for (let i = 0; acknowledged.length < 600; i++) {
        const id = `m-${i}`;
        try {
          await producer.send([{ topic, key: `k-${i % 7}`, value: id }]);
          acknowledged.push(id);
        } catch {
          failed.push(id);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (Date.now() > giveUpAt) throw new Error(`producing never recovered after the broker restart (${failed.length} sends failed)`);
      }
    })();

    while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 10));
    await broker.kill();
    broker = await startLocalKafka({ dataDir, heapMb: 512, ephemeral: true });
    restarted = true;
    await produce;
    await producer.disconnect();

    expect(restarted).toBe(true);
    const stored = await collectMessages(kafka, topic, (m) => new Set(m.map((x) => x.message.value?.toString())).size >= acknowledged.length, 60_000);
    const storedIds = new Set(stored.map((s) => s.message.value!.toString()));
    expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
  });
});
