/**
 * A session's run as a tree, folded from the events of every stream of its work (the session's
 * own, its agent runs, each tool call's policy check and answer, its approvals): plan attempts,
 * step attempts, model calls, tool calls with their policy decision and approval, review rounds,
 * rework and budgets. Pure, so it folds the same events the same way in a browser and in a spec.
 */

/** The envelope fields the fold reads: what both the events page and the streams route give. */
export interface TreeEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly occurredAt: string;
  readonly actor: { readonly kind: string; readonly id: string };
  readonly data: unknown;
}

export type NodeKind = 'session' | 'plan' | 'step' | 'model' | 'tool' | 'policy' | 'approval' | 'review' | 'rework' | 'budget';
export type NodeStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'denied' | 'cancelled';

export interface RunNode {
  readonly id: string;
  readonly kind: NodeKind;
  title: string;
  subtitle?: string;
  status: NodeStatus;
  startedAt?: string;
  endedAt?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** What it came to: a step's output, a tool's answer, a verdict, a failure. */
  result?: string;
  readonly events: TreeEvent[];
  readonly children: RunNode[];
  /** Steps only: which plan step, and the steps it waits for. */
  stepId?: string;
  dependsOn?: readonly string[];
}

type Fields = Record<string, unknown>;
interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
const ended: readonly NodeStatus[] = ['succeeded', 'failed', 'denied', 'cancelled'];

/** Events of all streams in one order: by time, and within a stream by version (so a batch keeps its order). */
export function ordered(events: Iterable<TreeEvent>): TreeEvent[] {
  const unique = new Map<string, TreeEvent>();
  for (const event of events) unique.set(event.eventId, event);
  return [...unique.values()].sort(
    (a, b) => a.occurredAt.localeCompare(b.occurredAt) || (a.streamId === b.streamId ? a.streamVersion - b.streamVersion : a.streamId.localeCompare(b.streamId)),
  );
}

export function foldSessionTree(sessionId: string, events: Iterable<TreeEvent>): RunNode {
  const root = node('session', `session:${sessionId}`, 'Session', 'pending');
  const nodes = new Map<string, RunNode>([[root.id, root]]);
  const byStream = new Map<string, RunNode>([[`session-${sessionId}`, root]]);
  const lastInRun = new Map<string, string>();
  let plannedSteps = new Map<string, { title: string; agent: string; dependsOn: readonly string[] }>();

  function child(parent: RunNode, kind: NodeKind, id: string, title: string, status: NodeStatus = 'running'): RunNode {
    const existing = nodes.get(id);
    if (existing) return existing;
    const created = node(kind, id, title, status);
    nodes.set(id, created);
    parent.children.push(created);
    return created;
  }
  const plan = (attempt: number) => child(root, 'plan', `plan:${attempt}`, attempt > 1 ? `Plan (attempt ${attempt})` : 'Plan');
  const review = (round: number) => child(root, 'review', `review:${round}`, `Review round ${round}`);
  function step(stepId: string, attempt: number): RunNode {
    const planned = plannedSteps.get(stepId);
    const created = child(root, 'step', `step:${stepId}:${attempt}`, `${planned?.title ?? stepId}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    created.stepId = stepId;
    created.dependsOn ??= planned?.dependsOn ?? [];
    if (planned && created.subtitle === undefined) created.subtitle = planned.agent;
    return created;
  }
  /** `<session>.plan.<n>`, `<session>.step.<stepId>.<n>` or `<session>.review.<n>` (contracts' agentRunId). */
  function runOwner(runId: string): RunNode {
    const rest = runId.startsWith(`${sessionId}.`) ? runId.slice(sessionId.length + 1) : runId;
    const stepRun = /^step\.(.+)\.(\d+)$/.exec(rest);
    if (stepRun) return step(stepRun[1]!, Number(stepRun[2]));
    const other = /^(plan|review)\.(\d+)$/.exec(rest);
    if (other) return other[1] === 'plan' ? plan(Number(other[2])) : review(Number(other[2]));
    return root;
  }
  function tool(runId: string, callId: string, name: string): RunNode {
    const created = child(runOwner(runId), 'tool', `tool:${runId}/${callId}`, name);
    return created;
  }

  for (const event of ordered(events)) {
    const data = (event.data ?? {}) as Fields;
    let owner: RunNode | undefined;
    switch (event.type) {
      case 'SessionStarted':
        owner = root;
        root.title = text(data.goal) || 'Session';
        start(root, event);
        break;
      case 'PlanRequested':
        owner = plan(Number(data.attempt));
        owner.subtitle = text(data.planner);
        start(owner, event);
        break;
      case 'PlanProposed': {
        const steps = (data.steps ?? []) as { stepId: string; title: string; agent: string; dependsOn?: string[] }[];
        plannedSteps = new Map(steps.map((planned) => [planned.stepId, { title: planned.title, agent: planned.agent, dependsOn: planned.dependsOn ?? [] }]));
        owner = latest(root, 'plan') ?? plan(1);
        finish(owner, event, 'succeeded', `${steps.length} step${steps.length === 1 ? '' : 's'}: ${steps.map((planned) => planned.title).join('; ')}`);
        break;
      }
      case 'PlanRetryHeld':
        owner = plan(Number(data.attempt));
        finish(owner, event, 'failed', text(data.reason));
        break;
      case 'UsageRecorded': {
        const task = (data.task ?? {}) as Fields;
        owner = task.kind === 'plan' ? plan(Number(task.attempt)) : task.kind === 'review' ? review(Number(task.round)) : task.kind === 'step' ? step(text(task.stepId), Number(task.attempt)) : root;
        if (owner.kind !== 'step') setUsage(owner, data.usage as Usage);
        break;
      }
      case 'StepScheduled':
        owner = step(text(data.stepId), Number(data.attempt));
        owner.subtitle = text(data.agent);
        start(owner, event);
        break;
      case 'StepCompleted':
        owner = step(text(data.stepId), Number(data.attempt));
        setUsage(owner, data.usage as Usage);
        finish(owner, event, 'succeeded', text(data.output));
        break;
      case 'StepFailed':
        owner = step(text(data.stepId), Number(data.attempt));
        finish(owner, event, 'failed', text(data.reason));
        break;
      case 'ReviewRequested':
        owner = review(Number(data.round));
        owner.subtitle = text(data.reviewer);
        start(owner, event);
        break;
      case 'ReviewCompleted': {
        owner = review(Number(data.round));
        const reasons = (data.reasons ?? []) as string[];
        owner.title = `Review round ${text(data.round)}: ${data.verdict === 'pass' ? 'passed' : 'rework asked'}`;
        finish(owner, event, 'succeeded', [text(data.verdict), ...reasons].join(' — '));
        break;
      }
      case 'ReworkRequested': {
        owner = child(root, 'rework', `rework:${text(data.round)}`, `Rework after round ${text(data.round)}`, 'succeeded');
        start(owner, event);
        finish(owner, event, 'succeeded', `Steps ${((data.stepIds ?? []) as string[]).join(', ')}: ${((data.reasons ?? []) as string[]).join('; ')}`);
        break;
      }
      case 'BudgetExceeded':
        owner = child(root, 'budget', `budget:${event.eventId}`, `Budget exceeded: ${text(data.budget)}`, 'failed');
        start(owner, event);
        finish(owner, event, 'failed', `used ${text(data.used)} of ${text(data.limit)}`);
        break;
      case 'SessionCompleted':
      case 'SessionFailed':
      case 'SessionCancelled': {
        owner = root;
        setUsage(root, data.usage as Usage);
        const status = event.type === 'SessionCompleted' ? 'succeeded' : event.type === 'SessionFailed' ? 'failed' : 'cancelled';
        finish(root, event, status, event.type === 'SessionCompleted' ? text(data.result) : data.reason === undefined ? undefined : text(data.reason));
        // Work still under way when the session ended stopped with it.
        for (const open of nodes.values()) if (!ended.includes(open.status)) open.status = status === 'succeeded' ? 'cancelled' : status;
        break;
      }
      case 'SessionPaused':
        owner = root;
        root.status = 'waiting';
        break;
      case 'SessionResumed':
        owner = root;
        root.status = 'running';
        break;
      case 'ModelResponded': {
        const runId = event.streamId.replace(/^agentrun-/, '');
        const parent = runOwner(runId);
        const turn = Number(data.turn);
        owner = child(parent, 'model', `model:${runId}:${turn}`, `Model call ${turn + 1}`, 'succeeded');
        owner.subtitle = text(data.model);
        owner.startedAt = lastInRun.get(runId) ?? event.occurredAt;
        owner.endedAt = event.occurredAt;
        setUsage(owner, data.usage as Usage);
        break;
      }
      case 'ToolCallRequested': {
        owner = tool(text(data.runId), text(data.callId), text(data.tool));
        owner.subtitle = `${text(data.agent)} · ${text(data.arguments)}`;
        start(owner, event);
        break;
      }
      case 'PolicyDecisionRecorded': {
        const call = tool(text(data.runId), text(data.callId), text(data.tool));
        owner = child(call, 'policy', `policy:${data.runId}/${data.callId}`, `Policy: ${String(data.effect).replace('_', ' ')}`, data.effect === 'deny' ? 'denied' : 'succeeded');
        owner.subtitle = `${text(data.ruleId)} (policy v${text(data.policyVersion)})`;
        start(owner, event);
        finish(owner, event, owner.status, text(data.reason));
        byStream.set(event.streamId, owner);
        if (data.effect === 'deny') call.status = 'denied';
        else if (data.effect === 'require_approval') call.status = 'waiting';
        break;
      }
      case 'ApprovalRequested': {
        const call = tool(text(data.runId), text(data.callId), text(data.tool));
        owner = child(call, 'approval', `approval:${text(data.approvalId)}`, `Approval by ${text(data.role)}`, 'waiting');
        owner.subtitle = text(data.reason);
        start(owner, event);
        owner.status = 'waiting';
        call.status = 'waiting';
        break;
      }
      case 'ApprovalGranted':
      case 'ApprovalRejected':
      case 'ApprovalExpired': {
        const call = tool(text(data.runId), text(data.callId), text(data.tool));
        owner = child(call, 'approval', `approval:${text(data.approvalId)}`, 'Approval');
        const outcome = event.type === 'ApprovalGranted' ? 'succeeded' : event.type === 'ApprovalRejected' ? 'denied' : 'failed';
        finish(owner, event, outcome, event.type === 'ApprovalGranted' ? `granted${data.edited ? ' with edited arguments' : ''}` : event.type === 'ApprovalRejected' ? `rejected: ${text(data.reason)}` : 'expired');
        if (call.status === 'waiting') call.status = outcome === 'succeeded' ? 'running' : outcome;
        break;
      }
      case 'ToolCallCompleted':
      case 'ToolCallFailed': {
        owner = tool(text(data.runId), text(data.callId), text(data.tool));
        finish(owner, event, event.type === 'ToolCallCompleted' ? 'succeeded' : 'failed', text(event.type === 'ToolCallCompleted' ? data.output : data.reason));
        byStream.set(event.streamId, owner);
        break;
      }
      default:
        break;
    }
    owner ??= byStream.get(event.streamId) ?? (event.streamId.startsWith('agentrun-') ? runOwner(event.streamId.slice('agentrun-'.length)) : root);
    if (event.streamId.startsWith('approval-') && owner.kind === 'approval') byStream.set(event.streamId, owner);
    if (event.streamId.startsWith('agentrun-')) lastInRun.set(event.streamId.slice('agentrun-'.length), event.occurredAt);
    if (event.type === 'AgentRunFailed' && !ended.includes(owner.status)) finish(owner, event, 'failed', text(data.reason));
    owner.events.push(event);
  }
  return root;
}

function node(kind: NodeKind, id: string, title: string, status: NodeStatus): RunNode {
  return { id, kind, title, status, events: [], children: [] };
}

function start(target: RunNode, event: TreeEvent): void {
  target.startedAt ??= event.occurredAt;
  if (target.status === 'pending') target.status = 'running';
}

function finish(target: RunNode, event: TreeEvent, status: NodeStatus, result?: string): void {
  target.startedAt ??= event.occurredAt;
  target.endedAt = event.occurredAt;
  target.status = status;
  if (result !== undefined) target.result = result;
}

function setUsage(target: RunNode, usage: Usage | undefined): void {
  if (!usage) return;
  target.inputTokens = usage.inputTokens;
  target.outputTokens = usage.outputTokens;
  target.costUsd = usage.costUsd;
}

function latest(parent: RunNode, kind: NodeKind): RunNode | undefined {
  return parent.children.filter((candidate) => candidate.kind === kind).at(-1);
}

/** Every node, depth first: for counting, finding and selecting. */
export function* walk(root: RunNode, depth = 0): Generator<{ node: RunNode; depth: number }> {
  yield { node: root, depth };
  for (const next of root.children) yield* walk(next, depth + 1);
}

export function findNode(root: RunNode, id: string): RunNode | undefined {
  for (const { node: candidate } of walk(root)) if (candidate.id === id) return candidate;
  return undefined;
}

/**
 * The latest attempt of each planned step in columns of what can run together: a step sits one
 * column after the last step it depends on, so steps side by side in a column ran in parallel.
 */
export function stepColumns(root: RunNode): RunNode[][] {
  const latestOf = new Map<string, RunNode>();
  for (const candidate of root.children) if (candidate.kind === 'step' && candidate.stepId) latestOf.set(candidate.stepId, candidate);
  const column = new Map<string, number>();
  const columnOf = (stepId: string, seen: Set<string> = new Set()): number => {
    const known = column.get(stepId);
    if (known !== undefined) return known;
    if (seen.has(stepId)) return 0;
    seen.add(stepId);
    const dependsOn = (latestOf.get(stepId)?.dependsOn ?? []).filter((dependency) => latestOf.has(dependency));
    const found = dependsOn.length === 0 ? 0 : Math.max(...dependsOn.map((dependency) => columnOf(dependency, seen))) + 1;
    column.set(stepId, found);
    return found;
  };
  const columns: RunNode[][] = [];
  for (const [stepId, latestAttempt] of latestOf) (columns[columnOf(stepId)] ??= []).push(latestAttempt);
  return columns.filter((stepsOfColumn) => stepsOfColumn !== undefined);
}
