import 'reflect-metadata';
import { toolCommandMessageSchema, type ToolCommandMessage } from '@agent-orchestrator/contracts';
import { ensureTopics, jsonDecoder, startConsumer } from '@agent-orchestrator/messaging';
import { runService, startEventService } from '@agent-orchestrator/service-host';
import { ToolCalls } from './tool-calls.js';
import { HttpExecutor, executorOptionsFrom, piiKindsFrom } from './execution/http-executor.js';
import { toolCommandHandler } from './registry/tool-registry.js';
import { ToolAdaptersModule } from './tool-adapters.module.js';

const commandsGroup = 'tool-adapters.commands';

/** The tool-adapters process: answers tool calls the policy allowed (`events.policycheck`) or people approved (`events.approval`); keeps the tenants' tool registries. */
await runService('tool-adapters', async (platform) => {
  const { store, kafka, producer, topics, logger } = platform;
  await ensureTopics(kafka, [{ name: topics.deadLetters(commandsGroup), partitions: 1 }]);
  const commands = await startConsumer<ToolCommandMessage>({
    kafka,
    groupId: topics.consumerGroup(commandsGroup),
    topics: [topics.commands('tool-adapters')],
    decode: jsonDecoder(toolCommandMessageSchema),
    handle: toolCommandHandler(store),
    deadLetters: { producer, topic: topics.deadLetters(commandsGroup) },
    sessionTimeoutMs: 10_000,
    logger,
  });
  await ensureTopics(kafka, [{ name: topics.deadLetters('tool-adapters'), partitions: 1 }]);
  const calls = new ToolCalls({ store, executor: new HttpExecutor(executorOptionsFrom(process.env)), producer, topics, logger, now: () => new Date().toISOString(), redact: piiKindsFrom(process.env) });
  const app = await startEventService(platform, ToolAdaptersModule.register(calls), { events: ['policycheck', 'approval'] });
  return {
    async stop() {
      await app.close();
      await commands.stop();
    },
  };
});
