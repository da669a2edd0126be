import {
  agentRunIdsOf,
  agentRunStream,
  analysisFindingsSchema,
  analysisStream,
  sessionStream,
  toolCallIdsOf,
  toolCallStream,
  type AnalyzeSession,
  type EventEnvelope,
} from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError } from '@agent-orchestrator/messaging';
import { Agent, Usage, run, type Model, type ModelRequest, type ModelResponse } from '@openai/agents';
import type { Logger } from 'pino';
import { z } from 'zod';
import { analysisEventIdCount, decideAnalysis, evolveAnalyses, initialAnalysesState, type AnalysesState, type AnalysisCommand } from '../domain/index.js';
import { costOf, type PriceTable } from '../model/pricing.js';
import type { ModelSource } from '../runs/model-source.js';
import { foldSessionBrief } from '../runs/session-brief.js';
import { analystInput } from './session-trace.js';

export const analystName = 'Analyst';

const analystInstructions = [
  `You are the ${analystName}. You read the trace of one session of an agent platform: its events, oldest first, redacted (personal data shows as [REDACTED:<kind>]).`,
  'Say what happened, where time and money went, why it failed if it did, and what to change. Base every finding on the trace, naming runs, steps, tools and reasons as it names them.',
  'The FACTS line holds totals worked out from every event; when the trace says events were summarised, rely on the facts for what is not shown.',
].join('\n');

const analysisDecider: Decider<AnalysisCommand, AnalysesState> = { initialState: initialAnalysesState, evolve: evolveAnalyses, decide: decideAnalysis };

export interface SessionAnalystOptions {
  readonly store: EventStore;
  readonly models: ModelSource;
  readonly prices: PriceTable;
  readonly logger: Logger;
  readonly now?: () => string;
}

/**
 * Runs the Analyst for an AnalyzeSession command: reads the session's trace from the log, gives the
 * model a redacted, bounded account of it, and records on `analysis-<sessionId>` the start (with
 * that exact input), then the findings, validated by their schema, or why there are none; both
 * with the model's usage priced. A redelivered command finds its analysis ended and does nothing;
 * one that finds it started but not ended (a crash between) runs the model again.
 */
export class SessionAnalyst {
  private readonly now: () => string;

  constructor(private readonly options: SessionAnalystOptions) {
    this.now = options.now ?? (() => new Date().toISOString());
  }

  async analyze(commandId: string, command: AnalyzeSession): Promise<void> {
    const { store, models, logger } = this.options;
    const { sessionId, analysisId } = command;
    const stream = analysisStream(sessionId);
    const known = await collect(store.streamEvents(stream));
    const phase = known.reduce(analysisDecider.evolve, analysisDecider.initialState()).analyses.get(analysisId);
    if (phase === 'recorded' || phase === 'failed') return;

    const tenantId = command.metadata.tenantId;
    const sessionEvents = await store.readStream(sessionStream(sessionId));
    const brief = foldSessionBrief(sessionEvents);
    // The gateway checked the session is the tenant's; a command that says otherwise is refused for good.
    if (brief === undefined || brief.tenantId !== tenantId) throw new MessagingError('Rejected', `AnalyzeSession: tenant ${tenantId} has no session ${sessionId}`);
    const input = analystInput(sessionId, await this.traceOf(tenantId, sessionId, sessionEvents));
    const { model, name } = await models.modelForAnalysis(brief);
    const metadata = (now: string) => ({ ...command.metadata, now, eventIds: eventIdsFor(commandId, analysisEventIdCount) });
    const { text, events, shown, summarised } = input;
    await this.decide(stream, { type: 'StartAnalysis', analysisId, sessionId, analyst: analystName, model: name, input: { text, events, shown, summarised }, metadata: metadata(this.now()) });

    const metered = new MeteredModel(model);
    let outcome: { findings: z.infer<typeof analysisFindingsSchema> } | { reason: string };
    try {
      const agent = new Agent({ name: analystName, instructions: analystInstructions, model: metered, outputType: analysisFindingsSchema });
      const result = await run(agent, text, { maxTurns: 1 });
      const parsed = analysisFindingsSchema.safeParse(result.finalOutput);
      outcome = parsed.success ? { findings: parsed.data } : { reason: `the ${analystName}'s answer does not fit the findings schema: ${z.prettifyError(parsed.error)}` };
    } catch (error) {
      if (isEventStoreError(error)) throw error;
      logger.warn({ sessionId, analysisId, err: error }, 'session analysis failed');
      outcome = { reason: `the ${analystName} failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    const { inputTokens, outputTokens } = metered.usage;
    let costUsd = 0;
    try {
      costUsd = costOf(name, metered.usage, this.options.prices);
    } catch (error) {
      if (!('findings' in outcome)) throw error;
      outcome = { reason: error instanceof Error ? error.message : String(error) };
    }
    const usage = { inputTokens, outputTokens, costUsd };
    const now = this.now();
    await this.decide(
      stream,
      'findings' in outcome
        ? { type: 'RecordFindings', analysisId, sessionId, model: name, findings: outcome.findings, usage, metadata: metadata(now) }
        : { type: 'FailAnalysis', analysisId, sessionId, model: name, reason: outcome.reason, usage, metadata: metadata(now) },
    );
  }

  /** The session's events, its runs' and its tool calls', as the log holds them (redacted where the tenant redacts). */
  private async traceOf(tenantId: string, sessionId: string, sessionEvents: readonly EventEnvelope[]): Promise<EventEnvelope[]> {
    const { store } = this.options;
    const trace = [...sessionEvents];
    for (const runId of agentRunIdsOf(sessionId, sessionEvents)) {
      const runEvents = await store.readStream(agentRunStream(runId));
      trace.push(...runEvents);
      for (const callId of toolCallIdsOf(runEvents)) trace.push(...(await store.readStream(toolCallStream(runId, callId))));
    }
    return trace.filter((event) => event.tenantId === tenantId);
  }

  private async decide(stream: string, command: AnalysisCommand): Promise<void> {
    try {
      await handleCommand(this.options.store, stream, command, analysisDecider);
    } catch (error) {
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `${command.type} ${command.analysisId}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

/** Counts what every response of a model used, so a failed analysis still records what it spent. */
class MeteredModel implements Model {
  readonly usage = { inputTokens: 0, outputTokens: 0 };

  constructor(private readonly model: Model) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const response = await this.model.getResponse(request);
    this.usage.inputTokens += response.usage.inputTokens;
    this.usage.outputTokens += response.usage.outputTokens;
    return { ...response, usage: new Usage(response.usage) };
  }

  getStreamedResponse(request: ModelRequest) {
    return this.model.getStreamedResponse(request);
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
