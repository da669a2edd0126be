import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { startApprovals } from './service.js';

await runService('approvals', startApprovals);
