import { z } from 'zod';
import { priceTableSchema } from '../catalog/price-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/** What both commands carry: a whole table, and the instant from which it prices calls. */
const priceTableCommand = { prices: priceTableSchema, effectiveFrom: z.iso.datetime({ offset: false }), metadata: commandMetadataSchema };

/** A platform admin's new price table (`PUT /v1/prices`), in effect from `effectiveFrom`. */
export const setModelPricesSchema = z.strictObject({ type: z.literal('SetModelPrices'), ...priceTableCommand });
export type SetModelPrices = Readonly<z.infer<typeof setModelPricesSchema>>;

/**
 * The table MODEL_PRICES configures, offered at each start of the observability service: it becomes
 * a version (from `effectiveFrom`) only when it differs from the last configured one, so restarts
 * record nothing and a version set through the API stands until the configuration changes.
 */
export const seedModelPricesSchema = z.strictObject({ type: z.literal('SeedModelPrices'), ...priceTableCommand });
export type SeedModelPrices = Readonly<z.infer<typeof seedModelPricesSchema>>;

export const priceCommandSchema = z.discriminatedUnion('type', [setModelPricesSchema, seedModelPricesSchema]);
export type PriceCommand = z.infer<typeof priceCommandSchema>;

/** A command of the observability service on `commands.observability`, keyed by `prices-platform`. */
export const observabilityCommandMessageSchema = z.strictObject({ commandId: z.uuid(), command: priceCommandSchema });
export type ObservabilityCommandMessage = z.infer<typeof observabilityCommandMessageSchema>;
