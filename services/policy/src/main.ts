import 'reflect-metadata';
import { policyCommandMessageSchema, type PolicyCommandMessage } from '@agent-orchestrator/contracts';
import { ensureTopics, jsonDecoder, startConsumer } from '@agent-orchestrator/messaging';
import { runService, startEventService } from '@agent-orchestrator/service-host';
import { PolicyChecks } from './policy-checks.js';
import { PolicyModule } from './policy.module.js';
import { policyCommandHandler } from './policy-versions.js';

const commandsGroup = 'policy.commands';

/** The policy process: decides every ToolCallRequested from `events.agentrun`; keeps the tenants' policy versions. */
await runService('policy', async (platform) => {
  const { store, kafka, producer, topics, logger } = platform;
  await ensureTopics(kafka, [{ name: topics.deadLetters(commandsGroup), partitions: 1 }]);
  const commands = await startConsumer<PolicyCommandMessage>({
    kafka,
    groupId: topics.consumerGroup(commandsGroup),
    topics: [topics.commands('policy')],
    decode: jsonDecoder(policyCommandMessageSchema),
    handle: policyCommandHandler(store),
    deadLetters: { producer, topic: topics.deadLetters(commandsGroup) },
    sessionTimeoutMs: 10_000,
    logger,
  });
  const checks = new PolicyChecks({ store, logger, now: () => new Date().toISOString() });
  const app = await startEventService(platform, PolicyModule.register(checks), { events: ['agentrun'] });
  return {
    async stop() {
      await app.close();
      await commands.stop();
    },
  };
});
