import { policyCommandMessageSchema } from '@agent-orchestrator/contracts';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { PolicyChecks } from './policy-checks.js';
import { PolicyModule } from './policy.module.js';
import { policyCommandHandler } from './policy-versions.js';

/** The policy process: decides every ToolCallRequested from `events.agentrun`; keeps the tenants' policy versions. */
export async function startPolicy(platform: Platform): Promise<RunningService> {
  const { store, logger } = platform;
  const commands = await startCommandConsumer(platform, 'policy', policyCommandMessageSchema, policyCommandHandler(store));
  const checks = new PolicyChecks({ store, logger, now: () => new Date().toISOString() });
  const app = await startEventService(platform, PolicyModule.register(checks), { events: ['agentrun'] });
  return {
    async stop() {
      await app.close();
      await commands.stop();
    },
  };
}
