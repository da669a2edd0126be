import type { EventEnvelope, NewEvent } from '@agent-orchestrator/contracts';
import type { EventStore, HandledCommand } from '@agent-orchestrator/event-store';
import { processMetrics } from '@agent-orchestrator/metrics';

const sessionEnds: Readonly<Record<string, 'completed' | 'failed' | 'cancelled'>> = { SessionCompleted: 'completed', SessionFailed: 'failed', SessionCancelled: 'cancelled' };
const stepEnds: Readonly<Record<string, 'completed' | 'failed'>> = { StepCompleted: 'completed', StepFailed: 'failed' };

const secondsBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * Records the session and step duration histograms for what a decision just appended: a step's
 * answer against its attempt's StepScheduled, a session's end against its SessionStarted (times
 * as the events state them). Only a decision that appended counts, so a redelivered command
 * records nothing twice. The log is read again only when something ended (a few times per
 * session); a metric never fails a command, so a failed read records nothing.
 */
export async function recordSessionTimings(store: EventStore, streamId: string, handled: Pick<HandledCommand<unknown>, 'newEvents' | 'appended'>): Promise<void> {
  if (handled.appended === undefined || handled.appended.alreadyAppended) return;
  const ended = handled.newEvents.filter((event) => sessionEnds[event.type] !== undefined || stepEnds[event.type] !== undefined);
  if (ended.length === 0) return;
  const log = await store.readStream(streamId).catch(() => undefined);
  if (log === undefined) return;
  for (const event of ended) record(event, log);
}

function record(event: NewEvent, log: readonly EventEnvelope[]): void {
  const status = sessionEnds[event.type];
  if (status !== undefined) {
    const started = log.find((candidate) => candidate.type === 'SessionStarted');
    if (started) processMetrics.sessionEnded({ tenant: event.tenantId, status, seconds: secondsBetween(started.occurredAt, event.occurredAt) });
    return;
  }
  const { stepId, attempt } = event.data as { stepId: string; attempt: number };
  const scheduled = log.findLast((candidate) => candidate.type === 'StepScheduled' && (candidate.data as { stepId: string; attempt: number }).stepId === stepId && (candidate.data as { attempt: number }).attempt === attempt);
  if (scheduled === undefined) return;
  const { agent } = scheduled.data as { agent: string };
  processMetrics.stepEnded({ tenant: event.tenantId, agent, outcome: stepEnds[event.type]!, seconds: secondsBetween(scheduled.occurredAt, event.occurredAt) });
}
