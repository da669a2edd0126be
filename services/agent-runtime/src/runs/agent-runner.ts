import {
  AgentRegistry,
  ToolRegistry,
  agentRegistryStream,
  operationToolName,
  toolRegistryStream,
  type ToolDefinition,
  agentRunId,
  agentRunStream,
  builtInAgentNames,
  type AgentDefinition,
  parseStreamName,
  sessionStream,
  toolCallStream,
  type AgentTask,
  type EventEnvelope,
  type NewEvent,
  type ToolCallEvent,
  agentRunEvents,
  type AgentRunEvent,
} from '@agent-orchestrator/contracts';
import { eventIdsFor, isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError } from '@agent-orchestrator/messaging';
import { processMetrics } from '@agent-orchestrator/metrics';
import {
  InputGuardrailTripwireTriggered,
  OutputGuardrailTripwireTriggered,
  RunState as SdkRunState,
  run,
  type RunResult,
  type RunToolApprovalItem,
  type Tool,
} from '@openai/agents';
import { redactEvents, type PiiKind, type RedactedFields } from '@agent-orchestrator/pii';
import type { Logger } from 'pino';
import { v5 as uuidV5 } from 'uuid';
import { PinnedRegistries } from '../agents/agent-registry.js';
import { agentFor, defaultWorkers, type AgentCast } from '../agents/default-agents.js';
import { BudgetedModel } from '../budgets/budgeted-model.js';
import type { BudgetGuard } from '../budgets/budget-guard.js';
import { AgentRuntimeError, isAgentRuntimeError } from '../errors.js';
import { costOf, type PriceTable } from '../model/pricing.js';
import { deferredOperationTool, echoTool, echoToolName } from '../tools/echo-tool.js';
import { ToolCatalog, findToolsTool } from '../tools/find-tools.js';
import { hydrateToolEvents } from '@agent-orchestrator/tools';
import type { ModelSource } from './model-source.js';
import {
  decide,
  evolve,
  firstTurnOf,
  initialState,
  maxEventsPerRunDecision,
  resumption,
  runDecisionIdSeed,
  runStartIdNamespace,
  runStartIdSeed,
  runtimeActor,
  type DecidedRunEvent,
  type RecordedResponse,
  type RunCommand,
  type RunState,
  taskOf,
  toolAnswerIn,
  type WorkRequest,
} from '../domain/run/index.js';
import { RecordingModel } from './recording-model.js';
import { foldSessionBrief, planInput, reviewInput, stepInput, type SessionBrief } from './session-brief.js';
import { watchSessionEnd } from './session-end-watch.js';

export interface AgentRunnerOptions {
  readonly store: EventStore;
  readonly models: ModelSource;
  readonly prices: PriceTable;
  readonly logger: Logger;
  /** Model turns one run may take before it fails (each tool round trip is one more). */
  readonly maxTurns?: number;
  readonly now?: () => string;
  /** How often a run under way looks whether its session ended, to stop (default 1 s). */
  readonly sessionEndCheckMs?: number;
  /** The kinds of personal data each tenant has redacted from what its runs store; none when not given. */
  readonly privacy?: { kindsFor(tenantId: string): Promise<readonly PiiKind[]> };
  /**
   * Operations one model request offers at most (default 40). An agent allowed more gets
   * `find_tools`, which searches them and offers the ones it chooses.
   */
  readonly maxOfferedOperations?: number;
  /** Holds every model call to the tenant's budgets; without it calls are not budgeted. */
  readonly budgets?: BudgetGuard;
}

/**
 * What a run stores that a model or a tool wrote: model responses, the run's saved state (which
 * holds the conversation), the run's result, why it failed. A tool call's arguments are kept,
 * in a response and in the saved state alike: the tool needs them as the model gave them, and the
 * ToolCallRequested that carries them is what policy and approvers judge.
 */
const modelText: RedactedFields = {
  ModelResponded: { output: {} },
  AgentRunPaused: { runState: { json: true } },
  AgentRunCompleted: { output: {} },
  AgentRunFailed: { reason: { maxChars: 4000 } },
};
const isToolCallItem = (node: unknown) => typeof node === 'object' && node !== null && !Array.isArray(node) && /_call$/.test(String((node as { type?: unknown }).type));


/**
 * Runs agents for the orchestrator's requests for work. Everything a run does goes into its own
 * `agentrun-<id>` stream, and the stream is the run's only memory: a run picked up again (a
 * redelivered request, another process after a crash, a tool answer) is folded from the stream,
 * served the model responses it already recorded, and goes on from there. Appends are made at the
 * version read, so two processes on one run cannot both write: the loser's handler fails and is
 * retried, and then sees what the winner wrote.
 */
export class AgentRunner {
  private readonly maxTurns: number;
  private readonly maxOfferedOperations: number;
  private readonly now: () => string;
  private readonly pinned: PinnedRegistries<AgentDefinition>;
  private readonly pinnedTools: PinnedRegistries<ToolDefinition>;

  constructor(private readonly options: AgentRunnerOptions) {
    this.pinned = new PinnedRegistries(options.store, agentRegistryStream, AgentRegistry.empty);
    this.pinnedTools = new PinnedRegistries(options.store, toolRegistryStream, ToolRegistry.empty, (events) => hydrateToolEvents(options.store, events));
    this.maxTurns = options.maxTurns ?? 20;
    this.maxOfferedOperations = options.maxOfferedOperations ?? 40;
    this.now = options.now ?? (() => new Date().toISOString());
  }

  async onWorkRequested(request: EventEnvelope & WorkRequest): Promise<void> {
    const sessionId = parseStreamName(request.streamId).id;
    const { task, agent } = taskOf(request);
    const runId = agentRunId(sessionId, task);
    const stream = agentRunStream(runId);
    const existing = await collect(this.options.store.streamEvents(stream));
    const state = foldRun(existing);
    const brief = await this.brief(sessionId);
    // A fork's copy of a request was answered in the original; the fork asks again after SessionForked.
    if (brief.forkedAtVersion !== undefined && request.streamVersion < brief.forkedAtVersion) return;
    if (state.phase === 'absent') {
      // An agent the session does not have starts a run that fails with the reason, in advance().
      const definition = await this.definitionOf(brief, agent).catch((error: unknown) => {
        if (isAgentRuntimeError(error, 'UnknownAgent')) return undefined;
        throw error;
      });
      const { name: model } = await this.options.models.modelFor(brief, agent, task, definition?.model);
      const agentVersion = brief.agentVersions[agent];
      const metadata = { ...this.metadata(request), eventIds: [uuidV5(runStartIdSeed(request.eventId), runStartIdNamespace)] };
      const started = decide({ type: 'StartRun', sessionId, task, agent, model, ...(agentVersion === undefined ? {} : { agentVersion }), metadata }, state);
      // Another delivery of the same request may have started it: then read what it wrote.
      const streamVersion = await this.append(stream, started, 'no_stream', 'start');
      if (streamVersion === -1) return this.advance(runId, request);
      return this.advance(runId, request, { state: foldRun(started), streamVersion, brief });
    }
    await this.advance(runId, request, { state, streamVersion: existing.at(-1)!.streamVersion, brief });
  }

  async onToolAnswered(answer: EventEnvelope & ToolCallEvent): Promise<void> {
    await this.advance(answer.data.runId, answer);
  }

  /** Takes a run as far as it can go now: to its end, or to a pause for tool answers not yet in. */
  private async advance(runId: string, cause: EventEnvelope, known?: { state: RunState; streamVersion: number; brief: SessionBrief }): Promise<void> {
    const { store, logger } = this.options;
    const stream = agentRunStream(runId);
    const read = known ? undefined : await collect(store.streamEvents(stream));
    let state = known?.state ?? foldRun(read ?? []);
    // The stream's version to append at; the state's counts only the run's own events.
    let version = known?.streamVersion ?? read?.at(-1)?.streamVersion ?? -1;
    if (state.phase !== 'running') return;
    const { sessionId, task, agent: agentName } = state.started;
    const { pause, responses: recorded } = state;

    const answers = new Map<string, string>();
    for (const call of pause?.pendingCalls ?? []) {
      const answer = await this.toolAnswer(runId, call.callId);
      if (answer !== undefined) answers.set(call.callId, answer);
    }
    if (resumption(state, (callId) => answers.has(callId)) !== 'go-on') return; // resumed when the last answer arrives

    const brief = known?.brief ?? (await this.brief(sessionId));
    const registry = await this.pinned.registryFor(brief.tenantId, brief.agentVersions);
    const tools = await this.pinnedTools.registryFor(brief.tenantId, brief.toolVersions);
    const definitionOf = (name: string) => pinnedDefinition(brief, registry, name);
    const requestedModel = (builtInAgentNames as readonly string[]).includes(agentName) || brief.agentVersions[agentName] !== undefined ? definitionOf(agentName)?.model : undefined;
    const { model, name: modelName } = await this.options.models.modelFor(brief, agentName, task, requestedModel);
    // A response is stored with what the run writes next (the next turn's ask, its pause or its
    // end), so a step of one turn is one append, not two. Between a response and that write the
    // run only does in-process work without effects (tools are deferred to tool-adapters), so a
    // crash in between costs at most that one response again.
    let held: NewEvent[] = [];
    /** Decides a command on the state so far (the held events included) and holds what it decides. */
    const hold = (command: DistributiveOmit<RunCommand, 'metadata'>) => {
      const metadata = { ...this.metadata(cause), eventIds: eventIdsFor(runDecisionIdSeed(cause.eventId, state.version + 1), maxEventsPerRunDecision) };
      const decided = decide({ ...command, metadata } as RunCommand, state);
      for (const event of decided) state = evolve(state, event);
      held.push(...decided);
    };
    const storeHeld = async () => {
      if (held.length === 0) return;
      version = await this.append(stream, held, version, 'record a model response');
      held = [];
    };
    const record = (response: RecordedResponse, seconds: number) => {
      const costUsd = costOf(modelName, response, this.options.prices);
      hold({ type: 'RecordResponse', response, model: modelName, costUsd });
      processMetrics.modelCall({ tenant: brief.tenantId, model: modelName, agent: agentName, inputTokens: response.inputTokens, outputTokens: response.outputTokens, costUsd, seconds });
    };
    // Only calls the model is really asked for meet the budgets: a recorded turn replays for free.
    const budgets = this.options.budgets;
    const call = { tenantId: brief.tenantId, sessionId, sessionStartedAt: brief.startedAt, agent: agentName, runId, model: modelName, traceparent: cause.traceparent };
    const asked = budgets ? new BudgetedModel(model, budgets, call) : model;
    const recording = new RecordingModel(asked, recorded, record, firstTurnOf(state), storeHeld);
    const cast: AgentCast = {
      model: recording,
      definitionOf,
      workers: [...new Set([...defaultWorkers, ...Object.keys(brief.agentVersions).filter((name) => name !== 'Planner' && name !== 'Reviewer')])],
      // A paused run resumes from its saved state, past its find_tools calls: they are chosen again from the log.
      tools: (names) => offeredTools(names, brief, tools, (callId) => answers.get(callId), { maxOffered: this.maxOfferedOperations, chosenIn: pause ? recorded : [] }),
    };

    let result: RunResult<unknown, never>;
    const sessionEnd = watchSessionEnd(store, sessionId, this.options.sessionEndCheckMs);
    try {
      const agent = agentFor(task, agentName, cast);
      const options = { maxTurns: this.maxTurns, signal: sessionEnd.signal };
      if (pause) {
        const saved = await SdkRunState.fromString(agent, pause.runState);
        for (const interruption of saved.getInterruptions()) saved.approve(interruption);
        result = (await run(agent, saved, options)) as RunResult<unknown, never>;
      } else {
        result = (await run(agent, inputFor(task, brief), options)) as RunResult<unknown, never>;
      }
    } catch (error) {
      const storeFault = storeErrorIn(error);
      if (storeFault) throw storeFault;
      const ended = sessionEnd.ending();
      if (ended !== undefined) {
        logger.info({ runId, ending: ended }, 'agent run stopped: its session ended');
        hold({ type: 'FailRun', reason: `stopped: the session ended (${ended}) while the run was under way`, retryable: false });
      } else {
        logger.warn({ runId, err: error }, 'agent run failed');
        hold({ type: 'FailRun', reason: failureReason(error), retryable: isAgentRuntimeError(error) ? error.retryable : false });
      }
      await this.append(stream, held, version, 'end');
      return;
    } finally {
      sessionEnd.stop();
    }

    if (result.interruptions.length > 0) {
      hold({ type: 'PauseRun', runState: result.state.toString(), pendingCalls: result.interruptions.map(pendingCall) });
      await this.append(stream, held, version, 'pause');
      return;
    }
    hold({ type: 'CompleteRun', output: result.finalOutput ?? null });
    await this.append(stream, held, version, 'end');
  }

  private async toolAnswer(runId: string, callId: string): Promise<string | undefined> {
    const answer = toolAnswerIn(await this.options.store.readStream(toolCallStream(runId, callId)));
    if (answer === undefined) return undefined;
    return answer.type === 'ToolCallCompleted' ? answer.data.output : `The tool call failed: ${answer.data.reason}`;
  }

  /** The definition the session pinned for an agent, read from its tenant's registry. */
  private async definitionOf(brief: SessionBrief, name: string) {
    return pinnedDefinition(brief, await this.pinned.registryFor(brief.tenantId, brief.agentVersions), name);
  }

  private async brief(sessionId: string): Promise<SessionBrief> {
    const brief = foldSessionBrief(await collect(this.options.store.streamEvents(sessionStream(sessionId))));
    if (!brief) throw new MessagingError('Rejected', `session ${sessionId} has no SessionStarted event; a request for work cannot come before it`);
    return brief;
  }

  /**
   * Appends at an expected version; another writer got there first: retry the whole handler.
   * Event ids derive from the cause and the position, so another delivery of the same cause
   * writing at the same place uses the same ids: the store answers that as a batch already
   * appended (or, for part of one, as duplicate ids). That writer's responses may not be ours
   * (a live model answers differently each time), so it is a conflict too: the run is read again.
   */
  private async append(stream: string, events: NewEvent[], expectedVersion: number | 'no_stream', what: string): Promise<number> {
    const tenantId = events[0]?.tenantId;
    const kinds = tenantId === undefined || !this.options.privacy ? [] : await this.options.privacy.kindsFor(tenantId);
    const conflict = (cause?: unknown) => {
      if (expectedVersion === 'no_stream') return -1; // started by another delivery of the same request
      throw new MessagingError('Transient', `${stream}: another process moved the run on before ${what}; the run is picked up again`, { cause });
    };
    try {
      const appended = await this.options.store.append(stream, redactEvents(events, kinds, modelText, { skip: isToolCallItem }), { expectedVersion });
      return appended.alreadyAppended ? conflict() : appended.nextExpectedVersion;
    } catch (error) {
      if (isEventStoreError(error) && (error.code === 'WrongExpectedVersion' || error.code === 'DuplicateEventId')) return conflict(error);
      throw error;
    }
  }

  /** What every event decided for this cause carries; the event ids are added per decision. */
  private metadata(cause: EventEnvelope) {
    return { now: this.now(), tenantId: cause.tenantId, correlationId: cause.correlationId, causationId: cause.eventId, actor: runtimeActor, traceparent: cause.traceparent };
  }
}

function inputFor(task: AgentTask, brief: SessionBrief): string {
  switch (task.kind) {
    case 'plan':
      return planInput(brief);
    case 'step':
      return stepInput(brief, task.stepId);
    case 'review':
      return reviewInput(brief);
  }
}

/** The pinned definition of an agent; undefined for a built-in agent the session did not pin. */
function pinnedDefinition(brief: SessionBrief, registry: AgentRegistry, name: string): AgentDefinition | undefined {
  const version = brief.agentVersions[name];
  if (version === undefined) {
    if ((builtInAgentNames as readonly string[]).includes(name)) return undefined;
    throw new AgentRuntimeError('UnknownAgent', `the session has no agent named ${name}: it pinned ${Object.keys(brief.agentVersions).join(', ') || 'none'}, and the built-in ones are ${builtInAgentNames.join(', ')}`);
  }
  const pinned = registry.version(name, version);
  if (pinned === undefined) throw new AgentRuntimeError('UnknownAgent', `the session pinned ${name} version ${version}, which the tenant's agent registry does not hold`);
  return pinned.definition;
}

/**
 * The tools of these names that exist in the session's pins and that it allows: the built-in echo,
 * and each operation of a registered tool as `<tool>__<operation>`. `allowedTools` may name a
 * whole tool or one operation as `<tool>.<operation>`. More operations than `maxOffered` are
 * offered through find_tools: each is hidden until a search chooses it.
 */
function offeredTools(
  names: readonly string[],
  brief: SessionBrief,
  registry: ToolRegistry,
  answerOf: (callId: string) => string | undefined,
  catalog: { readonly maxOffered: number; readonly chosenIn: readonly RecordedResponse[] },
): Tool[] {
  const allowed = brief.constraints.allowedTools;
  const permitted = (tool: string, operation?: string) => allowed === undefined || allowed.includes(tool) || (operation !== undefined && allowed.includes(`${tool}.${operation}`));
  const builtIn = names.includes(echoToolName) && permitted(echoToolName) ? [echoTool(answerOf)] : [];
  const operations = names.flatMap((name) => {
    const version = brief.toolVersions[name];
    const registered = version === undefined ? undefined : registry.version(name, version);
    if (registered === undefined) return [];
    return registered.definition.operations.filter((operation) => permitted(name, operation.name)).map((operation) => ({ ...operation, name: operationToolName(name, operation.name) }));
  });
  if (operations.length <= catalog.maxOffered) {
    return [...builtIn, ...operations.map((operation) => deferredOperationTool(operation.name, operation.description, operation.inputSchema, answerOf))];
  }
  const chooser = new ToolCatalog(
    operations.map(({ name, description, tags }) => ({ name, description, tags: tags ?? [] })),
    catalog.maxOffered,
  );
  chooser.replay(catalog.chosenIn);
  return [
    ...builtIn,
    findToolsTool(chooser),
    ...operations.map((operation) => deferredOperationTool(operation.name, operation.description, operation.inputSchema, answerOf, () => chooser.offers(operation.name))),
  ];
}

/** Why a run failed, in words that name what refused it. */
function failureReason(error: unknown): string {
  if (error instanceof InputGuardrailTripwireTriggered) return `guardrail ${error.result.guardrail.name} refused the input: ${String(error.result.output.outputInfo)}`;
  if (error instanceof OutputGuardrailTripwireTriggered) return `guardrail ${error.result.guardrail.name} refused the output: ${String(error.result.output.outputInfo)}`;
  return error instanceof Error ? error.message : String(error);
}

function pendingCall(item: RunToolApprovalItem): { callId: string; tool: string; arguments: string } {
  const raw = item.rawItem;
  if (raw.type !== 'function_call') throw new MessagingError('Rejected', `a run paused on a ${raw.type}, which the runtime does not execute`);
  return { callId: raw.callId, tool: raw.name, arguments: raw.arguments };
}

/** The event store's error, when the run failed on a write rather than on the model. */
function storeErrorIn(error: unknown): Error | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (isEventStoreError(current) || (current instanceof MessagingError && current.code === 'Transient')) return current;
  }
  return undefined;
}

const agentRunEventTypes = new Set<string>(agentRunEvents.map((definition) => definition.type));

/** A run's state folded from its stream, as the decider sees it: the run's own events, not what redaction added. */
const foldRun = (events: readonly (EventEnvelope | DecidedRunEvent)[]): RunState =>
  events.filter((event) => agentRunEventTypes.has(event.type)).reduce((state, event) => evolve(state, event as AgentRunEvent), initialState());

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

