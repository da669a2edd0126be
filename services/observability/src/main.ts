import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseObservabilityConfig } from './config.js';
import { startObservability } from './service.js';

await runService('observability', startObservability, parseObservabilityConfig);
