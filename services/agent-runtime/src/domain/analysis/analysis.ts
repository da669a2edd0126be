import type { AnalysisEvent, AnalysisFindings, CommandMetadata, EventEnvelope, NewEvent, Usage } from '@agent-orchestrator/contracts';

/** Where one analysis of a session stands; absent from the map: never started. */
export type AnalysisPhase = 'started' | 'recorded' | 'failed' | 'refused';

/** A session's `analysis-<sessionId>` stream: every analysis of it, by id. */
export interface AnalysesState {
  readonly analyses: ReadonlyMap<string, AnalysisPhase>;
}

interface AnalysisInput {
  readonly text: string;
  readonly events: number;
  readonly shown: number;
  readonly summarised: boolean;
}

/** `metadata.eventIds` holds four ids: the start's, the findings', the failure's, the refusal's (see `analysisEventIndex`). */
export type AnalysisCommand =
  | { readonly type: 'StartAnalysis'; readonly analysisId: string; readonly sessionId: string; readonly analyst: string; readonly model: string; readonly input: AnalysisInput; readonly metadata: CommandMetadata }
  | { readonly type: 'RecordFindings'; readonly analysisId: string; readonly sessionId: string; readonly model: string; readonly findings: AnalysisFindings; readonly usage: Usage; readonly metadata: CommandMetadata }
  | { readonly type: 'FailAnalysis'; readonly analysisId: string; readonly sessionId: string; readonly model: string; readonly reason: string; readonly usage: Usage; readonly metadata: CommandMetadata }
  | { readonly type: 'RefuseAnalysis'; readonly analysisId: string; readonly sessionId: string; readonly model: string; readonly budgetId: string; readonly reason: string; readonly metadata: CommandMetadata };

/** Which of the command's event ids each decision uses, so a redelivered command decides the same ids. */
export const analysisEventIndex = { StartAnalysis: 0, RecordFindings: 1, FailAnalysis: 2, RefuseAnalysis: 3 } as const;
export const analysisEventIdCount = 4;

/** Findings, failures and refusals are the Analyst's; a start is the asker's, so the log says who asked. */
export const analysisActor = { kind: 'agent', id: 'Analyst' } as const;
const maxReasonLength = 4000;

export type AnalysisErrorCode = 'NotStarted';

export class AnalysisError extends Error {
  override readonly name = 'AnalysisError';

  constructor(
    readonly code: AnalysisErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const phaseAfter: Readonly<Record<string, AnalysisPhase>> = { SessionAnalysisStarted: 'started', SessionAnalysisRecorded: 'recorded', SessionAnalysisFailed: 'failed', SessionAnalysisRefused: 'refused' };

export const initialAnalysesState = (): AnalysesState => ({ analyses: new Map() });

export function evolveAnalyses(state: AnalysesState, event: EventEnvelope | NewEvent): AnalysesState {
  const { analysisId } = event.data as { analysisId?: string };
  if (analysisId === undefined) return state;
  const phase = phaseAfter[event.type];
  if (phase === undefined) return state;
  return { analyses: new Map(state.analyses).set(analysisId, phase) };
}

/**
 * Pure: a start for an analysis already started decides nothing (a redelivered command), nor does
 * an ending (findings, failure, refusal) for one that already ended (the first ending stands); an
 * ending for an analysis that never started is refused.
 */
export function decideAnalysis(command: AnalysisCommand, state: AnalysesState): NewEvent[] {
  const phase = state.analyses.get(command.analysisId);
  const { analysisId, sessionId, model } = command;
  switch (command.type) {
    case 'StartAnalysis':
      if (phase !== undefined) return [];
      return [eventOf(command, { type: 'SessionAnalysisStarted', data: { analysisId, sessionId, analyst: command.analyst, model, input: command.input } })];
    case 'RecordFindings':
    case 'FailAnalysis':
    case 'RefuseAnalysis': {
      if (phase === undefined) throw new AnalysisError('NotStarted', `analysis ${analysisId} of session ${sessionId} has not started`);
      if (phase !== 'started') return [];
      return [eventOf(command, endingOf(command))];
    }
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

function endingOf(command: Extract<AnalysisCommand, { type: 'RecordFindings' | 'FailAnalysis' | 'RefuseAnalysis' }>): Pick<AnalysisEvent, 'type' | 'data'> {
  const { analysisId, sessionId, model } = command;
  switch (command.type) {
    case 'RecordFindings':
      return { type: 'SessionAnalysisRecorded', data: { analysisId, sessionId, model, findings: command.findings, usage: command.usage } };
    case 'FailAnalysis':
      return { type: 'SessionAnalysisFailed', data: { analysisId, sessionId, model, reason: command.reason.slice(0, maxReasonLength), usage: command.usage } };
    case 'RefuseAnalysis':
      return { type: 'SessionAnalysisRefused', data: { analysisId, sessionId, model, budgetId: command.budgetId, reason: command.reason.slice(0, maxReasonLength) } };
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

function eventOf(command: AnalysisCommand, event: Pick<AnalysisEvent, 'type' | 'data'>): NewEvent {
  const { now, tenantId, correlationId, causationId, traceparent, eventIds, actor } = command.metadata;
  const eventId = eventIds[analysisEventIndex[command.type]];
  if (eventId === undefined) throw new Error(`${command.type} carries no event id at ${analysisEventIndex[command.type]}`);
  return { eventId, type: event.type, schemaVersion: 1, tenantId, correlationId, causationId, actor: command.type === 'StartAnalysis' ? actor : analysisActor, occurredAt: now, traceparent, data: event.data };
}
