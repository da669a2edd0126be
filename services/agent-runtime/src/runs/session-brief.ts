import type { EventEnvelope, ForkOverrides, PlanStep, SessionConstraints, SessionEvent } from '@agent-orchestrator/contracts';

/** What an agent run needs to know of its session, folded from the session stream. */
export interface SessionBrief {
  readonly tenantId: string;
  /** When the session started: where its session budgets count from. */
  readonly startedAt: string;
  readonly goal: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly constraints: SessionConstraints;
  readonly agentVersions: Readonly<Record<string, number>>;
  readonly toolVersions: Readonly<Record<string, number>>;
  readonly steps: readonly PlanStep[];
  readonly outputs: ReadonlyMap<string, unknown>;
  /** The reasons of the latest rework, told to the steps that are redone. */
  readonly reworkReasons: readonly string[];
  /**
   * A fork's SessionForked stream version: requests for work at or below it are copies of the
   * original's, answered there, and are not run again here.
   */
  readonly forkedAtVersion?: number;
  /** A fork's model for every run, over what the agent definitions name. */
  readonly model?: string;
}

export function foldSessionBrief(events: readonly EventEnvelope[]): SessionBrief | undefined {
  let brief: SessionBrief | undefined;
  for (const envelope of events) {
    const event = envelope as EventEnvelope & SessionEvent;
    if (event.type === 'SessionStarted') {
      const { goal, context, constraints, agentVersions, toolVersions } = event.data;
      brief = { tenantId: event.tenantId, startedAt: event.occurredAt, goal, context, constraints, agentVersions, toolVersions, steps: [], outputs: new Map(), reworkReasons: [] };
      continue;
    }
    if (brief === undefined) continue;
    switch (event.type) {
      case 'SessionForked':
        brief = withForkOverrides(brief, event.data.overrides, envelope.streamVersion);
        break;
      case 'PlanProposed':
        brief = { ...brief, steps: event.data.steps, outputs: new Map() };
        break;
      case 'StepCompleted':
        brief = { ...brief, outputs: new Map(brief.outputs).set(event.data.stepId, event.data.output) };
        break;
      case 'ReworkRequested':
        brief = { ...brief, reworkReasons: event.data.reasons };
        break;
      default:
        break;
    }
  }
  return brief;
}

/**
 * A fork runs with its overrides in place of what the original started with: the model script or
 * fixture replaces the context's (the context is where the scripted model looks), agent versions
 * are pinned over the original's, and a model name applies to every run.
 */
function withForkOverrides(brief: SessionBrief, overrides: ForkOverrides, forkedAtVersion: number): SessionBrief {
  const { modelScript, modelFixture, agentVersions, model } = overrides;
  const scripted = modelScript !== undefined || modelFixture !== undefined;
  const context = scripted
    ? { ...Object.fromEntries(Object.entries(brief.context).filter(([key]) => key !== 'modelScript' && key !== 'modelFixture')), ...(modelScript === undefined ? {} : { modelScript }), ...(modelFixture === undefined ? {} : { modelFixture }) }
    : brief.context;
  return { ...brief, context, agentVersions: { ...brief.agentVersions, ...agentVersions }, forkedAtVersion, ...(model === undefined ? {} : { model }) };
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** The input of a planner run. */
export function planInput(brief: SessionBrief): string {
  return [`Goal: ${brief.goal}`, ...contextLines(brief), 'Propose the plan: steps, each with the agent to do it and the steps it depends on.'].join('\n');
}

/** The input of a step's run: its goal, its own instructions, what its dependencies produced, and any rework asked for. */
export function stepInput(brief: SessionBrief, stepId: string): string {
  const step = brief.steps.find((candidate) => candidate.stepId === stepId);
  if (step === undefined) throw new Error(`the session's plan has no step "${stepId}"`);
  const dependencies = step.dependsOn.map((id) => `- ${id}: ${show(brief.outputs.get(id) ?? '(no output)')}`);
  return [
    `Goal: ${brief.goal}`,
    ...contextLines(brief),
    `Your step (${step.stepId}): ${step.title}`,
    ...(step.input === undefined ? [] : [`Step input: ${show(step.input)}`]),
    ...(dependencies.length === 0 ? [] : ['Results of the steps it builds on:', ...dependencies]),
    ...(brief.reworkReasons.length === 0 ? [] : ['The reviewer asked for rework:', ...brief.reworkReasons.map((reason) => `- ${reason}`)]),
  ].join('\n');
}

/** The input of a review: the goal and every step's result. */
export function reviewInput(brief: SessionBrief): string {
  return [
    `Goal: ${brief.goal}`,
    'Step results:',
    ...brief.steps.map((step) => `- ${step.stepId} (${step.title}): ${show(brief.outputs.get(step.stepId) ?? '(no output)')}`),
    'Answer pass, or rework with the reasons and the steps to redo.',
  ].join('\n');
}

/** The session context minus the scripted model's own keys, which are not for the agents. */
function contextLines(brief: SessionBrief): string[] {
  const shared = Object.fromEntries(Object.entries(brief.context).filter(([key]) => key !== 'modelScript' && key !== 'modelFixture'));
  return Object.keys(shared).length === 0 ? [] : [`Context: ${JSON.stringify(shared)}`];
}
