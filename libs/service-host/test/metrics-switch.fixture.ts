/**
 * A service run by `runService`, for run-service.int.spec.ts: once started it records one tool call
 * in the process's registry and says whether the registry is recording.
 */
import { processMetrics } from '@agent-orchestrator/metrics';
import { runService } from '../src/run-service.js';

await runService('metrics-fixture', async (platform) => {
  processMetrics.toolCall({ tenant: 'acme', tool: 'crm', outcome: 'completed' });
  platform.logger.info({ recording: processMetrics.isRecording }, 'metrics-fixture recorded a tool call');
  return { stop: async () => undefined };
});
