import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { demoPolicy } from '@agent-orchestrator/demo';
import { startSwitchableToolServer, waitFor } from '@agent-orchestrator/testing';
import { ao } from './audit-export.behaviour.js';
import { api, type Target } from './scenarios.behaviour.js';

/** One step: the ContactKeeper asks the contacts tool to create a contact, then says what it did; the Reviewer passes. */
const writingContact = (name: string) => ({
  turns: [
    { agent: 'Planner', output: { steps: [{ stepId: 'add', title: `Add ${name} to the contacts`, agent: 'ContactKeeper', dependsOn: [] }] } },
    { agent: 'ContactKeeper', run: 'add', toolCalls: [{ tool: 'contacts__createContact', arguments: { body: { name } } }] },
    { agent: 'ContactKeeper', run: 'add', text: `Handled the contact ${name}.` },
    { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
  ],
});

interface ParkedCallView {
  readonly callId: string;
  readonly tool: string;
  readonly operation: string;
  readonly code: string;
  readonly status: string;
}

interface DeadLetterRow {
  readonly id: string;
  readonly sessionId?: string | null;
  readonly source?: string;
}

/**
 * Issue 18's first walk, as an SRE runs it: a tool registered with `"onExhausted": "park"` fails
 * (503) while a switch is on; the sessions that write through it park on the write and read
 * `blocked` with their parked calls. One parked call is discarded (the agent is told and the
 * script goes on to the end); `ao dlq redrive --tool --code --dry-run` lists exactly the others and
 * changes nothing; with the tool back, `ao dlq redrive … --yes` resumes every one of those sessions
 * to completion, and the tool counts each write once.
 */
export async function parkedCallsScenario(target: Target): Promise<void> {
  const { call, waitForStatus, events } = api(target);
  const aoEnv = { AO_URL: target.url, AO_API_KEY: target.key };
  const tool = await startSwitchableToolServer();
  const toolName = `contacts`;
  const streamsOf = async (sessionId: string) =>
    ((await call('GET', `/v1/sessions/${sessionId}/streams`)).body.streams as { streamId: string; kind: string; links: { event: EventEnvelope }[] }[]).map(({ streamId, kind, links }) => ({
      streamId,
      kind,
      events: links.map((link) => link.event),
    }));
  const egressBefore = (await call('GET', '/v1/egress')).body as { allow: string[] };
  try {
    const host = new URL(tool.baseUrl).host;
    expect((await call('PUT', '/v1/egress', { body: { allow: [...egressBefore.allow, host] } })).status).toBe(200);
    const registered = await call('POST', '/v1/tools', { body: { name: toolName, document: tool.document, description: 'Contacts that fail while the switch is on', onExhausted: 'park' } });
    expect(registered.status).toBe(201);
    expect((await call('GET', `/v1/tools/${toolName}`)).body).toMatchObject({ onExhausted: 'park' });
    // The demo's policy, with the contacts tool on its allow-list (its writes need no approver).
    expect((await call('PUT', '/v1/policies', { body: { ...demoPolicy, allowedTools: [...demoPolicy.allowedTools, toolName] } })).status).toBe(200);
    // An agent of this scenario's own: other specs of the same platform define a Clerk with other tools.
    if ((await call('GET', '/v1/agents/ContactKeeper')).status === 404) {
      expect((await call('POST', '/v1/agents', { body: { name: 'ContactKeeper', instructions: 'You keep the contacts.', tools: [toolName] } })).status).toBe(201);
    }

    tool.outage(true, 503);
    const names = ['Ada', 'Grace', 'Edsger', 'Barbara'];
    const sessionIds: string[] = [];
    for (const name of names) {
      const started = await call('POST', '/v1/sessions', { body: { goal: `Add ${name} to the contacts`, context: { modelScript: writingContact(name) } } });
      expect(started.status).toBe(202);
      sessionIds.push(started.body.sessionId as string);
    }
    const [discarded, ...redriven] = sessionIds as [string, ...string[]];

    // Each session parks on its write: blocked, with the one parked call, not failed.
    for (const sessionId of sessionIds) {
      await waitForStatus(sessionId, 'blocked', 90_000);
      const parked = await waitFor(`the parked call of ${sessionId}`, async () => {
        const calls = (await call('GET', `/v1/sessions/${sessionId}`)).body.parkedCalls as ParkedCallView[];
        return calls.length === 1 && calls;
      });
      expect(parked).toEqual([expect.objectContaining({ tool: `${toolName}__createContact`, operation: 'createContact', code: 'http-503', status: 'parked' })]);
    }
    expect(tool.writes.size).toBe(0);

    // They are rows of the dead-letter index; one is discarded by its id: the agent is told, the script goes on.
    const rows = await waitFor('the parked calls in the dead-letter index', async () => {
      const listed = await ao(['dlq', 'list', '--tool', toolName, '--status', 'pending', '--json'], aoEnv);
      const items = listed.code === 0 ? (JSON.parse(listed.stdout) as DeadLetterRow[]) : [];
      return items.length === sessionIds.length && items;
    }, { timeoutMs: 30_000 });
    const discardRow = rows.find((row) => row.sessionId === discarded);
    expect(discardRow).toBeDefined();
    const discard = await ao(['dlq', 'discard', '--id', discardRow!.id, '--reason', 'the contact is added by hand', '--yes', '--json'], aoEnv);
    expect(discard).toMatchObject({ code: 0 });
    await waitForStatus(discarded, 'completed', 60_000);
    // Told: the call's answer is a failure naming the operator's reason, and the run went on to the script's next turn.
    const streams = await streamsOf(discarded);
    const answer = streams.find((stream) => stream.kind === 'toolCall')!;
    expect(answer.events.map((event) => event.type)).toEqual(['ToolCallParked', 'ToolCallDiscarded', 'ToolCallFailed']);
    expect((answer.events[2]!.data as { reason: string }).reason).toContain('discarded by an operator: the contact is added by hand');
    const run = streams.find((stream) => stream.kind === 'agentRun' && stream.streamId.includes('.step.add.'))!;
    expect(run.events.map((event) => event.type).slice(-2)).toEqual(['ModelResponded', 'AgentRunCompleted']);
    expect((await call('GET', `/v1/sessions/${discarded}`)).body.parkedCalls).toEqual([]);

    // The dry run lists exactly the other parked calls and changes nothing.
    const requestsBefore = tool.requests();
    const dry = await ao(['dlq', 'redrive', '--tool', toolName, '--code', 'http-503', '--dry-run', '--json'], aoEnv);
    expect(dry).toMatchObject({ code: 0 });
    const plan = JSON.parse(dry.stdout) as { total: number; items: { itemId: string; label: string }[] };
    expect(plan.total).toBe(redriven.length);
    expect(plan.items.map((item) => redriven.find((sessionId) => item.label.includes(sessionId))).sort()).toEqual([...redriven].sort());
    expect(tool.requests()).toBe(requestsBefore);
    for (const sessionId of redriven) expect((await call('GET', `/v1/sessions/${sessionId}`)).body).toMatchObject({ status: 'blocked', parkedCalls: [expect.objectContaining({ status: 'parked' })] });

    // The tool is back: the redrive runs each call once more, and every session resumes to the end.
    tool.outage(false);
    const redrive = await ao(['dlq', 'redrive', '--tool', toolName, '--code', 'http-503', '--yes', '--json'], aoEnv);
    expect(redrive).toMatchObject({ code: 0 });
    // With --json, stdout holds the operation's end alone (the dry run and progress go to stderr).
    const end = JSON.parse(redrive.stdout) as Record<string, unknown>;
    expect(end).toMatchObject({ status: 'completed', total: redriven.length, succeeded: redriven.length, failed: 0 });
    for (const sessionId of redriven) {
      await waitForStatus(sessionId, 'completed', 60_000);
      const log = await events(sessionId);
      expect(log.filter((event: EventEnvelope) => event.type === 'StepCompleted')).toHaveLength(1);
      // The run resumed on the call's answer: parked, retried once, completed.
      const answer = (await streamsOf(sessionId)).find((stream) => stream.kind === 'toolCall')!;
      expect(answer.events.map((event) => event.type)).toEqual(['ToolCallParked', 'ToolCallRetried', 'ToolCallCompleted']);
      expect((await call('GET', `/v1/sessions/${sessionId}`)).body.parkedCalls).toEqual([]);
    }
    // Each write once: three keys, each counted once; the discarded call was never sent again.
    expect([...tool.writes.values()]).toEqual(redriven.map(() => 1));

    // Replayed from the log, a session that parked decides the same: its run goes on at the call's
    // answer (after the parking and the retry or discard), served from the log with no tool call.
    const requestsAfter = tool.requests();
    for (const sessionId of [discarded, redriven[0]!]) {
      const replayed = await ao(['sessions', 'replay', sessionId, '--json'], aoEnv);
      expect(replayed).toMatchObject({ code: 0 });
      const report = JSON.parse(replayed.stdout) as { sessions: { sessionId: string; identical: boolean; toolAnswersServed?: number }[] };
      expect(report.sessions).toEqual([expect.objectContaining({ sessionId, identical: true })]);
    }
    expect(tool.requests()).toBe(requestsAfter);
  } finally {
    tool.outage(false);
    await call('PUT', '/v1/policies', { body: {} });
    await call('PUT', '/v1/egress', { body: { allow: egressBefore.allow } });
    await tool.close();
  }
}
