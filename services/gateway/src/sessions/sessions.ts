import { createHash, randomUUID } from 'node:crypto';
import {
  sessionIdSchema,
  sessionStatuses,
  sessionStream,
  type CommandMessage,
  type EventEnvelope,
  type SessionCommand,
  type SessionConstraints,
  type TopicNames,
  type SessionStatus,
} from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { ApprovalQueries, ListSessionsQuery, ModelCallQueries, ParkedCallQueries, ParkedCallRecord, SessionDetail, SessionQueries } from '@agent-orchestrator/read-models';
import canonicalize from 'canonicalize';
import { v5 as uuidV5 } from 'uuid';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, pollFor, sendCommand } from '../commands.js';
import { GatewayError } from '../errors.js';
import type { Agents } from '../agents/agents.js';
import type { Tools } from '../tools/tools.js';
import type { IdempotencyClaims } from './idempotency-claims.js';
import { requestAnalysis, sessionAnalyses } from './session-analysis.js';
import { diffSessions } from './session-diff.js';
import { forkSession, type ForkRequest } from './session-fork.js';
import { sessionStreams } from './session-streams.js';

/** What the gateway needs to run sessions: the log to read, Kafka to send commands, the read model. */
export interface SessionsBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly queries: SessionQueries;
  readonly modelCalls: ModelCallQueries;
  /** Pending approvals make a running session `awaiting_approval`. */
  readonly approvals: ApprovalQueries;
  /** Parked tool calls make a running session `blocked`, and are listed on it; without it, none are known. */
  readonly parkedCalls?: ParkedCallQueries;
  /** How long a keyed start waits to see its session in the log, to tell a replay from a conflict. */
  readonly startConfirmMs?: number;
}

export interface StartRequest {
  readonly goal: string;
  readonly context?: Record<string, unknown>;
  readonly constraints?: SessionConstraints;
}

/** A parked call as a session lists it. */
type ParkedCallView = Pick<ParkedCallRecord, 'runId' | 'callId' | 'tool' | 'operation' | 'method' | 'code' | 'reason' | 'attempts' | 'parkings' | 'since'> & { status: 'parked' | 'retrying' };

function parkedCallView({ runId, callId, tool, operation, method, code, reason, attempts, parkings, since, status }: ParkedCallRecord): ParkedCallView {
  return { runId, callId, tool, operation, method, code, reason, attempts, parkings, since, status: status === 'retrying' ? 'retrying' : 'parked' };
}

/** Fixed namespaces: a session id from (tenant, key), a command id from (tenant, key, body). */
const sessionIdNamespace = 'c5f0a4f4-2f0e-4b7e-9d55-6a1d1c9e7b01';
const commandIdNamespace = '0e7d8f7a-6b3c-4c1d-8f2e-9a4b5c6d7e02';

export class Sessions {
  constructor(
    private readonly backend: SessionsBackend,
    private readonly agents: Agents,
    private readonly tools: Tools,
    /** Tells the first of concurrent requests with one key from the others; without it, each answers as the original. */
    private readonly claims?: IdempotencyClaims,
  ) {}

  /**
   * Sends StartSession. With an Idempotency-Key the session id is derived from (tenant, key) and
   * the command id from (tenant, key, body): the log itself remembers the request, with no second
   * write. The same key and body finds its session; the same key with another body finds a
   * session caused by another command id, which is a 409.
   */
  async start(caller: Principal, request: StartRequest, idempotencyKey: string | undefined): Promise<{ sessionId: string; status: SessionStatus; replayed: boolean }> {
    const { tenantId } = caller;
    const sessionId = idempotencyKey === undefined ? randomUUID() : uuidV5(`${tenantId}\n${idempotencyKey}`, sessionIdNamespace);
    const commandId =
      idempotencyKey === undefined ? randomUUID() : uuidV5(`${tenantId}\n${idempotencyKey}\n${fingerprint(request)}`, commandIdNamespace);

    if (idempotencyKey !== undefined) {
      const first = await this.firstEvent(sessionId);
      if (first) return { sessionId, status: await this.statusOf(tenantId, sessionId), replayed: this.sameRequest(first, tenantId, commandId) };
      // Another request with this key is under way: its session is this one's answer. Should it
      // never arrive (that request's gateway died before sending), this one sends the command.
      if (this.claims && !(await this.claims.claim(tenantId, idempotencyKey))) {
        const theirs = await this.waitForFirstEvent(sessionId);
        if (theirs) return { sessionId, status: await this.statusOf(tenantId, sessionId), replayed: this.sameRequest(theirs, tenantId, commandId) };
      }
    }
    const command: SessionCommand = {
      type: 'StartSession',
      sessionId,
      goal: request.goal,
      context: request.context ?? {},
      constraints: request.constraints ?? {},
      // The tenant's agents as they are now: later edits never change this session.
      agentVersions: (await this.agents.registry(tenantId)).pins(),
      toolVersions: (await this.tools.registry(tenantId)).pins(),
      metadata: commandMetadata(caller, sessionId, commandId),
    };
    await this.send(sessionId, { commandId, command });
    // Answer once the session is in the log (within startConfirmMs), so a client can read it
    // straight away. Two first requests with one key may race: the orchestrator starts the
    // session once, and the log says whose command it was.
    const first = await this.waitForFirstEvent(sessionId);
    if (first) this.sameRequest(first, tenantId, commandId);
    return { sessionId, status: 'queued', replayed: false };
  }

  /** The read model's view; a session just started and not yet projected reads from the log. */
  async get(tenantId: string, sessionId: string): Promise<(SessionDetail & { parkedCalls: ParkedCallView[] }) | { sessionId: string; status: 'queued'; goal: string; startedAt: string }> {
    const detail = await this.backend.queries.getSession(tenantId, sessionId);
    if (detail) {
      const parkedCalls = ((await this.backend.parkedCalls?.holding(tenantId, sessionId)) ?? []).map(parkedCallView);
      return { ...(await this.withApprovals(tenantId, [detail]))[0]!, parkedCalls };
    }
    const first = await this.firstEvent(sessionId);
    if (!first || first.tenantId !== tenantId || first.type !== 'SessionStarted') throw notFound(sessionId);
    return { sessionId, status: 'queued', goal: (first.data as { goal: string }).goal, startedAt: first.occurredAt };
  }

  async list(tenantId: string, query: ListSessionsQuery) {
    const page = await this.backend.queries.listSessions(tenantId, query);
    return { ...page, items: await this.withApprovals(tenantId, page.items) };
  }

  /** How many of the tenant's sessions are in each status, every status named (0 for none), with the total. */
  async summary(tenantId: string): Promise<{ byStatus: Record<SessionStatus, number>; total: number }> {
    const counted = await this.backend.queries.countByStatus(tenantId);
    const byStatus = Object.fromEntries(sessionStatuses.map((status) => [status, counted[status] ?? 0])) as Record<SessionStatus, number>;
    return { byStatus, total: Object.values(byStatus).reduce((sum, count) => sum + count, 0) };
  }

  /**
   * The session log never says `awaiting_approval`: a running session is awaiting approval while
   * one of its tool calls waits for a person, which the approvals read model knows.
   */
  private async withApprovals<Session extends { readonly sessionId: string; readonly status: string }>(tenantId: string, sessions: readonly Session[]): Promise<Session[]> {
    const running = sessions.filter((session) => session.status === 'running').map((session) => session.sessionId);
    const awaiting = await this.backend.approvals.sessionsAwaiting(tenantId, running);
    // Nor `blocked`: a running session is blocked while a parked tool call holds it (see SessionQueries).
    const blocked = (await this.backend.parkedCalls?.sessionsBlocked(tenantId, running)) ?? new Set<string>();
    return sessions.map((session) =>
      blocked.has(session.sessionId) ? { ...session, status: 'blocked' } : awaiting.has(session.sessionId) ? { ...session, status: 'awaiting_approval' } : session,
    );
  }

  /** One page of the session's log, each event as its full envelope. */
  async events(tenantId: string, sessionId: string, fromVersion: number, limit: number): Promise<{ items: EventEnvelope[]; nextFromVersion: number | null }> {
    await this.assertOwned(tenantId, sessionId);
    const items = await this.backend.store.readStream(sessionStream(sessionId), { fromVersion, maxCount: limit + 1 });
    const page = items.slice(0, limit);
    return { items: page, nextFromVersion: items.length > limit ? fromVersion + limit : null };
  }

  /** Every stream of the session's work as stored, with its hash links (see session-streams.ts). */
  async streams(tenantId: string, sessionId: string) {
    await this.assertOwned(tenantId, sessionId);
    return sessionStreams(this.backend.store, this.backend.approvals, tenantId, sessionId);
  }

  /** Every model response the session paid for, oldest first, with its run, model, tokens and cost. */
  async modelCalls(tenantId: string, sessionId: string) {
    await this.assertOwned(tenantId, sessionId);
    return { items: await this.backend.modelCalls.forSession(tenantId, sessionId) };
  }

  /** Forks one of the caller's sessions at a version of its log (see session-fork.ts). */
  fork(caller: Principal, sessionId: string, request: ForkRequest): Promise<{ sessionId: string }> {
    return forkSession(this.backend, this.agents, caller, sessionId, request);
  }

  /** Two of the tenant's sessions side by side (see session-diff.ts). */
  diff(tenantId: string, a: string, b: string) {
    return diffSessions(this.backend, tenantId, a, b);
  }

  /** Asks the Analyst for an analysis of one of the caller's sessions (see session-analysis.ts). */
  async analyze(caller: Principal, sessionId: string) {
    await this.assertOwned(caller.tenantId, sessionId);
    return requestAnalysis(this.backend, caller, sessionId);
  }

  /** The session's analyses, newest first: running, or with their findings or failure. */
  async analyses(tenantId: string, sessionId: string) {
    await this.assertOwned(tenantId, sessionId);
    return sessionAnalyses(this.backend.store, tenantId, sessionId);
  }

  async cancel(caller: Principal, sessionId: string, reason: string | undefined): Promise<void> {
    await this.assertOwned(caller.tenantId, sessionId);
    const commandId = randomUUID();
    const command: SessionCommand = {
      type: 'CancelSession',
      sessionId,
      ...(reason === undefined ? {} : { reason }),
      metadata: commandMetadata(caller, sessionId, commandId),
    };
    await this.send(sessionId, { commandId, command });
  }

  async assertOwned(tenantId: string, sessionId: string): Promise<void> {
    const first = await this.firstEvent(sessionId);
    // Another tenant's session reads exactly like one that does not exist.
    if (!first || first.tenantId !== tenantId) throw notFound(sessionId);
  }

  private sameRequest(first: EventEnvelope, tenantId: string, commandId: string): boolean {
    if (first.tenantId !== tenantId || first.causationId !== commandId) {
      throw new GatewayError('Conflict', 'This Idempotency-Key was already used with a different request body. Send the original body, or use a new key.');
    }
    return true;
  }

  private async statusOf(tenantId: string, sessionId: string): Promise<SessionStatus> {
    return (await this.backend.queries.getSession(tenantId, sessionId))?.status ?? 'queued';
  }

  private async firstEvent(sessionId: string): Promise<EventEnvelope | undefined> {
    if (!sessionIdSchema.safeParse(sessionId).success) return undefined;
    const [first] = await this.backend.store.readStream(sessionStream(sessionId), { maxCount: 1 });
    return first;
  }

  private waitForFirstEvent(sessionId: string): Promise<EventEnvelope | undefined> {
    return pollFor(() => this.firstEvent(sessionId), this.backend.startConfirmMs ?? 3000);
  }

  private send(sessionId: string, message: CommandMessage): Promise<void> {
    return sendCommand(this.backend.producer, this.backend.topics.commands('orchestrator'), sessionStream(sessionId), message);
  }
}

function fingerprint(request: StartRequest): string {
  return createHash('sha256')
    .update(canonicalize({ goal: request.goal, context: request.context ?? {}, constraints: request.constraints ?? {} }) ?? '')
    .digest('hex');
}

const notFound = (sessionId: string) => new GatewayError('NotFound', `Your tenant has no session ${sessionId}.`);
