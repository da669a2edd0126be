import type { AgentTask } from '@agent-orchestrator/contracts';

/** The label the scripted model picks a run's turns by: `attempt-<n>`, the step id, or `round-<n>`. */
export function runLabel(task: AgentTask): string {
  switch (task.kind) {
    case 'plan':
      return `attempt-${task.attempt}`;
    case 'step':
      return task.stepId;
    case 'review':
      return `round-${task.round}`;
  }
}
