import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';

/**
 * Records sessions for replay specs: dev mode (every service in one process, real PostgreSQL, the
 * scripted model, the demo CRM and its approval policy) runs each through the public API to its
 * end. The shapes are the ones replay must cover: a plan, steps with tool calls, an approval, a
 * review with rework, a planner that fails.
 */
export const sessionShapes = {
  rework: { modelFixture: 'three-steps-rework-once' },
  approval: { modelFixture: 'demo-upgrade-customer' },
  plannerFails: { modelFixture: 'planner-fails' },
  /** Two steps in parallel, one echo tool call, a third on both; the first review sends the third back. */
  toolsAndRework: {
    modelScript: {
      turns: [
        {
          agent: 'Planner',
          output: {
            steps: [
              { stepId: 's1', title: 'List the open invoices', agent: 'Executor', dependsOn: [] },
              { stepId: 's2', title: 'List the credit notes', agent: 'Executor', dependsOn: [] },
              { stepId: 's3', title: 'Net them into a summary', agent: 'Executor', dependsOn: ['s1', 's2'] },
            ],
          },
        },
        { agent: 'Executor', run: 's1', toolCalls: [{ tool: 'echo', arguments: { text: '12 open invoices' } }] },
        { agent: 'Executor', run: 's1', text: 'Open invoices: 12.' },
        { agent: 'Executor', run: 's2', toolCalls: [{ tool: 'echo', arguments: { text: '3 credit notes' } }, { tool: 'echo', arguments: { text: 'none overdue' } }] },
        { agent: 'Executor', run: 's2', text: 'Credit notes: 3.' },
        { agent: 'Executor', run: 's3', text: 'Net: 9 invoices to chase.' },
        { agent: 'Reviewer', run: 'round-1', output: { verdict: 'rework', reasons: ['The summary does not say which customers.'], stepIds: ['s3'] } },
        { agent: 'Reviewer', run: 'round-2', output: { verdict: 'pass', reasons: [] } },
      ],
    },
  },
} as const;
export type SessionShape = keyof typeof sessionShapes;

export interface RecordingPlatform {
  readonly dev: DevModeProcess;
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: Record<string, unknown> | undefined }>;
  /** Starts a session of this shape and returns its id; approvals are granted as they come. */
  record(shape: SessionShape): Promise<string>;
  /** Forks a session at a version of its log with other overrides, and waits for the fork to end. */
  fork(sessionId: string, atVersion: number, overrides: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

const ended = new Set(['completed', 'failed', 'cancelled']);

export async function startRecording(name: string): Promise<RecordingPlatform> {
  const apiKey = randomBytes(32).toString('base64url');
  const dev = await startDevModeProcess(name, { DEV_API_KEY: apiKey });
  const call = async (method: string, path: string, body?: unknown, key = apiKey) => {
    const response = await fetch(`${dev.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const approver = (await call('POST', '/v1/api-keys', { name: 'replay-approver', roles: ['approver'] })).body?.apiKey as string;
  const statusOf = async (sessionId: string) => (await call('GET', `/v1/sessions/${sessionId}`)).body?.status as string | undefined;

  const record = async (shape: SessionShape) => {
    const started = await call('POST', '/v1/sessions', { goal: `Replay spec: ${shape}`, context: sessionShapes[shape] });
    if (started.status !== 202) throw new Error(`the session did not start: ${started.status} ${JSON.stringify(started.body)}`);
    const { sessionId } = started.body as unknown as { sessionId: string };
    if (shape === 'approval') {
      await waitFor(`session ${sessionId} to wait for its approver`, async () => (await statusOf(sessionId)) === 'awaiting_approval', { timeoutMs: 240_000 });
      const [item] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`, undefined, approver)).body?.items as { approvalId: string }[];
      const decided = await call('POST', `/v1/approvals/${item!.approvalId}/decision`, { decision: 'approve' }, approver);
      if (decided.status !== 200) throw new Error(`the approval was not granted: ${decided.status} ${JSON.stringify(decided.body)}`);
    }
    await waitFor(`session ${sessionId} to end`, async () => ended.has((await statusOf(sessionId)) ?? ''), { timeoutMs: 240_000 });
    return sessionId;
  };
  const fork = async (sessionId: string, atVersion: number, overrides: Record<string, unknown>) => {
    const forked = await call('POST', `/v1/sessions/${sessionId}/fork`, { atVersion, ...overrides });
    if (forked.status !== 202 && forked.status !== 201) throw new Error(`the fork did not start: ${forked.status} ${JSON.stringify(forked.body)}`);
    const { sessionId: forkId } = forked.body as unknown as { sessionId: string };
    await waitFor(`fork ${forkId} to end`, async () => ended.has((await statusOf(forkId)) ?? ''), { timeoutMs: 240_000 });
    return forkId;
  };
  return { dev, call, record, fork, stop: () => dev.stop() };
}
