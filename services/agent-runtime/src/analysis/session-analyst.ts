import {
  agentRunIdsOf,
  agentRunStream,
  analysisFindingsSchema,
  analysisRunId,
  analysisStream,
  sessionStream,
  toolCallIdsOf,
  toolCallStream,
  type AnalyzeSession,
  type EventEnvelope,
} from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type Decider, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError } from '@agent-orchestrator/messaging';
import { processMetrics } from '@agent-orchestrator/metrics';
import { Agent, Usage, run, type Model, type ModelRequest, type ModelResponse } from '@openai/agents';
import type { Logger } from 'pino';
import { z } from 'zod';
import { analysisEventIdCount, decideAnalysis, evolveAnalyses, initialAnalysesState, type AnalysesState, type AnalysisCommand } from '../domain/index.js';
import { BudgetedModel } from '../budgets/budgeted-model.js';
import type { BudgetGuard } from '../budgets/budget-guard.js';
import { isAgentRuntimeError } from '../errors.js';
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
  /** Holds the Analyst's model call to the tenant's budgets, as every run's; without it the call is not budgeted. */
  readonly budgets?: BudgetGuard;
  readonly now?: () => string;
}

/**
 * Runs the Analyst for an AnalyzeSession command: reads the session's trace from the log, gives the
 * model a redacted, bounded account of it, and records on `analysis-<sessionId>` the start (with
 * that exact input), then the findings, validated by their schema, or why there are none; both
 * with the model's usage priced. A redelivered command finds its analysis ended and does nothing;
 * one that finds it started but not ended (a crash between) runs the model again.
 *
 * The model call is budgeted as a run's is: its worst case is reserved before it is made and what
 * it used is settled after, on the tenant's budgets and the Analyst agent's. Not on the analysed
 * session's: a session budget bounds what the session's own runs spend, and a session stopped by
 * its budget is the one most worth analysing; the tenant's and the Analyst's budgets bound what
 * analyses spend. A call that would cross a budget is not made: the analysis is recorded as
 * refused, naming the budget.
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
    if (phase === 'recorded' || phase === 'failed' || phase === 'refused') return;

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

    const { budgets } = this.options;
    const call = { tenantId, sessionId, sessionBudgets: false, sessionStartedAt: brief.startedAt, agent: analystName, runId: analysisRunId(sessionId, analysisId), model: name, traceparent: command.metadata.traceparent };
    const metered = new MeteredModel(budgets ? new BudgetedModel(model, budgets, call) : model);
    let outcome: { findings: z.infer<typeof analysisFindingsSchema> } | { reason: string } | { refused: BudgetRefusal };
    try {
      const agent = new Agent({ name: analystName, instructions: analystInstructions, model: metered, outputType: analysisFindingsSchema });
      const result = await run(agent, text, { maxTurns: 1 });
      const parsed = analysisFindingsSchema.safeParse(result.finalOutput);
      outcome = parsed.success ? { findings: parsed.data } : { reason: `the ${analystName}'s answer does not fit the findings schema: ${z.prettifyError(parsed.error)}` };
    } catch (error) {
      const storeFault = storeErrorIn(error);
      if (storeFault) throw storeFault;
      const refusal = budgetRefusalIn(error);
      if (refusal) outcome = { refused: refusal };
      else {
        logger.warn({ sessionId, analysisId, err: error }, 'session analysis failed');
        outcome = { reason: `the ${analystName} failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    if ('refused' in outcome) {
      const { budgetId, reason } = outcome.refused;
      logger.info({ sessionId, analysisId, budgetId }, 'session analysis refused by a budget');
      await this.decide(stream, { type: 'RefuseAnalysis', analysisId, sessionId, model: name, budgetId, reason, metadata: metadata(this.now()) });
      return;
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
    if (metered.responses > 0) processMetrics.modelCall({ tenant: tenantId, model: name, agent: analystName, inputTokens, outputTokens, costUsd, seconds: metered.seconds });
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

/** Counts what every response of a model used and how long it took, so a failed analysis still records what it spent. */
class MeteredModel implements Model {
  readonly usage = { inputTokens: 0, outputTokens: 0 };
  responses = 0;
  seconds = 0;

  constructor(private readonly model: Model) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const started = performance.now();
    const response = await this.model.getResponse(request);
    this.seconds += (performance.now() - started) / 1000;
    this.responses++;
    this.usage.inputTokens += response.usage.inputTokens;
    this.usage.outputTokens += response.usage.outputTokens;
    return { ...response, usage: new Usage(response.usage) };
  }

  getStreamedResponse(request: ModelRequest) {
    return this.model.getStreamedResponse(request);
  }
}

/** The event store's error, when the analysis failed on a write (its budget ledger's included) rather than on the model. */
function storeErrorIn(error: unknown): Error | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) if (isEventStoreError(current)) return current;
  return undefined;
}

interface BudgetRefusal {
  readonly budgetId: string;
  readonly reason: string;
}

/** The budget's refusal of the model call (the call was not made), however the agents SDK passed it on. */
function budgetRefusalIn(error: unknown): BudgetRefusal | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (isAgentRuntimeError(current, 'BudgetExhausted') && current.budgetId !== undefined) return { budgetId: current.budgetId, reason: current.message };
  }
  return undefined;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
