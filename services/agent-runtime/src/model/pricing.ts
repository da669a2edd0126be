import { costAt, defaultPriceTable, priceOf, priceTableSchema, type PriceTable } from '@agent-orchestrator/contracts';
import { z } from 'zod';
import { AgentRuntimeError } from '../errors.js';

// The table, its schema and the lookup are contracts: the observability service prices the same
// calls again from the recorded tokens and the price version in effect (see `ModelPricesSet`).
export { defaultPriceTable, modelPriceSchema, priceOf, priceTableSchema, type ModelPrice, type PriceTable } from '@agent-orchestrator/contracts';

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
  return costAt(price, usage);
}
