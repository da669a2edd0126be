import type { z } from 'zod';
import type { modelPriceSchema } from './catalog/price-events.js';
import { epochMillisOf } from './instant.js';

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * USD per million tokens. The OpenAI entries are list prices as published when this table was
 * written: defaults for a fresh install, to be overridden from configuration when they move.
 * `scripted` is the deterministic model tests and dev mode run on.
 */
export const defaultPriceTable: PriceTable = {
  scripted: { inputUsdPerMillion: 0, outputUsdPerMillion: 0 },
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
 * The price of a model: its own entry, else the longest entry it extends (a dated snapshot such as
 * `gpt-4o-2024-08-06` is priced as `gpt-4o`, a bound `scripted/Planner` as `scripted`), else `*`.
 */
export function priceOf(model: string, table: PriceTable = defaultPriceTable): ModelPrice | undefined {
  const own = table[model];
  if (own !== undefined) return own;
  const family = Object.keys(table)
    .filter((name) => name !== '*' && (model.startsWith(`${name}-`) || model.startsWith(`${name}/`)))
    .sort((left, right) => right.length - left.length)[0];
  return family === undefined ? table['*'] : table[family];
}

/** USD for the tokens at the price, rounded to a billionth so sums of many calls do not drift with floating-point noise. */
export function costAt(price: ModelPrice, usage: { readonly inputTokens: number; readonly outputTokens: number }): number {
  const usd = (usage.inputTokens * price.inputUsdPerMillion + usage.outputTokens * price.outputUsdPerMillion) / 1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}

/** One version of the platform's prices as the `prices-platform` stream recorded it. */
export interface PriceVersion {
  readonly version: number;
  readonly effectiveFrom: string;
  readonly prices: PriceTable;
  readonly source: 'configuration' | 'api';
}

/**
 * The version in effect at `at`: the one with the latest `effectiveFrom` at or before it (of two
 * from the same instant, the later version); undefined before the first.
 */
export function priceVersionAt(versions: readonly PriceVersion[], at: string): PriceVersion | undefined {
  const when = epochMillisOf(at) ?? Date.parse(at);
  let found: PriceVersion | undefined;
  let foundFrom = -Infinity;
  for (const candidate of versions) {
    const from = epochMillisOf(candidate.effectiveFrom) ?? Date.parse(candidate.effectiveFrom);
    if (from > when) continue;
    if (from > foundFrom || (from === foundFrom && found !== undefined && candidate.version > found.version)) {
      found = candidate;
      foundFrom = from;
    }
  }
  return found;
}
