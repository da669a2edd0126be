import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseRelayConfig } from './relay/config.js';
import { startRelayProcess } from './relay/relay-process.js';

await runService('relay', (platform, config) => startRelayProcess(platform, config), parseRelayConfig);
