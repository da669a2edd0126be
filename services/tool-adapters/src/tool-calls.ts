import {
  agentRunStream,
  approvalStream,
  messageHeaders,
  toolCallStream,
  type AgentRunEvent,
  type ApprovalEvent,
  type EventEnvelope,
  type NewEvent,
  type PolicyCheckEvent,
  type ToolDefinition,
  type TopicNames,
} from '@agent-orchestrator/contracts';
import { currentEgress } from '@agent-orchestrator/egress';
import { isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { encodeEvent, type MessageSender } from '@agent-orchestrator/messaging';
import { processMetrics } from '@agent-orchestrator/metrics';
import { redactEvents, type PiiKind } from '@agent-orchestrator/pii';
import { pinnedOperation } from '@agent-orchestrator/tools';
import type { Logger } from 'pino';
import { v5 as uuidV5 } from 'uuid';
import type { HttpExecutor, PresentedCredential } from './execution/http-executor.js';
import { withAnswerFiles } from './execution/answer-files.js';
import { McpExecutor } from './execution/mcp-executor.js';
import { readOAuthClientSecret } from './execution/oauth-client-secret.js';
import { isTokenUnavailable, type OAuthTokens } from './execution/oauth-tokens.js';
import type { ToolRateLimits } from './execution/rate-limits.js';
import type { ParkedCallState } from './domain/parked-call/parked-call-decider.js';
import { isSecretStoreError, type SecretStore } from '@agent-orchestrator/secrets';

export type ToolCallRequest = EventEnvelope & Extract<AgentRunEvent, { type: 'ToolCallRequested' }>;
export type PolicyDecision = EventEnvelope & Extract<PolicyCheckEvent, { type: 'PolicyDecisionRecorded' }>;
export type ApprovalSettled = EventEnvelope & Extract<ApprovalEvent, { type: 'ApprovalGranted' | 'ApprovalRejected' | 'ApprovalExpired' }>;

/** Fixed namespaces: answer ids and Idempotency-Keys, derived from the request's event id. */
const answerNamespace = '8d4a1f52-3c0b-4e51-9a7f-0c6b2d9e4f13';
const idempotencyNamespace = '1f6e2b7a-4c3d-4e8f-9a0b-5c6d7e8f9a01';

/** What of an answer came from outside: the tool's output, or the reason it failed (which may quote it). */
const answerFields = { ToolCallCompleted: { output: { maxChars: 400_000 } }, ToolCallFailed: { reason: { maxChars: 4000 } }, ToolCallParked: { reason: { maxChars: 4000 } } };

/** The built-in `echo` answers with the text it was given. */
export function builtInAnswer(tool: string, argumentsJson: string): { output: string } | { reason: string } {
  if (tool !== 'echo') return { reason: `no tool named "${tool}" is registered` };
  try {
    const { text } = JSON.parse(argumentsJson) as { text?: unknown };
    if (typeof text !== 'string') return { reason: 'echo takes {"text": string}' };
    return { output: text };
  } catch {
    return { reason: `echo was called with arguments that are not JSON: ${argumentsJson.slice(0, 200)}` };
  }
}

/** A call to park: its retries ran out and its tool says `onExhausted: "park"`. */
interface Parking {
  readonly code: string;
  readonly attempts: number;
  readonly operation: string;
  readonly method: ToolDefinition['operations'][number]['method'];
}

type Answer = { output: string } | { reason: string; deadLetter?: true } | { reason: string; park: Parking };

/** Where an answer goes on the call's stream: a first answer makes the stream; one after a retry follows the stream's version. */
interface AnswerPlace {
  readonly expectedVersion: 'no_stream' | number;
  /** The parking the retry followed, whose count a new parking adds to. */
  readonly parked?: { readonly parkings: number };
  readonly approvalId?: string;
}

export interface ToolCallsOptions {
  readonly store: EventStore;
  readonly executor: HttpExecutor;
  /** Calls the tools of MCP servers; by default one with an egress guard of its own (no operator allow-list, the default deny-list). */
  readonly mcpExecutor?: McpExecutor;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly logger: Logger;
  readonly now: () => string;
  /** The kinds of personal data and secrets each tenant has replaced in answers before they are stored. */
  readonly redact: { kindsFor(tenantId: string): Promise<readonly PiiKind[]> };
  /** Where tools' credentials are kept; without it, a tool that names credentials cannot be called. */
  readonly secrets?: SecretStore;
  /** Fetches and keeps the access tokens of OAuth 2 and OpenID Connect schemes; without it, operations needing one cannot be called. */
  readonly oauth?: OAuthTokens;
  readonly rateLimits?: ToolRateLimits;
}

/**
 * Answers tool calls on each call's own stream, once the policy let them through: at once when it
 * allowed the call, after ApprovalGranted (with the arguments the approvers settled on) when it
 * held it; a denied, rejected or expired call is answered as refused, so the agent is told. An
 * answer is the built-in echo, or an operation of a registered tool at the version the session
 * pinned, executed over HTTP (an MCP server's tool with `tools/call`). A call already answered is not executed again; the stream must not
 * exist when the answer is appended, so a redelivered decision (or two processes on one) answers
 * the call once. A call that failed after its last retry is answered as failed and its request is
 * dead-lettered with the reason; unless its tool says `onExhausted: "park"`: then it is parked
 * (ToolCallParked, no answer, the run waits) until an operator retries it (runParkedAgain) or
 * discards it (see parked-calls.ts).
 */
export class ToolCalls {
  private readonly mcpExecutor: McpExecutor;

  constructor(private readonly options: ToolCallsOptions) {
    this.mcpExecutor = options.mcpExecutor ?? new McpExecutor();
  }

  async onPolicyDecision(decision: PolicyDecision): Promise<void> {
    const { effect, reason, ruleId, policyVersion } = decision.data;
    switch (effect) {
      case 'allow':
        return this.answer(decision.data, (request) => this.execute(request, request.data.arguments));
      case 'deny':
        return this.answer(decision.data, async () => ({ reason: `refused by policy (rule ${ruleId}, version ${policyVersion}): ${reason}` }));
      case 'require_approval':
        return; // ApprovalGranted, -Rejected or -Expired answers it.
    }
  }

  async onApprovalSettled(settled: ApprovalSettled): Promise<void> {
    switch (settled.type) {
      case 'ApprovalGranted':
        return this.answer(settled.data, (request) => this.execute(request, settled.data.arguments), settled.data.approvalId);
      case 'ApprovalRejected':
        return this.answer(settled.data, async () => ({ reason: `rejected by ${settled.data.rejectedBy.id}: ${settled.data.reason}` }));
      case 'ApprovalExpired':
        return this.answer(settled.data, async () => ({ reason: `nobody approved the call before ${settled.data.expiredAt}; it was not made` }));
    }
  }

  private async answer(call: { readonly runId: string; readonly callId: string }, outcome: (request: ToolCallRequest) => Promise<Answer>, approvalId?: string): Promise<void> {
    const { store } = this.options;
    const stream = toolCallStream(call.runId, call.callId);
    if ((await store.readStream(stream, { maxCount: 1 })).length > 0) return; // answered (or parked) already
    const request = await this.request(call.runId, call.callId);
    const answer = await outcome(request);
    if ('deadLetter' in answer) await this.deadLetter(request, answer.reason);
    await this.append(request, stream, answer, { expectedVersion: 'no_stream', ...(approvalId === undefined ? {} : { approvalId }) });
  }

  /**
   * Runs a parked call once more, after its ToolCallRetried was stored, with the arguments it was
   * let through with (an approval's settled ones, when one held it) and the same Idempotency-Key
   * as before; then answers it, or parks it again, right after the retry on its stream. Two runs
   * for one retry (a redelivered command after a crash) append one answer: the second finds the
   * stream moved on. Returns what the call came to.
   */
  async runParkedAgain(state: Extract<ParkedCallState, { status: 'retrying' }>): Promise<'completed' | 'failed' | 'parked'> {
    const { runId, callId, approvalId, parkings } = state.parked;
    const request = await this.request(runId, callId);
    const argumentsJson = approvalId === undefined ? request.data.arguments : await this.grantedArguments(approvalId, request);
    const answer = await this.execute(request, argumentsJson);
    await this.append(request, toolCallStream(runId, callId), answer, { expectedVersion: state.version, parked: { parkings }, ...(approvalId === undefined ? {} : { approvalId }) });
    return 'output' in answer ? 'completed' : 'park' in answer ? 'parked' : 'failed';
  }

  private async request(runId: string, callId: string): Promise<ToolCallRequest> {
    const runEvents = (await this.options.store.readStream(agentRunStream(runId))) as ToolCallRequest[];
    const request = runEvents.find((event) => event.type === 'ToolCallRequested' && event.data.callId === callId);
    if (request === undefined) throw new Error(`run ${runId} has no ToolCallRequested ${callId} to answer`);
    return request;
  }

  private async grantedArguments(approvalId: string, request: ToolCallRequest): Promise<string> {
    const events = await this.options.store.readStream(approvalStream(approvalId));
    const granted = events.find((event): event is Extract<ApprovalSettled, { type: 'ApprovalGranted' }> => event.type === 'ApprovalGranted');
    if (granted === undefined || granted.tenantId !== request.tenantId) throw new Error(`approval ${approvalId} of parked call ${request.data.callId} was not granted`);
    return granted.data.arguments;
  }

  private async execute(request: ToolCallRequest, argumentsJson: string): Promise<Answer> {
    const { sessionId, tool: name } = request.data;
    const pinned = await pinnedOperation(this.options.store, request.tenantId, sessionId, name);
    if (pinned.kind === 'built-in') return builtInAnswer(name, argumentsJson);
    if (pinned.kind === 'unknown') return { reason: pinned.reason };
    const { tool, version, definition, operation } = pinned;
    const parks = definition.onExhausted === 'park';
    // The allow-list of the moment, not one pinned by the session: an admin's removal applies at once.
    const egress = await currentEgress(this.options.store, request.tenantId);
    const credentials = await this.credentials(request.tenantId, tool, definition, operation, egress.allow);
    if ('reason' in credentials) return credentials;
    if (this.options.rateLimits) {
      const slot = await this.options.rateLimits.acquire(request.tenantId, tool, definition.rateLimitPerMinute);
      if (!slot.ok) return { reason: `the call was not sent: ${slot.reason}` };
    }
    const idempotencyKey = uuidV5(`${request.eventId}/call`, idempotencyNamespace);
    const key = { tenantId: request.tenantId, tool, version };
    // Files given as an earlier answer's sha256 are sent as the bytes kept for it.
    const sent = await withAnswerFiles(this.options.store, request.tenantId, operation.body?.mediaType, argumentsJson);
    if ('reason' in sent) return { reason: `the call was not sent: ${sent.reason}` };
    const outcome =
      definition.kind === 'mcp'
        ? await this.mcpExecutor.call(key, definition, operation, sent.argumentsJson, credentials.presented, egress.allow)
        : await this.options.executor.call(key, definition, operation, sent.argumentsJson, idempotencyKey, credentials.presented, egress.allow);
    this.options.logger.info({ tool: name, callId: request.data.callId, outcome: outcome.outcome, ...('attempts' in outcome ? { attempts: outcome.attempts } : {}) }, 'tool call answered');
    switch (outcome.outcome) {
      case 'completed':
        // A binary answer's bytes are kept (by their sha256, which the output shows) before the answer is stored, for a later call to send.
        if ('binary' in outcome && outcome.binary !== undefined) await this.options.store.putAttachment(request.tenantId, outcome.binary);
        // The executor has already scrubbed the credentials it presented from answers and reasons.
        return { output: outcome.output };
      case 'refused':
        return { reason: `the call was not sent: ${outcome.reason}` };
      case 'failed': {
        // An open circuit is the tool failing too, just sooner: a call it stops is parked as well.
        const exhausted = outcome.gaveUp || outcome.code === 'circuit-open';
        if (exhausted && parks) return { reason: outcome.reason, park: { code: outcome.code, attempts: outcome.attempts, operation: operation.name, method: operation.method } };
        return outcome.gaveUp ? { reason: outcome.reason, deadLetter: true } : { reason: outcome.reason };
      }
    }
  }

  /**
   * The credentials an operation presents, each resolved from the secret its tool names for the
   * scheme; for OAuth 2 and OpenID Connect, the secret names the client and an access token is
   * fetched (or taken from those kept) through the egress guard with the tenant's allow-list.
   */
  private async credentials(
    tenantId: string,
    tool: string,
    definition: ToolDefinition,
    operation: ToolDefinition['operations'][number],
    egressAllow: readonly string[],
  ): Promise<{ presented: PresentedCredential[] } | { reason: string }> {
    const presented: PresentedCredential[] = [];
    for (const schemeName of operation.security ?? []) {
      const scheme = definition.securitySchemes?.[schemeName];
      const secretName = definition.credentials?.[schemeName];
      if (!scheme || !secretName) return { reason: `the call was not sent: ${tool}.${operation.name} needs the ${schemeName} credential, and the tool names no secret for it; register the tool again with "credentials": {"${schemeName}": "<secret name>"}` };
      if (!this.options.secrets) return { reason: `the call was not sent: ${tool} needs secret ${secretName}, and no secret store is configured (set SECRETS_KEY, or SECRETS_BACKEND=vault)` };
      let value: string | undefined;
      try {
        value = await this.options.secrets.get(tenantId, secretName);
      } catch (error) {
        // Shredded or sealed under a key not configured: no retry can change that, so the call is answered now.
        if (isSecretStoreError(error)) return { reason: `the call was not sent: ${error.message}` };
        throw error;
      }
      if (value === undefined) return { reason: `the call was not sent: secret ${secretName} (the ${schemeName} credential of ${tool}) is not set; an admin sets it with PUT /v1/secrets/${secretName}` };
      if (scheme.type !== 'oauth2' && scheme.type !== 'openIdConnect') {
        presented.push({ scheme, value });
        continue;
      }
      const client = readOAuthClientSecret(value, secretName);
      if ('reason' in client) return { reason: `the call was not sent: ${client.reason}` };
      if (!this.options.oauth) return { reason: `the call was not sent: ${tool} needs an OAuth access token, and this deployment fetches none (no secret store is configured)` };
      try {
        presented.push(await this.options.oauth.credential({ tenantId, tool, schemeName, scheme, secretName, client, egressAllow }));
      } catch (error) {
        if (isTokenUnavailable(error)) return { reason: `the call was not sent: ${error.message}` };
        throw error;
      }
    }
    return { presented };
  }

  private async deadLetter(request: ToolCallRequest, reason: string): Promise<void> {
    const { producer, topics } = this.options;
    const message = encodeEvent(request, topics.deadLetters('tool-adapters'));
    await producer.send([
      {
        ...message,
        headers: {
          ...message.headers,
          [messageHeaders.dlqReason]: reason.slice(0, 4000),
          [messageHeaders.dlqErrorCode]: 'ToolCallGaveUp',
          [messageHeaders.dlqConsumerGroup]: 'tool-adapters',
          [messageHeaders.dlqFailedAt]: new Date().toISOString(),
        },
      },
    ]);
  }

  /**
   * Appends the answer, with personal data and secrets in it replaced; a PiiRedacted after it
   * records what was replaced. Answer and record are one append: neither is stored without the other.
   */
  private async append(request: ToolCallRequest, stream: string, answer: Answer, place: AnswerPlace): Promise<void> {
    const { sessionId, runId, callId, tool } = request.data;
    const parkings = (place.parked?.parkings ?? 0) + 1;
    const answered: NewEvent = {
      // One answer per call, ever; a parking per time it is parked.
      eventId: uuidV5('park' in answer ? `${request.eventId}/parked/${parkings}` : `${request.eventId}/answer`, answerNamespace),
      tenantId: request.tenantId,
      correlationId: request.correlationId,
      causationId: request.eventId,
      actor: { kind: 'service', id: 'tool-adapters' } as const,
      occurredAt: this.options.now(),
      traceparent: request.traceparent,
      schemaVersion: 1,
      ...('output' in answer
        ? { type: 'ToolCallCompleted', data: { sessionId, runId, callId, tool, output: answer.output } }
        : 'park' in answer
          ? {
              type: 'ToolCallParked',
              data: {
                sessionId,
                runId,
                callId,
                tool,
                ...answer.park,
                parkings,
                reason: answer.reason.slice(0, 4000),
                ...(place.approvalId === undefined ? {} : { approvalId: place.approvalId }),
              },
            }
          : { type: 'ToolCallFailed', data: { sessionId, runId, callId, tool, reason: answer.reason.slice(0, 4000) } }),
    };
    const events = redactEvents([answered], await this.options.redact.kindsFor(request.tenantId), answerFields);
    try {
      await this.options.store.append(stream, events, { expectedVersion: place.expectedVersion });
      processMetrics.toolCall({ tenant: request.tenantId, tool, outcome: 'output' in answer ? 'completed' : 'park' in answer ? 'parked' : 'failed' });
    } catch (error) {
      if (isEventStoreError(error) && error.code === 'WrongExpectedVersion') return; // answered already
      throw error;
    }
  }
}
