import type { EventEnvelope, NewEvent, PriceCommand, PriceTable, PriceVersion } from '@agent-orchestrator/contracts';

/** Every version of the platform's prices, in the order they were set. */
export interface PricesState {
  readonly versions: readonly PriceVersion[];
}

export const initialPrices = (): PricesState => ({ versions: [] });

/** Configured prices price the whole history when they are the first: calls made before the service first started are covered too. */
export const sinceTheBeginning = '1970-01-01T00:00:00.000Z';

export function evolvePrices(state: PricesState, event: EventEnvelope): PricesState {
  if (event.type !== 'ModelPricesSet') return state;
  const { version, effectiveFrom, prices, source } = event.data as PriceVersion;
  return { versions: [...state.versions, { version, effectiveFrom, prices, source }] };
}

/** Key order does not make two tables different. */
function sameTable(left: PriceTable, right: PriceTable): boolean {
  const canonical = (table: PriceTable) => JSON.stringify(Object.keys(table).sort().map((model) => [model, table[model]!.inputUsdPerMillion, table[model]!.outputUsdPerMillion]));
  return canonical(left) === canonical(right);
}

/**
 * SetModelPrices always makes the next version. SeedModelPrices (MODEL_PRICES at a start) makes
 * one only when the table differs from the last configured version, so restarts and several
 * instances starting at once record it once; the first version of all is in effect from the
 * beginning, so every call already in the log has a price.
 */
export function decidePrices(command: PriceCommand, state: PricesState): NewEvent[] {
  const { eventIds, now, tenantId, correlationId, causationId, actor, traceparent } = command.metadata;
  const eventId = eventIds[0];
  if (eventId === undefined) throw new Error(`${command.type} carries no event id`);
  let effectiveFrom = command.effectiveFrom;
  switch (command.type) {
    case 'SetModelPrices':
      break;
    case 'SeedModelPrices': {
      const lastConfigured = state.versions.findLast((version) => version.source === 'configuration');
      if (lastConfigured && sameTable(lastConfigured.prices, command.prices)) return [];
      if (state.versions.length === 0) effectiveFrom = sinceTheBeginning;
      break;
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown price command ${JSON.stringify(unknown)}`);
    }
  }
  const source = command.type === 'SetModelPrices' ? 'api' : 'configuration';
  const version = (state.versions.at(-1)?.version ?? 0) + 1;
  return [{ eventId, type: 'ModelPricesSet', schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data: { version, effectiveFrom, prices: command.prices, source } }];
}

export const pricesDecider = { initialState: initialPrices, evolve: evolvePrices, decide: decidePrices };
