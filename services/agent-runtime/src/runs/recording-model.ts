import { Usage, type Model, type ModelRequest, type ModelResponse, type StreamEvent } from '@openai/agents';
import type { RecordedResponse } from '../domain/run/index.js';
import { AgentRuntimeError } from '../errors.js';

export type { RecordedResponse };

/**
 * Puts the session log between a run and its model. Turn n is served from the log when the log
 * has it; otherwise the model is asked and its response handed to `record`. So a run picked up
 * again, in another process or in a replay, follows the responses it already had and never asks
 * the model twice for a recorded turn.
 *
 * `record` may hold a response back and store it with what the run writes next: before the model
 * is asked again `beforeAsking` runs, and the runner stores what it holds there, so no turn is
 * asked for while an earlier one is unstored.
 */
export class RecordingModel implements Model {
  private turn: number;

  constructor(
    private readonly model: Model,
    private readonly recorded: readonly RecordedResponse[],
    /** `seconds`: how long the model took to answer. */
    private readonly record: (response: RecordedResponse, seconds: number) => void | Promise<void>,
    firstTurn: number,
    private readonly beforeAsking: () => Promise<void> = async () => undefined,
  ) {
    this.turn = firstTurn;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const turn = this.turn++;
    const known = this.recorded.find((response) => response.turn === turn);
    if (known) return toModelResponse(known);
    await this.beforeAsking();
    const asked = performance.now();
    const response = await this.model.getResponse(request);
    const seconds = (performance.now() - asked) / 1000;
    const recorded: RecordedResponse = {
      turn,
      ...(response.responseId === undefined ? {} : { responseId: response.responseId }),
      output: JSON.parse(JSON.stringify(response.output)) as unknown[],
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
    };
    await this.record(recorded, seconds);
    return toModelResponse(recorded);
  }

  // Agent runs here are never streamed: each response must be whole before it is recorded.
  // eslint-disable-next-line require-yield
  async *getStreamedResponse(): AsyncIterable<StreamEvent> {
    throw new AgentRuntimeError('ModelFailed', 'agent runs record whole responses; streaming is not used by the runtime');
  }
}

function toModelResponse(recorded: RecordedResponse): ModelResponse {
  const { inputTokens, outputTokens } = recorded;
  return {
    output: recorded.output as ModelResponse['output'],
    usage: new Usage({ requests: 1, inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }),
    ...(recorded.responseId === undefined ? {} : { responseId: recorded.responseId }),
  };
}
