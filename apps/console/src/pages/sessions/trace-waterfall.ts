import { genAi, platformAttributes, traceOfSession, type LoggedEvent, type TraceSpan } from '@agent-orchestrator/tracing/tree';
import { formatCost } from './format';

/** One row of the waterfall: a span, how deep it sits, and where its bar goes (percent of the session's time). */
export interface WaterfallRow {
  readonly span: TraceSpan;
  readonly depth: number;
  readonly offsetPercent: number;
  readonly widthPercent: number;
  readonly durationMs: number;
  readonly spanId: string | null;
  /** What the span adds in a few words: tokens and cost, a tool's operation, a decision, a wait. */
  readonly detail: string;
}

const numberAt = (span: TraceSpan, name: string): number | undefined => {
  const value = span.attributes[name];
  return typeof value === 'number' ? value : undefined;
};

function detailOf(span: TraceSpan): string {
  const at = (name: string) => span.attributes[name];
  switch (span.operation) {
    case 'chat':
    case 'invoke_agent': {
      const tokens = (numberAt(span, genAi.inputTokens) ?? 0) + (numberAt(span, genAi.outputTokens) ?? 0);
      const cost = numberAt(span, genAi.costAmount);
      return [at(genAi.requestModel), tokens > 0 ? `${tokens} tokens` : undefined, cost === undefined ? undefined : formatCost(cost)].filter(Boolean).join(' · ');
    }
    case 'execute_tool':
      return [at(platformAttributes.toolOperation), at(platformAttributes.toolOutcome)].filter(Boolean).join(' · ');
    case 'policy':
      return [at(platformAttributes.policyEffect), at(platformAttributes.policyRule)].filter(Boolean).join(' · ');
    case 'approval':
      return String(at(platformAttributes.approvalStatus) ?? '');
    case 'session':
    case 'plan':
    case 'step':
    case 'review':
      return span.open ? 'open' : '';
  }
}

/**
 * The session's trace as rows in tree order (each span after its parent, siblings by start), with
 * bars scaled to the session's time: rebuilt from the events alone, so it shows with no exporter.
 */
export function waterfallOf(events: readonly LoggedEvent[]): WaterfallRow[] {
  const spans = traceOfSession(events);
  if (spans.length === 0) return [];
  const start = Math.min(...spans.map((span) => Date.parse(span.start)));
  const end = Math.max(...spans.map((span) => Date.parse(span.end)));
  const total = Math.max(1, end - start);
  const children = Map.groupBy(spans, (span) => span.parentKey);
  const rows: WaterfallRow[] = [];
  const visit = (span: TraceSpan, depth: number) => {
    const from = Date.parse(span.start) - start;
    const durationMs = Date.parse(span.end) - Date.parse(span.start);
    rows.push({
      span,
      depth,
      offsetPercent: (from / total) * 100,
      widthPercent: Math.max(0.5, (durationMs / total) * 100),
      durationMs,
      spanId: span.traceparent?.split('-')[2] ?? null,
      detail: detailOf(span),
    });
    for (const child of [...(children.get(span.key) ?? [])].sort((a, b) => a.start.localeCompare(b.start))) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  return rows;
}
