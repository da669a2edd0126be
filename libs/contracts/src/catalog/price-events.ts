import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';

/** USD per million tokens of one model. */
export const modelPriceSchema = z.strictObject({
  inputUsdPerMillion: z.number().min(0).max(10_000),
  outputUsdPerMillion: z.number().min(0).max(10_000),
});

/** Model name to price. The key `*` prices any model not listed (e.g. self-hosted ones at 0). */
export const priceTableSchema = z
  .record(z.string().min(1).max(200), modelPriceSchema)
  .refine((table) => Object.keys(table).length <= 1000, { error: 'a price table names at most 1000 models' });

/** Where a price version came from: MODEL_PRICES at a start of the observability service, or `PUT /v1/prices`. */
export const priceSources = ['configuration', 'api'] as const;

/**
 * A new version of the platform's model prices, on the `prices-platform` stream: the whole table,
 * in effect for calls made at or after `effectiveFrom` (which may lie in the past: a corrected
 * price reprices the calls since then) until a version with a later `effectiveFrom`.
 */
export const ModelPricesSet = defineEvent('ModelPricesSet', [
  {
    schema: z.strictObject({
      version: z.number().int().min(1),
      effectiveFrom: z.iso.datetime({ offset: false }),
      prices: priceTableSchema,
      source: z.enum(priceSources),
    }),
  },
]);

export const priceEvents = [ModelPricesSet] as const;
export type PriceEvent = EventOf<(typeof priceEvents)[number]>;
