import { parseServiceEnv, PlatformConfigError } from '@agent-orchestrator/service-host';
import { z } from 'zod';
import { priceTableWith, type PriceTable } from './model/pricing.js';
import { OpenAiCompatibleModels, ScriptedModels, type ModelSource } from './runs/model-source.js';

const envSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: 'expects the base URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1 for Ollama' }).optional(),
  AGENT_MODEL: z.string().min(1).max(200).default('gpt-4.1-mini'),
  MODEL_PRICES: z.string().optional(),
  MAX_OFFERED_OPERATIONS: z.coerce.number({ error: 'expects a whole number of operations, e.g. 40' }).int().min(1).max(500).default(40),
  BUDGET_RESERVATION_TTL_MS: z.coerce.number({ error: 'expects milliseconds, e.g. 600000' }).int().min(1000).max(86_400_000).default(600_000),
  BUDGET_DEFAULT_MAX_OUTPUT_TOKENS: z.coerce.number({ error: 'expects a whole number of tokens, e.g. 4096' }).int().min(1).max(1_000_000).default(4096),
});

export interface AgentRuntimeConfig {
  readonly models: ModelSource;
  readonly modelDescription: string;
  readonly prices: PriceTable;
  /** Operations one model request offers at most; an agent allowed more searches them with find_tools. */
  readonly maxOfferedOperations: number;
  /** How budgets hold calls: how long an unsettled reservation lasts, and the output a request without max tokens is capped at. */
  readonly budgets: { readonly reservationTtlMs: number; readonly defaultMaxOutputTokens: number };
}

function pricesFrom(modelPrices: string | undefined): PriceTable {
  try {
    return priceTableWith(modelPrices ?? {});
  } catch (error) {
    throw new PlatformConfigError('agent-runtime', [`MODEL_PRICES: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/**
 * Which model agents run on: OpenAI with OPENAI_API_KEY, any OpenAI-compatible endpoint with
 * OPENAI_BASE_URL (a local server may take any key), else the deterministic scripted model.
 * MODEL_PRICES (JSON, `{"model": {"inputUsdPerMillion": n, "outputUsdPerMillion": n}}`) overrides prices.
 */
export function parseAgentRuntimeConfig(env: Readonly<Record<string, string | undefined>>): AgentRuntimeConfig {
  const parsed = parseServiceEnv('agent-runtime', envSchema, env);
  const { OPENAI_API_KEY, OPENAI_BASE_URL, AGENT_MODEL, MODEL_PRICES, MAX_OFFERED_OPERATIONS: maxOfferedOperations } = parsed;
  const prices = pricesFrom(MODEL_PRICES);
  const budgets = { reservationTtlMs: parsed.BUDGET_RESERVATION_TTL_MS, defaultMaxOutputTokens: parsed.BUDGET_DEFAULT_MAX_OUTPUT_TOKENS };
  if (OPENAI_API_KEY === undefined && OPENAI_BASE_URL === undefined) {
    return { models: new ScriptedModels(), modelDescription: 'the scripted model (no OPENAI_API_KEY or OPENAI_BASE_URL set)', prices, maxOfferedOperations, budgets };
  }
  const models = new OpenAiCompatibleModels({ apiKey: OPENAI_API_KEY ?? 'not-needed', ...(OPENAI_BASE_URL ? { baseUrl: OPENAI_BASE_URL } : {}) }, AGENT_MODEL);
  return { models, modelDescription: `${AGENT_MODEL} at ${OPENAI_BASE_URL ?? 'OpenAI'}`, prices, maxOfferedOperations, budgets };
}
