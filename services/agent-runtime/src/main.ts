import 'reflect-metadata';
import { runService, startEventService } from '@agent-orchestrator/service-host';
import { setTracingDisabled } from '@openai/agents';
import { AgentRuntimeModule } from './agent-runtime.module.js';
import { parseAgentRuntimeConfig } from './config.js';
import { AgentRunner } from './runs/agent-runner.js';

// The SDK's own trace export goes to OpenAI's servers; the platform's traces are its own.
setTracingDisabled(true);

/** The agent-runtime process: runs agents for `events.session` requests, resumes them on `events.toolcall` answers. */
await runService('agent-runtime', async (platform) => {
  const { store, logger } = platform;
  const config = parseAgentRuntimeConfig(process.env);
  logger.info(`agents run on ${config.modelDescription}`);
  const runner = new AgentRunner({ store, models: config.models, prices: config.prices, logger });
  const app = await startEventService(platform, AgentRuntimeModule.register(runner), { events: ['session', 'toolcall'] });
  return { stop: () => app.close() };
});
