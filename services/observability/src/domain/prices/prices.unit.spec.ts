import { randomUUID } from 'node:crypto';
import { newEventSchema, pricesStream, type EventEnvelope, type NewEvent, type PriceCommand, type PriceTable } from '@agent-orchestrator/contracts';
import { decidePrices, evolvePrices, initialPrices, sinceTheBeginning } from './prices.js';

const table: PriceTable = { 'gpt-5': { inputUsdPerMillion: 1.25, outputUsdPerMillion: 10 } };
const metadata = () => ({ tenantId: 'platform', correlationId: randomUUID(), causationId: randomUUID(), actor: { kind: 'service' as const, id: 'observability' }, traceparent: null, now: '2026-11-29T15:00:00.000Z', eventIds: [randomUUID()] });
const seed = (prices: PriceTable): PriceCommand => ({ type: 'SeedModelPrices', prices, effectiveFrom: '2026-11-29T15:00:00.000Z', metadata: metadata() });
const set = (prices: PriceTable, effectiveFrom: string): PriceCommand => ({ type: 'SetModelPrices', prices, effectiveFrom, metadata: metadata() });
const stored = (events: readonly NewEvent[], from: number): EventEnvelope[] =>
  events.map((event, index) => ({ ...event, streamId: pricesStream, streamVersion: from + index, globalPosition: String(from + index) }) as EventEnvelope);

/** Given the stream's events, when a command, then these events: each checked against the envelope's schema. */
function given(...history: readonly NewEvent[]) {
  const state = stored(history, 0).reduce(evolvePrices, initialPrices());
  return (command: PriceCommand) => {
    const events = decidePrices(command, state);
    for (const event of events) expect(newEventSchema.safeParse(event).success).toBe(true);
    return events;
  };
}

describe('the platform prices decider', () => {
  it('records the first configured table as version 1, in effect from the beginning so every recorded call is priced', () => {
    expect(given()(seed(table))).toEqual([expect.objectContaining({ type: 'ModelPricesSet', data: { version: 1, effectiveFrom: sinceTheBeginning, prices: table, source: 'configuration' } })]);
  });

  it('records nothing when the configuration offers the table it last recorded, in any key order', () => {
    const first = given()(seed({ a: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 }, b: { inputUsdPerMillion: 3, outputUsdPerMillion: 4 } }));
    expect(given(...first)(seed({ b: { outputUsdPerMillion: 4, inputUsdPerMillion: 3 }, a: { inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }))).toEqual([]);
  });

  it('records a changed configuration as the next version, from the start that offered it', () => {
    const first = given()(seed(table));
    const changed = { ...table, '*': { inputUsdPerMillion: 0, outputUsdPerMillion: 0 } };
    expect(given(...first)(seed(changed))).toEqual([expect.objectContaining({ data: { version: 2, effectiveFrom: '2026-11-29T15:00:00.000Z', prices: changed, source: 'configuration' } })]);
  });

  it("makes every PUT the next version from the instant it names, and keeps it over a restart's unchanged configuration", () => {
    const first = given()(seed(table));
    const put = given(...first)(set({ 'gpt-5': { inputUsdPerMillion: 2, outputUsdPerMillion: 20 } }, '2026-11-01T00:00:00.000Z'));
    expect(put).toEqual([expect.objectContaining({ data: expect.objectContaining({ version: 2, effectiveFrom: '2026-11-01T00:00:00.000Z', source: 'api' }) })]);
    expect(given(...first, ...put)(seed(table))).toEqual([]);
  });
});
