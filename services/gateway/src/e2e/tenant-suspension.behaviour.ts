import { waitFor } from '@agent-orchestrator/testing';
import { api, type Target } from './scenarios.behaviour.js';

/**
 * What the scenario reads beside the public API: while the tenant is suspended the API refuses it
 * (and the platform admin reads no tenant's data), so the session's log and its read-model status
 * are read where they are stored.
 */
export interface BehindTheApi {
  readonly tenantId: string;
  readonly platformAdminKey: string;
  /** The types of the session's events, in order. */
  sessionLog(sessionId: string): Promise<string[]>;
  /** The session's status in the sessions read model. */
  readModelStatus(sessionId: string): Promise<string | undefined>;
}

/** Long enough that the tenant is suspended, and its session paused, while this step still runs. */
const runningStepMs = 5000;

const script = {
  turns: [
    {
      agent: 'Planner',
      output: {
        steps: [
          { stepId: 'count', title: 'Count the open invoices', agent: 'Executor', dependsOn: [] },
          { stepId: 'summarise', title: 'Summarise them', agent: 'Executor', dependsOn: ['count'] },
        ],
      },
    },
    { agent: 'Executor', run: 'count', text: 'Open invoices: 12.', delayMs: runningStepMs },
    { agent: 'Executor', run: 'summarise', text: '12 invoices are open.' },
    { agent: 'Reviewer', run: 'round-1', output: { verdict: 'pass', reasons: [] } },
  ],
};

/**
 * Issue 14: a suspended tenant's requests get 403 and its sessions pause. A session whose first step
 * is running when the platform admin suspends the tenant pauses; the step's answer is recorded but
 * the next step is not scheduled; resumed, the session schedules it and completes.
 */
export async function tenantSuspensionScenario(target: Target, behind: BehindTheApi): Promise<void> {
  const { call, waitForStatus } = api(target);
  const started = await call('POST', '/v1/sessions', { body: { goal: 'Summarise the open invoices', context: { modelScript: script } } });
  expect(started.status).toBe(202);
  const { sessionId } = started.body as { sessionId: string };
  const log = () => behind.sessionLog(sessionId);
  await waitFor('the first step to be scheduled', async () => (await log()).includes('StepScheduled'), { timeoutMs: 60_000 });

  const tenantPath = `/v1/tenants/${behind.tenantId}`;
  expect((await call('POST', `${tenantPath}/suspend`, { key: behind.platformAdminKey, body: { reason: 'e2e: invoice unpaid' } })).status).toBe(200);
  expect((await call('GET', `/v1/sessions/${sessionId}`)).status).toBe(403);
  await waitFor('the session to pause', async () => (await log()).includes('SessionPaused'), { timeoutMs: 30_000 });
  await waitFor('the read model to say paused', async () => (await behind.readModelStatus(sessionId)) === 'paused', { timeoutMs: 30_000 });

  // The running step answers while paused: recorded, and the next step held (it would have been
  // scheduled in the same append as the answer).
  await waitFor('the running step to be recorded', async () => (await log()).includes('StepCompleted'), { timeoutMs: runningStepMs + 30_000 });
  const whilePaused = (await log()).filter((type) => type !== 'UsageRecorded');
  expect(whilePaused.slice(whilePaused.indexOf('SessionPaused'))).toEqual(['SessionPaused', 'StepCompleted']);
  expect(await behind.readModelStatus(sessionId)).toBe('paused');

  expect((await call('POST', `${tenantPath}/resume`, { key: behind.platformAdminKey })).status).toBe(200);
  await waitForStatus(sessionId, 'completed');
  const whole = (await log()).filter((type) => type !== 'UsageRecorded');
  expect(whole.slice(whole.indexOf('SessionPaused'))).toEqual(['SessionPaused', 'StepCompleted', 'SessionResumed', 'StepScheduled', 'StepCompleted', 'ReviewRequested', 'ReviewCompleted', 'SessionCompleted']);
}
