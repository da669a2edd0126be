import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { startPolicy } from './service.js';

await runService('policy', startPolicy);
