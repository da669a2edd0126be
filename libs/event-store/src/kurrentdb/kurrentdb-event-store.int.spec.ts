import { randomBytes } from 'node:crypto';
import { describeEventStoreBehaviour } from '../event-store.behaviour.js';
import { KurrentDbEventStore } from './kurrentdb-event-store.js';

const url = process.env.KURRENTDB_URL;
const notRun = 'NOT RUN: KurrentDB adapter suite needs KURRENTDB_URL (e.g. kurrentdb://127.0.0.1:2113?tls=false); no KurrentDB server here';

if (url) {
  describeEventStoreBehaviour('KurrentDB', async () => {
    // A fresh namespace per run: this file's streams never meet another run's.
    const store = await KurrentDbEventStore.open({ connectionString: url, namespace: `t_${randomBytes(4).toString('hex')}`, pollIntervalMs: 20 });
    // The store owns its client; closing it again after the suite's close is a no-op.
    return { store, dispose: () => store.close() };
  });
} else {
  console.warn(notRun);
  describe('EventStore behaviour: KurrentDB', () => {
    it.skip(notRun, () => undefined);
    // A CI that promises a KurrentDB server must not pass by skipping the suite.
    if (process.env.REQUIRE_KURRENTDB === '1') {
      it('runs against a KurrentDB server because REQUIRE_KURRENTDB=1', () => {
        throw new Error(notRun);
      });
    }
  });
}
