import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { ScriptedModels } from './model-source.js';
import { foldSessionBrief } from './session-brief.js';

const envelope = (streamVersion: number, type: string, data: unknown): EventEnvelope =>
  ({
    eventId: `00000000-0000-4000-8000-${String(streamVersion).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    tenantId: 'acme',
    correlationId: 'fork-1',
    causationId: null,
    actor: { kind: 'service', id: 'orchestrator' },
    occurredAt: '2026-11-29T11:00:00.000Z',
    traceparent: null,
    streamId: 'session-fork-1',
    streamVersion,
    globalPosition: String(streamVersion).padStart(20, '0'),
    data,
  }) as EventEnvelope;

const started = envelope(0, 'SessionStarted', {
  goal: 'Upgrade customer 42 to gold',
  context: { modelFixture: 'demo-upgrade-customer', customer: '42' },
  constraints: {},
  agentVersions: { AccountManager: 1, Planner: 2 },
  toolVersions: { crm: 1 },
});

describe("a fork's brief", () => {
  it('is the original brief when the session is no fork', () => {
    const brief = foldSessionBrief([started]);
    expect(brief).toMatchObject({ context: { modelFixture: 'demo-upgrade-customer', customer: '42' }, agentVersions: { AccountManager: 1, Planner: 2 } });
    expect(brief?.forkedAtVersion).toBeUndefined();
    expect(brief?.model).toBeUndefined();
  });

  it("runs under the fork's overrides: its fixture in place of the original's, its agent versions over the original's, its model", () => {
    const forked = envelope(1, 'SessionForked', {
      from: { sessionId: 'original-1', version: 0 },
      overrides: { modelFixture: 'demo-upgrade-customer-silver', agentVersions: { AccountManager: 3 }, model: 'gpt-test' },
    });
    const brief = foldSessionBrief([started, forked]);
    expect(brief).toMatchObject({
      context: { modelFixture: 'demo-upgrade-customer-silver', customer: '42' },
      agentVersions: { AccountManager: 3, Planner: 2 },
      toolVersions: { crm: 1 },
      forkedAtVersion: 1,
      model: 'gpt-test',
    });
  });

  it('drops the original fixture for an inline script, so the scripted model is given exactly one', async () => {
    const script = { turns: [{ agent: 'Planner', output: { steps: [{ stepId: 's1', title: 'Answer', agent: 'Executor', dependsOn: [] }] } }] };
    const brief = foldSessionBrief([started, envelope(1, 'SessionForked', { from: { sessionId: 'original-1', version: 0 }, overrides: { modelScript: script } })]);
    expect(brief?.context).toEqual({ modelScript: script, customer: '42' });
    // The scripted model accepts it: one of modelScript and modelFixture, not both.
    await expect(new ScriptedModels().modelFor(brief!, 'Planner', { kind: 'plan', attempt: 1 })).resolves.toMatchObject({ name: expect.any(String) });
  });

  it('keeps the context as it was when the fork changes no model', () => {
    const brief = foldSessionBrief([started, envelope(1, 'SessionForked', { from: { sessionId: 'original-1', version: 0 }, overrides: {} })]);
    expect(brief?.context).toEqual({ modelFixture: 'demo-upgrade-customer', customer: '42' });
  });

  it("of a fork takes its parent's overrides with its copies and its own over them; only its own SessionForked bounds the copies", () => {
    const parent = envelope(1, 'SessionForked', { from: { sessionId: 'original-1', version: 0 }, overrides: { modelFixture: 'demo-upgrade-customer-silver', model: 'gpt-test' } });
    const own = envelope(3, 'SessionForked', { from: { sessionId: 'fork-0', version: 2 }, overrides: { agentVersions: { AccountManager: 3 } } });
    const brief = foldSessionBrief([started, parent, envelope(2, 'PlanRequested', { planner: 'Planner', attempt: 1 }), own]);
    expect(brief).toMatchObject({ context: { modelFixture: 'demo-upgrade-customer-silver' }, model: 'gpt-test', agentVersions: { AccountManager: 3 }, forkedAtVersion: 3 });
  });
});
