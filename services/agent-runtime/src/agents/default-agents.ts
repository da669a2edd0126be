import type { AgentTask } from '@agent-orchestrator/contracts';
import { Agent, type Model, type Tool } from '@openai/agents';
import { z } from 'zod';

/** What a Planner answers: the plan the orchestrator checks and adopts. */
export const planOutputSchema = z.object({
  steps: z
    .array(
      z.object({
        stepId: z.string().describe('short id, letters, digits, "_", "-" or "."'),
        title: z.string().describe('what the step must achieve'),
        agent: z.string().describe('the agent that does it'),
        dependsOn: z.array(z.string()).describe('ids of the steps whose results it needs'),
      }),
    )
    .min(1),
  rationale: z.string().optional(),
});

/** What a Reviewer answers. A rework without step ids redoes every step. */
export const reviewOutputSchema = z.object({
  verdict: z.enum(['pass', 'rework']),
  reasons: z.array(z.string()),
  stepIds: z.array(z.string()).optional(),
});

const instructions = {
  plan: (workers: readonly string[]) =>
    `You are the Planner. Break the goal into a small number of concrete steps. Give each step an id, a title, the agent to do it (one of: ${workers.join(', ')}), and the ids of the steps whose results it needs; steps that need nothing from each other run in parallel.`,
  step: (agent: string) =>
    `You are ${agent}. Carry out your step of the plan using the results of the steps it builds on and the tools you are given. Answer with the step's result.`,
  review: () =>
    'You are the Reviewer. Judge whether the step results together achieve the goal. Answer pass, or rework with the reasons and the ids of the steps to redo.',
};

/** The agents every tenant has; a plan's steps go to the Executor unless it names another. */
export const defaultWorkers = ['Executor', 'Researcher'] as const;

/**
 * The agent that takes a task. Agent and tool names must be the same wherever a paused run is
 * resumed, so they are derived from the task alone.
 */
// Agent is invariant in its output type; the runner only needs something `run` takes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RunnableAgent = Agent<any, any>;

export function agentFor(task: AgentTask, name: string, model: Model, tools: readonly Tool[]): RunnableAgent {
  switch (task.kind) {
    case 'plan':
      return new Agent({ name, instructions: instructions.plan(defaultWorkers), model, outputType: planOutputSchema });
    case 'review':
      return new Agent({ name, instructions: instructions.review(), model, outputType: reviewOutputSchema });
    case 'step':
      return new Agent({ name, instructions: instructions.step(name), model, tools: [...tools] });
  }
}
