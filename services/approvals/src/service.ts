import { approvalCommandMessageSchema } from '@agent-orchestrator/contracts';
import { TenantPrivacy } from '@agent-orchestrator/pii';
import { openReadModels } from '@agent-orchestrator/read-models';
import { startCommandConsumer, startEventService, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { approvalCommandHandler, startExpirySweep } from './approval-commands.js';
import { ApprovalRequests } from './approval-requests.js';
import { ApprovalsModule } from './approvals.module.js';

const now = () => new Date().toISOString();

/**
 * The approvals process: opens an approval for each call the policy held (`events.policycheck`),
 * decides DecideApproval from `commands.approvals`, and expires or escalates what nobody decided
 * in time (APPROVAL_SWEEP_MS, default 5000).
 */
export async function startApprovals(platform: Platform): Promise<RunningService> {
  const { store, logger, config } = platform;
  const sweepMs = Number(process.env.APPROVAL_SWEEP_MS ?? 5000);
  if (!Number.isInteger(sweepMs) || sweepMs < 10) throw new Error(`APPROVAL_SWEEP_MS must be a whole number of milliseconds, at least 10; it is "${process.env.APPROVAL_SWEEP_MS}"`);
  const readModels = await openReadModels({ url: config.databaseUrl, schema: config.readModelSchema, poolSize: 2 });
  const commands = await startCommandConsumer(platform, 'approvals', approvalCommandMessageSchema, approvalCommandHandler(store, logger, new TenantPrivacy({ store, operatorDefault: config.piiRedact })));
  const app = await startEventService(platform, ApprovalsModule.register(new ApprovalRequests({ store, logger, now })), { events: ['policycheck'] });
  const sweep = startExpirySweep({ store, queries: readModels.approvalQueries, logger, intervalMs: sweepMs, now });
  return {
    async stop() {
      await sweep.stop();
      await app.close();
      await commands.stop();
      await readModels.close();
    },
  };
}
