import { randomBytes, randomUUID } from 'node:crypto';
import { isProblem, type AgentOrchestratorClient } from '@agent-orchestrator/client';
import { waitFor, type Ledger } from '@agent-orchestrator/testing';
import PQueue from 'p-queue';

/** What went wrong on the wire: any 5xx answer, and any request that timed out or got no answer. */
export interface WireErrors {
  http5xx: number;
  timeouts: number;
  network: number;
}

/** A fetch that counts 5xx answers, timeouts and network failures, and gives up on a request after `timeoutMs`. */
export function countingFetch(errors: WireErrors, timeoutMs: number): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    try {
      const response = await fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) });
      if (response.status >= 500) errors.http5xx += 1;
      return response;
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') errors.timeouts += 1;
      else errors.network += 1;
      throw error;
    }
  };
}

/** The agent that does each session's two steps. */
const agentName = 'LoadClerk';
const toolName = 'ledger';

/**
 * One session's script: a plan of two steps, a look-up answered in text, then a write of the
 * session's own account (held for an approver by the policy), an answer, and a passing review.
 */
export function loadScript(account: string) {
  return {
    turns: [
      {
        agent: 'Planner',
        output: {
          steps: [
            { stepId: 'look-up', title: `Look up account ${account}`, agent: agentName, dependsOn: [] },
            { stepId: 'close', title: `Close account ${account}`, agent: agentName, dependsOn: ['look-up'] },
          ],
        },
      },
      { agent: agentName, run: 'look-up', text: `Account ${account} is open.` },
      { agent: agentName, run: 'close', toolCalls: [{ tool: `${toolName}__updateAccount`, arguments: { id: account, body: { status: 'closed' } } }] },
      { agent: agentName, run: 'close', text: `Account ${account} was closed as approved.` },
      { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
    ],
  };
}

/**
 * Sets the tenant up through the public API, as an operator would: egress to the ledger (on
 * loopback, refused by default), the ledger as a tool, the agent, a policy under which every
 * ledger write needs an approver, and the approval bot's own key with the approver role only.
 * Resolves once the tool, the agent and the policy read back. Answers the bot's key.
 */
export async function provisionTenant(client: AgentOrchestratorClient, ledger: Ledger): Promise<string> {
  await client.raw.PUT('/v1/egress', { body: { allow: [new URL(ledger.url).host] } });
  await client.tools.register({ name: toolName, url: `${ledger.url}/openapi.json`, description: 'The load bench ledger', scopes: ['ledger:write'] });
  await client.agents.register({ name: agentName, instructions: 'You look after ledger accounts: look one up, then change it.', tools: [toolName] });
  await client.raw.PUT('/v1/policies', {
    body: {
      allowedTools: [toolName],
      rules: [{ id: 'ledger-writes-need-approval', description: 'Changing an account needs an approver', effect: 'require_approval', match: { tools: [toolName], methods: ['patch'] }, approval: { role: 'approver' } }],
    },
  });
  const notYet = (error: unknown) => (isProblem(error) && error.status === 404 ? undefined : Promise.reject(error));
  await waitFor('the ledger tool to be registered', () => client.tools.get(toolName).catch(notYet), { timeoutMs: 60_000, intervalMs: 100 });
  await waitFor('the agent to be registered', () => client.agents.get(agentName).catch(notYet), { timeoutMs: 60_000, intervalMs: 100 });
  await waitFor('the policy to be in force', async () => ((await client.raw.GET('/v1/policies')).data?.version ?? 0) >= 1, { timeoutMs: 60_000, intervalMs: 100 });
  const { data } = await client.raw.POST('/v1/api-keys', { body: { name: 'load-bench-approval-bot', roles: ['approver'] } });
  return data!.apiKey;
}

/**
 * One approval the bot granted, in ms since the epoch: when it was asked for (as the inbox says),
 * when the bot's inbox first showed it, when the bot sent its grant and when the grant was answered.
 */
export interface Grant {
  readonly requestedAt: number;
  readonly seenAt: number;
  readonly sentAt: number;
  readonly grantedAt: number;
}

/**
 * The approval bot: polls its inbox (pending calls its role may decide) and approves each, up to
 * `concurrency` at a time, while it keeps polling, until stopped. A decision another poll already
 * made (409) is not an error.
 */
export function startApprovalBot(client: AgentOrchestratorClient, { intervalMs = 200, concurrency = 16 } = {}) {
  const deciding = new PQueue({ concurrency });
  const decided = new Set<string>();
  const grants = new Map<string, Grant>();
  let stopped = false;
  let failures = 0;
  const approve = async ({ approvalId, sessionId, requestedAt }: { approvalId: string; sessionId: string; requestedAt: string }, seenAt: number) => {
    const sentAt = Date.now();
    try {
      const { status } = await client.approvals.decide(approvalId, { decision: 'approve', reason: 'load bench bot' });
      if (status === 'granted') grants.set(sessionId, { requestedAt: Date.parse(requestedAt), seenAt, sentAt, grantedAt: Date.now() });
    } catch (error) {
      if (isProblem(error) && error.status === 409) return;
      decided.delete(approvalId); // asked again on a later poll
      failures += 1;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        // Every page: with more than a page pending, the newest page may hold only calls already decided.
        for await (const item of client.approvals.all({ status: 'pending', limit: 200 })) {
          if (decided.has(item.approvalId)) continue;
          decided.add(item.approvalId);
          const seenAt = Date.now();
          void deciding.add(() => approve(item, seenAt));
        }
      } catch {
        failures += 1; // counted on the wire too when it was a 5xx or a timeout
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    approved: () => grants.size,
    grants: (): ReadonlyMap<string, Grant> => grants,
    failures: () => failures,
    async stop() {
      stopped = true;
      await loop;
      await deciding.onIdle();
    },
  };
}

export interface SessionOutcome {
  readonly sessionId: string;
  readonly account: string;
  /** When the client sent it, and when the start was answered (ms since the epoch). */
  readonly submittedAt: number;
  readonly answeredAt: number;
  status?: string;
  failureReason?: string | null;
  /** When the session ended, as its read model says (ms since the epoch). */
  endedAt?: number;
}

export interface SubmitResult {
  readonly submitted: SessionOutcome[];
  /** Starts the platform refused or never answered (after the client's own retries). */
  readonly refused: number;
}

/** N sessions at once, each with its own account and an Idempotency-Key the client's retries keep. */
export async function submitSessions(client: AgentOrchestratorClient, count: number, tag: string): Promise<SubmitResult> {
  const submitted: SessionOutcome[] = [];
  let refused = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const account = String(index + 1);
      const submittedAt = Date.now();
      try {
        const { sessionId } = await client.sessions.start({ goal: `${tag} close account ${account}`, context: { modelScript: loadScript(account) } }, { idempotencyKey: randomUUID() });
        submitted.push({ sessionId, account, submittedAt, answeredAt: Date.now() });
      } catch {
        refused += 1;
      }
    }),
  );
  return { submitted, refused };
}

const ended = new Set(['completed', 'failed', 'cancelled']);

/**
 * Follows the sessions through the list of the tenant's sessions (filtered by the run's tag, a page
 * of 100 at a time) until every one has ended or the deadline passes; `onProgress` hears how many ended.
 */
export async function untilEnded(client: AgentOrchestratorClient, sessions: SessionOutcome[], tag: string, deadline: number, onProgress: (ended: number) => void, intervalMs = 500): Promise<void> {
  const byId = new Map(sessions.map((session) => [session.sessionId, session]));
  for (;;) {
    try {
      for await (const item of client.sessions.all({ q: tag, limit: 100 })) {
        const session = byId.get(item.sessionId);
        if (!session) continue;
        session.status = item.status;
        session.failureReason = item.failureReason;
        if (item.endedAt) session.endedAt = Date.parse(item.endedAt);
      }
    } catch {
      // counted on the wire; the next poll asks again
    }
    const done = sessions.filter((session) => session.status !== undefined && ended.has(session.status)).length;
    onProgress(done);
    if (done === sessions.length || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A tag no other run's goals contain. */
export function runTag(): string {
  return `load-${randomBytes(4).toString('hex')}`;
}

