import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { startToolAdapters } from './service.js';

await runService('tool-adapters', startToolAdapters);
