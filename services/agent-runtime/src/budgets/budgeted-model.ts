import type { Model, ModelRequest, ModelResponse, StreamEvent } from '@openai/agents';
import { AgentRuntimeError } from '../errors.js';
import type { BudgetedCall, BudgetGuard } from './budget-guard.js';

/** About four characters a token (the scripted model counts the same way); a real tokenizer would be exact. */
export function estimatedInputTokens(request: ModelRequest): number {
  const characters = (request.systemInstructions ?? '').length + JSON.stringify(request.input).length + JSON.stringify(request.tools).length;
  return Math.max(1, Math.ceil(characters / 4));
}

/**
 * A model whose every call is held to the budgets that apply to it: the call's worst case is
 * reserved before it is made and what it used is settled after. A request without max output
 * tokens is capped at the guard's default, so the worst case reserved is a bound the provider
 * keeps. With no budget set nothing is reserved and the request goes as it came.
 */
export class BudgetedModel implements Model {
  constructor(
    private readonly model: Model,
    private readonly guard: BudgetGuard,
    private readonly call: BudgetedCall,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const budgets = await this.guard.budgetsFor(this.call);
    if (budgets.length === 0) return this.model.getResponse(request);
    const maxOutputTokens = request.modelSettings.maxTokens ?? this.guard.defaultMaxOutputTokens;
    const capped: ModelRequest = { ...request, modelSettings: { ...request.modelSettings, maxTokens: maxOutputTokens } };
    const reservations = await this.guard.reserve(this.call, budgets, { inputTokens: estimatedInputTokens(request), maxOutputTokens });
    let response: ModelResponse;
    try {
      response = await this.model.getResponse(capped);
    } catch (error) {
      await this.guard.release(this.call, reservations);
      throw error;
    }
    await this.guard.settle(this.call, reservations, response.usage);
    return response;
  }

  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<StreamEvent> {
    throw new AgentRuntimeError('ModelFailed', 'agent runs record whole responses; streaming is not used by the runtime');
  }
}
