import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { parseOrchestratorConfig } from './config.js';
import { startOrchestrator } from './service.js';

// The session log reaches Kafka through the relay processes (relay-main.ts), not this one.
await runService('orchestrator', (platform, config) => startOrchestrator(platform, config, { relay: 'apart' }), parseOrchestratorConfig);
