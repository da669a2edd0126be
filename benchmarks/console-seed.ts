import type { AgentOrchestratorClient } from '@agent-orchestrator/client';
import { progressBar } from './support.js';

/** Runs `count` demo sessions (each held by the demo policy for an approver) and waits until that many approvals are pending. */
export async function seedApprovals(client: AgentOrchestratorClient, count: number, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const bar = progressBar('seeding pending approvals', count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await client.sessions.start({ goal: `Upgrade customer 42 to gold (${n})`, context: { modelFixture: 'demo-upgrade-customer' } });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  for (;;) {
    let pending = 0;
    for await (const _ of client.approvals.all({ status: 'pending', for: 'all', limit: 200 })) pending++;
    bar.update(pending);
    if (pending >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  bar.stop();
  log(`seeded ${count} pending approvals in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** A real session on the scripted model: a plan of `steps` independent steps, one model call each, and a review that passes. */
export async function seedLargeSession(client: AgentOrchestratorClient, steps: number, log: (line: string) => void): Promise<string> {
  const stepIds = Array.from({ length: steps }, (_, i) => `s${i + 1}`);
  const modelScript = {
    turns: [
      { agent: 'Planner', output: { steps: stepIds.map((stepId) => ({ stepId, title: `Part ${stepId} of the survey`, agent: 'Executor', dependsOn: [] })) } },
      ...stepIds.map((stepId) => ({ agent: 'Executor', run: stepId, text: `Findings for ${stepId}.`, usage: { inputTokens: 800, outputTokens: 120 } })),
      { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
    ],
  };
  const { sessionId } = await client.sessions.start({ goal: `Survey ${steps} sources`, context: { modelScript }, constraints: { maxSteps: steps } });
  for (const deadline = Date.now() + 600_000; ; ) {
    const session = await client.sessions.get(sessionId);
    if (session.status === 'completed') break;
    if (['failed', 'cancelled'].includes(session.status) || Date.now() > deadline) throw new Error(`the large session ${sessionId} ended ${session.status}: ${'failureReason' in session ? session.failureReason : 'timed out'}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`seeded a session of ${steps} steps (${sessionId})`);
  return sessionId;
}
