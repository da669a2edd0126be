import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { startOrchestrator } from './service.js';

await runService('orchestrator', startOrchestrator);
