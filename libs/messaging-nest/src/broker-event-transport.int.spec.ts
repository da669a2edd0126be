import 'reflect-metadata';
import { messageHeaders, topicNames, type EventEnvelope } from '@agent-orchestrator/contracts';
import { MessageProducer, encodeEvent, ensureTopics, kafkaBroker } from '@agent-orchestrator/messaging';
import { collectMessages, planRequested, testKafka, uniqueTopicPrefix, waitFor } from '@agent-orchestrator/testing';
import { Controller, Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { pino } from 'pino';
import { OnEvent, PropagateToConsumerLoop } from './event-handlers.js';
import { BrokerEventTransport, EventContext } from './broker-event-transport.js';

@Injectable()
class PlanLog {
  readonly planned: { eventId: string; partition: number }[] = [];
  readonly started: string[] = [];
}

@Controller()
class PlanningController {
  constructor(private readonly log: PlanLog) {}

  @OnEvent('PlanRequested')
  async onPlanRequested(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    if ((event.data as { attempt: number }).attempt === 13) throw Object.assign(new Error('planner refuses attempt 13'), { retryable: false });
    this.log.planned.push({ eventId: event.eventId, partition: context.getMessage().partition });
  }

  @OnEvent('SessionStarted')
  onSessionStarted(@Payload() event: EventEnvelope): void {
    this.log.started.push(event.eventId);
  }
}

@Module({ controllers: [PlanningController], providers: [PlanLog] })
class PlanningModule {}

describe('Nest handlers on the consumer loop', () => {
  const topics = topicNames(uniqueTopicPrefix('nest'));
  const kafka = testKafka('nest-transport-spec');
  const producer = new MessageProducer(kafka);
  let app: INestMicroservice;

  beforeAll(async () => {
    await ensureTopics(kafka, [...topics.all(), { name: topics.deadLetters('planning'), partitions: 1 }]);
    app = await NestFactory.createMicroservice(PlanningModule, {
      logger: false,
      strategy: new BrokerEventTransport({
        broker: kafkaBroker(kafka),
        groupId: 'planning',
        topics: [topics.events('session')],
        deadLetters: { producer, topic: topics.deadLetters('planning') },
        logger: pino({ level: 'silent' }),
      }),
    });
    app.useGlobalFilters(new PropagateToConsumerLoop());
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
    await producer.disconnect();
  });

  it('dispatches each event to the handler for its type, after validating it', async () => {
    const session = 'session-nest-1';
    const at = (v: number) => ({ streamId: session, streamVersion: v, globalPosition: String(v) });
    const started = { ...planRequested({ type: 'SessionStarted', schemaVersion: 1, data: { goal: 'Close the books' } }), ...at(0) };
    const plan = { ...planRequested(), ...at(1) };
    const refused = { ...planRequested({ data: { planner: 'Planner', attempt: 13 } }), ...at(2) };
    const unhandled = { ...planRequested({ type: 'StepScheduled', data: { stepId: 's1', agent: 'Executor', attempt: 1 } }), ...at(3) };
    const after = { ...planRequested({ data: { planner: 'Planner', attempt: 2 } }), ...at(4) };
    await producer.send([started, plan, refused, unhandled, after].map((e) => encodeEvent(e, topics.events('session'))));

    const log = app.get(PlanLog);
    await waitFor('the last plan request handled', () => log.planned.some((p) => p.eventId === after.eventId));
    expect(log.started).toEqual([started.eventId]);
    expect(log.planned.map((p) => p.eventId)).toEqual([plan.eventId, after.eventId]);

    const [dead] = await collectMessages(kafka, topics.deadLetters('planning'), (m) => m.length >= 1);
    expect(dead!.message.headers?.[messageHeaders.eventId]?.toString()).toBe(refused.eventId);
    expect(dead!.message.headers?.[messageHeaders.dlqReason]?.toString()).toBe('planner refuses attempt 13');
    expect(dead!.message.headers?.[messageHeaders.dlqAttempts]?.toString()).toBe('1');
  });
});
