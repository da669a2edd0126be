import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseApprovalsConfig } from './config.js';
import { startApprovals } from './service.js';

await runService('approvals', startApprovals, parseApprovalsConfig);
