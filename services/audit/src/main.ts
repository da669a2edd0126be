import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseAuditConfig } from './config.js';
import { startAudit } from './service.js';

await runService('audit', startAudit, parseAuditConfig);
