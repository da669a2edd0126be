import { agentCommandMessageSchema } from '@agent-orchestrator/contracts';
import { TenantPrivacy } from '@agent-orchestrator/pii';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { setTracingDisabled } from '@openai/agents';
import { AgentRuntimeModule } from './agent-runtime.module.js';
import { agentCommandHandler } from './agents/agent-registry.js';
import { SessionAnalyst } from './analysis/session-analyst.js';
import type { AgentRuntimeConfig } from './config.js';
import { BudgetGuard } from './budgets/budget-guard.js';
import { AgentRunner } from './runs/agent-runner.js';

// The SDK's own trace export goes to OpenAI's servers; the platform's traces are its own.
setTracingDisabled(true);

/**
 * The agent-runtime process: runs agents for `events.session` requests, resumes them on
 * `events.toolcall` answers, and keeps the tenants' agent registries and runs the Analyst for
 * session analyses from `commands.agent-runtime`.
 */
export async function startAgentRuntime(platform: Platform, config: AgentRuntimeConfig): Promise<RunningService> {
  const { store, logger } = platform;
  logger.info(`agents run on ${config.modelDescription}`);
  const budgets = new BudgetGuard({ store, prices: config.prices, ...config.budgets });
  const runner = new AgentRunner({ store, models: config.models, prices: config.prices, maxOfferedOperations: config.maxOfferedOperations, budgets, logger, privacy: new TenantPrivacy({ store, operatorDefault: platform.config.piiRedact }) });
  const defineAgent = agentCommandHandler(store, logger);
  const analyst = new SessionAnalyst({ store, models: config.models, prices: config.prices, logger, budgets });
  const commands = await startCommandConsumer(platform, 'agent-runtime', agentCommandMessageSchema, async (message) => {
    const { commandId, command } = message.value;
    return command.type === 'AnalyzeSession' ? analyst.analyze(commandId, command) : defineAgent(message);
  });
  const app = await startEventService(platform, AgentRuntimeModule.register(runner), { events: ['session', 'toolcall'] });
  return {
    async stop() {
      await app.close();
      await commands.stop();
    },
  };
}
