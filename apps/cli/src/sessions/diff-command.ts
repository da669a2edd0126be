import type { operations } from '@agent-orchestrator/client';
import { exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';

type SessionDiff = operations['diffSessions']['responses'][200]['content']['application/json'];
interface Row {
  readonly key: string;
  readonly a: unknown;
  readonly b: unknown;
  readonly same: boolean;
}

/** `ao sessions diff`: two sessions side by side, a row per step, tool call and approval, `≠` where they differ. */
export async function diffCommand(client: PlatformClient, a: string, b: string, options: { readonly json?: boolean }, output: Output): Promise<number> {
  const diff = (await client.json('GET', `/v1/sessions/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}`)) as SessionDiff;
  if (options.json) {
    output.out(JSON.stringify(diff));
    return exitCodes.ok;
  }
  // Two columns across the terminal; piped, wide enough for a file or a pager.
  const columns = process.stdout.isTTY ? (process.stdout.columns ?? 120) : 200;
  for (const line of diffTable(diff, Math.max(30, Math.floor((columns - 28) / 2)))) output.out(line);
  return exitCodes.ok;
}

/** The side-by-side table as lines for a terminal, each side's cells clipped to `width` characters. */
export function diffTable(diff: SessionDiff, width: number): string[] {
  const lines: string[] = [];
  const heading = (side: SessionDiff['a']) => `${side.sessionId} (${side.status}${side.forkedFrom ? `, forked from ${side.forkedFrom.sessionId} at ${side.forkedFrom.version}` : ''})`;
  lines.push(`a: ${heading(diff.a)}`, `b: ${heading(diff.b)}`, '');
  const line = (mark: string, what: string, a: string, b: string) => `${mark.padEnd(2)}${cell(what, 24)} ${cell(a, width)} ${cell(b, width)}`.trimEnd();
  lines.push(line('', 'what', 'a', 'b'));
  const section = (name: string, rows: readonly Row[], show: (value: never) => string) => {
    for (const row of rows) lines.push(line(row.same ? '' : '≠', `${name} ${row.key}`, row.a === null ? '-' : show(row.a as never), row.b === null ? '-' : show(row.b as never)));
  };
  section('step', diff.steps, (step: SessionDiff['steps'][number]['a'] & object) => `${step.status}: ${text(step.output ?? step.title)}`);
  section('tool call', diff.toolCalls, (call: SessionDiff['toolCalls'][number]['a'] & object) => `${call.outcome}: ${call.tool}.${call.operation ?? '?'} ${text(call.arguments)}`);
  section('approval', diff.approvals, (approval: SessionDiff['approvals'][number]['a'] & object) => `${approval.tool}: ${approval.decision}${approval.approver ? ` by ${approval.approver}` : ''}`);
  section('usage', [diff.usage], (usage: SessionDiff['usage']['a'] & object) => `${usage.inputTokens + usage.outputTokens} tokens, $${usage.costUsd}`);
  lines.push('');
  const first = diff.firstDivergence;
  lines.push(first === null ? 'the two sessions are alike' : `first difference: ${first.section} ${first.key}`);
  const planSame = diff.plan.every((row) => row.same);
  lines.push(planSame ? 'plans: the same' : 'plans: different');
  return lines;
}

function cell(value: string, size: number): string {
  const flat = value.replace(/\s+/g, ' ');
  return (flat.length > size ? `${flat.slice(0, size - 1)}…` : flat).padEnd(size);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
