import { genAi, GENAI_SEMCONV_VERSION, platformAttributes } from './semconv.js';
import { sessionSpanId, sessionTraceId, stampedTraceparent } from './span-ids.js';
import type { LoggedEvent } from './span-place.js';
import { traceOfSession } from './trace-tree.js';

const sessionId = '0b7c3f1e-5a7d-4c2b-9b1e-2f3a4b5c6d7e';
const runId = `${sessionId}.step.s1.1`;
const goal = 'Upgrade customer 42 to gold';
const answer = 'Customer 42 is gold now.';
let clock = Date.parse('2026-11-29T10:00:00.000Z');
let ids = 0;
const event = (streamId: string, type: string, data: Record<string, unknown>, afterMs = 100): LoggedEvent => {
  clock += afterMs;
  return { eventId: `e${++ids}`, type, streamId, occurredAt: new Date(clock).toISOString(), traceparent: null, data };
};
const usage = { inputTokens: 120, outputTokens: 30, costUsd: 0.0021 };
const call = { sessionId, runId, callId: 'c1', agent: 'Executor', tool: 'crm__updateCustomer' };

const log: LoggedEvent[] = [
  event(`session-${sessionId}`, 'SessionStarted', { goal }),
  event(`session-${sessionId}`, 'PlanRequested', { planner: 'Planner', attempt: 1 }),
  event(`session-${sessionId}`, 'PlanProposed', { steps: [] }),
  event(`session-${sessionId}`, 'StepScheduled', { stepId: 's1', agent: 'Executor', attempt: 1 }),
  event(`agentrun-${runId}`, 'AgentRunStarted', { sessionId, task: { kind: 'step', stepId: 's1', attempt: 1 }, agent: 'Executor', model: 'scripted' }),
  event(`agentrun-${runId}`, 'ModelResponded', { sessionId, turn: 0, model: 'scripted', output: [goal], usage }, 40),
  event(`agentrun-${runId}`, 'ToolCallRequested', { ...call, arguments: '{"id":"42"}' }),
  event(`policycheck-${runId}.c1`, 'PolicyDecisionRecorded', { ...call, target: null, effect: 'require_approval', ruleId: 'crm-writes', policyVersion: 3, reason: 'writes need a person' }, 10),
  event('approval-9d1e2f3a-0000-4000-8000-000000000001', 'ApprovalRequested', { ...call, approvalId: '9d1e2f3a-0000-4000-8000-000000000001', ruleId: 'crm-writes', context: { goal } }, 10),
  event('approval-9d1e2f3a-0000-4000-8000-000000000001', 'ApprovalGranted', { ...call, approvalId: '9d1e2f3a-0000-4000-8000-000000000001' }, 5000),
  event(`toolcall-${runId}.c1`, 'ToolCallCompleted', { sessionId, runId, callId: 'c1', tool: 'crm__updateCustomer', output: answer }, 200),
  event(`agentrun-${runId}`, 'ModelResponded', { sessionId, turn: 1, model: 'gpt-4.1-mini', output: [answer], usage }, 300),
  event(`agentrun-${runId}`, 'AgentRunCompleted', { sessionId, task: { kind: 'step', stepId: 's1', attempt: 1 }, output: answer, usage }),
  event(`session-${sessionId}`, 'StepCompleted', { stepId: 's1', attempt: 1, output: answer, usage }),
  event(`session-${sessionId}`, 'SessionCompleted', { result: answer, usage }),
];

describe('a session trace rebuilt from its log', () => {
  const spans = traceOfSession([...log].reverse());
  const byKey = new Map(spans.map((span) => [span.key, span]));
  const parentOf = (key: string) => byKey.get(key)?.parentKey;

  it('nests session → plan and steps → agent run → model and tool calls → policy decision and approval', () => {
    expect(parentOf('session')).toBeNull();
    expect(parentOf('plan')).toBe('session');
    expect(parentOf('step/s1/1')).toBe('session');
    expect(parentOf(`run/${runId}`)).toBe('step/s1/1');
    const chats = spans.filter((span) => span.operation === 'chat');
    expect(chats.map((chat) => chat.parentKey)).toEqual([`run/${runId}`, `run/${runId}`]);
    expect(parentOf(`tool/${runId}.c1`)).toBe(`run/${runId}`);
    expect(parentOf(`policy/${runId}.c1`)).toBe(`tool/${runId}.c1`);
    expect(parentOf('approval/9d1e2f3a-0000-4000-8000-000000000001')).toBe(`tool/${runId}.c1`);
    expect(spans.every((span) => !span.open)).toBe(true);
  });

  it('maps a model call onto the pinned GenAI conventions, with its cost', () => {
    expect(GENAI_SEMCONV_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const [scripted, openai] = spans.filter((span) => span.operation === 'chat');
    expect(scripted!.name).toBe('chat scripted');
    expect(scripted!.attributes).toMatchObject({
      [genAi.operationName]: 'chat',
      [genAi.requestModel]: 'scripted',
      [genAi.providerName]: 'agent_orchestrator.scripted',
      [genAi.inputTokens]: 120,
      [genAi.outputTokens]: 30,
      [genAi.costAmount]: 0.0021,
      [genAi.costCurrency]: 'USD',
    });
    expect(openai!.attributes[genAi.providerName]).toBe('openai');
    // The second call began when the tool's answer came back, not when the run started.
    expect(Date.parse(openai!.end) - Date.parse(openai!.start)).toBe(300);
  });

  it('names the agent, the tool and its operation, the policy rule, and how long the approval waited', () => {
    expect(byKey.get(`run/${runId}`)).toMatchObject({ name: 'invoke_agent Executor', attributes: { [genAi.agentName]: 'Executor', [genAi.operationName]: 'invoke_agent' } });
    expect(byKey.get(`tool/${runId}.c1`)).toMatchObject({ name: 'execute_tool crm__updateCustomer', attributes: { [genAi.toolName]: 'crm__updateCustomer', [platformAttributes.toolOperation]: 'updateCustomer', [platformAttributes.toolOutcome]: 'completed' } });
    expect(byKey.get(`policy/${runId}.c1`)!.attributes).toMatchObject({ [platformAttributes.policyEffect]: 'require_approval', [platformAttributes.policyRule]: 'crm-writes' });
    expect(byKey.get('approval/9d1e2f3a-0000-4000-8000-000000000001')!.attributes).toMatchObject({ [platformAttributes.approvalStatus]: 'granted', [platformAttributes.approvalWaitMs]: 5000 });
  });

  it('never copies the goal or an answer into a span: a span names its events instead', () => {
    const text = JSON.stringify(spans.map(({ name, attributes }) => ({ name, attributes })));
    expect(text).not.toContain(goal);
    expect(text).not.toContain(answer);
    expect(byKey.get('session')!.eventIds).toEqual(['e1', 'e15']);
  });

  it("stamps each event with its span's id in the session's trace; a foreign or sessionless one stays", () => {
    const stamped = stampedTraceparent(log[5]!);
    expect(stamped).toBe(`00-${sessionTraceId(sessionId)}-${sessionSpanId(sessionId, 'chat/e6')}-01`);
    expect(stampedTraceparent(log[3]!)).toContain(sessionSpanId(sessionId, 'step/s1/1'));
    const registered = { eventId: 'x', type: 'ToolRegistered', streamId: 'tool-crm', occurredAt: log[0]!.occurredAt, traceparent: null, data: {} };
    expect(stampedTraceparent(registered)).toBeNull();
    // A copied traceparent (same trace, the cause's span) gives way; one of another trace stays.
    expect(stampedTraceparent({ ...log[5]!, traceparent: stampedTraceparent(log[4]!) })).toBe(stamped);
    const foreign = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(stampedTraceparent({ ...log[5]!, traceparent: foreign })).toBe(foreign);
  });
});
