import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseAgentRuntimeConfig } from './config.js';
import { startAgentRuntime } from './service.js';

await runService('agent-runtime', startAgentRuntime, parseAgentRuntimeConfig);
