import { randomUUID } from 'node:crypto';
import { analysisStream, type AgentCommandMessage, type AnalysisFindings, type EventEnvelope, type TopicNames, type Usage } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, sendCommand } from '../commands.js';

export interface AnalysisBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
}

/** One analysis of a session as the API shows it: running until its findings, its failure or its refusal by a budget are in the log. */
export interface SessionAnalysisView {
  readonly analysisId: string;
  readonly status: 'running' | 'recorded' | 'failed' | 'refused';
  readonly requestedBy: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly analyst: string;
  readonly model: string;
  readonly input: { readonly text: string; readonly events: number; readonly shown: number; readonly summarised: boolean };
  readonly findings: AnalysisFindings | null;
  readonly reason: string | null;
  /** The budget that refused the Analyst's model call; null unless refused. */
  readonly budgetId: string | null;
  readonly usage: Usage | null;
}

/**
 * Sends AnalyzeSession to agent-runtime for a session the caller's tenant owns (the caller checks
 * that first). The analysis id is chosen here, so the answer can name it before the Analyst starts.
 */
export async function requestAnalysis(backend: AnalysisBackend, caller: Principal, sessionId: string): Promise<{ analysisId: string; sessionId: string; status: 'requested' }> {
  const analysisId = randomUUID();
  const commandId = randomUUID();
  const message: AgentCommandMessage = { commandId, command: { type: 'AnalyzeSession', sessionId, analysisId, metadata: commandMetadata(caller, sessionId, commandId) } };
  await sendCommand(backend.producer, backend.topics.commands('agent-runtime'), analysisStream(sessionId), message);
  return { analysisId, sessionId, status: 'requested' };
}

/** Every analysis of the session, newest first, folded from its `analysis-<sessionId>` stream. */
export async function sessionAnalyses(store: EventStore, tenantId: string, sessionId: string): Promise<{ items: SessionAnalysisView[] }> {
  const byId = new Map<string, SessionAnalysisView>();
  for await (const event of store.streamEvents(analysisStream(sessionId))) {
    // The stream's events are all of the session's tenant (the store holds a stream to one tenant).
    if (event.tenantId !== tenantId) continue;
    const view = applied(byId.get((event.data as { analysisId: string }).analysisId), event);
    if (view) byId.set(view.analysisId, view);
  }
  return { items: [...byId.values()].reverse() };
}

function applied(view: SessionAnalysisView | undefined, event: EventEnvelope): SessionAnalysisView | undefined {
  switch (event.type) {
    case 'SessionAnalysisStarted': {
      const { analysisId, analyst, model, input } = event.data as { analysisId: string; analyst: string; model: string; input: SessionAnalysisView['input'] };
      const requestedBy = event.actor.kind === 'user' ? event.actor.id : event.actor.kind;
      return { analysisId, status: 'running', requestedBy, startedAt: event.occurredAt, endedAt: null, analyst, model, input, findings: null, reason: null, budgetId: null, usage: null };
    }
    case 'SessionAnalysisRecorded': {
      const { findings, usage } = event.data as { findings: AnalysisFindings; usage: Usage };
      return view && { ...view, status: 'recorded', endedAt: event.occurredAt, findings, usage };
    }
    case 'SessionAnalysisFailed': {
      const { reason, usage } = event.data as { reason: string; usage: Usage };
      return view && { ...view, status: 'failed', endedAt: event.occurredAt, reason, usage };
    }
    case 'SessionAnalysisRefused': {
      // No model call was made: nothing was used.
      const { reason, budgetId } = event.data as { reason: string; budgetId: string };
      return view && { ...view, status: 'refused', endedAt: event.occurredAt, reason, budgetId };
    }
    default:
      return view;
  }
}
