import { maxAnalysisInputChars, parseStreamName, stepOfRun, type EventEnvelope } from '@agent-orchestrator/contracts';
import { piiKinds, redactPii } from '@agent-orchestrator/pii';
import { excerpt } from '../model/conversation.js';

/** The line of an Analyst's input that holds the trace's facts as JSON; the scripted Analyst reads it. */
export const factsPrefix = 'FACTS ';

/** One agent run of the session as the facts list it. */
export interface RunFacts {
  readonly run: string;
  readonly agent: string;
  readonly model: string;
  readonly outcome: 'completed' | 'failed' | 'paused' | 'running';
  readonly durationMs: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly reason: string | null;
}

/** What the whole trace adds up to, worked out from every event, however much of it the input shows. */
export interface TraceFacts {
  readonly status: 'completed' | 'failed' | 'cancelled' | 'running';
  readonly failureReason: string | null;
  readonly durationMs: number;
  readonly totals: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number; readonly modelResponses: number };
  /** The failed runs, then the costliest and slowest, at most `maxRunsListed`. */
  readonly runs: readonly RunFacts[];
  readonly runsNotListed: number;
  readonly toolCalls: readonly { readonly tool: string; readonly calls: number; readonly failed: number; readonly reasons: readonly string[] }[];
}

export interface AnalystInput {
  readonly text: string;
  readonly events: number;
  readonly shown: number;
  readonly summarised: boolean;
  readonly facts: TraceFacts;
}

const maxRunsListed = 20;
const maxToolsListed = 20;
const maxValueChars = 160;
/** Room kept for the line that says what was summarised. */
const summaryReserve = 1200;

/**
 * Every text the model is given passes through here: personal data and credentials are replaced
 * with every kind the platform knows, whatever the tenant stores, since an analysis need not
 * name a customer. Redacted before it is cut short, so half an address is never left behind.
 */
const redacted = (text: string, length = maxValueChars): string => excerpt(redactPii(text, piiKinds).text, length);

/**
 * The Analyst's input from a session's trace (its own events, its runs' and its tool calls',
 * oldest first): a header, the facts, then one line per event. When the lines do not fit
 * `maxAnalysisInputChars`, the first and last ones are shown and the middle is folded into counts
 * by type, with its failures named; the header says so. Never cut short silently.
 */
export function analystInput(sessionId: string, trace: readonly EventEnvelope[]): AnalystInput {
  const events = [...trace].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.globalPosition.localeCompare(b.globalPosition));
  const facts = factsOf(sessionId, events);
  const startedAt = Date.parse(events[0]?.occurredAt ?? new Date(0).toISOString());
  const lines = events.map((event) => lineOf(event, startedAt));
  const factsLine = `${factsPrefix}${JSON.stringify(facts)}`;
  const header = (shown: number, note: string) =>
    `Session ${sessionId} trace, redacted. Events: ${events.length}, shown: ${shown}.${note}\nTimes are seconds from the session's first event; tokens are input+output.\n${factsLine}\nEVENTS`;
  const whole = [header(lines.length, ''), ...lines].join('\n');
  if (whole.length <= maxAnalysisInputChars) return { text: whole, events: events.length, shown: lines.length, summarised: false, facts };

  const budget = maxAnalysisInputChars - header(events.length, summarisedNote).length - summaryReserve;
  const head = fitting(lines, Math.floor(budget * 0.4));
  const tail = fitting([...lines].reverse(), budget - head.chars).lines.reverse();
  const middle = events.slice(head.lines.length, events.length - tail.length);
  const text = [header(head.lines.length + tail.length, summarisedNote), ...head.lines, summaryOf(middle, startedAt), ...tail].join('\n');
  return { text: text.slice(0, maxAnalysisInputChars), events: events.length, shown: head.lines.length + tail.length, summarised: true, facts };
}

const summarisedNote = ' The trace was too long to show whole: the first and last events are shown, the ones between are summarised where marked; the facts cover every event.';

function fitting(lines: readonly string[], budget: number): { lines: string[]; chars: number } {
  const taken: string[] = [];
  let chars = 0;
  for (const line of lines) {
    if (chars + line.length + 1 > budget) break;
    taken.push(line);
    chars += line.length + 1;
  }
  return { lines: taken, chars };
}

function summaryOf(middle: readonly EventEnvelope[], startedAt: number): string {
  const counts = new Map<string, number>();
  for (const event of middle) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  const byType = [...counts].sort((a, b) => b[1] - a[1]).map(([type, count]) => `${count} ${type}`).join(', ');
  const failures = middle.filter((event) => /Failed$/.test(event.type)).slice(0, 3).map((event) => lineOf(event, startedAt).slice(0, 250));
  const span = middle.length === 0 ? '' : ` from ${offset(middle[0]!, startedAt)} to ${offset(middle.at(-1)!, startedAt)}`;
  return excerpt(`… ${middle.length} events summarised${span}: ${byType}.${failures.length > 0 ? ` Failures among them: ${failures.join(' | ')}` : ''}`, summaryReserve - 10);
}

const offset = (event: EventEnvelope, startedAt: number) => `+${((Date.parse(event.occurredAt) - startedAt) / 1000).toFixed(3)}s`;

/** Fields that say nothing an analysis needs, or that repeat the stream. */
const skippedFields = new Set(['sessionId', 'runState', 'runId']);

function lineOf(event: EventEnvelope, startedAt: number): string {
  const { category } = parseStreamName(event.streamId);
  const fields = Object.entries((event.data ?? {}) as Record<string, unknown>)
    .filter(([key]) => !skippedFields.has(key))
    .map(([key, value]) => `${key}=${valueOf(key, value)}`);
  return `${offset(event, startedAt)} ${category} ${event.type}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`;
}

function valueOf(key: string, value: unknown): string {
  if (key === 'usage' && typeof value === 'object' && value !== null) {
    const { inputTokens, outputTokens, costUsd } = value as { inputTokens: number; outputTokens: number; costUsd: number };
    return `${inputTokens}+${outputTokens}tok/$${costUsd}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(redacted(typeof value === 'string' ? value : JSON.stringify(value)));
}

function factsOf(sessionId: string, events: readonly EventEnvelope[]): TraceFacts {
  const sessionEvents = events.filter((event) => parseStreamName(event.streamId).category === 'session');
  const ended = sessionEvents.find((event) => ['SessionCompleted', 'SessionFailed', 'SessionCancelled'].includes(event.type));
  const status = ended === undefined ? 'running' : ended.type === 'SessionCompleted' ? 'completed' : ended.type === 'SessionFailed' ? 'failed' : 'cancelled';
  const reasonOf = (event: EventEnvelope | undefined) => {
    const reason = (event?.data as { reason?: unknown } | undefined)?.reason;
    return typeof reason === 'string' ? redacted(reason, 300) : null;
  };
  const totals = { inputTokens: 0, outputTokens: 0, costUsd: 0, modelResponses: 0 };
  const runs = new Map<string, { run: string; agent: string; model: string; outcome: RunFacts['outcome']; from: number; to: number; tokens: number; costUsd: number; reason: string | null }>();
  const tools = new Map<string, { tool: string; calls: number; failed: number; reasons: string[] }>();
  for (const event of events) {
    const { category, id } = parseStreamName(event.streamId);
    const at = Date.parse(event.occurredAt);
    if (category === 'agentrun') {
      const data = event.data as { agent?: string; model?: string; usage?: { inputTokens: number; outputTokens: number; costUsd: number } };
      const run = runs.get(id) ?? { run: runLabelOf(sessionId, id), agent: '?', model: '?', outcome: 'running' as const, from: at, to: at, tokens: 0, costUsd: 0, reason: null };
      run.to = at;
      if (event.type === 'AgentRunStarted') Object.assign(run, { agent: data.agent ?? '?', model: data.model ?? '?' });
      if (event.type === 'ModelResponded' && data.usage) {
        totals.inputTokens += data.usage.inputTokens;
        totals.outputTokens += data.usage.outputTokens;
        totals.costUsd += data.usage.costUsd;
        totals.modelResponses += 1;
        run.tokens += data.usage.inputTokens + data.usage.outputTokens;
        run.costUsd += data.usage.costUsd;
      }
      if (event.type === 'AgentRunPaused') run.outcome = 'paused';
      if (event.type === 'AgentRunCompleted') run.outcome = 'completed';
      if (event.type === 'AgentRunFailed') Object.assign(run, { outcome: 'failed', reason: reasonOf(event) });
      runs.set(id, run);
    }
    if (category === 'toolcall' && (event.type === 'ToolCallCompleted' || event.type === 'ToolCallFailed')) {
      const { tool: name } = event.data as { tool: string };
      const tool = tools.get(name) ?? { tool: redacted(name, 100), calls: 0, failed: 0, reasons: [] };
      tool.calls += 1;
      if (event.type === 'ToolCallFailed') {
        tool.failed += 1;
        const reason = reasonOf(event);
        if (reason !== null && tool.reasons.length < 3 && !tool.reasons.includes(reason)) tool.reasons.push(reason);
      }
      tools.set(name, tool);
    }
  }
  const allRuns = [...runs.values()].map(({ from, to, costUsd, ...run }) => ({ ...run, durationMs: to - from, costUsd: round(costUsd) }));
  const listed = new Set([
    ...allRuns.filter((run) => run.outcome === 'failed').slice(0, maxRunsListed / 2),
    ...[...allRuns].sort((a, b) => b.costUsd - a.costUsd || b.tokens - a.tokens).slice(0, maxRunsListed / 4),
    ...[...allRuns].sort((a, b) => b.durationMs - a.durationMs).slice(0, maxRunsListed / 4),
  ]);
  const firstAt = Date.parse(events[0]?.occurredAt ?? '1970-01-01T00:00:00Z');
  const lastAt = Date.parse(events.at(-1)?.occurredAt ?? '1970-01-01T00:00:00Z');
  return {
    status,
    failureReason: status === 'failed' ? reasonOf(ended) : null,
    durationMs: lastAt - firstAt,
    totals: { ...totals, costUsd: round(totals.costUsd) },
    runs: allRuns.filter((run) => listed.has(run)),
    runsNotListed: allRuns.length - listed.size,
    toolCalls: [...tools.values()].sort((a, b) => b.failed - a.failed || b.calls - a.calls).slice(0, maxToolsListed),
  };
}

/** `plan 1`, `step s1 attempt 2`, `review 1`: a run as a reader names it. */
function runLabelOf(sessionId: string, runId: string): string {
  const step = stepOfRun(runId);
  if (step) return `step ${step.stepId} attempt ${step.attempt}`;
  const [kind, number] = runId.slice(sessionId.length + 1).split('.');
  return `${kind ?? 'run'} ${number ?? ''}`.trim();
}

const round = (usd: number) => Math.round(usd * 1e9) / 1e9;
