import type { AnalysisFindings } from '@agent-orchestrator/contracts';
import { factsPrefix, type RunFacts, type TraceFacts } from '../analysis/session-trace.js';

/**
 * The scripted Analyst's findings: worked out from the facts line of its input alone, so the
 * same trace always gives the same findings, and they name what the trace shows (the failure's
 * reason, the costliest runs, the failing tools). Undefined when the input holds no facts.
 */
export function scriptedFindings(input: string): AnalysisFindings | undefined {
  const line = input.split('\n').find((candidate) => candidate.startsWith(factsPrefix));
  if (line === undefined) return undefined;
  let facts: TraceFacts;
  try {
    facts = JSON.parse(line.slice(factsPrefix.length)) as TraceFacts;
  } catch {
    return undefined;
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const { totals } = facts;
  const failedRuns = facts.runs.filter((run) => run.outcome === 'failed');
  const failingTools = facts.toolCalls.filter((tool) => tool.failed > 0);
  const runCount = facts.runs.length + facts.runsNotListed;
  const calls = facts.toolCalls.reduce((sum, tool) => sum + tool.calls, 0);
  const ending = facts.status === 'failed' ? `failed: ${unstopped(facts.failureReason ?? 'no reason was recorded')}` : facts.status === 'running' ? 'is still running' : `was ${facts.status}`;
  const costliest = [...facts.runs].sort((a, b) => b.costUsd - a.costUsd || b.tokens - a.tokens || b.durationMs - a.durationMs).slice(0, 3);
  const slowest = [...facts.runs].sort((a, b) => b.durationMs - a.durationMs)[0];

  const recommendations = [
    ...failedRuns.slice(0, 3).map((run) => `Fix what stopped ${describe(run)}: ${unstopped(run.reason ?? 'no reason was recorded')}.`),
    ...failingTools.slice(0, 3).map((tool) => `Look at tool ${tool.tool}: ${tool.failed} of ${tool.calls} calls failed${tool.reasons[0] ? ` (${tool.reasons[0]})` : ''}.`),
  ];
  if (facts.status === 'failed' && recommendations.length === 0) recommendations.push(`Address the session's failure (${unstopped(facts.failureReason ?? 'no reason was recorded')}), then run it again.`);
  if (recommendations.length === 0) recommendations.push(slowest ? `Nothing failed; to make it faster, start with ${describe(slowest)} (${seconds(slowest.durationMs)}).` : 'Nothing failed and nothing ran long: no change is needed.');

  return {
    outcome: facts.status,
    whatHappened: `The session ran ${runCount} agent run${runCount === 1 ? '' : 's'} and ${calls} tool call${calls === 1 ? '' : 's'} over ${seconds(facts.durationMs)}, and ${ending}.`,
    timeAndMoney: {
      summary: `${totals.modelResponses} model responses used ${totals.inputTokens + totals.outputTokens} tokens (${totals.inputTokens} in, ${totals.outputTokens} out) costing $${totals.costUsd}; ${slowest ? `the slowest run was ${describe(slowest)} at ${seconds(slowest.durationMs)}` : 'no agent run started'}.`,
      hotspots: costliest.map((run) => ({ what: describe(run), durationMs: run.durationMs, costUsd: run.costUsd, tokens: run.tokens })),
    },
    failure:
      facts.status === 'failed'
        ? {
            cause: facts.failureReason ?? failedRuns[0]?.reason ?? 'The session failed without a recorded reason.',
            evidence: [
              `SessionFailed: ${facts.failureReason ?? 'no reason'}`,
              ...failedRuns.slice(0, 4).map((run) => `AgentRunFailed in ${describe(run)}: ${run.reason ?? 'no reason'}`),
              ...failingTools.slice(0, 4).map((tool) => `ToolCallFailed ×${tool.failed} for ${tool.tool}`),
            ].map((line) => line.slice(0, 500)),
          }
        : null,
    recommendations: recommendations.map((line) => line.slice(0, 1000)),
  };
}

const describe = (run: RunFacts) => `${run.run} (${run.agent})`;
/** A reason without its full stop, to end a sentence of ours. */
const unstopped = (reason: string) => reason.replace(/\.+$/, '');
