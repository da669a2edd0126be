import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { demoPolicy, provisionDemo, startDemoCrm } from '@agent-orchestrator/demo';
import { ao } from './audit-export.behaviour.js';
import { api, type Target } from './scenarios.behaviour.js';

/**
 * Issue 18's fork: the demo session (read customer 42, then ask to upgrade them to gold, which
 * waits for approval) is forked with `ao` at the version that scheduled the upgrade, before its
 * approval was asked for, with the fixture that upgrades to silver. The fork runs from there to
 * its own approval and completes once approved; the original is untouched; `ao sessions diff`
 * shows the difference. Bad forks are refused with the reason and start nothing.
 */
export async function sessionForkScenario(target: Target): Promise<void> {
  const { call, waitForStatus, events } = api(target);
  const aoEnv = { AO_URL: target.url, AO_API_KEY: target.key };
  const crm = await startDemoCrm(0);
  try {
    await provisionDemo({ gatewayUrl: target.url, apiKey: target.key, crmUrl: crm.url });
    expect((await call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
    const { sessionId: original } = (await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } })).body;
    await waitForStatus(original, 'awaiting_approval');
    const originalLog = await events(original);
    const originalView = (await call('GET', `/v1/sessions/${original}`)).body;
    const upgrade = originalLog.find((event) => event.type === 'StepScheduled' && (event.data as { stepId: string }).stepId === 'upgrade');
    expect(upgrade).toBeDefined();
    const at = upgrade!.streamVersion;

    // Refusals: a version past the end names the range; an unknown field is a 422; a viewer may not fork; an unknown session is a 404; nothing starts.
    const before = (await call('GET', '/v1/sessions?limit=100')).body.items.length as number;
    const pastEnd = await call('POST', `/v1/sessions/${original}/fork`, { body: { atVersion: originalLog.length + 5 } });
    expect(pastEnd.status).toBe(400);
    expect(pastEnd.body.detail).toContain(`its log holds versions 0 to ${originalLog[originalLog.length - 1]!.streamVersion}`);
    expect((await call('POST', `/v1/sessions/${original}/fork`, { body: { atVersion: -1 } })).status).toBe(400);
    expect((await call('POST', `/v1/sessions/${original}/fork`, { body: { atVersion: at, modelFixture: 'x', modelScript: { turns: [] } } })).status).toBe(400);
    expect((await call('POST', `/v1/sessions/${original}/fork`, { body: { atVersion: at, colour: 'red' } })).status).toBe(422);
    const policyVersion = (await call('GET', '/v1/policies')).body.version as number;
    expect((await call('POST', `/v1/sessions/${original}/fork`, { body: { atVersion: at, policyVersion: policyVersion + 1000 } })).body.detail).toContain(`has no version ${policyVersion + 1000}`);
    expect((await call('POST', '/v1/sessions/no-such-session/fork', { body: { atVersion: 0 } })).status).toBe(404);
    const viewer = (await call('POST', '/v1/api-keys', { body: { name: 'fork-viewer', roles: ['viewer'] } })).body.apiKey as string;
    expect((await call('POST', `/v1/sessions/${original}/fork`, { key: viewer, body: { atVersion: at } })).status).toBe(403);
    expect((await call('GET', '/v1/sessions?limit=100')).body.items.length).toBe(before);

    const forked = await ao(['sessions', 'fork', original, '--at', String(at), '--model-fixture', 'demo-upgrade-customer-silver', '--policy-version', String(policyVersion), '--json'], aoEnv);
    expect(forked).toMatchObject({ code: 0, stderr: '' });
    const { sessionId: fork } = JSON.parse(forked.stdout) as { sessionId: string };
    expect(fork).not.toBe(original);

    // The fork starts with copies of the original's events up to `at`, each caused by the one it copies.
    await waitForStatus(fork, 'awaiting_approval');
    const forkLog = await events(fork);
    const copies = forkLog.slice(0, at + 1);
    expect(copies.map(({ type, data }) => ({ type, data }))).toEqual(originalLog.slice(0, at + 1).map(({ type, data }) => ({ type, data })));
    expect(copies.map((event) => event.causationId)).toEqual(originalLog.slice(0, at + 1).map((event) => event.eventId));
    expect(forkLog[at + 1]).toMatchObject({ type: 'SessionForked', data: { from: { sessionId: original, version: at }, overrides: { modelFixture: 'demo-upgrade-customer-silver', policyVersion } } });
    expect(forkLog[at + 2]).toMatchObject({ type: 'StepScheduled', data: { stepId: 'upgrade', attempt: 1 } });
    expect((await call('GET', `/v1/sessions/${fork}`)).body).toMatchObject({ forkedFrom: { sessionId: original, version: at } });
    const listed = (await call('GET', '/v1/sessions?limit=100')).body.items as { sessionId: string; forkedFrom: unknown }[];
    expect(listed.find((item) => item.sessionId === fork)?.forkedFrom).toEqual({ sessionId: original, version: at });
    expect(listed.find((item) => item.sessionId === original)?.forkedFrom).toBeNull();

    // Its own approval, through policy, for silver; the original still waits on its own for gold.
    const [forkApproval] = (await call('GET', `/v1/approvals?sessionId=${fork}`)).body.items;
    expect(forkApproval).toMatchObject({ tool: 'crm__updateCustomer', arguments: { id: '42', body: { tier: 'silver' } }, rule: { id: 'crm-writes-need-approval', policyVersion }, status: 'pending' });
    const [originalApproval] = (await call('GET', `/v1/approvals?sessionId=${original}`)).body.items;
    expect(originalApproval).toMatchObject({ arguments: { id: '42', body: { tier: 'gold' } }, status: 'pending' });
    expect((await call('POST', `/v1/approvals/${forkApproval.approvalId}/decision`, { body: { decision: 'approve' } })).body).toMatchObject({ status: 'granted' });
    await waitForStatus(fork, 'completed');
    expect([...crm.writes.values()]).toEqual([{ tier: 'silver' }]);
    // The fork's look-up was the original's: the CRM was read once, by the original.
    const forkSteps = (await call('GET', `/v1/sessions/${fork}`)).body.steps as { stepId: string; status: string }[];
    expect(forkSteps.map(({ stepId, status }) => ({ stepId, status }))).toEqual([
      { stepId: 'look-up', status: 'completed' },
      { stepId: 'upgrade', status: 'completed' },
    ]);

    // The original is untouched: the same log and the same view, still waiting.
    expect(await events(original)).toEqual(originalLog);
    const { updatedAt: _u, ...originalNow } = (await call('GET', `/v1/sessions/${original}`)).body;
    const { updatedAt: _v, ...originalThen } = originalView;
    expect(originalNow).toEqual({ ...originalThen, status: 'awaiting_approval' });

    const diff = await ao(['sessions', 'diff', original, fork, '--json'], aoEnv);
    expect(diff).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(diff.stdout);
    expect(answer.b.forkedFrom).toEqual({ sessionId: original, version: at });
    expect(answer.plan.every((row: { same: boolean }) => row.same)).toBe(true);
    expect(answer.steps.find((row: { key: string }) => row.key === 'look-up')).toMatchObject({ same: true });
    expect(answer.steps.find((row: { key: string }) => row.key === 'upgrade')).toMatchObject({ same: false, a: { status: 'scheduled' }, b: { status: 'completed' } });
    expect(answer.firstDivergence).toMatchObject({ section: 'steps', key: 'upgrade' });
    const updates = (answer.toolCalls as { a: { operation: string; arguments: unknown } | null; b: { operation: string; arguments: unknown; outcome: string } | null }[])
      .flatMap((row) => [row.a, row.b])
      .filter((call) => call?.operation === 'updateCustomer');
    expect(updates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ arguments: { id: '42', body: { tier: 'gold' } }, outcome: 'pending' }),
        expect.objectContaining({ arguments: { id: '42', body: { tier: 'silver' } }, outcome: 'completed' }),
      ]),
    );
    expect(answer.approvals[0]).toMatchObject({ same: false, a: { decision: 'pending' }, b: { decision: 'granted' } });
    const table = await ao(['sessions', 'diff', original, fork], aoEnv);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/≠ step upgrade/);
    expect(table.stdout).toContain('first difference: steps upgrade');

    // The original goes on by itself.
    expect((await call('POST', `/v1/approvals/${originalApproval.approvalId}/decision`, { body: { decision: 'reject', reason: 'forked instead' } })).body).toMatchObject({ status: 'rejected' });
    await waitForStatus(original, 'completed');
    expect(firstOf(await events(fork), 'SessionCompleted')).toBeDefined();
  } finally {
    await call('PUT', '/v1/policies', { body: {} });
    await crm.stop();
  }
}

const firstOf = (log: readonly EventEnvelope[], type: string) => log.find((event) => event.type === type);
