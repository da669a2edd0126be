import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { startAgentRuntime } from './service.js';

await runService('agent-runtime', startAgentRuntime);
