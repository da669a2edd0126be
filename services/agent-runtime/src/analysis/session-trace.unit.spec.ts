import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { scriptedFindings } from '../model/analyst-reply.js';
import { analystInput, factsPrefix } from './session-trace.js';

const sessionId = 's1';
let position = 0;
const event = (streamId: string, type: string, data: unknown, at: number): EventEnvelope => ({
  eventId: `00000000-0000-4000-8000-${String(++position).padStart(12, '0')}`,
  type,
  schemaVersion: 1,
  tenantId: 'acme',
  correlationId: sessionId,
  causationId: null,
  actor: { kind: 'service', id: 'orchestrator' },
  occurredAt: new Date(Date.UTC(2026, 10, 29, 15) + at).toISOString(),
  traceparent: null,
  streamId,
  streamVersion: position,
  globalPosition: String(position).padStart(20, '0'),
  data,
});
const usage = (inputTokens: number, outputTokens: number, costUsd: number) => ({ inputTokens, outputTokens, costUsd });

/** A session whose step calls a tool that fails, then fails itself; the goal names a customer. */
const trace = [
  event('session-s1', 'SessionStarted', { goal: 'Email jane@example.com', context: {}, constraints: {}, agentVersions: {}, toolVersions: {} }, 0),
  event('agentrun-s1.step.s1.1', 'AgentRunStarted', { sessionId, task: { kind: 'step', stepId: 's1', attempt: 1 }, agent: 'Executor', model: 'gpt-5' }, 100),
  event('agentrun-s1.step.s1.1', 'ModelResponded', { sessionId, turn: 0, model: 'gpt-5', output: [], usage: usage(1000, 200, 0.003) }, 1100),
  event('toolcall-s1.step.s1.1.c1', 'ToolCallFailed', { sessionId, runId: 's1.step.s1.1', callId: 'c1', tool: 'crm', reason: 'HTTP 503 from the CRM' }, 2100),
  event('agentrun-s1.step.s1.1', 'AgentRunFailed', { sessionId, task: { kind: 'step', stepId: 's1', attempt: 1 }, reason: 'the CRM is down', retryable: false, usage: usage(1000, 200, 0.003) }, 2600),
  event('session-s1', 'SessionFailed', { reason: 'step s1 failed: the CRM is down', usage: usage(1000, 200, 0.003) }, 2700),
];

describe("the Analyst's input and the scripted Analyst", () => {
  it('adds up the trace into facts, one redacted line per event, oldest first', () => {
    const input = analystInput(sessionId, [...trace].reverse());
    expect(input).toMatchObject({ events: 6, shown: 6, summarised: false });
    expect(input.facts).toMatchObject({
      status: 'failed',
      failureReason: 'step s1 failed: the CRM is down',
      durationMs: 2700,
      totals: { inputTokens: 1000, outputTokens: 200, costUsd: 0.003, modelResponses: 1 },
      runs: [{ run: 'step s1 attempt 1', agent: 'Executor', model: 'gpt-5', outcome: 'failed', durationMs: 2500, tokens: 1200, costUsd: 0.003, reason: 'the CRM is down' }],
      toolCalls: [{ tool: 'crm', calls: 1, failed: 1, reasons: ['HTTP 503 from the CRM'] }],
    });
    const lines = input.text.split('\n');
    expect(lines.find((line) => line.startsWith(factsPrefix))).toBeDefined();
    expect(lines.at(-1)).toBe('+2.700s session SessionFailed reason="step s1 failed: the CRM is down" usage=1000+200tok/$0.003');
    expect(input.text).toContain('goal="Email [REDACTED:email]"');
    expect(input.text).not.toContain('jane@example.com');
  });

  it('finds what the facts show: the failure, the costliest run, the failing tool and what to change', () => {
    const findings = scriptedFindings(analystInput(sessionId, trace).text);
    expect(findings).toMatchObject({
      outcome: 'failed',
      failure: { cause: 'step s1 failed: the CRM is down', evidence: expect.arrayContaining(['AgentRunFailed in step s1 attempt 1 (Executor): the CRM is down', 'ToolCallFailed ×1 for crm']) },
      timeAndMoney: { hotspots: [{ what: 'step s1 attempt 1 (Executor)', durationMs: 2500, costUsd: 0.003, tokens: 1200 }] },
      recommendations: ['Fix what stopped step s1 attempt 1 (Executor): the CRM is down.', 'Look at tool crm: 1 of 1 calls failed (HTTP 503 from the CRM).'],
    });
    expect(scriptedFindings('no facts here')).toBeUndefined();
  });
});
