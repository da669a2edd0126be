import { randomUUID } from 'node:crypto';
import { commandMessageSchema, messageHeaders, sessionStream, topicNames, type CommandMessage, type SessionCommand } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { MessageProducer, ensureTopics, jsonDecoder, startConsumer, type RunningConsumer } from '@agent-orchestrator/messaging';
import { collectMessages, createTestSchema, testKafka, uniqueTopicPrefix, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { sessionEventIdsFor, sessionCommandHandler } from './session-command-handler.js';

const decode = jsonDecoder(commandMessageSchema);

describe('session commands from Kafka', () => {
  const topics = topicNames(uniqueTopicPrefix('commands'));
  const kafka = testKafka('session-commands-spec');
  const producer = new MessageProducer(kafka);
  let db: TestSchema;
  let store: PostgresEventStore;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    db = await createTestSchema('session_commands');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    await ensureTopics(kafka, [
      { name: topics.commands('orchestrator'), partitions: 3 },
      { name: topics.deadLetters('orchestrator'), partitions: 1 },
    ]);
    consumer = await startConsumer({
      kafka,
      groupId: topics.consumerGroup('orchestrator'),
      topics: [topics.commands('orchestrator')],
      decode,
      deadLetters: { producer, topic: topics.deadLetters('orchestrator') },
      retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 50 },
      logger: pino({ level: 'silent' }),
      handle: sessionCommandHandler(store, pino({ level: 'silent' }), { kindsFor: async () => [] }),
    });
  });
  afterAll(async () => {
    await consumer.stop();
    await producer.disconnect();
    await store.close();
    await db.dispose();
  });

  const metadata = (sessionId: string) => ({
    tenantId: 'acme',
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'user' as const, id: 'u-ada' },
    traceparent: null,
    now: new Date().toISOString(),
    eventIds: [],
  });
  const start = (sessionId: string): SessionCommand => ({
    type: 'StartSession',
    sessionId,
    goal: 'Summarise open invoices',
    context: {},
    constraints: { maxSteps: 10 },
    agentVersions: {},
    toolVersions: {},
    metadata: metadata(sessionId),
  });
  const plan = (sessionId: string, attempt = 1): SessionCommand => ({
    type: 'RecordPlan',
    sessionId,
    attempt,
    steps: [
      { stepId: 'a', title: 'List invoices', agent: 'Researcher', dependsOn: [] },
      { stepId: 'b', title: 'List credit notes', agent: 'Researcher', dependsOn: [] },
      { stepId: 'c', title: 'Summarise', agent: 'Executor', dependsOn: ['a', 'b'] },
    ],
    metadata: metadata(sessionId),
  });
  const send = (...messages: CommandMessage[]) =>
    producer.send(messages.map((m) => ({ topic: topics.commands('orchestrator'), key: sessionStream(m.command.sessionId), value: JSON.stringify(m) })));
  const types = async (sessionId: string) => (await store.readStream(sessionStream(sessionId))).map((e) => e.type);

  it('decides each command on the session stream, with event ids derived from the command id', async () => {
    const sessionId = randomUUID();
    const started = { commandId: randomUUID(), command: start(sessionId) };
    await send(started);
    await waitFor('the session to start', async () => (await types(sessionId)).length === 2);
    const events = await store.readStream(sessionStream(sessionId));
    expect(events.map((e) => [e.type, e.eventId])).toEqual([
      ['SessionStarted', sessionEventIdsFor(started.commandId)[0]],
      ['PlanRequested', sessionEventIdsFor(started.commandId)[1]],
    ]);
    expect(events[0]).toMatchObject({ tenantId: 'acme', correlationId: sessionId, actor: { kind: 'user', id: 'u-ada' } });

    await send({ commandId: randomUUID(), command: plan(sessionId) });
    await waitFor('the plan to be scheduled', async () => (await types(sessionId)).length === 5);
    expect(await types(sessionId)).toEqual(['SessionStarted', 'PlanRequested', 'PlanProposed', 'StepScheduled', 'StepScheduled']);
  });

  it('appends nothing twice when a command comes again', async () => {
    const sessionId = randomUUID();
    const started = { commandId: randomUUID(), command: start(sessionId) };
    const planned = { commandId: randomUUID(), command: plan(sessionId) };
    await send(started, planned);
    await waitFor('the plan to be scheduled', async () => (await types(sessionId)).length === 5);

    // The same messages again, a second start under a new command id, then a cancellation.
    const cancel: SessionCommand = { type: 'CancelSession', sessionId, reason: 'done looking', metadata: metadata(sessionId) };
    await send(started, planned, { commandId: randomUUID(), command: start(sessionId) }, { commandId: randomUUID(), command: cancel });
    await waitFor('the cancellation that follows them', async () => (await types(sessionId)).at(-1) === 'SessionCancelled');
    expect(await types(sessionId)).toEqual(['SessionStarted', 'PlanRequested', 'PlanProposed', 'StepScheduled', 'StepScheduled', 'SessionCancelled']);
  });

  it('dead-letters a command the session refuses and one that is malformed, and goes on', async () => {
    const sessionId = randomUUID();
    await send({ commandId: randomUUID(), command: start(sessionId) });
    await waitFor('the session to start', async () => (await types(sessionId)).length === 2);

    const neverRequested = { commandId: randomUUID(), command: plan(sessionId, 7) };
    await send(neverRequested);
    await producer.send([{ topic: topics.commands('orchestrator'), key: sessionStream(sessionId), value: JSON.stringify({ commandId: randomUUID(), command: { type: 'StartSession' } }) }]);
    await send({ commandId: randomUUID(), command: plan(sessionId) });
    await waitFor('the valid plan after them', async () => (await types(sessionId)).length === 5);

    const dead = await collectMessages(kafka, topics.deadLetters('orchestrator'), (m) => m.length >= 2);
    const reasons = dead.map((d) => [d.message.headers?.[messageHeaders.dlqErrorCode]?.toString(), d.message.headers?.[messageHeaders.dlqReason]?.toString()]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['Rejected', expect.stringMatching(/RecordPlan for session .* refused \(NotRequested\)/)],
        ['InvalidMessage', expect.stringContaining('goal')],
      ]),
    );
  });

  it("forks a session from Kafka: the original's events up to the version, each caused by the one it copies, then SessionForked and the requests in flight; the original untouched", async () => {
    const original = randomUUID();
    await send({ commandId: randomUUID(), command: start(original) }, { commandId: randomUUID(), command: plan(original) });
    await waitFor('the original to schedule its steps', async () => (await types(original)).includes('StepScheduled'));
    const originalLog = await store.readStream(sessionStream(original));
    const at = originalLog.findIndex((event) => event.type === 'PlanProposed');
    const fork = randomUUID();
    const forkCommand: CommandMessage = { commandId: randomUUID(), command: { type: 'ForkSession', sessionId: fork, from: { sessionId: original, version: at }, overrides: { modelFixture: 'three-steps-rework-once' }, metadata: metadata(fork) } };
    await send(forkCommand);
    await waitFor('the fork', async () => (await types(fork)).includes('SessionForked'));
    const forkLog = await store.readStream(sessionStream(fork));
    expect(forkLog.slice(0, at + 1).map(({ type, data, causationId }) => ({ type, data, causationId }))).toEqual(
      originalLog.slice(0, at + 1).map(({ type, data, eventId }) => ({ type, data, causationId: eventId })),
    );
    // Cut after PlanProposed, the fork schedules the two steps without dependencies itself.
    expect(forkLog.slice(at + 1).map((event) => event.type)).toEqual(['SessionForked', 'StepScheduled', 'StepScheduled']);
    expect(forkLog.map((event) => event.tenantId)).toEqual(forkLog.map(() => 'acme'));
    expect(await store.readStream(sessionStream(original))).toEqual(originalLog);
  });
});
