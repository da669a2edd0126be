import { toolCommandMessageSchema } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { TenantPrivacy } from '@agent-orchestrator/pii';
import { openSecretStore } from '@agent-orchestrator/secrets';
import type { ToolAdaptersConfig } from './config.js';
import { ToolCalls } from './tool-calls.js';
import { ToolRateLimits } from './execution/rate-limits.js';
import { HttpExecutor } from './execution/http-executor.js';
import { McpExecutor } from './execution/mcp-executor.js';
import { OAuthTokens } from './execution/oauth-tokens.js';
import { recordSecretRotation } from './execution/secret-rotations.js';
import { parkedCallCommandHandler } from './parked/parked-call-commands.js';
import { toolCommandHandler } from './registry/tool-registry.js';
import { ToolAdaptersModule } from './tool-adapters.module.js';

/** The tool-adapters process: answers tool calls the policy allowed (`events.policycheck`) or people approved (`events.approval`); keeps the tenants' tool registries. */
export async function startToolAdapters(platform: Platform, config: ToolAdaptersConfig): Promise<RunningService> {
  const { store, broker, producer, topics, logger } = platform;
  const egress = new EgressGuard({ operatorAllow: config.egressAllow, operatorDeny: config.egressDeny });
  const secrets = await openSecretStore(config.secrets, platform, logger);
  if (!secrets) logger.warn('no secret store configured (SECRETS_KEY or SECRETS_BACKEND=vault): tools that name credentials cannot be called');
  // The counters are operational state of this deployment, kept beside its read models.
  const rateLimits = await ToolRateLimits.open({ database: platform, schema: platform.config.readModelSchema, ...config.rateLimits });
  await broker.ensureTopics([{ name: topics.deadLetters('tool-adapters'), partitions: 1 }]);
  const calls = new ToolCalls({
    store,
    executor: new HttpExecutor(config.executor, egress),
    mcpExecutor: new McpExecutor(config.executor.timeoutMs === undefined ? {} : { timeoutMs: config.executor.timeoutMs }, egress),
    producer,
    topics,
    logger,
    now: () => new Date().toISOString(),
    redact: new TenantPrivacy({ store, operatorDefault: platform.config.piiRedact }),
    ...(secrets ? { secrets, oauth: new OAuthTokens({ egress, secrets, onSecretRotated: recordSecretRotation(store, logger) }) } : {}),
    rateLimits,
  });
  const commands = await startCommandConsumer(platform, 'tool-adapters', toolCommandMessageSchema, toolCommandHandler(store, parkedCallCommandHandler(store, calls, logger)));
  const app = await startEventService(platform, ToolAdaptersModule.register(calls), { events: ['policycheck', 'approval'] });
  return {
    async stop() {
      await app.close();
      await commands.stop();
      await egress.close();
      rateLimits.close();
    },
  };
}
