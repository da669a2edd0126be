import { parseOperationToolName, sessionIdSchema, type EventEnvelope } from '@agent-orchestrator/contracts';
import { isDeepStrictEqual } from 'node:util';
import { GatewayError } from '../errors.js';
import { sessionStreams } from './session-streams.js';
import type { SessionsBackend } from './sessions.js';

export interface StepView {
  readonly stepId: string;
  readonly title: string;
  readonly agent: string;
  readonly status: string;
  readonly output: unknown;
}
export interface ToolCallView {
  readonly tool: string;
  readonly operation: string | null;
  readonly arguments: unknown;
  readonly outcome: 'completed' | 'failed' | 'pending';
  /** The tool's answer, or why it failed. */
  readonly result: string | null;
}
export interface ApprovalView {
  readonly tool: string;
  readonly decision: 'pending' | 'granted' | 'rejected' | 'expired';
  readonly approver: string | null;
}
export interface UsageView {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** One line of the side-by-side: what each session has at this place, null where it has nothing. */
export interface DiffRow<T> {
  readonly key: string;
  readonly a: T | null;
  readonly b: T | null;
  readonly same: boolean;
}

export type DiffSection = 'plan' | 'steps' | 'toolCalls' | 'approvals' | 'usage' | 'log';

/** What one session is, as the diff compares it. */
interface Side {
  readonly sessionId: string;
  readonly status: string;
  readonly forkedFrom: { readonly sessionId: string; readonly version: number } | null;
  readonly plan: readonly { readonly stepId: string; readonly title: string; readonly agent: string; readonly dependsOn: readonly string[] }[];
  readonly steps: readonly StepView[];
  readonly toolCalls: readonly ToolCallView[];
  readonly approvals: readonly ApprovalView[];
  readonly usage: UsageView;
  /** The session's own events, as type and data, without what only says the session is a fork. */
  readonly log: readonly { readonly version: number; readonly type: string; readonly data: unknown }[];
}

/**
 * Two of the caller's sessions side by side (typically a fork and its original): plan, steps,
 * tool calls, approvals, tokens and cost, and the first place they differ, in that order of
 * sections; `log` says at which event of the session streams they part.
 */
export async function diffSessions(backend: SessionsBackend, tenantId: string, a: string, b: string) {
  const [left, right] = await Promise.all([side(backend, tenantId, a), side(backend, tenantId, b)]);
  const plan = rows(left.plan, right.plan, (step) => step.stepId);
  const steps = rows(left.steps, right.steps, (step) => step.stepId);
  const toolCalls = rows(left.toolCalls, right.toolCalls, (_, index) => String(index + 1));
  const approvals = rows(left.approvals, right.approvals, (_, index) => String(index + 1));
  const usage: DiffRow<UsageView> = { key: 'total', a: left.usage, b: right.usage, same: isDeepStrictEqual(left.usage, right.usage) };
  const log = rows(left.log, right.log, (_, index) => String(index), (x, y) => x.type === y.type && isDeepStrictEqual(x.data, y.data));
  const sections = { plan, steps, toolCalls, approvals, usage: [usage], log } as const;
  const firstDivergence =
    (Object.keys(sections) as DiffSection[]).flatMap((section) => {
      const row = (sections[section] as readonly DiffRow<unknown>[]).find((candidate) => !candidate.same);
      return row === undefined ? [] : [{ section, key: row.key, a: row.a, b: row.b }];
    })[0] ?? null;
  const about = ({ sessionId, status, forkedFrom }: Side) => ({ sessionId, status, forkedFrom });
  return { a: about(left), b: about(right), ...sections, usage, firstDivergence };
}

function rows<T>(left: readonly T[], right: readonly T[], keyOf: (item: T, index: number) => string, same: (x: T, y: T) => boolean = isDeepStrictEqual): DiffRow<T>[] {
  const rightByKey = new Map(right.map((item, index) => [keyOf(item, index), item]));
  const keys = [...new Set([...left.map(keyOf), ...right.map(keyOf)])];
  const leftByKey = new Map(left.map((item, index) => [keyOf(item, index), item]));
  return keys.map((key) => {
    const x = leftByKey.get(key) ?? null;
    const y = rightByKey.get(key) ?? null;
    return { key, a: x, b: y, same: x !== null && y !== null && same(x, y) };
  });
}

async function side(backend: SessionsBackend, tenantId: string, sessionId: string): Promise<Side> {
  const detail = sessionIdSchema.safeParse(sessionId).success ? await backend.queries.getSession(tenantId, sessionId) : null;
  // Another tenant's session, or one not yet in the read model, reads as missing.
  if (!detail) throw new GatewayError('NotFound', `Your tenant has no session ${sessionId} (a session just started is compared once it is in the read model).`);
  const { streams } = await sessionStreams(backend.store, backend.approvals, tenantId, sessionId);
  const events = (kind: string) => streams.filter((stream) => stream.kind === kind).flatMap((stream) => stream.links.map((link) => link.event));
  const approvals = await backend.approvals.list(tenantId, { sessionId, limit: 400 });
  return {
    sessionId,
    status: detail.status,
    forkedFrom: detail.forkedFrom ?? null,
    plan: (detail.plan?.steps ?? []).map(({ stepId, title, agent, dependsOn }) => ({ stepId, title, agent, dependsOn })),
    steps: detail.steps.map(({ stepId, title, agent, status, output }) => ({ stepId, title, agent, status, output: output ?? null })),
    toolCalls: toolCalls(events('agentRun'), events('toolCall')),
    approvals: approvals
      .reverse()
      .map((approval) => ({ tool: approval.tool, decision: approval.status, approver: approval.outcome?.by?.id ?? approval.votes[approval.votes.length - 1]?.id ?? null })),
    usage: { inputTokens: Number(detail.inputTokens), outputTokens: Number(detail.outputTokens), costUsd: Number(detail.costUsd) },
    log: ownLog(events('session')),
  };
}

function toolCalls(runEvents: readonly EventEnvelope[], answers: readonly EventEnvelope[]): ToolCallView[] {
  // A call's stream also says it started; only its answer says how it ended.
  const answered = answers.filter((event) => event.type === 'ToolCallCompleted' || event.type === 'ToolCallFailed');
  const answerOf = new Map(answered.map((answer) => [(answer.data as { callId: string }).callId, answer]));
  return runEvents
    .filter((event) => event.type === 'ToolCallRequested')
    .sort((x, y) => (x.globalPosition < y.globalPosition ? -1 : x.globalPosition > y.globalPosition ? 1 : 0))
    .map((event) => {
      const { callId, tool: modelTool, arguments: json } = event.data as { callId: string; tool: string; arguments: string };
      const target = parseOperationToolName(modelTool);
      const answer = answerOf.get(callId);
      const data = answer?.data as { output?: string; reason?: string } | undefined;
      return {
        tool: target?.tool ?? modelTool,
        operation: target?.operation ?? null,
        arguments: parsedOrText(json),
        outcome: answer === undefined ? 'pending' : answer.type === 'ToolCallCompleted' ? 'completed' : 'failed',
        result: data?.output ?? data?.reason ?? null,
      };
    });
}

/**
 * A fork's log compared as the decisions it holds: SessionForked, and the requests it asked
 * again right after it (the same requests its copies hold), only say it is a fork.
 */
function ownLog(events: readonly EventEnvelope[]): Side['log'] {
  // A fork of a fork holds its parent's SessionForked among its copies: its own is the last.
  const forked = events.findLast((event) => event.type === 'SessionForked');
  const copies = forked === undefined ? [] : events.filter((event) => event.streamVersion < forked.streamVersion);
  const askedAgain = (event: EventEnvelope) =>
    forked !== undefined && event.causationId === forked.causationId && copies.some((copy) => copy.type === event.type && isDeepStrictEqual(copy.data, event.data));
  return events.filter((event) => event !== forked && !askedAgain(event)).map(({ streamVersion, type, data }) => ({ version: streamVersion, type, data }));
}

function parsedOrText(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
