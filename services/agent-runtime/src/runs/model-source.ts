import type { AgentTask } from '@agent-orchestrator/contracts';
import { OpenAIProvider, type Model } from '@openai/agents';
import { SCRIPTED_MODEL_NAME } from '../model/script.js';
import { ScriptedModelProvider } from '../model/scripted-model.js';
import { modelScriptFromContext } from '../model/session-script.js';
import { runLabel } from './run-log.js';
import type { SessionBrief } from './session-brief.js';

/** The model a run talks to, and the name its usage is priced and recorded under. */
export interface RunModel {
  readonly model: Model;
  readonly name: string;
}

export interface ModelSource {
  /** `requested` is the model the agent's definition names; a provider that cannot honour it ignores it. */
  modelFor(brief: SessionBrief, agent: string, task: AgentTask, requested?: string): Promise<RunModel>;
  /** The model the Analyst reads a session's trace with ("Analyze with an LLM"). */
  modelForAnalysis(brief: SessionBrief): Promise<RunModel>;
}

/** The scripted model's run label for an analysis: a session's script may give the Analyst turns under it. */
export const analysisRunLabel = 'analysis';

/**
 * The deterministic scripted model, the default when no API key is set: driven by the session's
 * `modelScript` or `modelFixture` context, else its sensible defaults. Each run gets a model bound
 * to its agent and run label, so a script can give each step and round its own turns.
 */
export class ScriptedModels implements ModelSource {
  async modelFor(brief: SessionBrief, agent: string, task: AgentTask): Promise<RunModel> {
    const script = modelScriptFromContext(brief.context);
    const provider = new ScriptedModelProvider(script === undefined ? {} : { script });
    return { model: provider.forAgent(agent, runLabel(task)), name: SCRIPTED_MODEL_NAME };
  }

  async modelForAnalysis(brief: SessionBrief): Promise<RunModel> {
    const script = modelScriptFromContext(brief.context);
    return { model: new ScriptedModelProvider(script === undefined ? {} : { script }).forAgent('Analyst', analysisRunLabel), name: SCRIPTED_MODEL_NAME };
  }
}

/** OpenAI, or any OpenAI-compatible endpoint (Ollama, vLLM, DeepSeek, LM Studio) by base URL. */
export class OpenAiCompatibleModels implements ModelSource {
  private readonly provider: OpenAIProvider;

  constructor(
    options: { readonly apiKey: string; readonly baseUrl?: string },
    private readonly modelName: string,
  ) {
    // Compatible endpoints implement Chat Completions; only OpenAI itself has the Responses API.
    this.provider = new OpenAIProvider({ apiKey: options.apiKey, ...(options.baseUrl ? { baseURL: options.baseUrl, useResponses: false } : {}) });
  }

  async modelFor(brief: SessionBrief, _agent: string, _task: AgentTask, requested?: string): Promise<RunModel> {
    // A fork's model override wins over the agent definition's.
    const name = brief.model ?? requested ?? this.modelName;
    return { model: await this.provider.getModel(name), name };
  }

  async modelForAnalysis(brief: SessionBrief): Promise<RunModel> {
    const name = brief.model ?? this.modelName;
    return { model: await this.provider.getModel(name), name };
  }
}
