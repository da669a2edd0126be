import 'reflect-metadata';
import { runService, startEventService } from '@agent-orchestrator/service-host';
import { ToolAdaptersModule } from './tool-adapters.module.js';

/** The tool-adapters process: answers ToolCallRequested from `events.agentrun`. */
await runService('tool-adapters', async (platform) => {
  const app = await startEventService(platform, ToolAdaptersModule.register({ store: platform.store, now: () => new Date().toISOString() }), {
    events: ['agentrun'],
  });
  return { stop: () => app.close() };
});
