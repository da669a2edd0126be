import { setTimeout } from 'node:timers/promises';
import {
  Usage,
  type AssistantMessageItem,
  type FunctionCallItem,
  type Model,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents';
import { AgentRuntimeError } from '../errors.js';
import { ANY_AGENT, Conversation, STAMP_KEY, type ScriptedStamp } from './conversation.js';
import { defaultReply, replyFromTurn, type ScriptedReply } from './replies.js';
import { SCRIPTED_MODEL_NAME, turnsFor, type ModelScript, type ScriptedUsage } from './script.js';

/**
 * Which agent's run a model serves. The SDK does not tell a model which agent calls it, so the
 * runtime binds one model per run; the run label picks that run's turns (see `turnsFor`).
 */
export interface ScriptedModelBinding {
  readonly agent?: string;
  readonly run?: string;
}

/** Deterministic token counts, about four characters a token, so cost and budgets can be exercised. */
function tokensOf(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

function estimateUsage(request: ModelRequest, output: readonly ScriptedOutputItem[]): ScriptedUsage {
  const input = (request.systemInstructions ?? '').length + JSON.stringify(request.input).length + JSON.stringify(request.tools).length;
  const written = output.reduce((sum, item) => {
    if (item.type === 'function_call') {
      return sum + item.name.length + item.arguments.length;
    }
    return sum + JSON.stringify(item.content).length;
  }, 0);
  return { inputTokens: tokensOf(input), outputTokens: tokensOf(written) };
}

function idOf(stamp: ScriptedStamp): string {
  return ['scripted', stamp.agent, ...(stamp.run === undefined ? [] : [stamp.run]), String(stamp.turn)].join('-');
}

type ScriptedOutputItem = AssistantMessageItem | FunctionCallItem;

function outputItems(reply: Exclude<ScriptedReply, { kind: 'failure' }>, stamp: ScriptedStamp): ScriptedOutputItem[] {
  const providerData = { [STAMP_KEY]: stamp };
  if (reply.kind === 'message') {
    return [
      {
        type: 'message',
        role: 'assistant',
        id: `msg-${idOf(stamp)}`,
        status: 'completed',
        content: [{ type: 'output_text', text: reply.text }],
        providerData,
      },
    ];
  }
  return reply.calls.map((call, index) => ({
    type: 'function_call',
    id: `fc-${idOf(stamp)}-${index}`,
    callId: `call-${idOf(stamp)}-${index}`,
    name: call.name,
    status: 'completed',
    arguments: JSON.stringify(call.arguments),
    providerData,
  }));
}

/**
 * A `Model` that answers from a script, or sensibly without one, and never calls out. The same
 * script and the same conversation give the same response: the turn to take is read from the
 * conversation (the model's stamped earlier responses), never from state kept in the instance.
 */
export class ScriptedModel implements Model {
  constructor(
    private readonly script: ModelScript | undefined,
    readonly binding: ScriptedModelBinding = {},
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const delayMs = this.turnOf(request)?.delayMs;
    if (delayMs !== undefined && delayMs > 0) await setTimeout(delayMs, undefined, request.signal ? { signal: request.signal } : {});
    return this.respond(request);
  }

  private turnOf(request: ModelRequest) {
    const { agent, run } = this.binding;
    const turnIndex = new Conversation(request.input, agent ?? ANY_AGENT, run).ownTurnCount();
    return turnsFor(this.script, agent, run)[turnIndex];
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    request.signal?.throwIfAborted();
    const response = this.respond(request);
    yield { type: 'response_started' };
    for (const item of response.output) {
      if (item.type === 'message' && item.role === 'assistant') {
        for (const part of item.content) {
          if (part.type === 'output_text') {
            yield { type: 'output_text_delta', itemId: item.id, delta: part.text };
          }
        }
      }
    }
    const { usage } = response;
    yield {
      type: 'response_done',
      response: {
        id: response.responseId ?? 'scripted',
        usage: { requests: usage.requests, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens },
        output: response.output,
      },
    };
  }

  private respond(request: ModelRequest): ModelResponse & { output: ScriptedOutputItem[] } {
    const { agent, run } = this.binding;
    const conversation = new Conversation(request.input, agent ?? ANY_AGENT, run);
    const turnIndex = conversation.ownTurnCount();
    const turn = turnsFor(this.script, agent, run)[turnIndex];
    const reply = turn === undefined ? defaultReply(request, agent, conversation) : replyFromTurn(turn, request, agent ?? ANY_AGENT);
    if (reply.kind === 'failure') {
      throw new AgentRuntimeError(reply.retryable ? 'ModelUnavailable' : 'ModelFailed', reply.message);
    }
    const stamp: ScriptedStamp = { agent: agent ?? ANY_AGENT, ...(run === undefined ? {} : { run }), turn: turnIndex };
    const output = outputItems(reply, stamp);
    const scriptedUsage = turn !== undefined && 'usage' in turn && turn.usage !== undefined ? turn.usage : undefined;
    const { inputTokens, outputTokens } = scriptedUsage ?? estimateUsage(request, output);
    return {
      output,
      usage: new Usage({ requests: 1, inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }),
      responseId: `resp-${idOf(stamp)}`,
    };
  }
}

/**
 * The provider a session gets when no API key is set. `getModel('scripted/<agent>[/<run>]')`
 * binds a model to an agent's run; any other name (an agent configured for a real model) gets an
 * unbound model, which ignores the script and answers with the defaults.
 */
export class ScriptedModelProvider implements ModelProvider {
  private readonly script: ModelScript | undefined;

  constructor(options: { readonly script?: ModelScript } = {}) {
    this.script = options.script;
  }

  forAgent(agent: string, run?: string): ScriptedModel {
    return new ScriptedModel(this.script, run === undefined ? { agent } : { agent, run });
  }

  getModel(modelName?: string): ScriptedModel {
    const [provider, agent, run] = (modelName ?? '').split('/');
    if (provider === SCRIPTED_MODEL_NAME && agent) {
      return this.forAgent(agent, run || undefined);
    }
    return new ScriptedModel(this.script);
  }
}
