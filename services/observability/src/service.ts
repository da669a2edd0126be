import type { Platform, RunningService } from '@agent-orchestrator/service-host';
import type { ObservabilityConfig } from './config.js';

/** The observability process: usage and cost, prices as events. */
export async function startObservability(_platform: Platform, _config: ObservabilityConfig): Promise<RunningService> {
  return {
    async stop() {},
  };
}
