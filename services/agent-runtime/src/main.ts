import 'reflect-metadata';
import { agentCommandMessageSchema, type AgentCommandMessage } from '@agent-orchestrator/contracts';
import { ensureTopics, jsonDecoder, startConsumer } from '@agent-orchestrator/messaging';
import { runService, startEventService } from '@agent-orchestrator/service-host';
import { setTracingDisabled } from '@openai/agents';
import { AgentRuntimeModule } from './agent-runtime.module.js';
import { agentCommandHandler } from './agents/agent-registry.js';
import { parseAgentRuntimeConfig } from './config.js';
import { AgentRunner } from './runs/agent-runner.js';

// The SDK's own trace export goes to OpenAI's servers; the platform's traces are its own.
setTracingDisabled(true);

const commandsGroup = 'agent-runtime.commands';

/**
 * The agent-runtime process: runs agents for `events.session` requests, resumes them on
 * `events.toolcall` answers, and keeps the tenants' agent registries from `commands.agent-runtime`.
 */
await runService('agent-runtime', async (platform) => {
  const { store, logger, kafka, producer, topics } = platform;
  const config = parseAgentRuntimeConfig(process.env);
  logger.info(`agents run on ${config.modelDescription}`);
  const runner = new AgentRunner({ store, models: config.models, prices: config.prices, logger });
  await ensureTopics(kafka, [{ name: topics.deadLetters(commandsGroup), partitions: 1 }]);
  const commands = await startConsumer<AgentCommandMessage>({
    kafka,
    groupId: topics.consumerGroup(commandsGroup),
    topics: [topics.commands('agent-runtime')],
    decode: jsonDecoder(agentCommandMessageSchema),
    handle: agentCommandHandler(store, logger),
    deadLetters: { producer, topic: topics.deadLetters(commandsGroup) },
    sessionTimeoutMs: 10_000,
    logger,
  });
  const app = await startEventService(platform, AgentRuntimeModule.register(runner), { events: ['session', 'toolcall'] });
  return {
    async stop() {
      await app.close();
      await commands.stop();
    },
  };
});
