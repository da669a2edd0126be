import { builtInAgentNames, type AgentDefinition, type AgentTask, type Guardrail } from '@agent-orchestrator/contracts';
import { Agent, type AgentOutputType, type InputGuardrail, type Model, type OutputGuardrail, type Tool } from '@openai/agents';
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

const defaultInstructions = {
  plan: 'You are the Planner. Break the goal into a small number of concrete steps. Give each step an id, a title, the agent to do it, and the ids of the steps whose results it needs; steps that need nothing from each other run in parallel.',
  step: (agent: string) =>
    `You are ${agent}. Carry out your step of the plan using the results of the steps it builds on and the tools you are given. Answer with the step's result.`,
  review: 'You are the Reviewer. Judge whether the step results together achieve the goal. Answer pass, or rework with the reasons and the ids of the steps to redo.',
};

/** Built-in agents that take steps; the Planner and the Reviewer take plans and reviews. */
export const defaultWorkers: readonly string[] = builtInAgentNames.filter((name) => name !== 'Planner' && name !== 'Reviewer');

/** Built-in step agents get the built-in tools; a defined agent gets the tools its definition names. */
const builtInWorkerTools = ['echo'];

// Agent is invariant in its output type; the runner only needs something `run` takes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RunnableAgent = Agent<any, any>;

export interface AgentCast {
  /** The model every agent of the run talks to (a run has one model, handoffs included). */
  readonly model: Model;
  /** The session's pinned definition of an agent; undefined for a built-in one it did not redefine. */
  readonly definitionOf: (name: string) => AgentDefinition | undefined;
  /** The agents a plan may give steps to: built-in workers and every agent the session pinned. */
  readonly workers: readonly string[];
  /** The tools of these names the run may offer (unknown or disallowed names are left out). */
  readonly tools: (names: readonly string[]) => Tool[];
}

/**
 * The agent that takes a task, built from its pinned definition when the session has one, else
 * from the defaults. The task fixes the role's part (a plan's shape, a verdict's shape); the
 * definition gives instructions, tools, guardrails and, for steps, handoffs. Agent and tool names
 * must be the same wherever a paused run is resumed, so everything here derives from the task and
 * the pinned definitions alone.
 */
export function agentFor(task: AgentTask, name: string, cast: AgentCast): RunnableAgent {
  const definition = cast.definitionOf(name);
  const guardrails = guardrailsOf(name, definition?.guardrails ?? []);
  switch (task.kind) {
    case 'plan':
      return new Agent({
        name,
        instructions: `${definition?.instructions ?? defaultInstructions.plan}\nAgents that can take a step: ${cast.workers.join(', ')}.`,
        model: cast.model,
        tools: cast.tools(definition?.tools ?? []),
        outputType: planOutputSchema,
        ...guardrails,
      });
    case 'review':
      return new Agent({
        name,
        instructions: definition?.instructions ?? defaultInstructions.review,
        model: cast.model,
        tools: cast.tools(definition?.tools ?? []),
        outputType: reviewOutputSchema,
        ...guardrails,
      });
    case 'step':
      return stepAgent(name, cast, new Map());
  }
}

/** A step agent and, through its handoffs, every agent it can reach; each built once, so cycles close. */
function stepAgent(name: string, cast: AgentCast, built: Map<string, RunnableAgent>): RunnableAgent {
  const existing = built.get(name);
  if (existing) return existing;
  const definition = cast.definitionOf(name);
  const agent = new Agent({
    name,
    ...(definition?.description === undefined ? {} : { handoffDescription: definition.description }),
    instructions: definition?.instructions ?? defaultInstructions.step(name),
    model: cast.model,
    tools: cast.tools(definition?.tools ?? builtInWorkerTools),
    ...guardrailsOf(name, definition?.guardrails ?? []),
  });
  built.set(name, agent);
  agent.handoffs = (definition?.handoffs ?? []).map((target) => stepAgent(target, cast, built));
  return agent;
}

/** A guardrail's name says whose and which it is, so a tripped run's failure reason names it. */
function guardrailsOf(
  agent: string,
  guardrails: readonly Guardrail[],
): { inputGuardrails: InputGuardrail[]; outputGuardrails: OutputGuardrail<AgentOutputType>[] } {
  const inputGuardrails: InputGuardrail[] = [];
  const outputGuardrails: OutputGuardrail<AgentOutputType>[] = [];
  guardrails.forEach((guardrail, index) => {
    const name = `${agent}.guardrails[${index}] (${guardrail.type})`;
    switch (guardrail.type) {
      case 'blocked_terms': {
        const check = (text: string) => {
          const found = guardrail.terms.filter((term) => text.toLowerCase().includes(term.toLowerCase()));
          return { tripwireTriggered: found.length > 0, outputInfo: found.length > 0 ? `contains ${found.map((term) => `"${term}"`).join(', ')}` : 'clean' };
        };
        if (guardrail.on === 'input') {
          // Not in parallel: a refused input never reaches the model.
          inputGuardrails.push({ name, runInParallel: false, execute: async ({ input }) => check(typeof input === 'string' ? input : JSON.stringify(input)) });
        } else {
          outputGuardrails.push({ name, execute: async ({ agentOutput }) => check(asText(agentOutput)) });
        }
        break;
      }
      case 'max_output_chars':
        outputGuardrails.push({
          name,
          execute: async ({ agentOutput }) => {
            const length = asText(agentOutput).length;
            return { tripwireTriggered: length > guardrail.limit, outputInfo: `${length} characters, at most ${guardrail.limit} allowed` };
          },
        });
        break;
    }
  });
  return { inputGuardrails, outputGuardrails };
}

const asText = (output: unknown): string => (typeof output === 'string' ? output : JSON.stringify(output));
