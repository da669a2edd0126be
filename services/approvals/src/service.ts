import { approvalCommandMessageSchema } from '@agent-orchestrator/contracts';
import { TenantPrivacy } from '@agent-orchestrator/pii';
import { openReadModels } from '@agent-orchestrator/read-models';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { approvalCommandHandler, startExpirySweep } from './approval-commands.js';
import { ApprovalRequests } from './approval-requests.js';
import type { ApprovalsConfig } from './config.js';
import { ApprovalsModule } from './approvals.module.js';

const now = () => new Date().toISOString();

/**
 * The approvals process: opens an approval for each call the policy held (`events.policycheck`),
 * decides DecideApproval from `commands.approvals`, and expires or escalates what nobody decided
 * in time (every `approvalSweepMs`).
 */
export async function startApprovals(platform: Platform, config: ApprovalsConfig): Promise<RunningService> {
  const { store, logger } = platform;
  const readModels = await openReadModels({ url: platform.config.databaseUrl, schema: platform.config.readModelSchema, poolSize: 2 });
  const commands = await startCommandConsumer(platform, 'approvals', approvalCommandMessageSchema, approvalCommandHandler(store, logger, new TenantPrivacy({ store, operatorDefault: platform.config.piiRedact })));
  const app = await startEventService(platform, ApprovalsModule.register(new ApprovalRequests({ store, logger, now })), { events: ['policycheck'] });
  const sweep = startExpirySweep({ store, queries: readModels.approvalQueries, logger, intervalMs: config.approvalSweepMs, now });
  return {
    async stop() {
      await sweep.stop();
      await app.close();
      await commands.stop();
      await readModels.close();
    },
  };
}
