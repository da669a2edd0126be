import { z } from 'zod';
import { AgentRuntimeError } from '../errors.js';
import { SCRIPTED_MODEL_NAME } from './script.js';

export const modelPriceSchema = z.strictObject({
  inputUsdPerMillion: z.number().min(0).max(10_000),
  outputUsdPerMillion: z.number().min(0).max(10_000),
});

/** Model name to price. The key `*` prices any model not listed (e.g. self-hosted ones at 0). */
export const priceTableSchema = z.record(z.string().min(1).max(200), modelPriceSchema);

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * USD per million tokens. The OpenAI entries are list prices as published when this table was
 * written: defaults for a fresh install, to be overridden from configuration when they move.
 */
export const defaultPriceTable: PriceTable = {
  [SCRIPTED_MODEL_NAME]: { inputUsdPerMillion: 0, outputUsdPerMillion: 0 },
  'gpt-5': { inputUsdPerMillion: 1.25, outputUsdPerMillion: 10 },
  'gpt-5-mini': { inputUsdPerMillion: 0.25, outputUsdPerMillion: 2 },
  'gpt-5-nano': { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.4 },
  'gpt-4.1': { inputUsdPerMillion: 2, outputUsdPerMillion: 8 },
  'gpt-4.1-mini': { inputUsdPerMillion: 0.4, outputUsdPerMillion: 1.6 },
  'gpt-4.1-nano': { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.4 },
  'gpt-4o': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 },
  'gpt-4o-mini': { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 },
  'o4-mini': { inputUsdPerMillion: 1.1, outputUsdPerMillion: 4.4 },
};

/**
 * The base table with overrides laid over it, entry by entry. `overrides` is what configuration
 * holds: an object, or the JSON text of one (e.g. an environment variable the caller read).
 */
export function priceTableWith(overrides: unknown, base: PriceTable = defaultPriceTable): PriceTable {
  let candidate = overrides;
  if (typeof overrides === 'string') {
    try {
      candidate = JSON.parse(overrides);
    } catch (error) {
      throw new AgentRuntimeError('InvalidPriceTable', 'The price table override is not valid JSON.', { cause: error });
    }
  }
  const parsed = priceTableSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AgentRuntimeError('InvalidPriceTable', `Invalid price table override:\n${z.prettifyError(parsed.error)}`);
  }
  return { ...base, ...parsed.data };
}

/**
 * The price of a model: its own entry, else the longest entry it extends (a dated snapshot such as
 * `gpt-4o-2024-08-06` is priced as `gpt-4o`, a bound `scripted/Planner` as `scripted`), else `*`.
 */
export function priceOf(model: string, table: PriceTable = defaultPriceTable): ModelPrice | undefined {
  const own = table[model];
  if (own !== undefined) {
    return own;
  }
  const family = Object.keys(table)
    .filter((name) => name !== '*' && (model.startsWith(`${name}-`) || model.startsWith(`${name}/`)))
    .sort((left, right) => right.length - left.length)[0];
  return family === undefined ? table['*'] : table[family];
}

/** USD, rounded to a billionth so sums of many responses do not drift with floating-point noise. */
export function costOf(
  model: string,
  usage: { readonly inputTokens: number; readonly outputTokens: number },
  table: PriceTable = defaultPriceTable,
): number {
  const price = priceOf(model, table);
  if (price === undefined) {
    throw new AgentRuntimeError('UnknownModelPrice', `No price for model ${JSON.stringify(model)}; add it (or "*") to the price table.`);
  }
  const usd = (usage.inputTokens * price.inputUsdPerMillion + usage.outputTokens * price.outputUsdPerMillion) / 1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
