import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseOrchestratorConfig } from './config.js';
import { startOrchestrator } from './service.js';

await runService('orchestrator', (platform, config) => startOrchestrator(platform, config), parseOrchestratorConfig);
