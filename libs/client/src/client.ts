import type { EventEnvelope } from '@agent-orchestrator/contracts';
import createFetchClient, { type Client, type Middleware } from 'openapi-fetch';
import pRetry from 'p-retry';
import type { paths } from './generated/openapi.js';
import { followLive, type LiveMessage, type LiveOptions, type LiveSocket } from './live.js';
import { everyItem, pageOf, type ItemOf } from './paging.js';
import { isProblem, problemOf } from './problem.js';

export interface ClientOptions {
  /** The gateway's address, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string;
  /** An access token from the identity provider, sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Called before every request for a current access token (e.g. one a browser refreshes). */
  readonly getToken?: () => string | Promise<string>;
  /** A fetch to use instead of the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** Opens the live WebSocket; the global WebSocket by default. */
  readonly openSocket?: (url: string) => LiveSocket;
}

/** The typed client of every route, as openapi-fetch makes it from the document: `raw.GET('/v1/tenants', ...)`. */
export type RawClient = Client<paths>;

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : unknown;
/** The 2xx JSON body a route answers, as the document describes it (unknown where it does not). */
export type Answer<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends { responses: infer R }
  ? Json<R[Extract<keyof R, 200 | 201 | 202>]>
  : never;
export type QueryOf<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
export type BodyOf<Path extends keyof paths, Method extends keyof paths[Path]> = paths[Path][Method] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type StartSession = BodyOf<'/v1/sessions', 'post'>;
export type SessionFilter = Omit<QueryOf<'/v1/sessions', 'get'>, 'cursor'>;
export type ApprovalFilter = Omit<QueryOf<'/v1/approvals', 'get'>, 'before'>;
export type Decision = BodyOf<'/v1/approvals/{id}/decision', 'post'>;

/** Answers that are not 2xx become thrown ProblemErrors, for the raw client too. */
const problems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await problemOf(response);
    return undefined;
  },
};

function authentication(options: ClientOptions): Middleware {
  return {
    async onRequest({ request }) {
      const credential = options.getToken ? await options.getToken() : (options.token ?? options.apiKey);
      if (credential !== undefined) request.headers.set('authorization', `Bearer ${credential}`);
      return request;
    },
  };
}

/** The body of a 2xx answer (non-2xx ones were thrown by the middleware). */
async function ok<Result extends { data?: unknown; error?: unknown }>(call: Promise<Result>): Promise<Extract<Result, { error?: never }>['data']> {
  const { data } = await call;
  return data;
}

/** Failures worth the same request again: the network, or the gateway saying "later". */
function retryable(error: Error): boolean {
  return !isProblem(error) || [429, 502, 503, 504].includes(error.status);
}

export function createClient(options: ClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const raw: RawClient = createFetchClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  raw.use(authentication(options), problems);

  const wsTickets = {
    /** A single-use ticket for the live WebSocket, valid for 30 seconds. */
    create: () => ok(raw.POST('/v1/ws-tickets', { body: {} })),
  };

  const sessions = {
    /**
     * Starts a session. The Idempotency-Key (a new UUID unless given) is sent with every retry of
     * this call, so a retry after a lost answer returns the same session instead of a second one.
     */
    start: (body: StartSession, { idempotencyKey = crypto.randomUUID(), retries = 2 }: { idempotencyKey?: string; retries?: number } = {}) =>
      pRetry(() => ok(raw.POST('/v1/sessions', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } })), {
        retries,
        minTimeout: 200,
        shouldRetry: ({ error }) => retryable(error),
        // A 429 or 503 says when to come back: wait that long (up to a minute) on top of the backoff.
        onFailedAttempt: ({ error, retriesLeft }) => (retriesLeft > 0 && isProblem(error) && error.retryAfter ? new Promise((resolve) => setTimeout(resolve, Math.min(error.retryAfter!, 60) * 1000)) : undefined),
      }),
    get: (sessionId: string) => ok(raw.GET('/v1/sessions/{sessionId}', { params: { path: { sessionId } } })),
    /** How many of the tenant's sessions are in each status. */
    summary: () => ok(raw.GET('/v1/sessions/summary')),
    list: (query: QueryOf<'/v1/sessions', 'get'> = {}) => ok(raw.GET('/v1/sessions', { params: { query } })),
    /** Asks for the session to be cancelled; `reason` is kept in its log. */
    cancel: (sessionId: string, reason?: string) => ok(raw.POST('/v1/sessions/{sessionId}/cancel', { params: { path: { sessionId } }, body: reason === undefined ? {} : { reason } })),
    /** One page of the session's log, from `fromVersion`. */
    /** Every stream of the session's work as stored, with each event's hash links: for a run's full detail and checking its chain. */
    streams: (sessionId: string) => ok(raw.GET('/v1/sessions/{sessionId}/streams', { params: { path: { sessionId } } })),
    events: (sessionId: string, query: QueryOf<'/v1/sessions/{sessionId}/events', 'get'> = {}) =>
      ok(raw.GET('/v1/sessions/{sessionId}/events', { params: { path: { sessionId }, query } })),
    /** Every session matching the filter, newest first, page by page. */
    all: (filter: SessionFilter = {}) =>
      everyItem<ItemOf<Answer<'/v1/sessions', 'get'>>, string>(async (cursor) =>
        pageOf(await sessions.list({ ...filter, ...(cursor === undefined ? {} : { cursor }) }), 'nextCursor', 'string'),
      ),
    /** Every event of the session's log, oldest first, `limit` a page. */
    allEvents: (sessionId: string, { fromVersion = 0, limit }: { fromVersion?: number; limit?: number } = {}) =>
      everyItem<EventEnvelope, number>(async (cursor) =>
        pageOf(await sessions.events(sessionId, { fromVersion: cursor ?? fromVersion, ...(limit === undefined ? {} : { limit }) }), 'nextFromVersion', 'number'),
      ),
    /** The session live: every event once and in order, across dropped connections, until its last one. */
    live: (sessionId: string, liveOptions: LiveOptions = {}): AsyncGenerator<LiveMessage, void, undefined> =>
      followLive(
        sessionId,
        {
          ticket: async () => (await wsTickets.create()).ticket,
          open: options.openSocket ?? ((url) => new WebSocket(url) as unknown as LiveSocket),
          url: (id, fromVersion, ticket) => `${baseUrl.replace(/^http/, 'ws')}/v1/sessions/${encodeURIComponent(id)}/live?${new URLSearchParams({ ticket, fromVersion: String(fromVersion) })}`,
          assertFollowable: async (id) => void (await sessions.get(id)),
        },
        liveOptions,
      ),
  };

  const approvals = {
    list: (query: QueryOf<'/v1/approvals', 'get'> = {}) => ok(raw.GET('/v1/approvals', { params: { query } })),
    get: (id: string) => ok(raw.GET('/v1/approvals/{id}', { params: { path: { id } } })),
    decide: (id: string, decision: Decision) => ok(raw.POST('/v1/approvals/{id}/decision', { params: { path: { id } }, body: decision })),
    /** Every approval matching the filter, newest first, page by page. */
    all: (filter: ApprovalFilter = {}) =>
      everyItem<ItemOf<Answer<'/v1/approvals', 'get'>>, string>(async (before) =>
        pageOf(await approvals.list({ ...filter, ...(before === undefined ? {} : { before }) }), 'nextCursor', 'string'),
      ),
  };

  const agents = {
    list: () => ok(raw.GET('/v1/agents')),
    get: (name: string) => ok(raw.GET('/v1/agents/{name}', { params: { path: { name } } })),
    register: (agent: BodyOf<'/v1/agents', 'post'>) => ok(raw.POST('/v1/agents', { body: agent })),
  };

  const tools = {
    list: () => ok(raw.GET('/v1/tools')),
    get: (name: string) => ok(raw.GET('/v1/tools/{name}', { params: { path: { name } } })),
    register: (tool: BodyOf<'/v1/tools', 'post'>) => ok(raw.POST('/v1/tools', { body: tool })),
  };

  const adminEvents = {
    list: (query: QueryOf<'/v1/admin-events', 'get'> = {}) => ok(raw.GET('/v1/admin-events', { params: { query } })),
    /** Every event of the tenant's admin log, oldest first. */
    all: ({ fromVersion = 0, limit }: { fromVersion?: number; limit?: number } = {}) =>
      everyItem<EventEnvelope, number>(async (cursor) =>
        pageOf(await adminEvents.list({ fromVersion: cursor ?? fromVersion, ...(limit === undefined ? {} : { limit }) }), 'nextFromVersion', 'number'),
      ),
  };

  /** Who this client speaks for: tenant, subject, roles, and the credential with its expiry. */
  const me = () => ok(raw.GET('/v1/me'));
  /** How to sign in to the console (needs no credential): single sign-on at an identity provider, or `oidc: null`. */
  const signInOptions = () => ok(raw.GET('/v1/sign-in'));

  return { raw, me, signInOptions, sessions, approvals, agents, tools, wsTickets, adminEvents };
}

export type AgentOrchestratorClient = ReturnType<typeof createClient>;
