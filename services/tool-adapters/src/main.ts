import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseToolAdaptersConfig } from './config.js';
import { startToolAdapters } from './service.js';

await runService('tool-adapters', startToolAdapters, parseToolAdaptersConfig);
