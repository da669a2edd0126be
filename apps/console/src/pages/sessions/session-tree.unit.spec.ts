import { findNode, foldSessionTree, stepColumns, walk, type TreeEvent } from './session-tree.js';

const sessionId = '68eaded2-7b85-4d66-a3a1-a1b1508bd948';
let clock = 0;
let counter = 0;
const versions = new Map<string, number>();
function event(streamId: string, type: string, data: Record<string, unknown>): TreeEvent {
  const streamVersion = versions.get(streamId) ?? 0;
  versions.set(streamId, streamVersion + 1);
  return { eventId: `e${++counter}`, type, schemaVersion: 1, streamId, streamVersion, occurredAt: new Date(Date.UTC(2026, 0, 1, 9, 0, clock++)).toISOString(), actor: { kind: 'service', id: 'x' }, data };
}
const usage = (inputTokens: number, outputTokens: number, costUsd: number) => ({ inputTokens, outputTokens, costUsd });
const session = `session-${sessionId}`;
const run = (rest: string) => `${sessionId}.${rest}`;

/** The demo, abridged: plan, two parallel look-ups, an upgrade held for approval and granted, a review asking for rework once. */
function demo(): TreeEvent[] {
  versions.clear();
  clock = 0;
  const call = 'call-1';
  const upgradeRun = run('step.upgrade.1');
  return [
    event(session, 'SessionStarted', { goal: 'Upgrade customer 42 to gold', context: {}, constraints: {} }),
    event(session, 'PlanRequested', { planner: 'Planner', attempt: 1 }),
    event(`agentrun-${run('plan.1')}`, 'AgentRunStarted', { task: { kind: 'plan', attempt: 1 } }),
    event(`agentrun-${run('plan.1')}`, 'ModelResponded', { turn: 0, model: 'scripted', output: [], usage: usage(116, 74, 0.002) }),
    event(session, 'UsageRecorded', { task: { kind: 'plan', attempt: 1 }, usage: usage(116, 74, 0.002) }),
    event(session, 'PlanProposed', {
      steps: [
        { stepId: 'look-up', title: 'Look up customer 42', agent: 'AccountManager', dependsOn: [] },
        { stepId: 'history', title: 'Read the order history', agent: 'AccountManager', dependsOn: [] },
        { stepId: 'upgrade', title: 'Upgrade to gold', agent: 'AccountManager', dependsOn: ['look-up', 'history'] },
      ],
    }),
    event(session, 'StepScheduled', { stepId: 'look-up', agent: 'AccountManager', attempt: 1 }),
    event(session, 'StepScheduled', { stepId: 'history', agent: 'AccountManager', attempt: 1 }),
    event(session, 'StepCompleted', { stepId: 'look-up', attempt: 1, output: 'bronze', usage: usage(500, 20, 0.01) }),
    event(session, 'StepCompleted', { stepId: 'history', attempt: 1, output: '3 orders', usage: usage(400, 10, 0.01) }),
    event(session, 'StepScheduled', { stepId: 'upgrade', agent: 'AccountManager', attempt: 1 }),
    event(`agentrun-${upgradeRun}`, 'AgentRunStarted', { task: { kind: 'step', stepId: 'upgrade', attempt: 1 } }),
    event(`agentrun-${upgradeRun}`, 'ModelResponded', { turn: 0, model: 'scripted', output: [], usage: usage(600, 30, 0.02) }),
    event(`agentrun-${upgradeRun}`, 'ToolCallRequested', { runId: upgradeRun, callId: call, agent: 'AccountManager', tool: 'crm__updateCustomer', arguments: '{"tier":"gold"}' }),
    event(`policycheck-${upgradeRun}.${call}`, 'PolicyDecisionRecorded', { runId: upgradeRun, callId: call, tool: 'crm__updateCustomer', effect: 'require_approval', ruleId: 'crm-writes', policyVersion: 1, reason: 'needs an approver' }),
    event('approval-a1', 'ApprovalRequested', { approvalId: 'a1', runId: upgradeRun, callId: call, tool: 'crm__updateCustomer', role: 'approver', reason: 'needs an approver' }),
  ];
}

function finished(): TreeEvent[] {
  const upgradeRun = run('step.upgrade.1');
  return [
    ...demo(),
    event('approval-a1', 'ApprovalGranted', { approvalId: 'a1', runId: upgradeRun, callId: 'call-1', tool: 'crm__updateCustomer', edited: false }),
    event(`toolcall-${upgradeRun}.call-1`, 'ToolCallCompleted', { runId: upgradeRun, callId: 'call-1', tool: 'crm__updateCustomer', output: '{"tier":"gold"}' }),
    event(`toolcall-${upgradeRun}.call-1`, 'PiiRedacted', { runId: upgradeRun, callId: 'call-1', field: 'output' }),
    event(`agentrun-${upgradeRun}`, 'ModelResponded', { turn: 1, model: 'scripted', output: [], usage: usage(620, 32, 0.02) }),
    event(session, 'StepCompleted', { stepId: 'upgrade', attempt: 1, output: 'upgraded', usage: usage(1220, 62, 0.04) }),
    event(session, 'ReviewRequested', { round: 1, reviewer: 'Reviewer' }),
    event(session, 'ReviewCompleted', { round: 1, verdict: 'rework', reasons: ['no summary'] }),
    event(session, 'ReworkRequested', { round: 1, reasons: ['no summary'], stepIds: ['upgrade'] }),
    event(session, 'StepScheduled', { stepId: 'upgrade', agent: 'AccountManager', attempt: 2 }),
    event(session, 'StepCompleted', { stepId: 'upgrade', attempt: 2, output: 'upgraded, with a summary', usage: usage(10, 1, 0) }),
    event(session, 'SessionCompleted', { result: { summary: 'done' }, usage: usage(2500, 200, 0.07) }),
  ];
}

describe("a session's run folded into a tree", () => {
  it('puts plan, steps, model calls and a held tool call with its policy decision and approval where they belong', () => {
    const tree = foldSessionTree(sessionId, demo());
    expect(tree).toMatchObject({ kind: 'session', title: 'Upgrade customer 42 to gold', status: 'running' });
    expect(tree.children.map((child) => [child.kind, child.title, child.status])).toEqual([
      ['plan', 'Plan', 'succeeded'],
      ['step', 'Look up customer 42', 'succeeded'],
      ['step', 'Read the order history', 'succeeded'],
      ['step', 'Upgrade to gold', 'running'],
    ]);
    expect(tree.children[0]!.children).toMatchObject([{ kind: 'model', subtitle: 'scripted', inputTokens: 116, outputTokens: 74, costUsd: 0.002 }]);
    const upgrade = tree.children[3]!;
    expect(upgrade.children.map((child) => child.kind)).toEqual(['model', 'tool']);
    const tool = upgrade.children[1]!;
    expect(tool).toMatchObject({ title: 'crm__updateCustomer', status: 'waiting' });
    expect(tool.children.map((child) => [child.kind, child.title, child.status])).toEqual([
      ['policy', 'Policy: require approval', 'succeeded'],
      ['approval', 'Approval by approver', 'waiting'],
    ]);
  });

  it('follows the call to its answer, the review to rework and the session to its end; every event lands on one node once', () => {
    const events = finished();
    // Events arrive twice (a reload and the live stream) and out of order across streams.
    const tree = foldSessionTree(sessionId, [...events].reverse().concat(events.slice(0, 5)));
    expect(tree).toMatchObject({ status: 'succeeded', inputTokens: 2500, costUsd: 0.07 });
    const tool = findNode(tree, `tool:${run('step.upgrade.1')}/call-1`)!;
    expect(tool).toMatchObject({ status: 'succeeded', result: '{"tier":"gold"}' });
    expect(tool.events.map((event) => event.type)).toEqual(['ToolCallRequested', 'ToolCallCompleted', 'PiiRedacted']);
    expect(findNode(tree, 'approval:a1')).toMatchObject({ status: 'succeeded', result: 'granted' });
    expect(tree.children.map((child) => child.title)).toEqual([
      'Plan',
      'Look up customer 42',
      'Read the order history',
      'Upgrade to gold',
      'Review round 1: rework asked',
      'Rework after round 1',
      'Upgrade to gold (attempt 2)',
    ]);
    const placed = [...walk(tree)].flatMap(({ node }) => node.events.map((event) => event.eventId));
    expect(placed.sort()).toEqual(events.map((event) => event.eventId).sort());
    // A model call lasts from the run's previous event to its response.
    const secondCall = findNode(tree, `model:${run('step.upgrade.1')}:1`)!;
    expect(secondCall.startedAt! < secondCall.endedAt!).toBe(true);
  });

  it('lays the latest attempt of each step in columns of what ran side by side', () => {
    const columns = stepColumns(foldSessionTree(sessionId, finished()));
    expect(columns.map((column) => column.map((step) => step.title))).toEqual([['Look up customer 42', 'Read the order history'], ['Upgrade to gold (attempt 2)']]);
  });

  it('marks what was under way as cancelled when the session is cancelled, and a denied call as denied', () => {
    const upgradeRun = run('step.upgrade.1');
    const tree = foldSessionTree(sessionId, [
      ...demo(),
      event('approval-a1', 'ApprovalRejected', { approvalId: 'a1', runId: upgradeRun, callId: 'call-1', tool: 'crm__updateCustomer', reason: 'not today' }),
      event(session, 'SessionCancelled', { reason: 'changed my mind', usage: usage(1, 1, 0) }),
    ]);
    expect(tree).toMatchObject({ status: 'cancelled', result: 'changed my mind' });
    expect(findNode(tree, `tool:${upgradeRun}/call-1`)!.status).toBe('denied');
    expect(findNode(tree, 'step:upgrade:1')!.status).toBe('cancelled');
  });
});
