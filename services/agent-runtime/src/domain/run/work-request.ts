import type { AgentTask, SessionEvent } from '@agent-orchestrator/contracts';

export type WorkRequest = Extract<SessionEvent, { type: 'PlanRequested' | 'StepScheduled' | 'ReviewRequested' }>;

/** What a request for work asks of which agent: the run it starts is named by its session and task. */
export function taskOf(request: WorkRequest): { task: AgentTask; agent: string } {
  switch (request.type) {
    case 'PlanRequested':
      return { task: { kind: 'plan', attempt: request.data.attempt }, agent: request.data.planner };
    case 'StepScheduled':
      return { task: { kind: 'step', stepId: request.data.stepId, attempt: request.data.attempt }, agent: request.data.agent };
    case 'ReviewRequested':
      return { task: { kind: 'review', round: request.data.round }, agent: request.data.reviewer };
  }
}
