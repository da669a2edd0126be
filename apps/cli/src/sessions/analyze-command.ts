import { setTimeout as sleep } from 'node:timers/promises';
import type { operations } from '@agent-orchestrator/client';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';

type Analysis = operations['listSessionAnalyses']['responses'][200]['content']['application/json']['items'][number];

export interface AnalyzeOptions {
  readonly json?: boolean;
}

/**
 * `ao sessions analyze`: asks the Analyst for an analysis of the session, waits for it to end
 * (progress on stderr), and prints its findings; exits 1 when the analysis failed or a budget
 * refused it.
 */
export async function analyzeCommand(client: PlatformClient, sessionId: string, options: AnalyzeOptions, output: Output, wait = { pollMs: 1000, timeoutMs: 10 * 60_000 }): Promise<number> {
  const path = `/v1/sessions/${encodeURIComponent(sessionId)}/analysis`;
  const { analysisId } = (await client.json('POST', path, {})) as { analysisId: string };
  output.err(`analysis ${analysisId} requested; the Analyst is reading the session's trace…`);
  const deadline = Date.now() + wait.timeoutMs;
  let analysis: Analysis | undefined;
  while (analysis === undefined || analysis.status === 'running') {
    if (Date.now() > deadline) throw new CliError(`analysis ${analysisId} did not end within ${wait.timeoutMs / 1000} s; see it later with GET ${path}`, exitCodes.platform);
    await sleep(wait.pollMs);
    analysis = ((await client.json('GET', path)) as { items: Analysis[] }).items.find((item) => item.analysisId === analysisId);
  }
  if (options.json) output.out(JSON.stringify(analysis));
  else for (const line of analysisText(analysis)) output.out(line);
  return analysis.status === 'recorded' ? exitCodes.ok : exitCodes.findings;
}

/** An ended analysis as lines for a terminal. */
export function analysisText(analysis: Analysis): string[] {
  const usage = analysis.usage ? `${analysis.usage.inputTokens + analysis.usage.outputTokens} tokens, $${analysis.usage.costUsd}` : 'no usage';
  const head = `analysis ${analysis.analysisId} by ${analysis.model} (${usage}; ${analysis.input.summarised ? `${analysis.input.shown} of ${analysis.input.events} events shown, the rest summarised` : `${analysis.input.events} events`})`;
  const { findings } = analysis;
  if (analysis.status === 'refused') return [head, `refused by budget ${analysis.budgetId ?? '(unnamed)'}: ${analysis.reason ?? 'no reason given'}`];
  if (findings === null) return [head, `failed: ${analysis.reason ?? 'no reason given'}`];
  const list = (items: readonly string[]) => items.map((item) => `  - ${item}`);
  return [
    head,
    `outcome: ${findings.outcome}`,
    '',
    'what happened:',
    `  ${findings.whatHappened}`,
    'where time and money went:',
    `  ${findings.timeAndMoney.summary}`,
    ...list(findings.timeAndMoney.hotspots.map((spot) => [spot.what, spot.durationMs === null ? '' : `${spot.durationMs} ms`, spot.tokens === null ? '' : `${spot.tokens} tokens`, spot.costUsd === null ? '' : `$${spot.costUsd}`].filter(Boolean).join(', '))),
    ...(findings.failure ? ['why it failed:', `  ${findings.failure.cause}`, ...list(findings.failure.evidence)] : []),
    'what to change:',
    ...list(findings.recommendations),
  ];
}
