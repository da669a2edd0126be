import { policyCheckStream, sessionStream, type AgentRunEvent, type EventEnvelope, type NewEvent, type Usage } from '@agent-orchestrator/contracts';
import { isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { pinnedOperation } from '@agent-orchestrator/tools';
import type { Logger } from 'pino';
import { v5 as uuidV5 } from 'uuid';
import { evaluatePolicy, type PolicyCall } from './domain/evaluate.js';
import { currentPolicy, policyAt } from './policy-versions.js';

export type ToolCallRequest = EventEnvelope & Extract<AgentRunEvent, { type: 'ToolCallRequested' }>;

/** Decision ids derive from the request's event id, so a redelivered request decides the same events. */
const decisionNamespace = 'c1a4e7b2-9d3f-4a6e-8b5c-2f7e1d0a9b38';

/**
 * What a session has paid for so far, from its log: every StepCompleted and UsageRecorded (each
 * run counted once there); and the policy version it is pinned to, if a fork said so.
 */
async function sessionSpend(store: EventStore, sessionId: string): Promise<{ costUsd: number; tokens: number; pinnedPolicyVersion?: number }> {
  let micros = 0;
  let tokens = 0;
  let pinnedPolicyVersion: number | undefined;
  for await (const event of store.streamEvents(sessionStream(sessionId))) {
    // A fork of a fork keeps the pin it copied unless it pins another.
    if (event.type === 'SessionForked') pinnedPolicyVersion = (event.data as { overrides: { policyVersion?: number } }).overrides.policyVersion ?? pinnedPolicyVersion;
    if (event.type !== 'StepCompleted' && event.type !== 'UsageRecorded') continue;
    const { usage } = event.data as { usage: Usage };
    micros += Math.round(usage.costUsd * 1e6);
    tokens += usage.inputTokens + usage.outputTokens;
  }
  return { costUsd: micros / 1e6, tokens, ...(pinnedPolicyVersion === undefined ? {} : { pinnedPolicyVersion }) };
}

/**
 * Gives every ToolCallRequested its PolicyDecisionRecorded (and a PolicyViolationRecorded when it
 * is denied) on the call's own stream, under the tenant's current policy (or the version a fork
 * pinned) and the operation the session pinned. The stream must not exist yet, so each call is decided once, under one policy
 * version, however often the request is delivered.
 */
export class PolicyChecks {
  constructor(private readonly options: { readonly store: EventStore; readonly logger: Logger; readonly now: () => string }) {}

  async decide(request: ToolCallRequest): Promise<void> {
    const { store } = this.options;
    const { sessionId, runId, callId, agent, tool } = request.data;
    const stream = policyCheckStream(runId, callId);
    if ((await store.readStream(stream, { maxCount: 1 })).length > 0) return;
    const [pinned, { pinnedPolicyVersion, ...spent }] = await Promise.all([pinnedOperation(store, request.tenantId, sessionId, tool), sessionSpend(store, sessionId)]);
    const { version, policy } = pinnedPolicyVersion === undefined ? await currentPolicy(store, request.tenantId) : await policyAt(store, request.tenantId, pinnedPolicyVersion);
    const call: PolicyCall =
      pinned.kind === 'operation'
        ? { agent, tool: pinned.tool, operation: { name: pinned.operation.name, method: pinned.operation.method, scopes: pinned.definition.scopes }, spent }
        : { agent, tool: pinned.tool, spent };
    const verdict = evaluatePolicy(policy, call);
    const target = pinned.kind === 'operation' ? { tool: pinned.tool, version: pinned.version, operation: pinned.operation.name, method: pinned.operation.method, scopes: [...pinned.definition.scopes] } : null;
    const stamp = (suffix: string) => ({
      eventId: uuidV5(`${request.eventId}/${suffix}`, decisionNamespace),
      schemaVersion: 1,
      tenantId: request.tenantId,
      correlationId: request.correlationId,
      causationId: request.eventId,
      actor: { kind: 'service', id: 'policy' } as const,
      occurredAt: this.options.now(),
      traceparent: request.traceparent,
    });
    const { effect, ruleId, reason } = verdict;
    const events: NewEvent[] = [
      { ...stamp('decision'), type: 'PolicyDecisionRecorded', data: { sessionId, runId, callId, agent, tool, target, effect, ruleId, policyVersion: version, reason, ...(verdict.approval ? { approval: verdict.approval } : {}) } },
      ...(effect === 'deny' ? [{ ...stamp('violation'), type: 'PolicyViolationRecorded', data: { sessionId, runId, callId, agent, tool, ruleId, policyVersion: version, reason } }] : []),
    ];
    try {
      await store.append(stream, events, { expectedVersion: 'no_stream' });
      this.options.logger.info({ tool, callId, effect, ruleId, policyVersion: version }, 'tool call decided');
    } catch (error) {
      if (isEventStoreError(error) && error.code === 'WrongExpectedVersion') return; // decided already
      throw error;
    }
  }
}
