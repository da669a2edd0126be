/**
 * npm start: until the services land, a walk through the session log on an embedded PostgreSQL.
 * It appends a short session the way the orchestrator will, follows it with a catch-up
 * subscription, shows optimistic concurrency and idempotency, and verifies the hash chain.
 *
 *   npm start                  embedded PostgreSQL under .data/dev-postgres (kept between runs)
 *   npm start -- --reset       wipe that data directory first
 *   npm start -- --database-url postgres://...   use an existing server instead
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sessionStream, type NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore, isEventStoreError } from '@agent-orchestrator/event-store';
import { startLocalPostgres } from '@agent-orchestrator/local-postgres';
import { Command } from 'commander';
import pg from 'pg';

const options = new Command()
  .name('npm start --')
  .option('--reset', 'wipe the embedded PostgreSQL data directory first')
  .option('--database-url <url>', 'use this PostgreSQL instead of the embedded one')
  .parse()
  .opts<{ reset?: boolean; databaseUrl?: string }>();

const local = options.databaseUrl
  ? undefined
  : await startLocalPostgres({ dataDir: join(process.cwd(), '.data', 'dev-postgres'), port: 0, reset: options.reset });
const connectionString = options.databaseUrl ?? local!.connectionString;
console.log(local ? `Embedded PostgreSQL is up (${connectionString}).` : `Using ${connectionString}.`);

const pool = new pg.Pool({ connectionString, max: 4 });
const store = await PostgresEventStore.open({ pool, schema: 'event_store' });

const sessionId = randomUUID();
const stream = sessionStream(sessionId);
const event = (type: string, data: unknown, schemaVersion = 1): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion,
  tenantId: 'demo',
  correlationId: sessionId,
  causationId: null,
  actor: { kind: 'service', id: 'orchestrator' },
  occurredAt: new Date().toISOString(),
  traceparent: null,
  data,
});

// A subscription follows the whole log from its checkpoint, as the Kafka relay will.
const subscriptionId = `demo-follower-${sessionId}`;
const subscription = store.subscribeToAll({
  subscriptionId,
  tenantId: 'demo',
  handle: async (events) => {
    for (const e of events.filter((x) => x.streamId === stream)) {
      console.log(`  [subscription] v${e.streamVersion} ${e.type.padEnd(16)} at ${e.globalPosition}`);
    }
  },
});

console.log(`\nSession ${sessionId}: appending its first events`);
const started = await store.append(
  stream,
  [
    event('SessionStarted', { goal: 'Summarise open invoices for Q3', context: {}, constraints: { maxSteps: 5 }, agentVersions: { Planner: 1 }, toolVersions: {} }, 3),
    event('PlanRequested', { planner: 'Planner', attempt: 1 }),
  ],
  { expectedVersion: 'no_stream' },
);
const plan = event('PlanProposed', {
  steps: [
    { stepId: 's1', title: 'List open invoices', agent: 'Researcher', dependsOn: [] },
    { stepId: 's2', title: 'Write the summary', agent: 'Executor', dependsOn: ['s1'] },
  ],
});
const planned = await store.append(stream, [plan], { expectedVersion: started.nextExpectedVersion });

console.log('\nA writer that read the stream before the plan arrived is refused:');
try {
  await store.append(stream, [event('StepScheduled', { stepId: 's1', agent: 'Researcher', attempt: 1 })], { expectedVersion: started.nextExpectedVersion });
} catch (error) {
  if (!isEventStoreError(error, 'WrongExpectedVersion')) throw error;
  console.log(`  ${error.code}: ${error.message}`);
}

console.log('\nAppending the plan again (a retried request) is recognised, not duplicated:');
const retried = await store.append(stream, [plan], { expectedVersion: started.nextExpectedVersion });
console.log(`  alreadyAppended=${retried.alreadyAppended}, stream still at version ${retried.nextExpectedVersion}`);

console.log('\nAn event that fails its schema is refused with the reason, and nothing is written:');
try {
  await store.append(stream, [event('StepScheduled', { stepId: 's1', agent: 'Researcher', attempt: 0 })]);
} catch (error) {
  if (!isEventStoreError(error, 'InvalidEvent')) throw error;
  console.log(`  ${error.code}: ${error.message.split('\n').join(' ')}`);
}

await subscription.waitFor(planned.position);
await subscription.stop();

const report = await store.verifyStream(stream);
console.log(`\nHash chain of ${stream}: ${report.ok ? 'intact' : 'BROKEN'} (${report.eventsChecked} events checked)`);
console.log(`Checkpoint of ${subscriptionId}: ${await store.checkpoints.load(subscriptionId)}`);

await store.close();
await pool.end();
await local?.stop();
console.log('\nDone. The services (gateway, orchestrator, agents) replace this demo as they land.');
