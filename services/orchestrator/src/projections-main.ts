import 'reflect-metadata';
import { runService } from '@agent-orchestrator/service-host';
import { startProjectionsProcess } from './projections/projection-host.js';

await runService('projections', (platform) => startProjectionsProcess(platform));
