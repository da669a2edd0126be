import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseReplayConfig } from './config.js';
import { startReplay } from './service.js';

await runService('replay', startReplay, parseReplayConfig);
